"""Alembic migrations: they build the schema from empty, match the models, and unwind."""

import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from api.extensions import db
from tests.conftest import temporary_database


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
