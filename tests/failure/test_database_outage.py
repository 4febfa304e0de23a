"""The database out of reach: 503 problem+json with Retry-After, never a 500; recovery with
no restart; and nothing half-saved behind a 503.

The cheapest outage is a database nobody listens for (PostgreSQL on port 1, SQLite in a
folder that does not exist). A real one, connections dropped while pooled and mid-use, comes
from a TCP proxy between the app and PostgreSQL that the test cuts and restores.
"""

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError

from api.config import database_url
from api.db import idempotency_keys as idempotency
from api.db import outage
from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.http.outage import DETAIL, RETRY_AFTER_SECONDS
from api.lib.languages import LANGUAGES
from api.models import CheckIn, IdempotencyRecord
from api.services.loading import load_content
from tests.conftest import RUN_DATABASE
from tests.failure.harness import CuttableProxy
from tests.helpers import assert_problem

pytestmark = pytest.mark.failure

TEST_DATABASE_URL = database_url(os.environ.get("TEST_DATABASE_URL", ""))
ON_POSTGRESQL = TEST_DATABASE_URL.startswith("postgresql")
NO_ID = "00000000-0000-4000-8000-000000000000"

# (method, path, body, signed in): public reads, sign-in, private reads and writes.
ROUTES = [
    ("GET", "/readyz", None, False),
    ("GET", "/api/v1/tips", None, False),
    ("GET", "/api/v1/tips/today", None, False),
    ("GET", "/api/v1/faqs", None, False),
    ("GET", "/api/v1/surveys", None, False),
    ("GET", "/api/v1/crisis-resources", None, False),
    ("GET", "/feeds/tips.atom", None, False),
    ("POST", "/api/v1/auth/register",
     {"email": "new@example.org", "password": "quiet harbour lantern", "display_name": "N"},
     False),
    ("POST", "/api/v1/auth/token", {"email": "a@example.org", "password": "whatever12"}, False),
    ("GET", "/api/v1/me", None, True),
    ("GET", "/api/v1/partnerships", None, True),
    ("GET", "/api/v1/checkins/due", None, True),
    ("POST", f"/api/v1/goals/{NO_ID}/checkins", {"progress": 5}, True),
    ("POST", "/api/v1/invites", {}, True),
]

UNREACHABLE = {
    "postgresql": lambda tmp: "postgresql+psycopg://postgres@127.0.0.1:1/rapport",
    "sqlite": lambda tmp: f"sqlite:///{tmp / 'no' / 'such' / 'folder' / 'rapport.db'}",
}


def assert_unavailable(response):
    body = assert_problem(response, 503)
    assert body["detail"] == DETAIL
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.cache_control.no_store  # no cache may keep an outage
    return body


@pytest.fixture(params=sorted(UNREACHABLE))
def unreachable_client(request, make_app, tmp_path):
    url = UNREACHABLE[request.param](tmp_path)
    return make_app(database=(url, {})).test_client()


@pytest.mark.parametrize(("method", "path", "body", "signed_in"), ROUTES,
                         ids=[f"{m} {p}" for m, p, _, _ in ROUTES])
def test_every_route_that_needs_the_database_is_503(unreachable_client, method, path, body,
                                                    signed_in):
    headers = {"Authorization": f"Bearer {'x' * 43}"} if signed_in else {}
    if method == "POST":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    response = unreachable_client.open(path, method=method, json=body, headers=headers)
    assert_unavailable(response)


def test_public_503s_are_readable_cross_origin_and_liveness_stays_up(unreachable_client):
    response = unreachable_client.get("/api/v1/tips", headers={"Origin": "https://a.example"})
    assert_unavailable(response)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in response.headers["Access-Control-Expose-Headers"]
    # The process is alive: restarting it would not help, so liveness says so.
    assert unreachable_client.get("/healthz").status_code == 200


def test_sqlite_recovers_when_its_file_can_be_opened_again(make_app, tmp_path):
    folder = tmp_path / "mounted-later"
    app = make_app(database=(f"sqlite:///{folder / 'rapport.db'}", {}))
    client = app.test_client()
    assert_unavailable(client.get("/readyz"))
    assert_unavailable(client.get("/api/v1/tips"))
    folder.mkdir()  # the volume comes back
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_content(LANGUAGES)
    assert client.get("/readyz").get_json() == {
        "status": "ready", "checks": {"database": "ok", "disk": "ok"}}
    tips = client.get("/api/v1/tips")
    assert tips.status_code == 200 and tips.get_json()


def test_work_and_its_stored_answer_commit_together(app, client, world, monkeypatch):
    """The database lost after the work, before its answer is stored: neither is kept, and
    the retry with the same key then makes the check-in exactly once."""
    goal = world.fresh_goal()
    peer = world["peer_a"]
    note, key = f"together {uuid.uuid4()}", str(uuid.uuid4())
    url = f"/api/v1/goals/{goal}/checkins"

    def lost(*_args, **_kwargs):
        raise OperationalError("UPDATE idempotency_records", {},
                               ConnectionError("server closed the connection unexpectedly"))

    monkeypatch.setattr(idempotency, "store", lost)
    send = lambda: client.post(url, json={"progress": 6, "note": note},  # noqa: E731
                               headers={**peer.headers, "Idempotency-Key": key})
    assert_unavailable(send())
    monkeypatch.undo()

    def stored() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).where(CheckIn.note == note))

    assert stored() == 0, "the check-in was kept without its stored answer"
    with app.app_context():  # the claim shared the lost transaction: the key is free again
        assert db.session.scalar(sa.select(sa.func.count()).where(
            IdempotencyRecord.key == key)) == 0
    retried = send()
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    again = send()
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert stored() == 1


# --- a real outage: PostgreSQL behind a proxy that is cut -----------------------------------

def test_public_answers_already_made_keep_being_served_through_an_outage(make_app, tmp_path):
    folder = tmp_path / "volume"
    folder.mkdir()
    app = make_app(database=(f"sqlite:///{folder / 'rapport.db'}", {}))
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_content(LANGUAGES)
    client = app.test_client()
    lines = client.get("/api/v1/crisis-resources")
    assert lines.status_code == 200
    with app.app_context():
        db.engine.dispose()
    folder.rename(tmp_path / "gone")  # the volume goes away
    during = client.get("/api/v1/crisis-resources")  # help lines must not go dark
    assert during.status_code == 200 and during.data == lines.data
    assert_unavailable(client.get("/api/v1/faqs"))  # never made: nothing to serve
    assert_unavailable(client.get("/readyz"))
    (tmp_path / "gone").rename(folder)
    assert client.get("/api/v1/faqs").status_code == 200


@pytest.fixture
def proxied_app(app, make_app):
    """An app on the run's PostgreSQL schema, reaching the server through a cuttable proxy."""
    if not ON_POSTGRESQL:
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    url, options = RUN_DATABASE
    parts = urlsplit(url)
    proxy = CuttableProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    netloc = f"{parts.username + '@' if parts.username else ''}127.0.0.1:{proxy.port}"
    proxied = make_app(database=(urlunsplit(parts._replace(netloc=netloc)), options))
    proxied.proxy = proxy
    yield proxied
    with proxied.app_context():
        db.engine.dispose()
    proxy.close()


def test_postgresql_cut_and_restored_recovers_without_a_restart(proxied_app, world):
    client, proxy, worker = proxied_app.test_client(), proxied_app.proxy, world["worker_a"]
    goal = world.fresh_goal()
    url = f"/api/v1/goals/{goal}/checkins"

    def check_in(key: str):
        return client.post(url, json={"progress": 4, "note": key},
                           headers={**worker.headers, "Idempotency-Key": key})

    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/partnerships", headers=worker.headers).status_code == 200
    assert check_in(str(uuid.uuid4())).status_code == 201  # the pool holds live connections

    proxy.cut()  # every pooled connection is now dead, and new ones are refused
    assert_unavailable(client.get("/readyz"))
    assert_unavailable(client.get("/api/v1/faqs"))  # public, never read before: no copy
    assert_unavailable(client.get("/api/v1/partnerships", headers=worker.headers))
    during = str(uuid.uuid4())
    assert_unavailable(check_in(during))

    proxy.restore()
    # The very next requests succeed: dead connections were discarded, not handed out again.
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/partnerships", headers=worker.headers).status_code == 200
    retried = check_in(during)  # "Nothing was saved": the retry makes it, once
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    notes = [item["note"] for item in client.get(url + "?page_size=100",
                                                  headers=worker.headers).get_json()]
    assert notes.count(during) == 1


def test_postgresql_connection_cut_mid_transaction_is_discarded(proxied_app):
    client, proxy = proxied_app.test_client(), proxied_app.proxy
    with proxied_app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # a connection checked out, mid-transaction
        proxy.cut()
        with pytest.raises(OperationalError) as lost:
            db.session.execute(sa.text("SELECT 1"))
        assert outage.is_unavailable(lost.value) and lost.value.connection_invalidated
        db.session.rollback()
        proxy.restore()
        assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
        db.session.rollback()
    assert client.get("/readyz").status_code == 200
