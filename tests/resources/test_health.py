"""Liveness and readiness probes."""

import sqlite3

import pytest
import sqlalchemy as sa

from api.extensions import db
from api.http import outage
from tests.conftest import RUN_DATABASE
from tests.helpers import assert_problem

ON_SQLITE = RUN_DATABASE[0].startswith("sqlite")


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.cache_control.no_store


def test_readyz_checks_the_database_and_its_disk(client):
    response = client.get("/readyz")
    checks = {"database": "ok", "disk": "ok"} if ON_SQLITE else {"database": "ok"}
    assert response.get_json() == {"status": "ready", "checks": checks}


def not_ready(response, checks: dict) -> dict:
    body = assert_problem(response, 503)
    assert response.headers["Retry-After"] == str(outage.RETRY_AFTER_SECONDS)
    assert response.cache_control.no_store
    assert body["checks"] == checks
    return body


def test_readyz_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    unreachable = (f"sqlite:///{tmp_path}/no/such/dir/rapport.db", {})
    app = make_app(database=unreachable)
    body = not_ready(app.test_client().get("/readyz"),
                     {"database": "unreachable", "disk": "unreachable"})
    assert body["detail"] == outage.DETAIL
    # Liveness does not depend on the database: the process is still up.
    assert app.test_client().get("/healthz").status_code == 200


def _opened_read_only(url: str) -> dict:
    """Engine options that open the SQLite file read-only (the URL, and so the disk check,
    still name the file itself)."""
    path = url.removeprefix("sqlite:///")
    return {"creator": lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                               check_same_thread=False)}


# Ways a database answers reads yet takes no writes: SQLite's query_only switch and its file
# opened read-only (tests run as root: chmod stops nothing); PostgreSQL read-only transactions,
# as on a standby.
READ_ONLY = (["query_only", "opened_read_only"] if ON_SQLITE
             else ["default_transaction_read_only"])


@pytest.fixture(params=READ_ONLY)
def read_only_app(request, app, make_app):
    url, options = RUN_DATABASE
    if request.param == "opened_read_only":
        return make_app(database=(url, _opened_read_only(url)))
    if request.param == "query_only":
        read_only = make_app()
        with read_only.app_context():
            sa.event.listen(db.engine, "connect",
                            lambda connection, _: connection.execute("PRAGMA query_only=1"))
        return read_only
    connect_args = options["connect_args"]
    read_only_options = connect_args["options"] + " -c default_transaction_read_only=on"
    return make_app(database=(url, {**options, "connect_args": {
        **connect_args, "options": read_only_options}}))


def test_readyz_is_503_when_the_database_refuses_writes(read_only_app):
    client = read_only_app.test_client()
    assert client.get("/api/v1/tips").status_code == 200  # it still answers reads
    checks = {"database": "read_only", "disk": "ok"} if ON_SQLITE else {"database": "read_only"}
    not_ready(client.get("/readyz"), checks)
    assert client.get("/healthz").status_code == 200


@pytest.mark.skipif(not ON_SQLITE, reason="the disk is checked where an SQLite file lives")
def test_readyz_is_503_when_the_disk_is_nearly_full(app, make_app):
    full = make_app(READY_MIN_FREE_MB=2**40)  # more than any disk has free: a full one
    not_ready(full.test_client().get("/readyz"), {"database": "ok", "disk": "full"})


def test_head_requests_get_headers_without_a_body(client):
    response = client.head("/api/v1/tips")
    assert response.status_code == 200
    assert response.get_data() == b"" and response.headers["ETag"]
