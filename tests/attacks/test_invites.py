"""Attacks on invites and agency join codes, by people with accounts of their own."""

from api.extensions import db
from api.models import IdempotencyRecord
from tests.factories import PASSWORD, unique
from tests.helpers import assert_problem

INVITES = "/api/v1/invites"


def new_peer():
    return {"display_name": "Eve", "username": unique("eve"), "password": PASSWORD}


def test_another_worker_cannot_list_or_cancel_my_invites(client, world):
    mine = client.post(INVITES, json={}, headers=world["worker_a"].headers).get_json()
    other = world["worker_b"]
    assert client.get(INVITES, headers=other.headers).get_json() == []
    refused = assert_problem(client.delete(f"{INVITES}/{mine['id']}", headers=other.headers), 404)
    unknown = assert_problem(client.delete(f"{INVITES}/00000000-0000-4000-8000-000000000000",
                                           headers=other.headers), 404)
    assert refused == unknown  # nothing tells them the invite exists
    # Still open for the peer it was meant for.
    assert client.post(f"{INVITES}/{mine['code']}/accept", json=new_peer()).status_code == 201
    # And the refusal is on worker B's record.
    log = client.get("/api/v1/me/access-log", headers=other.headers).get_json()
    assert any(e["action"] == "denied:invites.InviteById" and e["outcome"] == "denied"
               for e in log)


def test_peers_and_admins_cannot_list_or_cancel_invites(client, world):
    mine = client.post(INVITES, json={}, headers=world["worker_a"].headers).get_json()
    for name in ("peer_a", "admin_a"):
        assert_problem(client.get(INVITES, headers=world[name].headers), 403)
        assert_problem(client.delete(f"{INVITES}/{mine['id']}", headers=world[name].headers), 403)


def test_a_revoked_code_opens_nothing(client, world):
    worker = world["worker_a"]
    invite = client.post(INVITES, json={}, headers=worker.headers).get_json()
    assert client.delete(f"{INVITES}/{invite['id']}", headers=worker.headers).status_code == 204
    for spelling in (invite["code"], invite["code"].lower(), invite["code"].replace("-", "")):
        assert_problem(client.post(f"{INVITES}/{spelling}/accept", json=new_peer()), 404)
    assert_problem(client.post(f"{INVITES}/{invite['code']}/accept", json={},
                               headers=world["peer_b"].headers), 404)
    assert len(client.get("/api/v1/partnerships", headers=worker.headers).get_json()) == 1


def test_guessing_codes_hits_the_limit_and_a_revoked_code_counts_as_a_guess(client, world):
    worker = world["worker_a"]
    invite = client.post(INVITES, json={}, headers=worker.headers).get_json()
    client.delete(f"{INVITES}/{invite['id']}", headers=worker.headers)
    answers = [client.post(f"{INVITES}/ZZZZ-{n:04d}/accept", json=new_peer()).status_code
               for n in range(9)]
    answers.append(client.post(f"{INVITES}/{invite['code']}/accept", json=new_peer()).status_code)
    answers.append(client.post(f"{INVITES}/ZZZZ-9999/accept", json=new_peer()).status_code)
    assert answers == [404] * 10 + [429]


def test_guessing_agency_codes_after_sign_up_hits_the_limit(client, world):
    worker = world["worker_b"]  # in agency B: a wrong code is still checked first
    answers = [client.post("/api/v1/me/agency", json={"code": f"GUESS-{n:04d}-AB"},
                           headers=worker.headers).status_code for n in range(11)]
    assert answers == [422] * 10 + [429]


def test_agency_code_guesses_share_the_limit_with_sign_up(client, app):
    from tests.factories import make_worker
    with app.app_context():
        worker = make_worker("guesser")
    for n in range(10):
        client.post("/api/v1/auth/register", json={
            "email": f"{unique('w')}@example.org", "password": PASSWORD, "display_name": "W",
            "agency_code": f"GUESS-{n:04d}-AB"})
    assert_problem(client.post("/api/v1/me/agency", json={"code": "GUESS-9999-AB"},
                               headers=worker.headers), 429)


def test_a_peer_cannot_join_an_agency(client, world):
    code = world.fresh_join_code("a")
    assert_problem(client.post("/api/v1/me/agency", json={"code": code},
                               headers=world["peer_b"].headers), 403)
    me = client.get("/api/v1/me", headers=world["peer_b"].headers).get_json()
    assert me["agency_id"] is None and me["content_agency_id"] == world.agency_b


def test_a_replayed_idempotency_key_never_hands_back_a_kept_code(client, world, app):
    """Invites do not keep answers for Idempotency-Key (their code is a secret): a replay,
    by the same worker or by another who saw the key, makes a fresh invite of their own and
    never returns the first code."""
    key = {"Idempotency-Key": '"4b0a3c43-6f4e-4a4e-9d0e-0e8f4c1f7a11"'}
    first = client.post(INVITES, json={}, headers={**world["worker_a"].headers, **key})
    again = client.post(INVITES, json={}, headers={**world["worker_a"].headers, **key})
    theirs = client.post(INVITES, json={}, headers={**world["worker_b"].headers, **key})
    assert first.status_code == again.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    codes = {r.get_json()["code"] for r in (first, again, theirs)}
    assert len(codes) == 3
    with app.app_context():
        kept = db.session.scalars(db.select(IdempotencyRecord)).all()
        assert not any(first.get_json()["code"] in (row.body or "") for row in kept)
    pending_a = client.get(INVITES, headers=world["worker_a"].headers).get_json()
    assert {item["id"] for item in pending_a} == {first.get_json()["id"], again.get_json()["id"]}
