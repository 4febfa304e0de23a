"""A reminder's whole way, in the app as `make run` serves it: the peer turns reminders on
in Settings on their phone, the worker sets a goal on theirs, the job consumer beside the
server (not the test) encrypts and sends the push, the push service (the test's) gets it
signed and unreadable to anyone but the peer's browser, and it names no one and holds no
one's words. Handed to the peer's service worker, it shows a notification; the tap opens the
partnership, which loads the goal through the API, so the worker's access log shows the read.

Headless Chromium has no push service, so the peer's PushManager is stubbed to hand out a
subscription on the test's push service, with keys the test holds (tests/reminders)."""

import json
import os
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import new_phone, open_view
from tests.e2e.test_pwa_together import controlled, invite_code, join, session_token, sign_up_worker
from tests.e2e.test_reminders import FAKE_PUSH, push_registration_id, shown
from tests.failure.harness import MakeRun, call, free_port
from tests.failure.harness import expect as answered
from tests.failure.test_job_consumer import prepare, wait_for
from tests.reminders.push_service import Browser, PushService

GOAL = "Walk to the lake every morning"
NEW_GOAL = "There is a new shared goal in Rapport."


@pytest.fixture
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture
def served(tmp_path):
    url = f"sqlite:///{tmp_path / 'rapport.db'}"
    prepare((url, {}))
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "api",
           "SECRET_KEY_FILE": str(tmp_path / "secret-key"),
           "VAPID_KEY_FILE": str(tmp_path / "vapid.pem"),
           "PUSH_SERVICES": "127.0.0.1", "PUSH_ALLOW_HTTP": "1"}
    for name in ("RATELIMIT_STORAGE_URI", "SECRET_KEY", "VAPID_PRIVATE_KEY", "JOB_WORKERS",
                 "JOBS_URL"):
        env.pop(name, None)  # the app's own defaults, as `make run` has them
    server = MakeRun(env, free_port(), tmp_path / "server.log").start()
    yield server
    server.kill()


def test_a_new_goal_reaches_the_peers_lock_screen_and_opens_in_the_app(
        chromium, served, push_service, tmp_path):
    base, tag = served.base, uuid.uuid4().hex[:8]
    api = base + "/api/v1"
    worker, peer = new_phone(chromium), new_phone(chromium)
    peer_browser = Browser(push_service)
    try:
        sign_up_worker(worker, base, "Rosa", f"rosa-{tag}@example.org")
        code = invite_code(worker, base)
        peer.context.add_init_script(FAKE_PUSH % json.dumps({
            "endpoint": peer_browser.endpoint,
            "keys": peer_browser.subscription()["keys"]}))
        peer.context.grant_permissions(["notifications"], origin=base)
        join(peer, base, code, "Sam", f"sam{tag}")
        expect(peer.locator("main h1")).to_have_text("With Rosa")
        partnership = peer.url.split("#/partnerships/")[1]

        # Sam turns reminders on, on this phone only, and keeps the private lock screen.
        open_view(peer, base, "#/settings", wait="#reminders")
        section = peer.locator("section.reminders")
        section.get_by_role("button", name="Turn on reminders on this phone").click()
        expect(section.get_by_role("button", name="Turn off on this phone")).to_be_visible()
        expect(section.get_by_label("Show names on the lock screen")).not_to_be_checked()
        [device] = answered(call(api, "GET", "/me/push-subscriptions",
                                 token=session_token(peer)), 200)[0]
        assert device["this_device"] and device["push_service"] == "127.0.0.1"

        # Rosa sets a goal with Sam on her phone.
        open_view(worker, base, "#/goals", wait="main ul.plain li a")
        worker.get_by_role("link", name="Sam").click()
        worker.get_by_text("Set a new goal").click()
        worker.get_by_label("Goal", exact=True).fill(GOAL)
        worker.get_by_role("button", name="Save").click()
        expect(worker.locator("main h1")).to_have_text(GOAL)

        # The consumer beside the server sends it; only Sam's browser can read it.
        [push] = wait_for(lambda: push_service.to(peer_browser.name), 15, "the push")
        key = answered(call(api, "GET", "/push/key"), 200)[0]["public_key"]
        message = peer_browser.open(push, key, push_service.origin)
        assert message["body"] == NEW_GOAL
        assert message["url"] == f"#/partnerships/{partnership}"
        for private in (GOAL, "Rosa", "Sam"):
            assert private not in json.dumps(message, ensure_ascii=False)
            assert private.encode() not in push.body

        # On Sam's phone: the notification, and its tap opening the goal, read through the API.
        open_view(peer, base, "#/", wait="main h1")
        controlled(peer)
        cdp = peer.context.new_cdp_session(peer)
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": base, "registrationId": push_registration_id(cdp, base),
            "data": json.dumps(message)})
        [notification] = shown(peer, 1)
        assert (notification["title"], notification["body"]) == ("Rapport", NEW_GOAL)
        [service_worker] = peer.context.service_workers
        service_worker.evaluate("""async () => {
            const [shown] = await self.registration.getNotifications();
            await openFromNotification(shown);
        }""")
        expect(peer.locator("main h1")).to_have_text("With Rosa")
        expect(peer.locator("main")).to_contain_text(GOAL)
        peer.screenshot(path=str(tmp_path / "peer-opened.png"))

        rosa = answered(call(api, "POST", "/auth/token", {
            "email": f"rosa-{tag}@example.org", "password": "walking together every morning"}),
            201)[0]["token"]
        log = answered(call(api, "GET", "/me/access-log?page_size=100", token=rosa), 200)[0]
        assert any(entry["actor_role"] == "peer" and entry["action"].startswith("goal.")
                   for entry in log), log
        assert worker.errors == [] and peer.errors == []
    finally:
        worker.context.close()
        peer.context.close()
