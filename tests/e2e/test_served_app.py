"""The served app as `make run` serves it (scripts/serve.py --embedded: granian, two worker
processes, SQLite beside it): a worker and a peer on 360 px phones go from sign-up to a
check-in sent after a spell offline; the server is killed and started again, and what they
did is all there, once. A desktop browser opens the API docs the same server serves.

The other browser tests use an in-process server; this one is the whole: the real server,
two processes answering one phone, the service worker, the outbox and a restart.
"""

import os
import time
import uuid
from datetime import datetime

import pytest
from flask_migrate import upgrade
from playwright.sync_api import expect

from api.db.unit_of_work import unit_of_work
from api.lib.languages import LANGUAGES
from api.services.loading import load_content
from scripts._serve import free_port
from tests.conftest import build_app
from tests.e2e.conftest import PASSWORD, new_phone, open_view
from tests.e2e.test_pwa_together import controlled, invite_code, join, sign_up_worker
from tests.failure.harness import MakeRun, call

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def snap(page, name: str) -> None:
    if SCREENSHOTS:  # SCREENSHOT_DIR=... to look at the walk
        page.screenshot(path=os.path.join(SCREENSHOTS, f"served-{name}.png"), full_page=True)


@pytest.fixture
def served(tmp_path):
    url = f"sqlite:///{tmp_path / 'rapport.db'}"
    app = build_app(database=(url, {}))
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_content(LANGUAGES)
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "api",
           "SECRET_KEY_FILE": str(tmp_path / "secret-key")}
    for name in ("RATELIMIT_STORAGE_URI", "SECRET_KEY"):
        env.pop(name, None)  # the app's own defaults, as `make run` has them
    server = MakeRun(env, free_port(), tmp_path / "server.log").start()
    yield server
    server.kill()


def test_a_worker_and_a_peer_in_the_served_app_survive_a_restart(chromium, served):
    base, tag = served.base, uuid.uuid4().hex[:8]
    email = f"rosa-{tag}@example.org"
    worker, peer = new_phone(chromium), new_phone(chromium)
    try:
        assert worker.viewport_size["width"] == 360
        sign_up_worker(worker, base, "Rosa", email)
        snap(worker, "1-worker-signed-up")
        code = invite_code(worker, base)
        snap(worker, "2-invite-code")
        join(peer, base, code, "Sam", f"sam{tag}")
        expect(peer.locator("main h1")).to_have_text("With Rosa")

        open_view(worker, base, "#/goals", wait="main ul.plain li a")
        worker.get_by_role("link", name="Sam").click()
        worker.get_by_text("Set a new goal").click()
        worker.get_by_label("Goal", exact=True).fill("Cook dinner at home")
        worker.get_by_role("button", name="Save").click()
        expect(worker.locator("main h1")).to_have_text("Cook dinner at home")
        goal_path = "#/" + worker.url.split("#/")[1]
        snap(worker, "3-goal")

        # The peer checks in with no signal; the outbox sends it when the signal is back.
        open_view(peer, base, goal_path, wait="main h1")
        controlled(peer)
        peer.context.set_offline(True)
        peer.locator("#progress").fill("4")
        peer.get_by_label("Note (optional)").fill("Made soup on Tuesday")
        peer.get_by_role("button", name="Save check-in").click()
        saved = peer.locator(".checkins li", has_text="Made soup on Tuesday")
        expect(saved.locator(".badge")).to_have_text("Saved on this phone")
        snap(peer, "4-saved-offline")
        time.sleep(2.5)  # a while with no signal: the check-in keeps the time it was made
        peer.context.set_offline(False)
        expect(saved.locator(".badge")).to_have_text("Sent")
        snap(peer, "5-sent")

        # The server dies (both workers at once) and comes back on the same files.
        served.kill()
        served.start()
        open_view(worker, base, goal_path, wait="main h1")
        expect(worker.locator(".checkins li", has_text="Made soup on Tuesday")).to_have_count(1)
        snap(worker, "6-after-restart")

        status, body, _ = call(base + "/api/v1", "POST", "/auth/token",
                               {"email": email, "password": PASSWORD})
        assert status == 201, body
        goal_id = goal_path.rsplit("/", 1)[1]
        status, checkins, _ = call(base + "/api/v1", "GET", f"/goals/{goal_id}/checkins",
                                   token=body["token"])
        assert status == 200
        assert [(c["progress"], c["note"]) for c in checkins] == [(4, "Made soup on Tuesday")]
        made, received = (datetime.fromisoformat(checkins[0][name])
                          for name in ("created_at", "received_at"))
        assert (received - made).total_seconds() >= 2
        assert worker.errors == [] and peer.errors == []
        assert worker.dialogs == [] and peer.dialogs == []
    finally:
        worker.context.close()
        peer.context.close()


def test_the_served_docs_open_on_a_desktop(chromium, served):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(served.base + "/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Rapport")
        expect(page.locator(".opblock-tag", has_text="goals").first).to_be_visible()
        snap(page, "docs-desktop")
    finally:
        context.close()
