"""The rules around sending: quiet hours, the daily summary, retries with back-off, a gone
device, nothing for work already done, once per device however often the jobs run, and the
person's control of their devices (sign-out, take-over, export, erasure)."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.jobs import tasks
from api.lib.clock import utcnow
from api.models import Notification, Partnership, PushSubscription
from api.services.reminders import sending
from tests.factories import make_goal, make_peer_with, make_worker, push_subscription_body
from tests.helpers import assert_problem
from tests.reminders.push_service import Browser
from tests.reminders.test_push_delivery import opened, run_jobs, seen_at, subscribe


@pytest.fixture
def pair(app):
    with app.app_context():
        worker = make_worker("Rosa_Worker")
        peer, partnership_id = make_peer_with(worker, "Tomas_Peer")
    return worker, peer, partnership_id


def hhmm(moment):
    return moment.strftime("%H:%M")


def new_goal(client, worker, partnership_id):
    answer = client.post(f"/api/v1/partnerships/{partnership_id}/goals",
                         headers=worker.headers, json={"title": "Walk every morning"})
    assert answer.status_code == 201
    return answer.get_json()["id"]


def rows(app, device_id):
    with app.app_context():
        return db.session.scalars(select(Notification).where(
            Notification.subscription_id == uuid.UUID(device_id))).all()


def test_quiet_hours_hold_a_push_until_they_end(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    now = utcnow()
    phone = Browser(push_service)
    subscribe(client, peer, phone, quiet_hours={"start": hhmm(now - timedelta(hours=1)),
                                                "end": hhmm(now + timedelta(hours=2))})
    new_goal(client, worker, partnership_id)
    run_jobs(app, now + timedelta(minutes=1))
    assert push_service.pushes == []
    run_jobs(app, now + timedelta(hours=2, minutes=1))
    [message] = opened(client, phone, push_service)
    assert message["kind"] == "new_goal"


def test_quiet_hours_set_after_the_fact_still_hold(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    now = utcnow()
    phone = Browser(push_service)
    device = subscribe(client, peer, phone, daily_summary=True,
                       summary_at=hhmm(now + timedelta(hours=1)))
    new_goal(client, worker, partnership_id)
    # Quiet hours chosen later cover the summary's time: the summary waits for their end.
    assert client.patch(f"/api/v1/me/push-subscriptions/{device['id']}", headers=peer.headers,
                        json={"daily_summary": False, "quiet_hours": {
                            "start": hhmm(now - timedelta(minutes=30)),
                            "end": hhmm(now + timedelta(hours=3))}}).status_code == 200
    run_jobs(app, now + timedelta(hours=1, minutes=5))
    assert push_service.pushes == []
    run_jobs(app, now + timedelta(hours=3, minutes=5))
    assert len(push_service.pushes) == 1


def test_a_daily_summary_folds_every_kind_into_one_message_at_its_time(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    now = utcnow()
    phone = Browser(push_service)
    subscribe(client, peer, phone, daily_summary=True,
              summary_at=hhmm(now + timedelta(hours=2)))
    goal_id = new_goal(client, worker, partnership_id)
    milestone = client.post(f"/api/v1/goals/{goal_id}/milestones", headers=worker.headers,
                            json={"title": "First walk"}).get_json()
    client.patch(f"/api/v1/milestones/{milestone['id']}", json={"done": True},
                 headers={**worker.headers, "If-Match": "*"})
    run_jobs(app, now + timedelta(hours=1))
    assert push_service.pushes == []
    run_jobs(app, now + timedelta(hours=2, minutes=1))
    [message] = opened(client, phone, push_service)
    assert message["kind"] == "summary"
    assert message["body"] == "Today in Rapport: 1 step done, 1 new goal."
    assert message["count"] == 2


def test_failures_are_retried_with_growing_waits_and_retry_after_is_kept(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    device = subscribe(client, peer, phone)
    push_service.answers[f"/push/{phone.name}"] = [500, (429, {"Retry-After": "600"})]
    new_goal(client, worker, partnership_id)
    now = utcnow()
    run_jobs(app, now)
    [row] = rows(app, device["id"])
    assert (row.status, row.attempts, row.outcome) == ("waiting", 1, "500")
    assert row.deliver_after >= now + timedelta(seconds=30)
    run_jobs(app, now + timedelta(seconds=10))  # too soon: nothing is tried
    assert len(push_service.pushes) == 1
    run_jobs(app, now + timedelta(seconds=31))
    [row] = rows(app, device["id"])
    assert (row.attempts, row.outcome) == (2, "429")
    assert row.deliver_after >= now + timedelta(seconds=31 + 600)  # the service asked 10 min
    run_jobs(app, now + timedelta(minutes=5))
    assert len(push_service.pushes) == 2
    run_jobs(app, now + timedelta(minutes=12))
    [row] = rows(app, device["id"])
    assert (row.status, row.attempts) == ("sent", 3)
    [_, _, good] = push_service.to(phone.name)
    assert len(opened(client, phone, push_service)) == 3  # the same message each time
    assert good.body != push_service.pushes[0].body  # encrypted afresh (new salt)


def test_a_push_that_keeps_failing_stops_after_the_last_try(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    device = subscribe(client, peer, phone)
    push_service.answers[f"/push/{phone.name}"] = [503] * 10
    new_goal(client, worker, partnership_id)
    now = utcnow()
    for hour in range(10):
        run_jobs(app, now + timedelta(hours=hour))
    [row] = rows(app, device["id"])
    assert (row.status, row.attempts) == ("failed", sending.MAX_ATTEMPTS)
    assert len(push_service.pushes) == sending.MAX_ATTEMPTS


@pytest.mark.parametrize("gone", [404, 410])
def test_a_device_the_push_service_calls_gone_is_forgotten(
        app, client, push_service, pair, gone):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    device = subscribe(client, peer, phone)
    push_service.answers[f"/push/{phone.name}"] = [gone]
    new_goal(client, worker, partnership_id)
    run_jobs(app)
    assert client.get("/api/v1/me/push-subscriptions", headers=peer.headers).get_json() == []
    with app.app_context():
        assert db.session.get(PushSubscription, uuid.UUID(device["id"])) is None
        [row] = db.session.scalars(select(Notification).where(
            Notification.user_id == uuid.UUID(peer.id))).all()
        assert (row.status, row.outcome) == ("failed", f"{gone} device gone")
    new_goal(client, worker, partnership_id)
    run_jobs(app)
    assert len(push_service.pushes) == 1  # nothing more is sent to it


def _started_days_ago(app, partnership_id, days):
    with app.app_context(), unit_of_work():
        partnership = db.session.get(Partnership, uuid.UUID(partnership_id))
        partnership.created_at = utcnow() - timedelta(days=days)


def test_a_due_reminder_is_made_once_and_dropped_when_the_check_in_happens(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    _started_days_ago(app, partnership_id, 8)
    now = utcnow()
    phone = Browser(push_service)
    device = subscribe(client, peer, phone, daily_summary=True,
                       summary_at=hhmm(now + timedelta(hours=2)))
    with app.app_context():
        for _ in range(3):  # three sweeps, or three processes: one reminder
            tasks.scan(now)
    [row] = rows(app, device["id"])
    assert row.kind == "checkin_due" and row.status == "waiting"
    with app.app_context():
        goal_id = str(make_goal(worker, partnership_id).id)
    assert client.post(f"/api/v1/goals/{goal_id}/checkins", headers=worker.headers,
                       json={"progress": 3}).status_code == 201
    run_jobs(app, now + timedelta(hours=2, minutes=1))
    kinds = [m["kind"] for m in opened(client, phone, push_service)]
    assert kinds == ["new_goal"]  # the check-in happened: its reminder is not sent
    statuses = {r.kind: (r.status, r.outcome) for r in rows(app, device["id"])}
    assert statuses["checkin_due"] == ("skipped", "already done")


def test_an_overdue_partnership_is_reminded_again_a_cadence_later_not_every_sweep(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    _started_days_ago(app, partnership_id, 8)
    phone = Browser(push_service)
    subscribe(client, worker, phone)
    now = utcnow()
    for hours in (0, 1, 24, 72):
        run_jobs(app, now + timedelta(hours=hours))
    assert len(push_service.pushes) == 1
    seen_at(app, worker, now + timedelta(days=7))
    run_jobs(app, now + timedelta(days=7, hours=1))
    assert len(push_service.pushes) == 2


def test_a_device_held_by_another_process_is_left_to_it(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    device = subscribe(client, peer, phone)
    new_goal(client, worker, partnership_id)
    with app.app_context():
        with unit_of_work():
            assert sending.lease(uuid.UUID(device["id"]))
        assert tasks.send_to(uuid.UUID(device["id"])) == tasks.BUSY
        with unit_of_work():
            assert not sending.lease(uuid.UUID(device["id"]))
    assert push_service.pushes == []
    run_jobs(app, utcnow() + sending.LEASE + timedelta(seconds=1))  # the lease ran out
    assert len(push_service.pushes) == 1


def test_turning_a_kind_off_drops_what_waits_of_it(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    now = utcnow()
    phone = Browser(push_service)
    device = subscribe(client, peer, phone, quiet_hours={
        "start": hhmm(now - timedelta(hours=1)), "end": hhmm(now + timedelta(hours=1))})
    new_goal(client, worker, partnership_id)
    answer = client.patch(f"/api/v1/me/push-subscriptions/{device['id']}", headers=peer.headers,
                          json={"kinds": ["checkin_due"]})
    assert answer.get_json()["kinds"] == ["checkin_due"]
    [row] = rows(app, device["id"])
    assert (row.status, row.outcome) == ("skipped", "kind turned off")
    run_jobs(app, now + timedelta(hours=2))
    assert push_service.pushes == []


@pytest.mark.parametrize("endpoint", [
    "https://evil.example/push/1",
    "https://fcm.googleapis.com.evil.example/x",
    "https://user:pw@fcm.googleapis.com/x",
    "http://169.254.169.254/latest/meta-data",
    "https://10.0.0.1/x",
    "ftp://fcm.googleapis.com/x",
])
def test_a_subscription_can_only_point_at_a_known_push_service(client, pair, endpoint):
    _, peer, _ = pair
    body = push_subscription_body(time_zone="UTC")
    answer = client.post("/api/v1/me/push-subscriptions?lang=es", headers=peer.headers,
                         json={**body, "endpoint": endpoint})
    problem = assert_problem(answer, 422)
    assert "endpoint" in problem["errors"]
    assert client.get("/api/v1/me/push-subscriptions", headers=peer.headers).get_json() == []


def test_plain_http_is_refused_where_tests_do_not_allow_it(make_app, pair):
    _, peer, _ = pair
    strict = make_app(PUSH_ALLOW_HTTP=False).test_client()
    body = push_subscription_body(time_zone="UTC")
    body["endpoint"] = body["endpoint"].replace("https://", "http://")
    assert_problem(strict.post("/api/v1/me/push-subscriptions", headers=peer.headers,
                               json=body), 422)


@pytest.mark.parametrize(("change", "field"), [
    ({"keys": {"p256dh": "B" + "A" * 86, "auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys"),
    ({"keys": {"p256dh": None, "auth": "x"}}, "keys"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
    ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours"),
    ({"kinds": ["everything"]}, "kinds"),
    ({"detail": "everything"}, "detail"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_subscriptions_are_422_in_spanish_and_change_nothing(client, pair, change, field):
    _, peer, _ = pair
    body = {**push_subscription_body(time_zone="UTC"), **change}
    answer = client.post("/api/v1/me/push-subscriptions", json=body,
                         headers={**peer.headers, "Accept-Language": "es"})
    problem = assert_problem(answer, 422)
    assert any(name.split(".")[0] == field for name in problem["errors"]), problem
    assert answer.headers["Content-Language"] == "es"
    assert client.get("/api/v1/me/push-subscriptions", headers=peer.headers).get_json() == []


def test_quiet_hours_from_a_time_to_the_same_time_are_none(client, push_service, pair):
    _, peer, _ = pair
    device = subscribe(client, peer, Browser(push_service),
                       quiet_hours={"start": "07:00", "end": "07:00"})
    assert device["quiet_hours"] is None


def test_the_same_browser_again_refreshes_and_another_person_takes_it_over(
        client, push_service, pair):
    worker, peer, _ = pair
    phone = Browser(push_service)
    first = subscribe(client, peer, phone)
    again = subscribe(client, peer, phone, status=200, language="es")
    assert again["id"] == first["id"] and again["language"] == "es"
    assert again["this_device"] is True and "endpoint" not in again
    taken = subscribe(client, worker, phone)  # the phone is the worker's now
    assert taken["id"] != first["id"]
    assert client.get("/api/v1/me/push-subscriptions", headers=peer.headers).get_json() == []
    assert_problem(client.get(f"/api/v1/me/push-subscriptions/{taken['id']}",
                              headers=peer.headers), 404)


def test_signing_out_stops_that_phones_reminders(app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone)
    assert client.delete("/api/v1/auth/token", headers=peer.headers).status_code == 204
    new_goal(client, worker, partnership_id)
    run_jobs(app)
    assert push_service.pushes == []
    with app.app_context():
        assert db.session.scalars(select(PushSubscription).where(
            PushSubscription.user_id == uuid.UUID(peer.id))).all() == []


def test_reminders_are_in_the_export_and_erased_with_the_person(
        app, client, push_service, pair):
    worker, peer, partnership_id = pair
    phone = Browser(push_service)
    subscribe(client, peer, phone, label="My phone")
    new_goal(client, worker, partnership_id)
    run_jobs(app)
    export = client.get("/api/v1/me/export", headers=peer.headers).get_json()
    [device] = export["push_devices"]
    assert device["label"] == "My phone" and device["push_service"] == "127.0.0.1"
    assert phone.p256dh not in repr(export) and phone.endpoint not in repr(export)
    [note] = export["notifications"]
    assert (note["kind"], note["status"], note["sent_with"]) == ("new_goal", "sent", 1)
    assert client.delete("/api/v1/me", headers=peer.headers).status_code == 204
    with app.app_context():
        user_id = uuid.UUID(peer.id)
        assert db.session.scalars(select(Notification).where(
            (Notification.user_id == user_id) | (Notification.about_user_id == user_id))
        ).all() == []
        assert db.session.scalars(select(PushSubscription).where(
            PushSubscription.user_id == user_id)).all() == []
