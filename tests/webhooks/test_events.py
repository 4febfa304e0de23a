"""Each event, caused by a real HTTP action, reaches the endpoints allowed to hear it, signed
per Standard Webhooks (the receiver verifies every delivery with the standardwebhooks
library), and carries ids only: never a name, a title or anyone's words."""

import json
import uuid
from datetime import timedelta

from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.jobs import tasks
from api.lib.clock import utcnow
from api.models import CheckIn, Partnership
from tests.factories import unique
from tests.webhooks.conftest import deliver, grant, make_app_client, register, revoke_grant

AGENCY_EVENTS = ["content.published", "partnership.created", "partnership.ended"]
APP_EVENTS = ["partnership.created", "partnership.ended", "goal.achieved", "checkin.overdue"]


def bodies(deliveries, secret) -> list[dict]:
    """Every delivery verified with the endpoint's secret, as the receiver would."""
    return [d.verify(secret) for d in deliveries]


def publish_tip(client, admin, agency_id, slug, title="Our own tip"):
    answer = client.post(f"/api/v1/agencies/{agency_id}/tips", headers=admin.headers, json={
        "slug": slug, "status": "published",
        "text": {"en": {"title": title, "summary": "S.", "body": "B."}}})
    assert answer.status_code == 201, answer.get_json()


def join_with_invite(client, worker, display_name="New Peer"):
    code = client.post("/api/v1/invites", headers=worker.headers, json={}).get_json()["code"]
    answer = client.post(f"/api/v1/invites/{code}/accept", json={
        "display_name": display_name, "username": unique("p"),
        "password": "green river evening song"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["partnership_id"], answer.get_json()["token"]


def achieve(client, actor, goal_id):
    etag = client.get(f"/api/v1/goals/{goal_id}", headers=actor.headers).headers["ETag"]
    answer = client.patch(f"/api/v1/goals/{goal_id}", json={"status": "achieved"},
                          headers={**actor.headers, "If-Match": etag})
    assert answer.status_code == 200, answer.get_json()


def new_goal(client, actor, partnership_id, title="Walk every morning", why=None):
    answer = client.post(f"/api/v1/partnerships/{partnership_id}/goals", headers=actor.headers,
                         json={"title": title, "why": why})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def test_published_content_reaches_the_agency_endpoint_signed_and_thin(
        app, client, world, receiver):
    admin = world["admin_a"]
    made = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    assert made["secret"].startswith("whsec_")
    other = register(client, world["admin_b"], world.agency_b, receiver.url("b"),
                     ["content.published"])
    slug = unique("tip-")
    publish_tip(client, admin, world.agency_a, slug, title="Planted title zebra")
    # A draft is not news; publishing it later is.
    draft = unique("tip-")
    answer = client.post(f"/api/v1/agencies/{world.agency_a}/tips", headers=admin.headers,
                         json={"slug": draft, "text": {"en": {"title": "T", "summary": "S",
                                                               "body": "B"}}})
    assert answer.status_code == 201
    deliver(app)
    assert len(receiver.to("a")) == 1
    assert client.patch(f"/api/v1/agencies/{world.agency_a}/tips/{draft}",
                        headers=admin.headers, json={"status": "published"}).status_code == 200
    deliver(app)
    [first, second] = bodies(receiver.to("a"), made["secret"])
    assert first["type"] == "content.published"
    assert first["data"] == {"kind": "tip", "slug": slug, "languages": ["en"]}
    assert first["timestamp"].endswith("Z")
    assert second["data"]["slug"] == draft
    assert "zebra" not in receiver.to("a")[0].body.decode()
    # Agency B hears nothing of agency A's content; its own secret verifies nothing of A's.
    assert receiver.to("b") == []
    assert not receiver.to("a")[0].verifies_with(other["secret"])
    first_id = receiver.to("a")[0].headers["webhook-id"]
    assert first_id.startswith("msg_")
    assert receiver.to("a")[1].headers["webhook-id"] != first_id


def test_partnerships_made_and_ended_reach_the_agency_ids_only(app, client, world, receiver):
    made = register(client, world["admin_a"], world.agency_a, receiver.url("a"),
                    ["partnership.created", "partnership.ended"])
    partnership_id, peer_token = join_with_invite(client, world["worker_a"], "Quentin Zed")
    answer = client.patch(f"/api/v1/partnerships/{partnership_id}",
                          headers={"Authorization": f"Bearer {peer_token}"},
                          json={"status": "ended"})
    assert answer.status_code == 200, answer.get_json()
    deliver(app)
    got = bodies(receiver.to("a"), made["secret"])
    assert [(b["type"], b["data"]) for b in got] == [
        ("partnership.created", {"partnership_id": partnership_id}),
        ("partnership.ended", {"partnership_id": partnership_id})]
    assert "Quentin" not in repr([d.body for d in receiver.to("a")])


def test_goals_reach_only_an_apps_endpoint_and_only_for_people_who_granted_it(
        app, client, world, receiver):
    admin = world["admin_a"]
    agency_hook = register(client, admin, world.agency_a, receiver.url("agency"),
                           AGENCY_EVENTS)
    # An agency endpoint may not even ask to hear about goals.
    refused = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks", headers=admin.headers,
                          json={"url": receiver.url("x"), "event_types": ["goal.achieved"]})
    assert refused.status_code == 422
    assert "event_types" in refused.get_json()["errors"]
    app_id = make_app_client(app, world.agency_a)
    app_hook = register(client, admin, world.agency_a, receiver.url("app"), APP_EVENTS,
                        client_id=app_id)
    assert app_hook["client_id"] == app_id

    # No grant yet: the app hears nothing about partnership A.
    achieve(client, world["worker_a"], new_goal(client, world["worker_a"], world.partnership_a))
    # A grant without goals:read is not enough either.
    narrow = grant(app, app_id, world["peer_a"], scope="surveys:read")
    achieve(client, world["worker_a"], new_goal(client, world["worker_a"], world.partnership_a))
    revoke_grant(app, narrow)
    with app.app_context(), unit_of_work():
        from api.models import OAuthGrant
        db.session.delete(db.session.get(OAuthGrant, uuid.UUID(narrow)))
    deliver(app)
    assert receiver.to("app") == []

    granted = grant(app, app_id, world["peer_a"])
    goal_id = new_goal(client, world["worker_a"], world.partnership_a)
    achieve(client, world["peer_a"], goal_id)
    # Partnership B's member granted nothing: nothing about B.
    achieve(client, world["worker_b"], new_goal(client, world["worker_b"], world.partnership_b))
    deliver(app)
    [achieved] = bodies(receiver.to("app"), app_hook["secret"])
    assert achieved["type"] == "goal.achieved"
    assert achieved["data"] == {"partnership_id": world.partnership_a, "goal_id": goal_id}
    # The agency's own endpoint never hears about a goal.
    assert {b["type"] for b in bodies(receiver.to("agency"), agency_hook["secret"])} <= {
        "content.published", "partnership.created", "partnership.ended"}

    # Taken back: nothing more.
    revoke_grant(app, granted)
    achieve(client, world["worker_a"], new_goal(client, world["worker_a"], world.partnership_a))
    deliver(app)
    assert len(receiver.to("app")) == 1


def test_an_overdue_check_in_is_told_once_per_period(app, client, world, receiver):
    app_id = make_app_client(app, world.agency_a)
    hook = register(client, world["admin_a"], world.agency_a, receiver.url("app"),
                    ["checkin.overdue"], client_id=app_id)
    grant(app, app_id, world["worker_a"])
    with app.app_context():
        partnership = db.session.get(Partnership, uuid.UUID(world.partnership_a))
        last = db.session.scalar(select(CheckIn.created_at).where(
            CheckIn.partnership_id == partnership.id).order_by(CheckIn.created_at.desc()))
        start = last or partnership.created_at
        cadence = partnership.checkin_cadence_days
    on_time = start + timedelta(days=cadence, hours=1)
    late = start + timedelta(days=cadence + 1, hours=1)
    later_same_period = late + timedelta(days=1)
    next_period = start + timedelta(days=2 * cadence + 1)
    with app.app_context():
        tasks.scan(on_time)  # due, not yet a day late
        tasks.scan(late)
        tasks.scan(later_same_period)
        tasks.scan(late)  # two scans at once, or again: nothing new
    deliver(app, late)
    [overdue] = bodies(receiver.to("app"), hook["secret"])
    assert overdue == {"type": "checkin.overdue", "timestamp": overdue["timestamp"],
                       "data": {"partnership_id": world.partnership_a}}
    with app.app_context():
        tasks.scan(next_period)
    deliver(app, next_period)
    assert len(receiver.to("app")) == 2


def test_no_payload_carries_a_name_a_title_or_a_note(app, client, world, receiver):
    """Plant unique words everywhere a person writes, cause every event, read every body."""
    planted = [f"planted{uuid.uuid4().hex[:12]}" for _ in range(6)]
    app_id = make_app_client(app, world.agency_a)
    agency_hook = register(client, world["admin_a"], world.agency_a, receiver.url("agency"),
                           AGENCY_EVENTS, description=planted[5])
    app_hook = register(client, world["admin_a"], world.agency_a, receiver.url("app"),
                        APP_EVENTS, client_id=app_id)
    worker = world["worker_a"]
    partnership_id, peer_token = join_with_invite(client, worker, planted[0])
    peer = {"Authorization": f"Bearer {peer_token}"}
    with app.app_context():
        from api.models import User
        peer_id = str(db.session.scalar(select(Partnership.peer_id).where(
            Partnership.id == uuid.UUID(partnership_id))))
        assert db.session.get(User, uuid.UUID(peer_id)).display_name == planted[0]
    from tests.factories import Actor
    grant(app, app_id, Actor("p", peer_id))
    goal_id = new_goal(client, worker, partnership_id, title=planted[1], why=planted[2])
    assert client.post(f"/api/v1/goals/{goal_id}/checkins", headers=worker.headers,
                       json={"progress": 5, "note": planted[3]}).status_code == 201
    achieve(client, worker, goal_id)
    assert client.post(f"/api/v1/goals/{goal_id}/celebrations", headers=peer,
                       json={"message": planted[4]}).status_code == 201
    with app.app_context():
        tasks.scan(utcnow() + timedelta(days=60))
    assert client.patch(f"/api/v1/partnerships/{partnership_id}", headers=peer,
                        json={"status": "ended"}).status_code == 200
    publish_tip(client, world["admin_a"], world.agency_a, unique("tip-"))
    deliver(app, utcnow() + timedelta(days=60))
    types = {b["type"] for b in bodies(receiver.to("app"), app_hook["secret"])}
    # (Made before the peer granted the app anything: the app did not hear of it.)
    assert types == {"goal.achieved", "checkin.overdue", "partnership.ended"}
    assert {b["type"] for b in bodies(receiver.to("agency"), agency_hook["secret"])} == set(
        AGENCY_EVENTS)
    for delivery in receiver.deliveries:
        text = delivery.body.decode() + repr(delivery.headers)
        for secret_words in planted:
            assert secret_words not in text
        # Only ids, kinds, slugs, languages and times: every value is short and plain.
        payload = json.loads(delivery.body)
        assert set(payload) == {"type", "timestamp", "data"}
        assert set(payload["data"]) <= {"partnership_id", "goal_id", "kind", "slug",
                                        "languages"}
