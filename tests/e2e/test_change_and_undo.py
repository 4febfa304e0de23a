"""Changing and undoing, as a person on a 360 px phone: edit a goal, pause, let go, reach and
undo, open again, delete; milestones done and undone, moved by keyboard, edited and deleted
and put back; a partnership's cadence, pause, calendar link and ending; a new name and
password; a celebration seen by the other person; a goal edited offline that syncs. Every
step is checked on the server, not only on the screen; each new screen passes axe in light
and dark."""

import time
import uuid

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, new_phone, open_view, signed_in_as
from tests.e2e.test_pwa_together import controlled


def pair(client):
    """A worker and a peer (through the API), their partnership and a goal."""
    tag = uuid.uuid4().hex[:8]
    email = f"lee-{tag}@example.org"
    client.post("/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Lee"})
    worker = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}
                         ).get_json()["token"]
    as_worker = {"Authorization": f"Bearer {worker}"}
    code = client.post("/api/v1/invites", json={}, headers=as_worker).get_json()["code"]
    accepted = client.post(f"/api/v1/invites/{code}/accept", json={
        "display_name": "Kim", "username": f"kim{tag}", "password": PASSWORD}).get_json()
    partnership = accepted["partnership_id"]
    goal = client.post(f"/api/v1/partnerships/{partnership}/goals", headers=as_worker,
                       json={"title": "Cook at home"}).get_json()
    return {"email": email, "worker": worker, "peer": accepted["token"],
            "as_worker": as_worker, "as_peer": {"Authorization": f"Bearer {accepted['token']}"},
            "partnership": partnership, "goal": goal["id"]}


def until(read, expected, timeout=6.0):
    """What `read()` gives once it equals `expected` (the outbox sends in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value == expected or time.monotonic() > deadline:
            assert value == expected
            return value
        time.sleep(0.1)


def no_axe_violations(page) -> None:
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{scheme}: {results.generate_report()}"
    page.emulate_media(color_scheme="light")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360


def undo(page) -> None:
    page.locator(".toast").get_by_role("button", name="Undo").click()


def test_a_goal_is_edited_paused_let_go_reached_undone_reopened_and_deleted(
        chromium, live_server, client):
    ids = pair(client)
    goal = lambda: client.get(f"/api/v1/goals/{ids['goal']}",  # noqa: E731
                              headers=ids["as_worker"]).get_json()
    worker = new_phone(chromium)
    try:
        signed_in_as(worker, live_server, ids["worker"])
        open_view(worker, live_server, f"#/goals/{ids['goal']}", wait=".milestones li")
        no_axe_violations(worker)

        worker.get_by_text("Change this goal").click()
        editing = worker.locator("main details[open]")
        editing.get_by_label("Goal", exact=True).fill("Cook at home twice a week")
        editing.get_by_label("Why it matters (optional)").fill("It saves money")
        editing.get_by_label("Target date (optional)").fill("2030-06-01")
        editing.get_by_role("button", name="Save").click()
        expect(worker.locator("main h1")).to_have_text("Cook at home twice a week")
        until(lambda: {k: goal()[k] for k in ("title", "why", "target_date")}, {
            "title": "Cook at home twice a week", "why": "It saves money",
            "target_date": "2030-06-01"})
        expect(worker.locator(".toast")).to_have_text("Saved.")
        expect(worker.locator(".toast")).to_have_count(0, timeout=15000)  # it leaves on its own

        worker.get_by_role("button", name="Pause").click()
        until(lambda: goal()["status"], "paused")
        expect(worker.locator(".toast")).to_contain_text("Goal paused.")
        undo(worker)
        until(lambda: goal()["status"], "active")
        expect(worker.get_by_role("button", name="Pause")).to_be_visible()
        # Undo goes back to where it was: starting again, undone, is paused again.
        worker.get_by_role("button", name="Pause").click()
        worker.get_by_role("button", name="Start again").click()
        until(lambda: goal()["status"], "active")
        undo(worker)
        until(lambda: goal()["status"], "paused")
        worker.get_by_role("button", name="Start again").click()
        until(lambda: goal()["status"], "active")

        worker.get_by_role("button", name="Let go of this goal").click()
        worker.locator("dialog.confirm").get_by_role("button", name="Keep it").click()
        assert goal()["status"] == "active"
        worker.get_by_role("button", name="Let go of this goal").click()
        worker.locator("dialog.confirm").get_by_role("button", name="Yes, let it go").click()
        until(lambda: goal()["status"], "let_go")
        worker.get_by_role("button", name="Open this goal again").click()
        until(lambda: goal()["status"], "active")

        worker.get_by_role("button", name="We reached this goal").click()
        worker.get_by_role("button", name="Yes, we reached it").click()
        until(lambda: goal()["status"], "achieved")
        expect(worker.locator(".toast")).to_contain_text("Goal reached.")
        undo(worker)
        until(lambda: goal()["status"], "active")
        expect(worker.locator(".toast")).to_have_text("Undone.")
        worker.get_by_role("button", name="We reached this goal").click()
        worker.get_by_role("button", name="Yes, we reached it").click()
        until(lambda: goal()["status"], "achieved")
        worker.get_by_role("button", name="Open this goal again").click()
        until(lambda: goal()["status"], "active")
        events = client.get(f"/api/v1/partnerships/{ids['partnership']}/timeline",
                            headers=ids["as_worker"]).get_json()
        assert [e["to_status"] for e in events if e["type"] == "goal_status"][:3] == [
            "active", "achieved", "active"]

        # Delete asks in words that say it cannot be undone; "Keep it" keeps it.
        worker.get_by_role("button", name="Delete this goal").click()
        ask = worker.locator("dialog.confirm")
        expect(ask).to_contain_text("cannot be undone")
        ask.get_by_role("button", name="Keep it").click()
        assert goal()["status"] == "active"
        worker.get_by_role("button", name="Delete this goal").click()
        worker.locator("dialog.confirm").get_by_role("button", name="Delete it").click()
        expect(worker.locator("main h1")).to_have_text("With Kim")
        assert client.get(f"/api/v1/goals/{ids['goal']}",
                          headers=ids["as_worker"]).status_code == 404

        # A goal with check-ins is shared history: deleting it is refused in plain words.
        kept = client.post(f"/api/v1/partnerships/{ids['partnership']}/goals",
                           json={"title": "Walk daily"}, headers=ids["as_worker"]).get_json()
        client.post(f"/api/v1/goals/{kept['id']}/checkins", json={"progress": 2},
                    headers=ids["as_peer"])
        open_view(worker, live_server, f"#/goals/{kept['id']}", wait=".checkins li")
        worker.get_by_role("button", name="Delete this goal").click()
        worker.locator("dialog.confirm").get_by_role("button", name="Delete it").click()
        expect(worker.locator(".toast")).to_have_text(
            "This goal has check-ins, so it stays for you both. You can let it go instead.")
        assert client.get(f"/api/v1/goals/{kept['id']}",
                          headers=ids["as_worker"]).status_code == 200
        assert worker.errors == [] and worker.dialogs == []
    finally:
        worker.context.close()


def test_milestones_done_undone_moved_by_keyboard_edited_deleted_and_put_back(
        chromium, live_server, client):
    ids = pair(client)
    for title in ("Plan meals", "Shop for food", "Cook once"):
        client.post(f"/api/v1/goals/{ids['goal']}/milestones", json={"title": title},
                    headers=ids["as_worker"])
    steps = lambda: client.get(f"/api/v1/goals/{ids['goal']}/milestones",  # noqa: E731
                               headers=ids["as_peer"]).get_json()
    peer = new_phone(chromium)
    try:
        signed_in_as(peer, live_server, ids["peer"])
        open_view(peer, live_server, f"#/goals/{ids['goal']}", wait=".milestones li button")
        no_axe_violations(peer)

        peer.get_by_role("button", name="Mark done: Plan meals").click()
        until(lambda: steps()[0]["done"], True)
        expect(peer.locator(".toast")).to_contain_text("Marked done.")
        undo(peer)
        until(lambda: steps()[0]["done"], False)
        peer.get_by_role("button", name="Mark done: Plan meals").click()
        until(lambda: steps()[0]["done"], True)
        peer.get_by_role("button", name="Not done yet: Plan meals").click()
        until(lambda: [(s["done"], s["done_at"]) for s in steps()][0], (False, None))

        # Keyboard only: focus "Move down", press Enter; the focus stays with the step.
        peer.get_by_role("button", name="Move down: Plan meals").focus()
        peer.keyboard.press("Enter")
        until(lambda: [s["title"] for s in steps()], ["Shop for food", "Plan meals", "Cook once"])
        expect(peer.locator(".milestones li .title")).to_have_text(
            ["Shop for food", "Plan meals", "Cook once"])
        expect(peer.get_by_role("button", name="Move down: Plan meals")).to_be_focused()
        peer.keyboard.press("Enter")
        until(lambda: [s["title"] for s in steps()], ["Shop for food", "Cook once", "Plan meals"])
        expect(peer.get_by_role("button", name="Move up: Plan meals")).to_be_focused()
        expect(peer.get_by_role("button", name="Move down: Plan meals")).to_be_disabled()

        row = peer.locator(".milestones li", has_text="Cook once")
        row.get_by_text("Change").click()
        row.get_by_label("Milestone", exact=True).fill("")
        row.get_by_role("button", name="Save").click()
        expect(row.locator(".field-error")).to_have_text("Write a title.")
        row.get_by_label("Milestone", exact=True).fill("Cook twice")
        row.get_by_label("Due date (optional)").fill("2030-02-01")
        row.get_by_role("button", name="Save").click()
        until(lambda: [(s["title"], s["due_date"]) for s in steps()][1],
              ("Cook twice", "2030-02-01"))

        peer.get_by_role("button", name="Delete: Shop for food").click()
        peer.locator("dialog.confirm").get_by_role("button", name="Delete it").click()
        until(lambda: [s["title"] for s in steps()], ["Cook twice", "Plan meals"])
        expect(peer.locator(".milestones li .title")).to_have_text(["Cook twice", "Plan meals"])
        undo(peer)
        until(lambda: [s["title"] for s in steps()], ["Shop for food", "Cook twice", "Plan meals"])
        expect(peer.locator(".milestones li .title")).to_have_count(3)
        no_axe_violations(peer)
        assert peer.errors == [] and peer.dialogs == []
    finally:
        peer.context.close()


def test_partnership_cadence_pause_calendar_link_and_ending(chromium, live_server, client):
    ids = pair(client)
    partnership = lambda: client.get(f"/api/v1/partnerships/{ids['partnership']}",  # noqa: E731
                                     headers=ids["as_worker"]).get_json()
    worker = new_phone(chromium, permissions=["clipboard-read", "clipboard-write"])
    try:
        signed_in_as(worker, live_server, ids["worker"])
        open_view(worker, live_server, f"#/partnerships/{ids['partnership']}", wait="main h1")
        worker.get_by_role("link", name="Check-ins, pause and calendar").click()
        expect(worker.locator("main h1")).to_have_text("Check-ins with Kim")
        # Opened straight from its address too, its words are its own (not a key's name).
        worker.reload()
        expect(worker.get_by_role("button", name="Save", exact=True)).to_be_visible()
        no_axe_violations(worker)

        cadence = worker.get_by_label("Check in every how many days?")
        cadence.fill("400")
        worker.get_by_role("button", name="Save", exact=True).click()
        expect(cadence).to_have_attribute("aria-invalid", "true")
        assert worker.locator(".field-error").count() == 1
        assert partnership()["checkin_cadence_days"] == 7
        cadence.fill("3")
        worker.get_by_role("button", name="Save").click()
        expect(worker.locator(".toast")).to_have_text("Saved. Check in every 3 days.")
        assert partnership()["checkin_cadence_days"] == 3

        worker.get_by_role("button", name="Pause check-ins").click()
        expect(worker.get_by_role("button", name="Start check-ins again")).to_be_visible()
        assert partnership()["status"] == "paused"
        undo(worker)
        expect(worker.get_by_role("button", name="Pause check-ins")).to_be_visible()
        assert partnership()["status"] == "active"
        worker.get_by_role("button", name="Pause check-ins").click()
        worker.get_by_role("button", name="Start check-ins again").click()
        expect(worker.get_by_role("button", name="Pause check-ins")).to_be_visible()
        assert partnership()["status"] == "active"

        worker.get_by_role("button", name="Make a calendar link").click()
        link = worker.get_by_role("link", name="Add to my calendar")
        webcal = link.get_attribute("href")
        assert webcal.startswith("webcal://127.0.0.1:")
        worker.get_by_role("button", name="Copy link").click()
        expect(worker.locator("#status")).to_have_text("Link copied")
        copied = worker.evaluate("() => navigator.clipboard.readText()")
        assert copied == "http:" + webcal.removeprefix("webcal:")
        path = copied[copied.index("/api/"):]
        feed = client.get(path)
        assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.data
        worker.get_by_role("button", name="Turn off calendar links").click()
        worker.locator("dialog.confirm").get_by_role("button", name="Turn them off").click()
        expect(worker.locator(".toast")).to_have_text("Calendar links turned off.")
        expect(link).to_have_count(0)
        assert client.get(path).status_code == 404

        worker.get_by_text("End this partnership").click()
        expect(worker.locator("main details[open]")).to_contain_text("cannot be started again")
        worker.get_by_role("button", name="End the partnership").click()
        ask = worker.locator("dialog.confirm")
        expect(ask).to_contain_text("End this partnership with Kim for good?")
        ask.get_by_role("button", name="Keep it").click()
        assert partnership()["status"] == "active"
        worker.get_by_role("button", name="End the partnership").click()
        worker.locator("dialog.confirm").get_by_role("button", name="Yes, end it").click()
        expect(worker.locator("main .notice")).to_contain_text("This partnership ended on")
        assert partnership()["status"] == "ended"
        no_axe_violations(worker)
        # An ended partnership's goal is read-only: nothing offers a change the server refuses.
        open_view(worker, live_server, f"#/goals/{ids['goal']}", wait=".milestones li")
        expect(worker.locator("main h1")).to_have_text("Cook at home")
        assert worker.locator("main button").count() == 0
        assert worker.locator("main form").count() == 0
        assert worker.errors == [] and worker.dialogs == []
    finally:
        worker.context.close()


def test_a_new_name_and_password_then_signing_in_with_it(chromium, live_server, client):
    ids = pair(client)
    worker = new_phone(chromium)
    new_password = "cooking slowly on sundays"  # noqa: S105 (a test account's password)
    try:
        signed_in_as(worker, live_server, ids["worker"])
        open_view(worker, live_server, "#/settings", wait="main #account")
        worker.get_by_text("Change my name").click()
        worker.locator("main details[open]").get_by_label("Your name").fill("Lee Ann")
        worker.locator("main details[open]").get_by_role("button", name="Save", exact=True).click()
        expect(worker.locator("main #account")).to_have_text("Signed in as Lee Ann")
        me = client.get("/api/v1/me", headers=ids["as_worker"]).get_json()
        assert me["display_name"] == "Lee Ann"
        # The peer sees the new name.
        assert client.get(f"/api/v1/partnerships/{ids['partnership']}", headers=ids["as_peer"]
                          ).get_json()["worker"]["display_name"] == "Lee Ann"

        elsewhere = client.post("/api/v1/auth/token", json={
            "email": ids["email"], "password": PASSWORD}).get_json()["token"]
        worker.get_by_text("Change my password").click()
        changing = worker.locator("main details[open]")
        no_axe_violations(worker)
        changing.get_by_label("Current password").fill("not my password at all")
        changing.get_by_label("New password").fill(new_password)
        changing.get_by_role("button", name="Save new password").click()
        current = changing.get_by_label("Current password")
        expect(current).to_have_attribute("aria-invalid", "true")
        expect(changing.locator(".field-error")).to_have_count(1)
        current.fill(PASSWORD)
        changing.get_by_role("button", name="Save new password").click()
        expect(worker.locator("#status")).to_contain_text("Password changed.")
        # Another session is signed out, this phone's is not; the old password no longer works.
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {elsewhere}"}
                          ).status_code == 401
        assert client.get("/api/v1/me", headers=ids["as_worker"]).status_code == 200
        assert client.post("/api/v1/auth/token", json={
            "email": ids["email"], "password": PASSWORD}).status_code == 401

        worker.get_by_role("button", name="Sign out").click()
        expect(worker.locator("#status")).to_have_text("You are signed out.")
        open_view(worker, live_server, "#/settings", wait="#language")
        signing_in = worker.locator("main form").first
        signing_in.get_by_label("Email (workers) or username (peers)").fill(ids["email"])
        signing_in.get_by_label("Password").fill(new_password)
        signing_in.get_by_role("button", name="Sign in").click()
        expect(worker.locator("main h1")).to_have_text("Today")
        open_view(worker, live_server, "#/settings", wait="main #account")
        expect(worker.locator("main #account")).to_have_text("Signed in as Lee Ann")
        assert worker.errors == [] and worker.dialogs == []
    finally:
        worker.context.close()


def test_the_peer_sees_their_workers_celebration_in_spanish(chromium, live_server, client):
    ids = pair(client)
    made = client.post(f"/api/v1/goals/{ids['goal']}/milestones", json={"title": "Plan meals"},
                       headers=ids["as_worker"])
    client.patch(f"/api/v1/milestones/{made.get_json()['id']}", json={"done": True},
                 headers={**ids["as_worker"], "If-Match": made.headers["ETag"]})
    assert client.post(f"/api/v1/goals/{ids['goal']}/celebrations", headers=ids["as_worker"],
                       json={"message": "Gran semana", "emoji": "🌟",
                             "milestone_id": made.get_json()["id"]}).status_code == 201
    peer = new_phone(chromium, locale="es-US")
    try:
        signed_in_as(peer, live_server, ids["peer"])
        open_view(peer, live_server, "#/", wait="main #cheer")
        card = peer.locator("main .cheer")
        expect(card.locator("h2")).to_have_text("Lee celebró contigo")
        expect(card).to_contain_text("🌟 Gran semana")
        no_axe_violations(peer)
        card.get_by_role("link").click()
        expect(peer.locator("main h1")).to_have_text("Cook at home")
        expect(peer.locator("main .celebrations li")).to_contain_text(["🌟 Gran semana"])
        expect(peer.locator("main .celebrations li")).to_contain_text(["Lee"])
        expect(peer.get_by_role("button", name="Todavía no está hecho: Plan meals")).to_be_visible()
        no_axe_violations(peer)
        assert peer.errors == []
    finally:
        peer.context.close()


def test_a_goal_edited_offline_is_sent_once_back_online_and_a_clash_asks(
        chromium, live_server, client):
    ids = pair(client)
    goal = lambda: client.get(f"/api/v1/goals/{ids['goal']}",  # noqa: E731
                              headers=ids["as_worker"])
    worker = new_phone(chromium)
    try:
        signed_in_as(worker, live_server, ids["worker"])
        open_view(worker, live_server, f"#/goals/{ids['goal']}", wait=".milestones li")
        controlled(worker)
        worker.reload()
        worker.locator(".milestones li").first.wait_for()
        worker.context.set_offline(True)
        worker.get_by_text("Change this goal").click()
        editing = worker.locator("main details[open]")
        editing.get_by_label("Goal", exact=True).fill("Cook on Sundays")
        editing.get_by_role("button", name="Save").click()
        expect(worker.locator("main h1")).to_have_text("Cook on Sundays")
        expect(worker.locator("main .badge").first).to_have_text("Saved on this phone")
        assert goal().get_json()["title"] == "Cook at home"
        worker.context.set_offline(False)
        expect(worker.locator("main .badge").first).to_have_text("Sent")
        assert goal().get_json()["title"] == "Cook on Sundays"
        assert goal().get_json()["version"] == 2  # sent once

        # Offline again; meanwhile the peer renames it: the phone asks which to keep.
        worker.context.set_offline(True)
        worker.get_by_role("button", name="Pause").click()
        expect(worker.locator("main .badge").first).to_have_text("Saved on this phone")
        current = goal()
        assert client.patch(f"/api/v1/goals/{ids['goal']}", json={"title": "Cook with Kim"},
                            headers={**ids["as_peer"], "If-Match": current.headers["ETag"]}
                            ).status_code == 200
        worker.context.set_offline(False)
        clash = worker.locator(".alert")
        expect(clash).to_contain_text("Someone changed this first")
        expect(clash.locator("dd").first).to_have_text("Cook on Sundays: Paused")
        expect(clash.locator("dd").nth(1)).to_have_text("Cook with Kim: Active")
        clash.get_by_role("button", name="Use mine").click()
        expect(worker.locator(".alert")).to_have_count(0)
        until(lambda: (goal().get_json()["title"], goal().get_json()["status"]),
              ("Cook with Kim", "paused"))
        assert worker.errors == [] and worker.dialogs == []
    finally:
        worker.context.close()
