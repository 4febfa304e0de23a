"""Invites and partnerships: how a peer joins a worker, and who may see or change what."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from api.extensions import db
from api.lib import codes, passwords
from api.models import Invite
from tests.factories import PASSWORD, make_peer_with, unique
from tests.helpers import assert_problem

INVITES = "/api/v1/invites"
PARTNERSHIPS = "/api/v1/partnerships"
CODE = re.compile(rf"^[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{4}}$")


def parse_time(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_peer(**overrides) -> dict:
    """What a person sends to join with a new account."""
    return {"display_name": "Robin", "username": unique("p"), "password": PASSWORD,
            **overrides}


def accept(client, code: str, body: dict | None = None, actor=None, **kwargs):
    """Accept `code`: as a new peer by default, or as `actor` with `body`."""
    return client.post(f"{INVITES}/{code}/accept",
                       json=new_peer() if body is None else body,
                       headers=actor.headers if actor else {}, **kwargs)


def get_partnership(client, actor, partnership_id: str):
    return client.get(f"{PARTNERSHIPS}/{partnership_id}", headers=actor.headers)


def patch_partnership(client, actor, partnership_id: str, body: dict):
    return client.patch(f"{PARTNERSHIPS}/{partnership_id}", json=body, headers=actor.headers)


def display_name(client, actor) -> str:
    return client.get("/api/v1/me", headers=actor.headers).get_json()["display_name"]


def listed_ids(client, actor) -> list[str]:
    response = client.get(PARTNERSHIPS, headers=actor.headers)
    assert response.status_code == 200
    return [item["id"] for item in response.get_json()]


def set_invite(app, code: str, **values) -> None:
    """Change the stored invite that `code` names (to expire it, or to rename it)."""
    with app.app_context():
        result = db.session.execute(
            update(Invite).where(Invite.code_hash == codes.code_hash(code)).values(**values))
        assert result.rowcount == 1
        db.session.commit()


# --- creating invites -------------------------------------------------------------------

def test_a_worker_gets_a_short_readable_code_valid_for_seven_days(client, world):
    response = client.post(INVITES, json={}, headers=world["worker_a"].headers)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "created_at", "code", "expires_at", "join_url", "qr"}
    assert CODE.match(body["code"]), body["code"]
    week_out = datetime.now(UTC) + timedelta(days=7)
    assert abs(parse_time(body["expires_at"]) - week_out) < timedelta(minutes=1)
    again = client.post(INVITES, json={}, headers=world["worker_a"].headers).get_json()
    assert again["code"] != body["code"]


@pytest.mark.parametrize(("actor", "status"), [
    ("anonymous", 401), ("peer_a", 403), ("admin_a", 403)])
def test_only_workers_create_invites(client, world, actor, status):
    assert_problem(client.post(INVITES, json={}, headers=world[actor].headers), status)


# --- joining as a new peer --------------------------------------------------------------

def test_a_new_peer_joins_with_a_code_and_no_email(client, world):
    joined = new_peer(username=unique("Alex."))
    response = accept(client, world.fresh_invite("worker_a"), joined)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "device_token", "expires_at", "partnership_id"}
    assert parse_time(body["expires_at"]) > datetime.now(UTC)
    me = client.get("/api/v1/me", headers=bearer(body["token"])).get_json()
    assert me["role"] == "peer" and me["email"] is None
    assert me["username"] == joined["username"].lower()
    # The worker now shares the partnership with this peer.
    shared = get_partnership(client, world["worker_a"], body["partnership_id"]).get_json()
    assert shared["peer"] == {"id": me["id"], "display_name": "Robin"}
    assert shared["status"] == "active"


def test_an_invite_works_once(client, world):
    code = world.fresh_invite("worker_a")
    assert accept(client, code).status_code == 201
    assert_problem(accept(client, code), 404)


def test_an_expired_invite_is_not_found(client, app, world):
    code = world.fresh_invite("worker_a")
    set_invite(app, code, expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert_problem(accept(client, code), 404)


@pytest.mark.parametrize("typed", [
    str.lower,
    lambda code: code.replace("-", ""),
    lambda code: code.replace("0", "O"),
    lambda code: code.replace("1", "I").lower(),
], ids=["lower-case", "no-dash", "O-for-0", "i-for-1"])
def test_codes_forgive_how_people_type_them(client, app, world, typed):
    """Codes are read aloud and typed on phones: case, dashes and look-alikes don't matter."""
    code = "01" + codes.new_code()[2:]  # make sure it has a 0 and a 1 to mistype
    set_invite(app, world.fresh_invite("worker_a"), code_hash=codes.code_hash(code))
    assert accept(client, typed(code)).status_code == 201


def test_missing_fields_are_named_one_by_one(client, world):
    code = world.fresh_invite("worker_a")
    nothing = assert_problem(accept(client, code, {}), 422)
    assert set(nothing["errors"]) == {"display_name", "username", "password"}
    some = assert_problem(accept(client, code, {"display_name": "Robin"}), 422)
    assert set(some["errors"]) == {"username", "password"}


def test_the_web_app_gets_its_session_in_a_strict_httponly_cookie(client, world):
    response = accept(client, world.fresh_invite("worker_a"), new_peer(use_cookie=True))
    assert response.status_code == 201
    assert "token" not in response.get_json()
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-rapport_session=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/api/v1/me").get_json()["role"] == "peer"


@pytest.mark.parametrize("username", [str, str.upper], ids=["same", "other-case"])
def test_a_taken_username_is_409(client, world, username):
    taken = username(world["peer_a"].username)
    assert_problem(accept(client, world.fresh_invite("worker_a"), new_peer(username=taken)), 409)


def test_a_common_password_is_refused(client, world):
    assert "password123" in passwords.common_passwords()
    response = accept(client, world.fresh_invite("worker_a"), new_peer(password="password123"))
    assert "password" in assert_problem(response, 422)["errors"]


def test_guessing_codes_is_slowed_per_address(client, world):
    """Eight characters can be guessed; ten misses an hour from one address is the limit."""
    for attempt in range(10):
        assert_problem(accept(client, f"ZZZZ-{attempt:04d}"), 404)
    real = world.fresh_invite("worker_a")
    limited = accept(client, real)  # even a right code waits
    assert_problem(limited, 429)
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    elsewhere = accept(client, real, environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert elsewhere.status_code == 201


# --- joining as a peer who already has an account ---------------------------------------

def test_a_signed_in_peer_joins_another_worker_with_an_empty_body(client, world):
    peer = world["peer_a"]
    response = accept(client, world.fresh_invite("worker_b"), {}, peer)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"partnership_id"}  # no new session: they already have one
    assert set(listed_ids(client, peer)) == {world.partnership_a, body["partnership_id"]}
    joined = get_partnership(client, peer, body["partnership_id"]).get_json()
    assert joined["worker"]["id"] == world["worker_b"].id


def test_a_signed_in_peer_cannot_send_account_fields(client, world):
    peer = world["peer_a"]
    response = accept(client, world.fresh_invite("worker_b"), new_peer(), peer)
    assert set(assert_problem(response, 422)["errors"]) == {"display_name", "username",
                                                            "password"}
    assert listed_ids(client, peer) == [world.partnership_a]


def test_one_live_partnership_per_worker_and_peer(client, world):
    code = world.fresh_invite("worker_a")
    assert_problem(accept(client, code, {}, world["peer_a"]), 409)
    # The refused try did not use the invite up.
    assert accept(client, code).status_code == 201


def test_after_ending_a_peer_may_join_the_same_worker_again(client, world):
    peer = world["peer_a"]
    ended = patch_partnership(client, peer, world.partnership_a, {"status": "ended"})
    assert ended.status_code == 200
    response = accept(client, world.fresh_invite("worker_a"), {}, peer)
    assert response.status_code == 201
    assert response.get_json()["partnership_id"] != world.partnership_a


@pytest.mark.parametrize("actor", ["worker_a", "worker_b", "admin_a"])
def test_only_peers_accept_invites(client, world, actor):
    code = world.fresh_invite("worker_a")
    assert_problem(accept(client, code, {}, world[actor]), 403)
    assert accept(client, code).status_code == 201  # still there for the real peer


# --- listing and reading ----------------------------------------------------------------

def test_members_list_only_their_own_partnerships_newest_first(client, app, world):
    worker = world["worker_a"]
    with app.app_context():
        _, newer = make_peer_with(worker, "second_peer")
    response = client.get(PARTNERSHIPS, headers=worker.headers)
    assert response.status_code == 200
    items = response.get_json()
    assert [item["id"] for item in items] == [newer, world.partnership_a]
    oldest = items[1]
    assert oldest["worker"] == {"id": worker.id, "display_name": display_name(client, worker)}
    assert oldest["peer"] == {"id": world["peer_a"].id,
                              "display_name": display_name(client, world["peer_a"])}
    assert listed_ids(client, world["peer_b"]) == [world.partnership_b]


@pytest.mark.parametrize(("actor", "status"), [("anonymous", 401), ("admin_a", 403)])
def test_only_people_in_partnerships_can_list_them(client, world, actor, status):
    assert_problem(client.get(PARTNERSHIPS, headers=world[actor].headers), status)


@pytest.mark.parametrize(("actor", "status"), [
    ("worker_a", 200), ("peer_a", 200),
    ("worker_b", 404), ("peer_b", 404),  # not 403: whether it exists is not theirs to know
    ("admin_a", 403), ("admin_b", 403), ("anonymous", 401),
])
def test_only_the_two_members_see_a_partnership(client, world, actor, status):
    response = get_partnership(client, world[actor], world.partnership_a)
    if status == 200:
        assert response.status_code == 200
        assert response.get_json()["id"] == world.partnership_a
        assert response.headers["Cache-Control"] == "no-store"
    else:
        assert_problem(response, status)


def test_an_unknown_partnership_is_404(client, world):
    assert_problem(get_partnership(client, world["worker_a"], str(uuid.uuid4())), 404)


# --- changing a partnership -------------------------------------------------------------

@pytest.mark.parametrize(("actor", "other"), [("worker_a", "peer_a"), ("peer_a", "worker_a")])
def test_either_member_sets_the_checkin_cadence(client, world, actor, other):
    response = patch_partnership(client, world[actor], world.partnership_a,
                                 {"checkin_cadence_days": 14})
    assert response.status_code == 200
    assert response.get_json()["checkin_cadence_days"] == 14
    seen = get_partnership(client, world[other], world.partnership_a).get_json()
    assert seen["checkin_cadence_days"] == 14


def _other_side(world) -> dict[str, str]:
    """Ids someone might try to move partnership A onto."""
    return {"WORKER_B": world["worker_b"].id, "PEER_B": world["peer_b"].id,
            "PARTNERSHIP_B": world.partnership_b, "AGENCY_B": world.agency_b}


@pytest.mark.parametrize("body", [
    {"checkin_cadence_days": 0},
    {"checkin_cadence_days": -1},
    {"checkin_cadence_days": 366},
    {"checkin_cadence_days": 2**64},
    {"status": "archived"},
    {"worker_id": "WORKER_B"},
    {"peer_id": "PEER_B"},
    {"id": "PARTNERSHIP_B"},
    {"agency_id": "AGENCY_B"},
    {"ended_at": "2020-01-01T00:00:00Z"},
    {"checkin_cadence_days": 14, "worker_id": "WORKER_B"},  # no half-applied change
], ids=lambda body: "+".join(f"{key}={value}" for key, value in body.items()))
def test_bad_or_read_only_fields_are_422_and_change_nothing(client, world, body):
    member, other_side = world["worker_a"], _other_side(world)
    body = {key: other_side.get(value, value) for key, value in body.items()}
    before = get_partnership(client, member, world.partnership_a).get_json()
    response = patch_partnership(client, member, world.partnership_a, body)
    errors = assert_problem(response, 422)["errors"]
    assert errors and set(errors) <= set(body)
    assert get_partnership(client, member, world.partnership_a).get_json() == before


@pytest.mark.parametrize(("actor", "status"), [
    ("worker_b", 404), ("peer_b", 404), ("admin_a", 403)])
def test_outsiders_cannot_change_a_partnership(client, world, actor, status):
    before = get_partnership(client, world["peer_a"], world.partnership_a).get_json()
    response = patch_partnership(client, world[actor], world.partnership_a, {"status": "ended"})
    assert_problem(response, status)
    assert get_partnership(client, world["peer_a"], world.partnership_a).get_json() == before


def test_a_partnership_can_be_paused_and_resumed(client, world):
    member = world["peer_a"]
    paused = patch_partnership(client, member, world.partnership_a, {"status": "paused"})
    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    resumed = patch_partnership(client, member, world.partnership_a, {"status": "active"})
    assert resumed.status_code == 200
    assert resumed.get_json()["status"] == "active" and resumed.get_json()["ended_at"] is None


def test_an_ended_partnership_is_read_only_history_for_both(client, world):
    worker, peer = world["worker_a"], world["peer_a"]
    ended = patch_partnership(client, worker, world.partnership_a, {"status": "ended"})
    assert ended.status_code == 200
    body = ended.get_json()
    assert body["status"] == "ended"
    assert parse_time(body["ended_at"]) > datetime.now(UTC) - timedelta(minutes=1)
    for change in ({"checkin_cadence_days": 14}, {"status": "active"}, {"status": "ended"}):
        assert_problem(patch_partnership(client, peer, world.partnership_a, change), 409)
    for member in (worker, peer):
        response = get_partnership(client, member, world.partnership_a)
        assert response.status_code == 200 and response.get_json() == body
