"""One worker's whole job on a 360 px phone, as they would walk it: sign up with their agency's
code and read its tips and crisis lines, invite a peer, find them due a week later, set a goal
together, check in, take the self-check twice, read how the peer's sessions feel beside their
own answers, and take back a goal marked reached by mistake. Each step is checked on the
server too, so a screen that only looks right fails."""

import os
import uuid
from datetime import UTC, datetime, timedelta

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import update

from tests.e2e.conftest import new_phone, open_view, signed_in_as
from tests.e2e.test_pwa_together import (
    api_token,
    invite_code,
    join,
    sign_up_worker,
    take_self_check,
)

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
WARMLINE = {"name": "Riverside Warmline", "language": "en", "phone": "(202) 555-0143",
            "hours": "Every day, 8 am to 10 pm"}


def snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.evaluate("window.scrollTo(0, 0)")  # a full-page shot keeps the sticky bars in place
        page.screenshot(path=os.path.join(SCREENSHOTS, f"journey-{name}.png"), full_page=True)


def no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def move_to(page, view: str) -> None:
    """Go to a view as a link would, and wait for that view, not the one before it."""
    page.locator("main h1").first.wait_for()
    page.evaluate("""hash => {
        if (location.hash === hash) return;
        document.querySelector('main h1').dataset.old = '1';
        location.hash = hash;
    }""", view)
    page.locator("main h1:not([data-old])").first.wait_for()
    page.wait_for_load_state("networkidle")


def a_week_passes(app, partnership: str) -> None:
    from api.extensions import db
    from api.models import Partnership

    with app.app_context():
        db.session.execute(update(Partnership).where(Partnership.id == uuid.UUID(partnership))
                           .values(created_at=datetime.now(UTC) - timedelta(days=8)))
        db.session.commit()


def test_a_workers_whole_job(chromium, live_server, app, client, world):
    admin = world["admin_a"].headers
    agency_code = client.post(f"/api/v1/agencies/{world.agency_a}/join-codes", json={},
                              headers=admin).get_json()["code"]
    world.fresh_agency_item("tips")  # published, titled "Our tip"
    assert client.put(f"/api/v1/agencies/{world.agency_a}/crisis-resources", headers=admin,
                      json={"include_default": True, "resources": [WARMLINE]}).status_code == 200

    tag = uuid.uuid4().hex[:8]
    email = f"rosa-{tag}@example.org"
    worker, peer = new_phone(chromium), new_phone(chromium)
    try:
        # Sign up with the agency's code: its tip leads the list, its line is under help.
        sign_up_worker(worker, live_server, "Rosa", email, agency_code=agency_code)
        expect(worker).to_have_title("Today – Rapport")
        token = api_token(client, email=email)
        auth = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/me", headers=auth).get_json()["agency_id"] == world.agency_a
        open_view(worker, live_server, "#/tips", wait="main ul.plain li a")
        expect(worker.locator("main ul.plain li").first).to_have_text("Our tip")
        worker.get_by_role("button", name="Need help now").click()
        help_now = worker.locator("dialog#crisis")
        expect(help_now).to_contain_text("Riverside Warmline")
        expect(help_now).to_contain_text("call 911")
        snap(worker, "help")
        help_now.get_by_role("button", name="Close").click()

        # Invite a peer; they join on their own phone.
        code = invite_code(worker, live_server)
        join(peer, live_server, code, "Sam", f"sam{tag}")
        expect(peer.locator("main h1")).to_have_text("With Rosa")
        [partnership] = client.get("/api/v1/partnerships", headers=auth).get_json()
        assert partnership["peer"]["display_name"] == "Sam"

        # A week on, Sam is due, and the due item leads to setting a goal together.
        a_week_passes(app, partnership["id"])
        open_view(worker, live_server, "#/", wait="h2#due")
        due = worker.locator("main section.card").filter(has=worker.locator("h2#due"))
        expect(due.locator("li")).to_have_text(
            ["Sam · 1 day overdue · no active goal: set one to check in"])
        steps = worker.locator("main section.card").filter(has=worker.locator("h2#next"))
        expect(steps).to_contain_text("Break a goal into small steps")  # what to do next
        expect(steps.get_by_role("link", name="Open your goals")).to_have_attribute(
            "href", "#/goals")
        snap(worker, "due")
        no_axe_violations(worker)
        due.get_by_role("link").click()
        goal_form = worker.locator("details[open]", has_text="Set a new goal")
        goal_form.get_by_label("Goal", exact=True).fill("Walk every morning")
        goal_form.get_by_role("button", name="Save").click()
        expect(worker.locator("main h1")).to_have_text("Walk every morning")
        expect(worker).to_have_title("Walk every morning – Rapport")
        goal_id = worker.url.rsplit("/", 1)[1]
        worker.get_by_text("Add a milestone").click()
        worker.get_by_label("Milestone", exact=True).fill("Buy walking shoes")
        worker.get_by_role("button", name="Save", exact=True).click()
        expect(worker.locator("main .milestones li")).to_contain_text(["Buy walking shoes"])

        # Check in; Sam leaves the due list.
        worker.locator("#progress").fill("4")
        worker.get_by_label("Note (optional)").fill("Two walks this week")
        worker.get_by_role("button", name="Save check-in").click()
        expect(worker.locator(".checkins li", has_text="Two walks this week")
               .locator(".badge")).to_have_text("Sent")
        snap(worker, "goal")
        no_axe_violations(worker)
        [checkin] = client.get(f"/api/v1/goals/{goal_id}/checkins", headers=auth).get_json()
        assert (checkin["progress"], checkin["note"]) == (4, "Two walks this week")
        open_view(worker, live_server, "#/", wait="h2#due")
        expect(due).to_contain_text("Nobody is due a check-in")
        assert client.get("/api/v1/checkins/due", headers=auth).get_json() == []

        # The self-check, twice (no joking the second fortnight): the trend shows the change.
        items = client.get("/api/v1/surveys/rapport-self-check").get_json()["items"]
        take_self_check(worker, live_server, [2] * len(items))
        take_self_check(worker, live_server, [None if i["id"] == "use-humor-with-care" else 3
                                              for i in items])
        expect(worker.locator("main")).to_contain_text("10 of 11 practices rated")
        open_view(worker, live_server, "#/self-check/results", wait="main svg.sc-chart")
        assert worker.locator("main svg.sc-chart circle").count() == 2
        snap(worker, "trend")
        trend = client.get("/api/v1/me/self-check/trend", headers=auth).get_json()
        assert [(c["total"], c["rated"]) for c in trend["checks"]] == [
            (2 * len(items), len(items)), (3 * (len(items) - 1), len(items) - 1)], trend
        assert (trend["checks"][1]["change"], trend["checks"][1]["compared"]) == (
            len(items) - 1, len(items) - 1)

        # Sam shares how sessions feel; Rosa reads both sides.
        open_view(peer, live_server, f"#/partnerships/{partnership['id']}/session-check",
                  wait="main .sc-go")
        peer.get_by_role("button", name="Start").click()
        for _ in range(4):
            peer.locator("main fieldset").get_by_text("9", exact=True).click()
            peer.locator("main button.sc-go").click()
        peer.get_by_text("My peer worker can see my answers").click()
        peer.get_by_role("button", name="Finish").click()
        expect(peer.locator("main")).to_contain_text("Thank you")
        expect(peer.locator("main [role=status] .badge")).to_have_text("Sent")  # not only queued
        open_view(worker, live_server, f"#/partnerships/{partnership['id']}/rapport",
                  wait="main meter")
        main = worker.locator("main")
        expect(main.locator("label", has_text="Your peer")).to_have_count(4)
        expect(main.locator("label")).to_have_count(8)  # each area: the peer's side and theirs
        expect(main).not_to_contain_text("You have not done a self-check yet.")
        snap(worker, "both-sides")
        no_axe_violations(worker)

        # "We reached this goal", then "wait, not yet": asked first, and taken back.
        open_view(worker, live_server, f"#/goals/{goal_id}", wait=".milestones li")
        worker.get_by_role("button", name="We reached this goal").click()
        worker.get_by_role("button", name="Yes, we reached it").click()
        expect(worker.get_by_role("button", name="Open this goal again")).to_be_visible()
        worker.get_by_role("button", name="Open this goal again").click()
        expect(worker.get_by_role("button", name="We reached this goal")).to_be_visible()
        worker.wait_for_function(
            "() => [...document.querySelectorAll('main .badge')]"
            ".every(b => b.textContent === 'Sent')")
        goal = client.get(f"/api/v1/goals/{goal_id}", headers=auth).get_json()
        assert goal["status"] == "active"

        # Everything they did is theirs to see: the access log names the peer's reads.
        open_view(worker, live_server, "#/settings", wait="#language")
        assert worker.errors == [] and peer.errors == []
        assert worker.dialogs == [] and peer.dialogs == []
    finally:
        worker.context.close()
        peer.context.close()


def test_the_workers_screens_pass_axe_in_dark_mode(chromium, live_server, client):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium, color_scheme="dark")
    try:
        sign_up_worker(worker, live_server, "Jo", f"jo-{tag}@example.org")
        code = invite_code(worker, live_server)
        accepted = client.post(f"/api/v1/invites/{code}/accept", json={
            "display_name": "Kim", "username": f"kim{tag}",
            "password": "walking together every morning"}).get_json()
        token = api_token(client, email=f"jo-{tag}@example.org")
        goal = client.post(f"/api/v1/partnerships/{accepted['partnership_id']}/goals",
                           json={"title": "Cook at home"},
                           headers={"Authorization": f"Bearer {token}"}).get_json()
        signed_in_as(worker, live_server, token)
        partnership = f"#/partnerships/{accepted['partnership_id']}"
        for view in ["#/", "#/goals", partnership, f"#/goals/{goal['id']}",
                     f"{partnership}/rapport", f"{partnership}/timeline", "#/settings"]:
            move_to(worker, view)
            no_axe_violations(worker)
    finally:
        worker.context.close()


def test_need_help_now_is_in_reach_on_every_view_while_moving_between_them(
        chromium, live_server, client):
    """Moving from a long view to another once scrolled "Need help now" off-screen."""
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Jo", f"jo-{tag}@example.org")
        code = invite_code(worker, live_server)
        accepted = client.post(f"/api/v1/invites/{code}/accept", json={
            "display_name": "Kim", "username": f"kim{tag}",
            "password": "walking together every morning"}).get_json()
        token = api_token(client, email=f"jo-{tag}@example.org")
        partnership = accepted["partnership_id"]
        goal = client.post(f"/api/v1/partnerships/{partnership}/goals",
                           json={"title": "Cook at home"},
                           headers={"Authorization": f"Bearer {token}"}).get_json()
        views = ["#/", "#/tips", "#/tips/reflect-back", "#/faq", "#/goals",
                 f"#/partnerships/{partnership}", f"#/goals/{goal['id']}",
                 f"#/partnerships/{partnership}/timeline", f"#/partnerships/{partnership}/rapport",
                 "#/self-check", "#/self-check/results", "#/settings", "#/tips?q=listen"]
        seen = set()
        for view in views + list(reversed(views)):  # each view reached from two others
            move_to(worker, view)
            button = worker.get_by_role("button", name="Need help now")
            expect(button).to_be_in_viewport(ratio=1)
            worker.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            expect(button).to_be_in_viewport(ratio=1)
            seen.add(worker.locator("main h1").first.inner_text())
        assert len(seen) >= 12, seen  # the views really changed
        assert worker.errors == []
    finally:
        worker.context.close()
