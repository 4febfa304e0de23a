"""Test fixtures: one migrated database per run (SQLite file, or a PostgreSQL schema).

Set TEST_DATABASE_URL to run the whole suite on PostgreSQL; each run gets a schema of its
own, dropped at the end.
"""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from api import create_app
from api.config import database_url
from api.extensions import db
from api.services.content_loader import load_content


def _test_config(url: str, engine_options: dict) -> dict:
    return {
        "TESTING": True,
        # Unhandled errors must be rendered as the client would see them in production.
        "PROPAGATE_EXCEPTIONS": False,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
    }


@contextmanager
def temporary_database(tmp_dir: Path):
    """(url, engine options) of a new, empty database, removed afterwards."""
    raw = os.environ.get("TEST_DATABASE_URL")
    if not raw:
        yield f"sqlite:///{tmp_dir / f'rapport-{uuid.uuid4().hex[:8]}.db'}", {}
        return
    url = database_url(raw)
    schema = f"rapport_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-c search_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    with temporary_database(tmp_path_factory.mktemp("db")) as found:
        yield found


@pytest.fixture(scope="session")
def make_app(database):
    """Build apps on the test database (or another one); their pools close at the end."""
    url, engine_options = database
    built = []

    def factory(database=None, **overrides):
        db_url, options = database or (url, engine_options)
        app = create_app({**_test_config(db_url, options), **overrides})
        built.append(app)
        return app

    yield factory
    for app in built:  # an undisposed pool leaks open connections (ResourceWarning)
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()


@pytest.fixture(scope="session")
def app(make_app):
    app = make_app()
    with app.app_context():
        upgrade()  # the real migrations, from empty, as production runs them
        load_content(app.config["LANGUAGES"])
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def restore_content(app):
    """For tests that change content: put the real content back afterwards."""
    yield
    with app.app_context():
        load_content(app.config["LANGUAGES"])


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counted:` block."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting
