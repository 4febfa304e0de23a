"""An agency's worker, and the peer they support, read what their agency wrote: its own tips
in the list and its own crisis lines under "Need help now", on a 360 px phone. Before, the app
never asked with the agency, so they saw only the core tips and only 988. And "Need help now"
stays on screen on every view, however far down someone has scrolled."""

import os
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import new_phone, open_view
from tests.e2e.test_pwa_together import invite_code, join, sign_up_worker

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
WARMLINE = {"name": "Riverside Warmline", "language": "en", "phone": "(202) 555-0143",
            "hours": "Every day, 8 am to 10 pm"}


def snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"agency-{name}.png"), full_page=True)


def open_help(page):
    page.get_by_role("button", name="Need help now").click()
    dialog = page.locator("dialog#crisis")
    expect(dialog).to_be_visible()
    return dialog


def test_an_agencys_worker_and_their_peer_see_its_tips_and_crisis_lines(
        chromium, live_server, client, world):
    admin = world["admin_a"].headers
    code = client.post(f"/api/v1/agencies/{world.agency_a}/join-codes", json={},
                       headers=admin).get_json()["code"]
    slug = world.fresh_agency_item("tips")  # published, titled "Our tip"
    saved = client.put(f"/api/v1/agencies/{world.agency_a}/crisis-resources", headers=admin,
                       json={"include_default": True, "resources": [WARMLINE]})
    assert saved.status_code == 200, saved.get_json()

    tag = uuid.uuid4().hex[:8]
    worker, peer = new_phone(chromium), new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Rosa", f"rosa-{tag}@example.org", agency_code=code)
        open_view(worker, live_server, "#/tips", wait="main ul.plain li a")
        expect(worker.locator("main").get_by_role("link", name="Our tip")).to_be_visible()
        worker.locator("main").get_by_role("link", name="Our tip").click()
        expect(worker.locator("main h1")).to_have_text("Our tip")
        assert slug in worker.url
        snap(worker, "tip")

        help_now = open_help(worker)
        expect(help_now).to_contain_text("988")  # the default set first...
        expect(help_now).to_contain_text("Riverside Warmline")  # ...then the agency's own
        expect(help_now.get_by_role("link", name="Call (202) 555-0143")).to_have_attribute(
            "href", "tel:2025550143")
        expect(help_now).to_contain_text("call 911")
        snap(worker, "help")
        help_now.get_by_role("button", name="Close").click()

        join(peer, live_server, invite_code(worker, live_server), "Sam", f"sam{tag}")
        expect(peer.locator("main h1")).to_have_text("With Rosa")
        expect(open_help(peer)).to_contain_text("Riverside Warmline")
        assert worker.errors == [] and peer.errors == []
    finally:
        worker.context.close()
        peer.context.close()


VIEWS = ["#/", "#/tips", "#/tips/reflect-back", "#/faq", "#/goals", "#/self-check",
         "#/settings"]


def test_need_help_now_stays_on_screen_on_every_view(chromium, live_server):
    phone = new_phone(chromium)
    try:
        for view in VIEWS:
            open_view(phone, live_server, view)
            phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            button = phone.get_by_role("button", name="Need help now")
            expect(button).to_be_in_viewport(ratio=1)
            box = button.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= 740, (view, box)
    finally:
        phone.context.close()


def test_a_worker_is_told_what_their_agency_sees_and_sees_each_look(
        chromium, live_server, client, world):
    admin = world["admin_a"].headers
    code = client.post(f"/api/v1/agencies/{world.agency_a}/join-codes", json={},
                       headers=admin).get_json()["code"]
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Rosa", f"rosa-{tag}@example.org", agency_code=code)
        open_view(worker, live_server, "#/settings", wait="#agency-sees")
        card = worker.locator("section", has=worker.locator("#agency-sees"))
        expect(card).to_contain_text("They never see goals, notes, answers")
        assert client.get(f"/api/v1/agencies/{world.agency_a}/supervision",
                          headers=admin).status_code == 200
        card.get_by_role("link").click()
        expect(worker.locator("main")).to_contain_text(
            "An agency admin · looked at your work numbers (no words, no answers)")
        assert worker.errors == []
    finally:
        worker.context.close()
