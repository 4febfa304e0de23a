"""Apps acting for a person (OAuth): what their scopes open, what they are told when refused,
and how the person sees what each app did. Every route × scope is in
test_authorization_matrix.py; these are the stories behind it."""

import uuid

from sqlalchemy import select

from api.extensions import db
from api.models import AuditEvent
from api.services.integrations import scopes
from tests.factories import make_oauth_client, make_oauth_token
from tests.helpers import assert_problem

ACCESS_LOG = "/api/v1/me/access-log"


def app_for(world, person: str, scope: str, name: str = "Walk Together"):
    """An app of agency A named `name` acting for `person` with `scope`, and its row id."""
    with world.app.app_context():
        client = make_oauth_client(world.agency_a, name)
        return make_oauth_token(world[person], scope, client), client


def test_an_app_reads_what_its_scope_opens_and_the_peer_sees_it_named(client, world):
    app, client_id = app_for(world, "worker_a", "goals:read")
    goal = world.fresh_goal()
    assert client.get(f"/api/v1/goals/{goal}", headers=app.headers).status_code == 200
    with world.app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "goal.read", AuditEvent.object_id == goal)).all()
    assert [event.client_id for event in events] == [uuid.UUID(client_id)]
    assert events[0].actor_id == uuid.UUID(world["worker_a"].id)  # for the worker, by the app

    log = client.get(ACCESS_LOG, headers=world["peer_a"].headers).get_json()
    read = [entry for entry in log if entry["action"] == "goal.read"]
    assert [entry["app"] for entry in read] == [{"name": "Walk Together"}]
    assert read[0]["actor_id"] == world["worker_a"].id
    # What people do themselves names no app.
    assert all(entry["app"] is None for entry in log if entry["action"] != "goal.read")


def test_the_same_read_by_the_person_and_by_their_app_is_logged_twice(client, world):
    app, _ = app_for(world, "peer_a", "goals:read")
    path = f"/api/v1/partnerships/{world.partnership_a}"
    assert client.get(path, headers=world["peer_a"].headers).status_code == 200
    assert client.get(path, headers=app.headers).status_code == 200
    log = client.get(ACCESS_LOG, headers=world["peer_a"].headers).get_json()
    reads = [entry["app"] for entry in log if entry["action"] == "partnership.read"]
    assert reads == [{"name": "Walk Together"}, None]  # newest first


def test_an_app_refused_for_want_of_a_scope_is_told_which_and_the_refusal_is_logged(
        client, world):
    app, client_id = app_for(world, "peer_a", "goals:read")
    response = client.post(f"/api/v1/partnerships/{world.partnership_a}/goals",
                           json={"title": "Sleep"},
                           headers={**app.headers, "Accept-Language": "es"})
    body = assert_problem(response, 403)
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="rapport", error="insufficient_scope", scope="goals:write"')
    assert body["detail"] == "Esta aplicación no tiene permiso para hacer esto."
    with world.app.app_context():
        refused = db.session.scalars(select(AuditEvent).where(
            AuditEvent.actor_id == uuid.UUID(world["peer_a"].id),
            AuditEvent.outcome == "denied")).all()
    assert [event.client_id for event in refused] == [uuid.UUID(client_id)]


def test_an_app_may_not_call_a_route_that_names_no_scope(client, world):
    app, _ = app_for(world, "peer_a", " ".join(scopes.ALL))
    for method, path in (("GET", ACCESS_LOG), ("DELETE", "/api/v1/me"),
                         ("DELETE", "/api/v1/auth/token"),
                         ("POST", f"/api/v1/invites/{world.fresh_invite('worker_b')}/accept")):
        response = client.open(path, method=method, headers=app.headers, json={})
        assert_problem(response, 403)
        assert response.headers["WWW-Authenticate"] == (
            'Bearer realm="rapport", error="insufficient_scope"'), path
    # Still there, still signed in, still in one partnership.
    assert client.get("/api/v1/me", headers=world["peer_a"].headers).status_code == 200
    partnerships = client.get("/api/v1/partnerships", headers=world["peer_a"].headers)
    assert len(partnerships.get_json()) == 1


def test_profile_read_shows_a_name_and_a_role_not_how_the_person_signs_in(client, world):
    app, _ = app_for(world, "peer_a", "profile:read")
    mine = client.get("/api/v1/me", headers=world["peer_a"].headers).get_json()
    seen = client.get("/api/v1/me", headers=app.headers).get_json()
    assert mine["username"] and (seen["username"], seen["email"]) == (None, None)
    assert {k: v for k, v in seen.items() if k not in ("username", "email")} == {
        k: v for k, v in mine.items() if k not in ("username", "email")}


def test_the_export_names_the_app_in_each_entry_of_the_access_log(client, world):
    app, _ = app_for(world, "worker_a", "export:read", "Backup Buddy")
    export = client.get("/api/v1/me/export", headers=app.headers)
    assert export.status_code == 200
    again = client.get("/api/v1/me/export", headers=world["worker_a"].headers).get_json()
    apps = {(entry["action"], (entry["app"] or {}).get("name"))
            for entry in again["access_log"]}
    assert ("account.export", "Backup Buddy") in apps
    assert ("account.export", None) not in apps  # this one is being made now: not in it yet
