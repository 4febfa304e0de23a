"""POST /me/agency: a worker who signed up without an agency's code joins it later."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from api.extensions import db
from api.lib import codes
from api.lib.clock import utcnow
from api.models import AgencyJoinCode
from tests.factories import make_peer_with, make_worker
from tests.helpers import assert_problem

JOIN = "/api/v1/me/agency"


@pytest.fixture
def independent(app):
    with app.app_context():
        return make_worker("independent")


def test_a_worker_joins_with_a_code_and_reads_the_agencys_content(client, world, independent):
    code = world.fresh_join_code("a")
    response = client.post(JOIN, json={"code": code.lower()}, headers=independent.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["agency_id"] == body["content_agency_id"] == world.agency_a
    assert response.cache_control.no_store
    me = client.get("/api/v1/me", headers=independent.headers).get_json()
    assert me["agency_id"] == world.agency_a
    log = client.get("/api/v1/me/access-log", headers=independent.headers).get_json()
    joined = next(entry for entry in log if entry["action"] == "membership.join")
    assert joined["object_id"] == world.agency_a


def test_existing_partnerships_stay_as_they_were(app, client, world, independent):
    with app.app_context():
        peer, partnership_id = make_peer_with(independent, "old_peer")
    client.post(JOIN, json={"code": world.fresh_join_code("a")}, headers=independent.headers)
    old = client.get(f"/api/v1/partnerships/{partnership_id}", headers=independent.headers)
    assert old.get_json()["agency_id"] is None
    # The peer of before sees no agency content: they never joined through the agency.
    assert client.get("/api/v1/me", headers=peer.headers).get_json()["content_agency_id"] is None
    # A partnership made after joining belongs to the agency.
    with app.app_context():
        new_peer, new_id = make_peer_with(independent, "new_peer")
    new = client.get(f"/api/v1/partnerships/{new_id}", headers=independent.headers)
    assert new.get_json()["agency_id"] == world.agency_a


def test_a_bad_code_is_422_as_at_sign_up(client, independent):
    problem = assert_problem(client.post(JOIN, json={"code": "ZZZZ-ZZZZ-ZZZZ"},
                                         headers=independent.headers), 422)
    assert problem["errors"] == {"code": ["This agency code is not valid or has expired."]}
    signup = assert_problem(client.post("/api/v1/auth/register", json={
        "email": "x@example.org", "password": "quiet harbor lamp post", "display_name": "X",
        "agency_code": "ZZZZ-ZZZZ-ZZZZ"}), 422)
    assert signup["errors"]["agency_code"] == problem["errors"]["code"]


def test_an_expired_code_is_refused_the_same_way(app, client, world, independent):
    code = world.fresh_join_code("a")
    with app.app_context():
        db.session.execute(update(AgencyJoinCode).where(
            AgencyJoinCode.code_hash == codes.code_hash(code)).values(
            expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    problem = assert_problem(client.post(JOIN, json={"code": code}, headers=independent.headers),
                             422)
    assert problem["errors"] == {"code": ["This agency code is not valid or has expired."]}


def test_in_spanish(client, independent):
    problem = assert_problem(client.post(JOIN, json={"code": "ZZZZ-ZZZZ-ZZZZ"}, headers={
        **independent.headers, "Accept-Language": "es"}), 422)
    assert problem["errors"] == {"code": ["Este código de agencia no es válido o ya venció."]}


def test_a_member_of_another_agency_cannot_switch(client, world):
    response = client.post(JOIN, json={"code": world.fresh_join_code("a")},
                           headers={**world["worker_b"].headers, "Accept-Language": "es"})
    problem = assert_problem(response, 409)
    assert problem["detail"] == "Ya eres parte de otra agencia."
    me = client.get("/api/v1/me", headers=world["worker_b"].headers).get_json()
    assert me["agency_id"] == world.agency_b


def test_the_same_agency_again_changes_nothing(client, world):
    response = client.post(JOIN, json={"code": world.fresh_join_code("a")},
                           headers=world["worker_a"].headers)
    assert response.status_code == 200
    assert response.get_json()["agency_id"] == world.agency_a


@pytest.mark.parametrize("actor", ["peer_a", "admin_a", "admin_b"])
def test_peers_and_admins_may_not(client, world, actor):
    assert_problem(client.post(JOIN, json={"code": world.fresh_join_code("a")},
                               headers=world[actor].headers), 403)


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 21}, {"code": "AB\x00CD"},
                                  {"code": "ABCD-EFGH", "agency": "x"}])
def test_bodies_are_checked(client, independent, body):
    assert_problem(client.post(JOIN, json=body, headers=independent.headers), 422)
