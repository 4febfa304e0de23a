"""The audit trail, each person's access log, and their rights to take and erase their data."""

import json
import os
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import func, select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import AuditEvent, AuthSession, Goal, IdempotencyRecord, Milestone, User
from api.services.accounts import privacy
from api.services.accounts.sessions import token_hash
from tests.conftest import temporary_database
from tests.factories import PASSWORD, make_world, unique
from tests.helpers import assert_problem

ACCESS_LOG = "/api/v1/me/access-log"
NEW_PASSWORD = "quiet harbour lantern dawn"
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client, **credentials):
    return client.post("/api/v1/auth/token", json=credentials)


def register(client, **overrides):
    body = {"email": f"{unique('w')}@example.org", "password": PASSWORD,
            "display_name": "Sam", **overrides}
    return client.post("/api/v1/auth/register", json=body)


def read_partnership(client, actor, partnership_id: str):
    return client.get(f"/api/v1/partnerships/{partnership_id}", headers=actor.headers)


def access_log(client, actor, **params) -> list[dict]:
    response = client.get(ACCESS_LOG, headers=actor.headers, query_string=params)
    assert response.status_code == 200
    return response.get_json()


def erase(client, actor) -> None:
    assert client.delete("/api/v1/me", headers=actor.headers).status_code == 204


def audit_rows(app, *where) -> list[dict]:
    """Audit rows as plain dicts (every column), oldest first."""
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.id))
        return [{column.name: getattr(row, column.name)
                 for column in AuditEvent.__table__.columns} for row in rows]


def last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


# --- the access log ---------------------------------------------------------------------

def test_a_peer_sees_when_their_worker_read_the_partnership(client, world):
    worker, peer = world["worker_a"], world["peer_a"]
    assert read_partnership(client, worker, world.partnership_a).status_code == 200
    entries = [entry for entry in access_log(client, peer) if entry["actor_id"] == worker.id]
    assert {"action": "partnership.read", "object_id": world.partnership_a,
            "actor_role": "worker", "outcome": "ok"}.items() <= entries[0].items()
    assert entries[0]["at"].endswith("Z")


def test_the_access_log_is_newest_first_and_paged(client, world):
    worker, peer = world["worker_a"], world["peer_a"]
    read_partnership(client, worker, world.partnership_a)
    client.patch(f"/api/v1/partnerships/{world.partnership_a}",
                 json={"checkin_cadence_days": 10}, headers=worker.headers)
    entries = access_log(client, peer)
    by_worker = [entry["action"] for entry in entries if entry["actor_id"] == worker.id]
    assert by_worker == ["partnership.update", "partnership.read"]
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)

    response = client.get(ACCESS_LOG, headers=peer.headers, query_string={"page_size": 1})
    assert len(response.get_json()) == 1
    paging = json.loads(response.headers["X-Pagination"])
    assert paging["total"] >= 3 and paging["next_page"] == 2
    assert 'rel="next"' in response.headers["Link"]


def test_the_access_log_shows_nothing_of_other_peoples_partnerships(client, world):
    read_partnership(client, world["worker_a"], world.partnership_a)
    seen = access_log(client, world["peer_b"], page_size=100)
    assert all(entry["object_id"] != world.partnership_a for entry in seen)
    assert all(entry["actor_id"] != world["worker_a"].id for entry in seen)


def test_sign_ins_that_failed_and_worked_are_in_the_persons_log(client, worker):
    assert_problem(sign_in(client, email=worker.email, password="not my password"), 401)
    assert sign_in(client, **worker.credentials).status_code == 201
    logins = [entry for entry in access_log(client, worker) if entry["action"] == "auth.login"]
    assert [entry["outcome"] for entry in logins] == ["ok", "failed"]
    assert all(entry["object_id"] == worker.id for entry in logins)


# --- the audit trail itself -------------------------------------------------------------

def test_denials_are_audited(client, app, world):
    intruder = world["worker_b"]
    assert_problem(read_partnership(client, intruder, world.partnership_a), 404)
    denied = audit_rows(app, AuditEvent.outcome == "denied",
                        AuditEvent.object_id == world.partnership_a)
    assert [row["actor_id"] for row in denied] == [uuid.UUID(intruder.id)]


def test_audit_rows_never_hold_content(client, app, world):
    """Who, what and when; never names, emails, usernames, passwords or tokens."""
    since = last_audit_id(app)
    email, name = f"{unique('private')}@example.org", unique("Secretname")
    password, wrong = f"{unique('lantern ')} river", f"{unique('wrong ')} guess"
    assert register(client, email=email, display_name=name, password=password).status_code == 201
    sign_in(client, email=email, password=wrong)
    worker_token = sign_in(client, email=email, password=password).get_json()["token"]
    code = client.post("/api/v1/invites", json={}, headers=bearer(worker_token))
    peer = {"display_name": unique("Peername"), "username": unique("secretuser"),
            "password": f"{unique('harbour ')} song"}
    joined = client.post(f"/api/v1/invites/{code.get_json()['code']}/accept", json=peer)
    assert joined.status_code == 201
    for token in (worker_token, joined.get_json()["token"]):
        client.get("/api/v1/partnerships", headers=bearer(token))
        client.get(f"/api/v1/partnerships/{joined.get_json()['partnership_id']}",
                   headers=bearer(token))

    rows = audit_rows(app, AuditEvent.id > since)
    assert len(rows) >= 8  # the steps above really were audited
    secrets = [email, name, password, wrong, worker_token, joined.get_json()["token"],
               *peer.values()]
    stored = " ".join(str(value) for row in rows for value in row.values()).casefold()
    assert [secret for secret in secrets if secret.casefold() in stored] == []


@pytest.mark.parametrize("change", [
    lambda row_id: sa.update(AuditEvent).where(AuditEvent.id == row_id)
    .values(action="edited", outcome="ok"),
    lambda row_id: sa.delete(AuditEvent).where(AuditEvent.id == row_id),
], ids=["update", "delete"])
def test_the_database_refuses_to_change_audit_rows(client, app, worker, change):
    """Append-only is enforced by the database itself, so no code path can rewrite history."""
    client.get("/api/v1/me", headers=worker.headers)
    row = audit_rows(app, AuditEvent.actor_id == uuid.UUID(worker.id))[-1]
    with app.app_context():
        with pytest.raises(sa.exc.SQLAlchemyError, match="append-only"):
            db.session.execute(change(row["id"]))
        db.session.rollback()
    assert audit_rows(app, AuditEvent.id == row["id"]) == [row]


# --- taking your data -------------------------------------------------------------------

def test_the_export_holds_everything_about_you_and_no_secrets(client, world):
    worker, peer = world["worker_a"], world["peer_a"]
    peer_name = client.get("/api/v1/me", headers=peer.headers).get_json()["display_name"]
    response = client.get("/api/v1/me/export", headers=worker.headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["profile"]["email"] == worker.email
    [partnership] = data["partnerships"]
    assert partnership["id"] == world.partnership_a
    assert partnership["peer"]["display_name"] == peer_name
    assert data["sessions"] and all("token" not in key and "hash" not in key
                                    for session in data["sessions"] for key in session)
    assert "account.register" in {entry["action"] for entry in data["access_log"]}

    text = response.get_data(as_text=True)
    times = [value for value in _strings(data) if DATETIME.match(value)]
    assert times and all(value.endswith("Z") for value in times)
    for secret in ("$argon2", worker.token, token_hash(worker.token)):
        assert secret not in text


def _strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- erasing your data ------------------------------------------------------------------

@pytest.mark.parametrize("who", ["worker_a", "peer_a"])
def test_erasing_signs_out_everywhere_and_forgets_the_person(client, app, world, who):
    person = world[who]
    other_token = sign_in(client, **person.credentials).get_json()["token"]
    erase(client, person)
    for headers in (person.headers, bearer(other_token)):
        assert_problem(client.get("/api/v1/me", headers=headers), 401)
    assert_problem(sign_in(client, **person.credentials), 401)
    with app.app_context():
        user = db.session.get(User, uuid.UUID(person.id))
        assert (user.email, user.username, user.display_name, user.password_hash) == (
            None, None, None, None)
        assert user.erased_at is not None
        assert not db.session.scalars(
            select(AuthSession).where(AuthSession.user_id == user.id)).all()


@pytest.mark.parametrize(("erased", "other", "side"), [
    ("worker_a", "peer_a", "worker"), ("peer_a", "worker_a", "peer")])
def test_erasing_ends_partnerships_and_the_other_member_keeps_the_history(
        client, app, world, erased, other, side):
    gone = world[erased]
    audited_before = audit_rows(app, AuditEvent.actor_id == uuid.UUID(gone.id))
    erase(client, gone)
    response = read_partnership(client, world[other], world.partnership_a)
    assert response.status_code == 200
    partnership = response.get_json()
    assert partnership["status"] == "ended" and partnership["ended_at"] is not None
    assert partnership[side] == {"id": gone.id, "display_name": None}
    # The trail keeps the pseudonymous id: nothing was deleted, the erasure was added.
    audited_after = audit_rows(app, AuditEvent.actor_id == uuid.UUID(gone.id))
    assert audited_after[:len(audited_before)] == audited_before
    assert audited_after[-1]["action"] == "account.erase"


def test_erasing_forgets_the_answers_kept_for_retries(client, app, world):
    peer, note = world["peer_a"], f"only mine {uuid.uuid4()}"
    made = client.post(f"/api/v1/goals/{world.fresh_goal()}/checkins",
                       json={"progress": 3, "note": note},
                       headers={**peer.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert made.status_code == 201
    with app.app_context():  # kept so a retry gets the same answer, note and all
        assert db.session.scalar(select(func.count()).where(
            IdempotencyRecord.body.contains(note))) == 1
    erase(client, peer)
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(
            IdempotencyRecord.body.contains(note))) == 0
        assert db.session.scalar(select(func.count()).where(
            IdempotencyRecord.scope == f"user:{peer.id}")) == 0


def test_an_erased_email_can_register_again(client, world):
    worker = world["worker_a"]
    erase(client, worker)
    again = register(client, email=worker.email)
    assert again.status_code == 201
    assert again.get_json()["id"] != worker.id


# --- erasing the words they wrote in shared goals ---------------------------------------

def secret_words() -> dict[str, str]:
    """Words no other test writes, so finding one anywhere means it was kept."""
    return {name: unique(f"{name}Secret") for name in ("title", "why", "step", "step_on_theirs",
                                                        "note")}


def add_step(client, actor, goal_id: str, title: str) -> dict:
    made = client.post(f"/api/v1/goals/{goal_id}/milestones", json={"title": title},
                       headers={**actor.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert made.status_code == 201
    return made.get_json()


def peer_writes_in_shared_goals(client, world, secret: dict[str, str]) -> dict[str, str]:
    """The peer sets a goal with a why and a step (done), and a step on the worker's goal;
    the worker adds a step of their own to the peer's goal. Returns the ids."""
    worker, peer = world["worker_a"], world["peer_a"]
    goal = client.post(f"/api/v1/partnerships/{world.partnership_a}/goals",
                       json={"title": secret["title"], "why": secret["why"]},
                       headers={**peer.headers, "Idempotency-Key": str(uuid.uuid4())})
    assert goal.status_code == 201
    ids = {"goal": goal.get_json()["id"], "workers_goal": world.fresh_goal()}
    ids["step"] = add_step(client, peer, ids["goal"], secret["step"])["id"]
    ids["workers_step"] = add_step(client, worker, ids["goal"], "Walk to the corner")["id"]
    ids["step_on_theirs"] = add_step(client, peer, ids["workers_goal"],
                                     secret["step_on_theirs"])["id"]
    done = client.patch(f"/api/v1/milestones/{ids['step']}", json={"done": True},
                        headers={**peer.headers, "If-Match": '"v1"'})
    assert done.status_code == 200
    checkin = client.post(f"/api/v1/goals/{ids['goal']}/checkins",
                          json={"progress": 4, "note": secret["note"]}, headers=peer.headers)
    assert checkin.status_code == 201
    return ids


def history_shape(client, actor, partnership_id: str) -> list[dict]:
    """Goals, their milestones and check-ins without any words: what erasure must keep."""
    words = {"title", "why", "note", "words_removed", "version", "updated_at"}
    goals = client.get(f"/api/v1/partnerships/{partnership_id}/goals", headers=actor.headers)
    shape = []
    for goal in sorted(goals.get_json(), key=lambda goal: goal["id"]):
        milestones = client.get(f"/api/v1/goals/{goal['id']}/milestones", headers=actor.headers)
        checkins = client.get(f"/api/v1/goals/{goal['id']}/checkins", headers=actor.headers)
        shape.append({**{k: v for k, v in goal.items() if k not in words},
                      "milestones": [{k: v for k, v in m.items() if k not in words}
                                     for m in milestones.get_json()],
                      "checkins": [{k: v for k, v in c.items() if k not in words}
                                   for c in checkins.get_json()]})
    return shape


def test_erasing_removes_their_words_from_shared_goals_and_keeps_the_history(client, world):
    worker, peer = world["worker_a"], world["peer_a"]
    secret = secret_words()
    ids = peer_writes_in_shared_goals(client, world, secret)
    goal_url = f"/api/v1/goals/{ids['goal']}"
    etag = client.get(goal_url, headers=worker.headers).headers["ETag"]
    shape = history_shape(client, worker, world.partnership_a)

    erase(client, peer)

    reads = {url: client.get(url, headers=worker.headers) for url in (
        goal_url, f"/api/v1/partnerships/{world.partnership_a}/goals",
        f"{goal_url}/milestones", f"/api/v1/goals/{ids['workers_goal']}/milestones",
        f"/api/v1/partnerships/{world.partnership_a}/timeline", "/api/v1/me/milestones",
        "/api/v1/me/export")}
    assert {url: read.status_code for url, read in reads.items()} == dict.fromkeys(reads, 200)
    seen = " ".join(read.get_data(as_text=True) for read in reads.values())
    assert [word for word in secret.values() if word in seen] == []
    # The same goals, milestones and check-ins, with the same statuses, done flags and
    # progress numbers: only the words changed.
    assert history_shape(client, worker, world.partnership_a) == shape

    goal = reads[goal_url].get_json()
    assert (goal["title"], goal["why"], goal["words_removed"]) == ("", None, True)
    # A phone that saved the goal must not be told its copy, words and all, is current.
    assert client.get(goal_url, headers={**worker.headers, "If-None-Match": etag}
                      ).status_code == 200
    steps = {m["id"]: m for m in reads[f"{goal_url}/milestones"].get_json()}
    assert (steps[ids["step"]]["title"], steps[ids["step"]]["words_removed"]) == ("", True)
    assert steps[ids["step"]]["done"] is True
    # The worker's own words, on the peer's goal and on their own, stay.
    assert (steps[ids["workers_step"]]["title"],
            steps[ids["workers_step"]]["words_removed"]) == ("Walk to the corner", False)
    [on_theirs] = reads[f"/api/v1/goals/{ids['workers_goal']}/milestones"].get_json()
    assert (on_theirs["title"], on_theirs["words_removed"]) == ("", True)
    goals = {g["id"]: g for g in reads[f"/api/v1/partnerships/{world.partnership_a}/goals"]
             .get_json()}
    assert (goals[ids["workers_goal"]]["title"],
            goals[ids["workers_goal"]]["words_removed"]) == ("Walk every morning", False)

    timeline = reads[f"/api/v1/partnerships/{world.partnership_a}/timeline"].get_json()
    [step_done] = [e for e in timeline if e["type"] == "milestone_done"]
    assert (step_done["text"], step_done["words_removed"],
            step_done["goal_title"], step_done["goal_words_removed"]) == ("", True, "", True)
    exported = {g["id"]: g for g in reads["/api/v1/me/export"].get_json()["goals"]}
    assert exported[ids["goal"]]["words_removed"] is True
    assert [m["words_removed"] for m in exported[ids["goal"]]["milestones"]] == [True, False]


@pytest.fixture
def sqlite_file_world(make_app, tmp_path):
    """An app on an SQLite file of its own, with a world in it, and the file's path."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("reads an SQLite file's bytes; on PostgreSQL old row versions stay on "
                    "disk until autovacuum reclaims them (see privacy._checkpoint_sqlite)")
    with temporary_database(tmp_path) as database:
        app = make_app(database=database)
        with app.app_context():
            upgrade()
            world = make_world(app)
        yield world, Path(database[0].removeprefix("sqlite:///"))
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_database_file_keeps_none_of_the_erased_words(sqlite_file_world):
    world, path = sqlite_file_world
    client, secret = world.app.test_client(), secret_words()

    def on_disk() -> bytes:
        wal = path.with_name(path.name + "-wal")
        return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")

    peer_writes_in_shared_goals(client, world, secret)
    assert [word for word in secret.values() if word.encode() not in on_disk()] == []
    erase(client, world["peer_a"])
    assert [word for word in secret.values() if word.encode() in on_disk()] == []


def test_an_erasure_still_succeeds_when_readers_hold_up_the_checkpoint(
        sqlite_file_world, monkeypatch, caplog):
    world, path = sqlite_file_world
    monkeypatch.setattr(privacy, "CHECKPOINT_WAIT_MS", 50)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM goals").fetchone()  # keeps an older snapshot
        erase(world.app.test_client(), world["peer_a"])
    finally:
        reader.close()
    assert "checkpoint after an erasure could not finish" in caplog.text


def test_a_new_title_from_the_other_member_is_their_own_words(client, app, world):
    """Erasure ends the partnership; should one carry on, a new title is the editor's."""
    goal_id = world.fresh_goal()
    step_id = world.fresh_milestone(goal_id)
    with app.app_context():
        for model, item_id in ((Goal, goal_id), (Milestone, step_id)):
            db.session.execute(sa.update(model).where(model.id == uuid.UUID(item_id))
                               .values(title="", words_removed_at=utcnow()))
        db.session.commit()
    headers = {**world["worker_a"].headers, "If-Match": "*"}
    other_edits = {f"/api/v1/goals/{goal_id}": {"status": "paused"},
                   f"/api/v1/milestones/{step_id}": {"done": True}}
    for url, other_edit in other_edits.items():
        kept = client.patch(url, json=other_edit, headers=headers)
        assert kept.get_json()["words_removed"] is True
        renamed = client.patch(url, json={"title": "Walk to the park"}, headers=headers)
        assert (renamed.get_json()["title"], renamed.get_json()["words_removed"]) == (
            "Walk to the park", False)


def test_words_they_wrote_into_the_other_members_goal_go_too(client, world):
    """The attack: a peer rewrote the title and why of the worker's goal and a step on it,
    erased their account, and those words stayed (only items they created were blanked)."""
    worker, peer = world["worker_a"], world["peer_a"]
    secret = secret_words()
    goal_id = world.fresh_goal()
    step_id = world.fresh_milestone(goal_id)
    edits = {f"/api/v1/goals/{goal_id}": {"title": secret["title"], "why": secret["why"]},
             f"/api/v1/milestones/{step_id}": {"title": secret["step"]}}
    for url, words in edits.items():
        edited = client.patch(url, json=words, headers={**peer.headers, "If-Match": "*"})
        assert edited.status_code == 200
    why_by_worker = client.patch(f"/api/v1/goals/{goal_id}", json={"why": "So I sleep well"},
                                 headers={**worker.headers, "If-Match": "*"})
    assert why_by_worker.status_code == 200
    erase(client, peer)
    seen = client.get(f"/api/v1/goals/{goal_id}", headers=worker.headers).get_json()
    step = client.get(f"/api/v1/goals/{goal_id}/milestones",
                      headers=worker.headers).get_json()[0]
    assert (seen["title"], seen["why"], seen["words_removed"]) == ("", "So I sleep well", True)
    assert (step["title"], step["words_removed"]) == ("", True)
    export = json.dumps(client.get("/api/v1/me/export", headers=worker.headers).get_json())
    for word in (secret["title"], secret["why"], secret["step"]):
        assert word not in export


# --- changing your password -------------------------------------------------------------

def test_a_new_password_signs_out_every_other_session(client, worker):
    other = bearer(sign_in(client, **worker.credentials).get_json()["token"])
    for proof in ({}, {"current_password": "not my password"}):
        refused = client.patch("/api/v1/me", headers=worker.headers,
                               json={"password": NEW_PASSWORD, **proof})
        assert_problem(refused, 403)
    assert client.get("/api/v1/me", headers=other).status_code == 200  # nothing revoked

    changed = client.patch("/api/v1/me", headers=worker.headers,
                           json={"password": NEW_PASSWORD, "current_password": PASSWORD})
    assert changed.status_code == 200
    assert_problem(client.get("/api/v1/me", headers=other), 401)
    assert client.get("/api/v1/me", headers=worker.headers).status_code == 200
    assert sign_in(client, email=worker.email, password=NEW_PASSWORD).status_code == 201
    assert_problem(sign_in(client, email=worker.email, password=PASSWORD), 401)
