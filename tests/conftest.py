"""Test fixtures: one migrated database per run (SQLite file, or a PostgreSQL schema).

Set TEST_DATABASE_URL to run the whole suite on PostgreSQL; each run gets a schema of its
own, dropped at the end.
"""

import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask_migrate import upgrade
from hypothesis import settings

from api import create_app, ratelimits
from api.config import database_url
from api.db import sqlite
from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.languages import LANGUAGES
from api.services import audit
from api.services.loading import load_content
from tests.factories import make_worker, make_world

# Speed is measured by `make bench`, not here: a busy CI machine must not fail a property test
# for taking longer than Hypothesis's default 200 ms.
settings.register_profile("rapport", deadline=None)
settings.load_profile("rapport")

RUN_PREFIX = f"rapport-test-{uuid.uuid4().hex[:8]}"
VAPID_TEST_KEY = ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()).decode()


def _test_config(url: str, engine_options: dict) -> dict:
    return {
        "TESTING": True,
        # Unhandled errors must be rendered as the client would see them in production.
        "PROPAGATE_EXCEPTIONS": False,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options},
        # CI sets TEST_RATELIMIT_STORAGE_URI to this machine's Redis; each run has its prefix.
        "RATELIMIT_STORAGE_URI": os.environ.get("TEST_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": RUN_PREFIX,
        "SECRET_KEY": f"{RUN_PREFIX}-secret-for-device-tokens",
        # The suite asks for public content thousands of times from one address; tests of
        # the limits themselves build apps with low ones (make_app(PUBLIC_RATE_LIMIT=...)).
        "PUBLIC_RATE_LIMIT": "100000 per minute",
        "API_KEY_RATE_LIMIT": "100000 per minute",
        # Schemathesis sends every private operation without a session (and others' ids with
        # one), again and again; tests/attacks/test_audit_trail.py builds an app with the
        # production limit.
        "DENIAL_LIMIT": "100000 per minute",
        # No access line per request in a failing test's report; test_observability turns
        # the access logger up where it reads the lines.
        "LOG_LEVEL": "WARNING",
        "LOG_FLUSH_SECONDS": 0,  # tests that read stderr see each line as it is made
        # The suite builds many apps; frozen, their garbage would never be collected.
        "GC_FREEZE": False,
        # Every public read asks whether content changed, so a test that edits the database
        # behind the app's back still sees its edit; tests/caching/test_public_cache.py builds
        # apps with the production setting.
        "CONTENT_VERSION_TTL": 0,
        # Jobs wait in memory until a test runs them; pushes go to the test's own push
        # service on loopback (tests/reminders/push_service.py), signed with a key of this run.
        "JOBS_URL": "memory://",
        "VAPID_PRIVATE_KEY": VAPID_TEST_KEY,
        "PUSH_SERVICES": ("127.0.0.1", "fcm.googleapis.com", "push.services.mozilla.com"),
        "PUSH_ALLOW_HTTP": True,
        # Webhooks go to the test's own receiver on loopback (tests/webhooks/receiver.py).
        "WEBHOOK_ALLOW_HTTP": True,
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


# The run's database exists from import time, so modules that need an app while being
# collected (schemathesis) can build one on it; pytest_sessionfinish removes it.
_RUN_DIR = Path(tempfile.mkdtemp(prefix="rapport-test-"))
_RUN_DATABASE_CONTEXT = temporary_database(_RUN_DIR)
RUN_DATABASE = _RUN_DATABASE_CONTEXT.__enter__()
_BUILT_APPS = []


def build_app(database=None, **overrides):
    """An app on the run's database (or another one); its pool is closed at the end."""
    url, options = database or RUN_DATABASE
    app = create_app({**_test_config(url, options), **overrides})
    _BUILT_APPS.append(app)
    return app


def pytest_sessionfinish(session, exitstatus):
    for app in _BUILT_APPS:  # an undisposed pool leaks open connections (ResourceWarning)
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
    _RUN_DATABASE_CONTEXT.__exit__(None, None, None)
    shutil.rmtree(_RUN_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def make_app():
    """Build more apps (for tests that add routes or change settings)."""
    return build_app


@pytest.fixture(scope="session")
def app(make_app):
    app = make_app()
    with app.app_context():
        upgrade()  # the real migrations, from empty, as production runs them
        with unit_of_work():
            load_content(LANGUAGES)
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
    with app.app_context(), unit_of_work():
        load_content(LANGUAGES)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counted:` block."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            # Transaction control (SQLite's BEGIN IMMEDIATE) is not a query.
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture(autouse=True)
def fresh_rate_limits(app):
    """Every test starts with no failed logins or public reads counted against it, and with
    no reads remembered as just written to the audit trail."""
    ratelimits.reset(app)
    audit.forget_recent_reads()
    yield


def _world(app):
    # Its transactions take SQLite's write lock up front, as the app's jobs do: a browser
    # test's server may still be writing, and a deferred read-then-write is refused at once.
    with app.app_context(), sqlite.writing():
        return make_world(app)


@pytest.fixture
def world(app):
    """Two agencies, each with an admin, a worker and a peer in a partnership."""
    return _world(app)


@pytest.fixture(scope="module")
def shared_world(app):
    """The same, shared by a module's tests: only for tests that change nothing."""
    return _world(app)


@pytest.fixture
def worker(app):
    with app.app_context():
        return make_worker()
