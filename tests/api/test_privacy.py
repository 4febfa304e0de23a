"""The audit trail, each person's access log, and their rights to take and erase their data."""

import json
import re
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from api.extensions import db
from api.models import AuditEvent, AuthSession, IdempotencyRecord, User
from api.services.sessions import token_hash
from tests.factories import PASSWORD, unique
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


def test_members_see_attempts_by_others_to_read_their_partnership(client, world):
    """A denied look is part of 'who touched my data': the members can see it happened."""
    outsider = world["worker_b"]
    client.get(f"/api/v1/partnerships/{world.partnership_a}", headers=outsider.headers)
    log = client.get("/api/v1/me/access-log", headers=world["peer_a"].headers).get_json()
    attempts = [e for e in log if e["outcome"] == "denied" and e["actor_id"] == outsider.id]
    assert attempts and attempts[0]["object_id"] == world.partnership_a
