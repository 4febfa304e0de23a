"""Webhooks from the served app, delivered by the job consumer that scripts/serve.py starts
(as `make run` does), to a receiver that verifies each one with the standardwebhooks library.

A consumer killed with SIGKILL leaves what happened meanwhile waiting in the database; a
consumer started again (`make worker`) delivers it. With two consumers at once, every message
reaches the receiver exactly once, each signature good.
"""

import os
import signal
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from api.db.unit_of_work import unit_of_work
from api.services.accounts.people import create_agency
from tests.factories import PASSWORD
from tests.failure.harness import MakeRun, call, expect, free_port
from tests.failure.test_job_consumer import (  # noqa: F401 (store: a fixture used below)
    Consumers,
    children,
    consumer_of,
    store,
    wait_for,
)
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.failure

ARRIVES_SECONDS = 15
MAX_ROUNDS = 12


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def served(store, tmp_path):  # noqa: F811
    settings, app = store
    env = {**os.environ, **settings, "FLASK_APP": "api",
           "SECRET_KEY_FILE": str(tmp_path / "secret-key"),
           "VAPID_KEY_FILE": str(tmp_path / "vapid.pem"),
           # The receiver listens on loopback, which production refuses (SSRF).
           "WEBHOOK_ALLOW_HTTP": "1"}
    for name in ("RATELIMIT_STORAGE_URI", "SECRET_KEY", "VAPID_PRIVATE_KEY", "JOB_WORKERS",
                 *(() if "JOBS_URL" in settings else ("JOBS_URL",))):
        env.pop(name, None)
    server = MakeRun(env, free_port(), tmp_path / "server.log").start()
    consumers = Consumers(server.env, tmp_path)
    yield server, app, consumers
    consumers.kill()
    server.kill()


def admin_of_new_agency(app, api: str) -> tuple[str, str]:
    email = f"admin-{uuid.uuid4().hex[:10]}@example.org"
    with app.app_context(), unit_of_work():
        agency, _ = create_agency("Harbor Peer Support", email, PASSWORD)
        agency_id = str(agency.id)
    token = expect(call(api, "POST", "/auth/token", {"email": email, "password": PASSWORD}),
                   201)[0]["token"]
    return agency_id, token


def publish_tip(api: str, agency: str, admin: str) -> str:
    slug = f"tip-{uuid.uuid4().hex[:8]}"
    expect(call(api, "POST", f"/agencies/{agency}/tips", {
        "slug": slug, "status": "published",
        "text": {"en": {"title": "Sit side by side", "summary": "Short.", "body": "Long.",
                        "actions": [], "questions": []}}}, admin), 201)
    return slug


def published(receiver: Receiver, secret: str) -> list[str]:
    """The slugs of content.published deliveries, each verified (raises if one is not ours)."""
    found = []
    for delivery in receiver.to("agency"):
        payload = delivery.verify(secret)
        if payload["type"] == "content.published":
            found.append(payload["data"]["slug"])
    return found


def test_webhooks_are_delivered_by_the_consumer_wait_while_it_is_down_and_go_once(
        served, receiver):
    server, app, consumers = served
    api = server.base + "/api/v1"
    agency, admin = admin_of_new_agency(app, api)
    hook = expect(call(api, "POST", f"/agencies/{agency}/webhooks", {
        "url": receiver.url("agency"), "event_types": ["content.published"]}, admin), 201)[0]
    secret = hook["secret"]

    # The consumer serve.py started delivers: the test runs no job itself.
    consumer = consumer_of(server)
    first = publish_tip(api, agency, admin)
    wait_for(lambda: published(receiver, secret) == [first], ARRIVES_SECONDS, "the first")
    deliveries = f"/agencies/{agency}/webhooks/{hook['id']}/deliveries"
    wait_for(lambda: expect(call(api, "GET", deliveries, None, admin), 200)[0][0]["status"]
             == "delivered", 10, "the first delivery recorded")

    # The consumer dies outright; the app goes on and what happens next waits.
    os.kill(consumer, signal.SIGKILL)
    wait_for(lambda: consumer not in children(server.process.pid), 5, "the consumer dead")
    second = publish_tip(api, agency, admin)
    time.sleep(3)
    assert published(receiver, secret) == [first]
    log = expect(call(api, "GET", deliveries, None, admin), 200)[0]
    assert log[0]["status"] == "pending" and log[0]["attempts"] == 0

    # A consumer started again (`make worker`) delivers what waited.
    consumers.start()
    wait_for(lambda: published(receiver, secret) == [first, second], ARRIVES_SECONDS + 75,
             "the delivery that waited")

    # Two consumers, tips published side by side, round after round until each consumer has
    # delivered some: every message arrives exactly once.
    consumers.start()
    wait_for(lambda: all("Huey consumer started" in log.read_text()
                         for log in consumers.logs), 30, "the consumers started")
    since = {log: log.stat().st_size for log in consumers.logs}

    def delivered_by(log, at):
        return b"Executing api.jobs.tasks.deliver_webhooks" in log.read_bytes()[at:]

    slugs = [first, second]
    rounds = 0
    with ThreadPoolExecutor(3) as pool:
        while rounds < 3 or not all(delivered_by(log, at) for log, at in since.items()):
            assert rounds < MAX_ROUNDS, "one consumer took all the work"
            slugs += list(pool.map(lambda _: publish_tip(api, agency, admin), range(3)))
            rounds += 1
            time.sleep(2.5)
    wait_for(lambda: sorted(published(receiver, secret)) == sorted(slugs), 75,
             f"{len(slugs)} deliveries")
    time.sleep(3)  # nothing more comes: no second copy from the other consumer
    assert sorted(published(receiver, secret)) == sorted(slugs)
    ids = [d.headers["webhook-id"] for d in receiver.to("agency")]
    assert len(ids) == len(set(ids)) == len(slugs)
    assert all(process.poll() is None for process in consumers.processes)
