"""Delivery: retries with back-off, switching off a failing or gone endpoint (and the admin
seeing it), replay with the same webhook-id, secret rotation with overlap, a delivery log,
and two consumers at once sending each message exactly once."""

import threading
import uuid
from datetime import timedelta

from sqlalchemy import select

from api.extensions import db
from api.jobs import tasks
from api.lib.clock import utcnow
from api.models import AuditEvent, WebhookDelivery
from tests.webhooks.conftest import deliver, register


def send_test(client, admin, agency_id, hook_id):
    answer = client.post(f"/api/v1/agencies/{agency_id}/webhooks/{hook_id}/test",
                         headers=admin.headers)
    assert answer.status_code == 202, answer.get_json()
    return answer.get_json()


def log(client, admin, agency_id, hook_id):
    answer = client.get(f"/api/v1/agencies/{agency_id}/webhooks/{hook_id}/deliveries",
                        headers=admin.headers)
    assert answer.status_code == 200
    return answer.get_json()


def endpoint(client, admin, agency_id, hook_id):
    return client.get(f"/api/v1/agencies/{agency_id}/webhooks/{hook_id}",
                      headers=admin.headers).get_json()


def test_a_failing_delivery_is_retried_after_its_wait_then_delivered(
        app, client, world, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", (5, 300))
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    receiver.answers["/hooks/a"] = [500]
    message = send_test(client, admin, world.agency_a, hook["id"])
    now = utcnow()
    deliver(app, now)
    [row] = log(client, admin, world.agency_a, hook["id"])
    assert (row["status"], row["attempts"], row["last_status_code"]) == ("pending", 1, 500)
    assert len(row["last_error"]) <= 120  # the answer's start only, not its 2 KB body
    # Not before its wait is over...
    deliver(app, now + timedelta(seconds=4))
    assert len(receiver.to("a")) == 1
    deliver(app, now + timedelta(seconds=6))
    first, second = receiver.to("a")
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message["msg_id"]
    assert second.verify(hook["secret"])["type"] == "webhook.test"
    [row] = log(client, admin, world.agency_a, hook["id"])
    assert (row["status"], row["attempts"]) == ("delivered", 2)
    assert endpoint(client, admin, world.agency_a, hook["id"])["failing_since"] is None


def test_an_endpoint_failing_every_attempt_is_switched_off_and_the_admin_sees_it(
        app, client, world, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", (1,))
    monkeypatch.setitem(app.config, "WEBHOOK_DISABLE_AFTER_MESSAGES", 2)
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    receiver.answers["/hooks/a"] = [503] * 10
    now = utcnow()
    send_test(client, admin, world.agency_a, hook["id"])
    deliver(app, now)
    deliver(app, now + timedelta(seconds=2))  # the last try: given up, one message
    assert endpoint(client, admin, world.agency_a, hook["id"])["disabled_at"] is None
    send_test(client, admin, world.agency_a, hook["id"])
    deliver(app, now + timedelta(seconds=3))
    deliver(app, now + timedelta(seconds=5))  # the second message given up: switched off
    shown = endpoint(client, admin, world.agency_a, hook["id"])
    assert shown["disabled_reason"] == "failing" and shown["disabled_at"]
    assert shown["consecutive_failures"] == 2
    agency = client.get(f"/api/v1/agencies/{world.agency_a}", headers=admin.headers).get_json()
    assert agency["webhooks_switched_off"] == 1
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.outcome).where(
            AuditEvent.action == "webhook.disable",
            AuditEvent.object_id == hook["id"])) == "failing"
    # Switched off: a new message waits, unsent.
    attempts = len(receiver.to("a"))
    waiting = send_test(client, admin, world.agency_a, hook["id"])
    deliver(app, now + timedelta(seconds=10))
    assert len(receiver.to("a")) == attempts == 4
    # Switched back on by the admin: what waited goes.
    answer = client.patch(f"/api/v1/agencies/{world.agency_a}/webhooks/{hook['id']}",
                          headers=admin.headers, json={"enabled": True})
    assert answer.status_code == 200 and answer.get_json()["disabled_at"] is None
    deliver(app)
    assert receiver.to("a")[-1].headers["webhook-id"] == waiting["msg_id"]


def test_failing_for_days_switches_off_even_with_few_messages(
        app, client, world, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_SCHEDULE", (3600,) * 200)
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    receiver.answers["/hooks/a"] = [500] * 200
    send_test(client, admin, world.agency_a, hook["id"])
    now = utcnow()
    for hour in range(0, 5 * 24 + 2, 12):
        deliver(app, now + timedelta(hours=hour, seconds=1))
    shown = endpoint(client, admin, world.agency_a, hook["id"])
    assert shown["disabled_reason"] == "failing"
    assert shown["consecutive_failures"] == 0  # not one message given up: it was the time


def test_410_gone_switches_the_endpoint_off_at_once(app, client, world, receiver):
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    receiver.answers["/hooks/a"] = [410]
    send_test(client, admin, world.agency_a, hook["id"])
    deliver(app)
    shown = endpoint(client, admin, world.agency_a, hook["id"])
    assert shown["disabled_reason"] == "gone"
    [row] = log(client, admin, world.agency_a, hook["id"])
    assert row["status"] == "failed" and row["last_status_code"] == 410


def test_a_redirect_is_never_followed(app, client, world, receiver):
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    receiver.answers["/hooks/a"] = [307]
    send_test(client, admin, world.agency_a, hook["id"])
    deliver(app)
    assert len(receiver.deliveries) == 1  # the redirect's target (metadata) was not asked
    [row] = log(client, admin, world.agency_a, hook["id"])
    assert row["status"] == "pending" and row["last_error"] == "redirect not followed"


def test_replay_sends_the_same_message_again_and_it_verifies(app, client, world, receiver):
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    sent = send_test(client, admin, world.agency_a, hook["id"])
    deliver(app)
    answer = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks/{hook['id']}"
                         f"/deliveries/{sent['id']}/replay", headers=admin.headers)
    assert answer.status_code == 202 and answer.get_json()["status"] == "pending"
    deliver(app)
    first, again = receiver.to("a")
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == sent["msg_id"]
    assert again.verify(hook["secret"]) == first.verify(hook["secret"])
    # A delivery of another endpoint cannot be replayed through this one.
    other = register(client, admin, world.agency_a, receiver.url("b"), ["content.published"])
    answer = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks/{other['id']}"
                         f"/deliveries/{sent['id']}/replay", headers=admin.headers)
    assert answer.status_code == 404


def test_rotation_signs_with_both_secrets_until_the_overlap_ends(app, client, world, receiver):
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    old = hook["secret"]
    answer = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks/{hook['id']}"
                         "/rotate-secret", headers=admin.headers)
    assert answer.status_code == 200
    new, until = answer.get_json()["secret"], answer.get_json()["previous_secret_until"]
    assert new != old and new.startswith("whsec_") and until.endswith("Z")
    # The secret is never shown again.
    listed = client.get(f"/api/v1/agencies/{world.agency_a}/webhooks", headers=admin.headers)
    assert old not in listed.get_data(as_text=True) and new not in listed.get_data(as_text=True)
    send_test(client, admin, world.agency_a, hook["id"])
    deliver(app)
    [during] = receiver.to("a")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert during.verifies_with(old) and during.verifies_with(new)
    # After the overlap only the new one signs.
    later = utcnow() + timedelta(hours=25)
    send_test(client, admin, world.agency_a, hook["id"])
    deliver(app, later)
    after = receiver.to("a")[-1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert after.verifies_with(new) and not after.verifies_with(old)


def test_secrets_are_sealed_at_rest(app, client, world, receiver):
    hook = register(client, world["admin_a"], world.agency_a, receiver.url("a"),
                    ["content.published"])
    with app.app_context():
        from api.models import WebhookEndpoint
        row = db.session.get(WebhookEndpoint, uuid.UUID(hook["id"]))
        assert hook["secret"] not in row.secret_sealed
        assert hook["secret"].removeprefix("whsec_") not in row.secret_sealed


def test_two_consumers_at_once_send_each_message_exactly_once(app, client, world, receiver):
    admin = world["admin_a"]
    hook = register(client, admin, world.agency_a, receiver.url("a"), ["content.published"])
    sent = [send_test(client, admin, world.agency_a, hook["id"])["id"] for _ in range(5)]
    start = threading.Barrier(2)
    errors = []

    def consumer():
        try:
            start.wait()
            with app.app_context():
                for delivery_id in sent:
                    tasks.deliver(uuid.UUID(delivery_id))
                tasks.sweep_webhooks()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=consumer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    ids = [d.headers["webhook-id"] for d in receiver.to("a")]
    assert len(ids) == len(set(ids)) == 5
    with app.app_context():
        statuses = db.session.scalars(select(WebhookDelivery.status).where(
            WebhookDelivery.id.in_([uuid.UUID(i) for i in sent]))).all()
    assert statuses == ["delivered"] * 5
