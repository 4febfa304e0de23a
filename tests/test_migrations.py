"""Alembic migrations: they build the schema from empty, match the models, and unwind."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from api.extensions import db
from api.models import Milestone
from tests.conftest import temporary_database
from tests.factories import make_milestone, make_world


@pytest.fixture
def fresh_app(make_app, tmp_path):
    with temporary_database(tmp_path) as database:
        app = make_app(database=database)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_suite_runs_on_the_database_it_was_asked_for(app):
    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    with app.app_context():
        assert db.engine.dialect.name == expected


def test_upgrade_from_empty_matches_the_models_and_downgrade_unwinds(fresh_app):
    assert _tables() == set()
    upgrade()
    assert _tables() == set(db.metadata.tables)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], "models and migrations differ: run `flask db migrate`"

    downgrade(revision="base")
    assert _tables() == set()
    upgrade()  # and back again, as a deploy after a rollback would
    assert _tables() == set(db.metadata.tables)


def test_upgrading_finds_who_made_each_milestone_in_the_audit_trail(fresh_app):
    upgrade()
    world = make_world(fresh_app)
    goal_id = world.fresh_goal()
    traced = make_milestone(world["peer_a"], goal_id).id
    untraced = Milestone(goal_id=uuid.UUID(goal_id), title="Made with no audit row")
    db.session.add(untraced)
    db.session.commit()
    untraced = untraced.id
    db.session.remove()  # no transaction of ours in the way of the migrations

    downgrade(revision="0007_sign_in_and_insights")  # milestones forget who made them
    upgrade()
    authors = dict(db.session.execute(sa.select(Milestone.id, Milestone.created_by)).all())
    assert authors == {traced: uuid.UUID(world["peer_a"].id), untraced: None}
    db.session.remove()
