"""A worker's invites: what creating one answers, the pending list, and cancelling one."""

import re
import uuid
from datetime import timedelta
from xml.etree import ElementTree

from sqlalchemy import update

from api.extensions import db
from api.lib.clock import utcnow
from api.models import Invite
from tests.factories import PASSWORD, unique
from tests.helpers import assert_problem, qr_text_matches

INVITES = "/api/v1/invites"
SVG = "{http://www.w3.org/2000/svg}svg"


def make(client, actor, query=""):
    response = client.post(f"{INVITES}{query}", json={}, headers=actor.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def pending(client, actor):
    response = client.get(INVITES, headers=actor.headers)
    assert response.status_code == 200
    return response.get_json()


def accept(client, code):
    return client.post(f"{INVITES}/{code}/accept", json={
        "display_name": "Alex", "username": unique("alex"), "password": PASSWORD})


def test_a_new_invite_has_an_id_a_join_link_and_a_qr_code(client, world):
    invite = make(client, world["worker_a"])
    assert set(invite) == {"id", "created_at", "expires_at", "code", "join_url", "qr"}
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}",
                        invite["id"])
    assert invite["created_at"].endswith("Z")
    assert invite["join_url"] == f"http://localhost/#/join?code={invite['code']}"
    root = ElementTree.fromstring(invite["qr"])
    assert root.tag == SVG
    assert "script" not in invite["qr"].lower() and "href" not in invite["qr"].lower()


def test_the_join_link_keeps_the_language_and_the_host(client, world):
    invite = client.post(f"{INVITES}?lang=es", json={}, headers={
        **world["worker_a"].headers, "Host": "rapport.example.org"}).get_json()
    assert invite["join_url"] == (
        f"http://rapport.example.org/#/join?code={invite['code']}&lang=es")
    assert_problem(client.post(f"{INVITES}?lang=xx", json={}, headers=world["worker_a"].headers),
                   422)


def test_the_qr_code_holds_the_join_link(client, world):
    invite = make(client, world["worker_a"], "?lang=es")
    assert qr_text_matches(invite["qr"], invite["join_url"])
    assert not qr_text_matches(invite["qr"], invite["join_url"].replace("lang=es", "lang=en"))


def test_pending_lists_only_my_open_invites_newest_first(client, world, app):
    worker = world["worker_a"]
    first, second, used, cancelled, expired = (make(client, worker) for _ in range(5))
    assert accept(client, used["code"]).status_code == 201
    assert client.delete(f"{INVITES}/{cancelled['id']}", headers=worker.headers).status_code == 204
    with app.app_context():
        db.session.execute(update(Invite).where(Invite.id == uuid.UUID(expired["id"]))
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    listed = pending(client, worker)
    assert [item["id"] for item in listed] == [second["id"], first["id"]]
    assert set(listed[0]) == {"id", "created_at", "expires_at"}  # never the code
    assert pending(client, world["worker_b"]) == []
    response = client.get(INVITES, headers=worker.headers)
    assert response.cache_control.no_store
    assert "X-Pagination" in response.headers


def test_a_cancelled_code_is_refused_like_an_unknown_one(client, world):
    worker = world["worker_a"]
    invite = make(client, worker)
    assert client.delete(f"{INVITES}/{invite['id']}", headers=worker.headers).status_code == 204
    refused = assert_problem(accept(client, invite["code"]), 404)
    unknown = assert_problem(accept(client, "ZZZZ-ZZZZ"), 404)
    assert refused == unknown
    # A signed-in peer gets the same answer.
    assert_problem(client.post(f"{INVITES}/{invite['code']}/accept", json={},
                               headers=world["peer_b"].headers), 404)


def test_cancelling_twice_or_after_use_is_404(client, world):
    worker = world["worker_a"]
    invite, used = make(client, worker), make(client, worker)
    assert client.delete(f"{INVITES}/{invite['id']}", headers=worker.headers).status_code == 204
    assert_problem(client.delete(f"{INVITES}/{invite['id']}", headers=worker.headers), 404)
    assert accept(client, used["code"]).status_code == 201
    assert_problem(client.delete(f"{INVITES}/{used['id']}", headers=worker.headers), 404)


def test_creating_listing_and_cancelling_are_in_the_audit_log(client, world):
    worker = world["worker_a"]
    invite = make(client, worker)
    pending(client, worker)
    client.delete(f"{INVITES}/{invite['id']}", headers=worker.headers)
    log = client.get("/api/v1/me/access-log", headers=worker.headers).get_json()
    actions = [entry["action"] for entry in log]
    assert {"invite.create", "invite.list", "invite.revoke"} <= set(actions)
    revoked = next(entry for entry in log if entry["action"] == "invite.revoke")
    assert revoked["object_id"] == invite["id"]


def test_refusals_are_in_spanish_too(client, world):
    worker = world["worker_a"]
    invite = make(client, worker)
    client.delete(f"{INVITES}/{invite['id']}", headers=worker.headers)
    response = client.post(f"{INVITES}/{invite['code']}/accept?lang=es", json={
        "display_name": "Alex", "username": unique("alex"), "password": PASSWORD})
    problem = assert_problem(response, 404)
    assert problem["detail"] == "Este código de invitación no es válido, ya se usó o ya venció."
    response = client.delete(f"{INVITES}/{invite['id']}",
                             headers={**worker.headers, "Accept-Language": "es"})
    assert assert_problem(response, 404)["title"] == "No encontrado"
