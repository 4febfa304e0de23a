"""A keyed creating POST is one write transaction: claim, work and answer commit together.

The claim is never committed on its own, so: the happy path costs one transaction; a
concurrent request with the same key never makes a second row (on PostgreSQL it is told at
once that the key is in flight; on SQLite it queues behind the first and gets its answer); a
refused or failed request leaves no claim behind, and of its work only its refusal record.
"""

import threading
import time
import uuid

import pytest
import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import abort

from api.db import unit_of_work
from api.extensions import db
from api.http import access
from api.http.idempotency import idempotent
from api.http.openapi import Blueprint
from api.models import AuditEvent, CheckIn, IdempotencyRecord
from api.services import audit
from tests.conftest import RUN_DATABASE
from tests.helpers import assert_problem


def checkins_url(goal: str) -> str:
    return f"/api/v1/goals/{goal}/checkins"


def stored(app, **where) -> int:
    with app.app_context():
        model = where.pop("model", CheckIn)
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
            *(getattr(model, name) == value for name, value in where.items())))


def test_a_keyed_check_in_is_one_transaction_of_six_statements(app, client, world):
    goal, seen = world.fresh_goal(), {"statements": [], "commits": 0, "begins": 0}

    def statement(_conn, _cursor, text, *_args):
        if text.split(None, 1)[0].upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
            seen["statements"].append(text.split(None, 3)[:3])

    def count(name):
        return lambda *_args: seen.__setitem__(name, seen[name] + 1)

    with app.app_context():
        engine = db.engine
    listeners = [("before_cursor_execute", statement), ("commit", count("commits")),
                 ("begin", count("begins"))]
    for name, fn in listeners:
        sa.event.listen(engine, name, fn)
    try:
        response = client.post(checkins_url(goal), json={"progress": 3},
                               headers={**world["peer_a"].headers,
                                        "Idempotency-Key": str(uuid.uuid4())})
    finally:
        for name, fn in listeners:
            sa.event.remove(engine, name, fn)
    assert response.status_code == 201
    # Session, claim, membership, check-in, audit, answer: no savepoint, no second commit.
    assert len(seen["statements"]) == 6, seen["statements"]
    assert seen["begins"] == seen["commits"] == 1


def test_the_claim_is_never_committed_before_the_work(app, client, world):
    """Seen from another connection while the check-in is being written: no claim yet."""
    goal, key, during = world.fresh_goal(), str(uuid.uuid4()), []
    url, options = RUN_DATABASE
    other = sa.create_engine(url, **options)

    def look(_conn, _cursor, text, *_args):
        if text.startswith("INSERT INTO checkins"):
            # A bare driver connection: no transaction of the app's (SQLite would make it
            # BEGIN IMMEDIATE inside a request, and wait for the lock this request holds).
            conn = other.raw_connection()
            try:
                cursor = conn.cursor()
                cursor.execute(f"SELECT count(*) FROM idempotency_records WHERE key = "
                               f"'{key}'")
                during.append(cursor.fetchone()[0])
            finally:
                conn.close()

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", look)
    try:
        response = client.post(checkins_url(goal), json={"progress": 3},
                               headers={**world["peer_a"].headers, "Idempotency-Key": key})
    finally:
        sa.event.remove(engine, "before_cursor_execute", look)
        other.dispose()
    assert response.status_code == 201
    assert during == [0]
    assert stored(app, model=IdempotencyRecord, key=key) == 1


def _race(app, world, goal: str, bodies: list[dict], key: str):
    """Send the requests at once, each from its own thread; their responses in order."""
    answers, start = [None] * len(bodies), threading.Barrier(len(bodies))

    def send(index):
        client = app.test_client()
        start.wait()
        answers[index] = client.post(checkins_url(goal), json=bodies[index],
                                     headers={**world["peer_a"].headers,
                                              "Idempotency-Key": key})

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_one_key_sent_eight_times_at_once_stores_one_check_in(app, world):
    goal, key = world.fresh_goal(), str(uuid.uuid4())
    note = f"race {key}"
    answers = _race(app, world, goal, [{"progress": 5, "note": note}] * 8, key)
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {201, 409}, statuses  # 409: still in flight, try again
    made = [answer for answer in answers if answer.status_code == 201]
    assert made and len({answer.get_json()["id"] for answer in made}) == 1
    assert sum("Idempotent-Replayed" not in answer.headers for answer in made) == 1
    assert stored(app, note=note) == 1
    assert stored(app, model=IdempotencyRecord, key=key) == 1


def test_one_key_sent_at_once_with_other_bodies_runs_one_of_them(app, world):
    goal, key = world.fresh_goal(), str(uuid.uuid4())
    bodies = [{"progress": n, "note": f"race {key} {n}"} for n in range(6)]
    answers = _race(app, world, goal, bodies, key)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409, 422}, statuses
    with app.app_context():
        notes = db.session.scalars(sa.select(CheckIn.note).where(
            CheckIn.note.like(f"race {key} %"))).all()
    assert len(notes) == 1


def test_a_refused_keyed_request_keeps_its_denial_and_leaves_no_claim(app, client, world):
    """Peer B is not in partnership A: 404, audited, and the key is not burnt."""
    goal, key = world.fresh_goal(), str(uuid.uuid4())
    response = client.post(checkins_url(goal), json={"progress": 2},
                           headers={**world["peer_b"].headers, "Idempotency-Key": key})
    assert_problem(response, 404)
    assert stored(app, model=AuditEvent, object_id=goal, outcome="denied") == 1
    assert stored(app, model=IdempotencyRecord, key=key) == 0


def test_a_revoked_token_is_refused_at_once_on_a_keyed_write(app, client, world):
    goal, key, peer = world.fresh_goal(), str(uuid.uuid4()), world["peer_a"]
    assert client.delete("/api/v1/auth/token", headers=peer.headers).status_code == 204
    response = client.post(checkins_url(goal), json={"progress": 2, "note": key},
                           headers={**peer.headers, "Idempotency-Key": key})
    assert_problem(response, 401)
    assert stored(app, note=key) == 0
    assert stored(app, model=IdempotencyRecord, key=key) == 0


# --- one unit of work: the view's work, its claim and its answer, or none of them ----------

probe = Blueprint("uow_probe", __name__, url_prefix="/uow-probe")


@probe.route("/<mark>/<plan>")
class Steps(MethodView):
    """Audit rows stand for the view's work: `<mark>:<step>` in object_id."""

    @access.signed_in()
    @idempotent
    def post(self, mark, plan):
        user = access.caller()
        audit.record(user, "probe", object_id=f"{mark}:work")
        if plan == "refuse":
            audit.record_refusal(user, "probe", object_id=f"{mark}:refusal")
            abort(409, message="Refused after some work.")
        if plan == "answer-an-error":
            return {"plan": plan}, 422
        if plan == "crash":
            raise RuntimeError("a bug, after some work")
        return {"plan": plan}, 201


@pytest.fixture(scope="module")
def probe_app(make_app):
    app = make_app()
    app.register_blueprint(probe)  # plain Flask registration: keeps the real spec untouched
    unit_of_work.init_app(app)  # the boundary goes round routes registered after create_app
    return app


def steps_kept(app, mark: str) -> list[str]:
    with app.app_context():
        return sorted(name.split(":", 1)[1] for name in db.session.scalars(
            sa.select(AuditEvent.object_id).where(AuditEvent.object_id.like(f"{mark}:%"))))


@pytest.mark.parametrize(("plan", "status", "kept"), [
    ("succeed", 201, ["work"]),
    ("refuse", 409, ["refusal"]),  # a refusal is recorded even though nothing else is kept
    ("answer-an-error", 422, []),
    ("crash", 500, []),
])
def test_a_keyed_view_commits_with_its_answer_or_not_at_all(probe_app, world, plan, status,
                                                            kept):
    client, mark, key = probe_app.test_client(), uuid.uuid4().hex, str(uuid.uuid4())
    headers = {**world["worker_a"].headers, "Idempotency-Key": key}
    first = client.post(f"/uow-probe/{mark}/{plan}", json={}, headers=headers)
    assert first.status_code == status
    assert steps_kept(probe_app, mark) == kept
    again = client.post(f"/uow-probe/{mark}/{plan}", json={}, headers=headers)
    if status == 201:  # stored with the work: replayed, the work not run again
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert steps_kept(probe_app, mark) == kept
        assert stored(probe_app, model=IdempotencyRecord, key=key) == 1
    else:  # nothing of the first was kept but its refusal: the retry runs again
        assert again.status_code == status
        assert steps_kept(probe_app, mark) == kept * 2
        assert stored(probe_app, model=IdempotencyRecord, key=key) == 0


@pytest.mark.skipif(not RUN_DATABASE[0].startswith("postgresql"), reason="PostgreSQL's key lock")
def test_on_postgresql_a_key_in_flight_is_409_at_once_not_a_wait(app, client, world):
    goal, key = world.fresh_goal(), str(uuid.uuid4())
    headers = {**world["peer_a"].headers, "Idempotency-Key": key}
    with app.app_context():
        engine = db.engine
    # Another process is running the first request with this key: its transaction holds
    # the key's lock and has inserted its claim, not yet committed.
    with engine.connect() as first:
        first.execute(sa.text("SELECT pg_try_advisory_xact_lock(hashtextextended(:n, 0))"),
                      {"n": f"user:{world['peer_a'].id}\n{key}"})
        first.execute(sa.insert(IdempotencyRecord).values(
            scope=f"user:{world['peer_a'].id}", key=key, fingerprint="x" * 64))
        answers = []
        second = threading.Thread(target=lambda: answers.append(
            (client.post(checkins_url(goal), json={"progress": 2}, headers=headers),
             time.monotonic())))
        started = time.monotonic()
        second.start()
        second.join(timeout=3)
        first.rollback()  # the first request failed: it leaves nothing behind
        second.join(timeout=10)
    busy, answered_at = answers[0]
    waited = answered_at - started
    assert_problem(busy, 409)
    assert busy.headers["Retry-After"] == "1"
    assert waited < 2, f"waited {waited:.1f} s on the first request's transaction"
    retried = client.post(checkins_url(goal), json={"progress": 2}, headers=headers)
    assert retried.status_code == 201
    assert stored(app, model=IdempotencyRecord, key=key) == 1
