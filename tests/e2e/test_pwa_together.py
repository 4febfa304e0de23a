"""A worker and a peer using the phone app together, in two browsers: sign up, invite, join,
set a goal and a milestone, check in offline, and see it sent exactly once."""

import json
import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import HOSTILE, PASSWORD, new_phone, open_view, signed_in_as

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def sign_up_worker(page, base: str, name: str, email: str, agency_code: str = "") -> None:
    open_view(page, base, "#/settings", wait="#language")
    page.get_by_text("New peer support worker? Create an account").click()
    signing_up = page.locator("details[open]")
    signing_up.get_by_label("Your name").fill(name)
    signing_up.get_by_label("Email", exact=True).fill(email)
    signing_up.get_by_label("Password").fill(PASSWORD)
    if agency_code:
        signing_up.get_by_label("Agency code (optional)").fill(agency_code)
    page.get_by_role("button", name="Create account").click()
    page.locator("main h1", has_text="Today").wait_for()


def invite_code(page, base: str) -> str:
    open_view(page, base, "#/goals", wait="main h1")
    page.get_by_role("button", name="Invite a peer").click()
    return page.locator("main .code").inner_text()


def join(page, base: str, code: str, name: str, username: str) -> None:
    open_view(page, base, "#/settings", wait="#language")
    page.get_by_text("Have an invite code? Join").click()
    joining = page.locator("details[open]")
    joining.get_by_label("Invite code").fill(code)
    joining.get_by_label("Your name").fill(name)
    joining.get_by_label("Pick a username").fill(username)
    joining.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Join").click()


def controlled(page) -> None:
    """Wait until the service worker serves this page, so it can reopen offline."""
    page.evaluate("navigator.serviceWorker.ready")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def session_token(page) -> str:
    """The HttpOnly session cookie's token (the app itself can never read it)."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == "__Host-rapport_session")


def api_token(client, **credentials) -> str:
    response = client.post("/api/v1/auth/token", json={**credentials, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def test_worker_and_peer_set_a_goal_and_check_in_offline(chromium, live_server, client):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    peer = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Rosa", f"rosa-{tag}@example.org")
        code = invite_code(worker, live_server)
        assert len(code) == 9 and code[4] == "-"

        join(peer, live_server, code, "Sam", f"sam{tag}")
        expect(peer.locator("main h1")).to_have_text("With Rosa")

        # The worker sets the goal and its first milestone.
        open_view(worker, live_server, "#/goals", wait="main ul.plain li a")
        worker.get_by_role("link", name="Sam").click()
        worker.get_by_text("Set a new goal").click()
        worker.get_by_label("Goal", exact=True).fill("Walk every morning")
        worker.get_by_role("button", name="Save").click()
        expect(worker.locator("main h1")).to_have_text("Walk every morning")
        worker.get_by_text("Add a milestone").click()
        worker.get_by_label("Milestone", exact=True).fill("Buy walking shoes")
        worker.get_by_role("button", name="Save", exact=True).click()
        expect(worker.locator("main .milestones li")).to_contain_text(["Buy walking shoes"])
        goal_url = worker.url

        # The peer opens the goal, loses the network, checks in, and reloads.
        open_view(peer, live_server, "#/" + goal_url.split("#/")[1], wait=".milestones li")
        controlled(peer)
        peer.reload()
        peer.locator(".milestones li").first.wait_for()
        peer.context.set_offline(True)
        peer.locator("#progress").fill("3")
        peer.get_by_label("Note (optional)").fill("Walked twice this week")
        peer.get_by_role("button", name="Save check-in").click()
        saved = peer.locator(".checkins li", has_text="Walked twice this week")
        expect(saved.locator(".badge")).to_have_text("Saved on this phone")
        peer.reload()
        expect(peer.locator("main .notice")).to_contain_text("saved on this phone")
        expect(saved.locator(".badge")).to_have_text("Saved on this phone")
        expect(saved).to_contain_text("Progress 3 of 10")

        # Back online: sent once, shown as sent, and still once after another open.
        peer.context.set_offline(False)
        expect(saved.locator(".badge")).to_have_text("Sent")
        peer.reload()
        expect(peer.locator(".checkins li", has_text="Walked twice this week")).to_have_count(1)

        goal_id = goal_url.rsplit("/", 1)[1]
        token = api_token(client, email=f"rosa-{tag}@example.org")
        checkins = client.get(f"/api/v1/goals/{goal_id}/checkins",
                              headers={"Authorization": f"Bearer {token}"}).get_json()
        assert [(c["progress"], c["note"]) for c in checkins] == [(3, "Walked twice this week")]
        assert worker.dialogs == [] and peer.dialogs == []
    finally:
        worker.context.close()
        peer.context.close()


def test_a_hostile_goal_title_shows_as_text(chromium, live_server, client):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Ana", f"ana-{tag}@example.org")
        code = invite_code(worker, live_server)
        token = api_token(client, email=f"ana-{tag}@example.org")
        accepted = client.post(f"/api/v1/invites/{code}/accept", json={
            "display_name": HOSTILE, "username": f"pat{tag}", "password": PASSWORD}).get_json()
        partnership = accepted["partnership_id"]
        goal = client.post(f"/api/v1/partnerships/{partnership}/goals", json={"title": HOSTILE},
                           headers={"Authorization": f"Bearer {token}"}).get_json()
        open_view(worker, live_server, f"#/partnerships/{partnership}", wait="main ul.plain li")
        assert worker.locator("main ul.plain li a").first.inner_text().startswith(HOSTILE)
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        assert worker.locator("main h1").inner_text() == HOSTILE
        assert worker.locator("main img").count() == 0
        worker.wait_for_timeout(200)
        assert worker.dialogs == []
    finally:
        worker.context.close()


# What the app keeps in IndexedDB: [outbox items, private answers].
KEPT = """() => new Promise(resolve => {
    const opening = indexedDB.open('rapport');
    opening.onsuccess = () => {
        const db = opening.result;
        if (!db.objectStoreNames.contains('outbox')) { db.close(); return resolve([0, 0]); }
        const tx = db.transaction(['outbox', 'private']);
        const counts = [tx.objectStore('outbox').count(), tx.objectStore('private').count()];
        tx.oncomplete = () => { db.close(); resolve(counts.map(c => c.result)); };
    };
})"""


def worker_with_goal(chromium, live_server, client):
    """A signed-in worker's phone, a peer that joined through the API, and a goal."""
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    sign_up_worker(worker, live_server, "Lee", f"lee-{tag}@example.org")
    code = invite_code(worker, live_server)
    accepted = client.post(f"/api/v1/invites/{code}/accept", json={
        "display_name": "Kim", "username": f"kim{tag}", "password": PASSWORD}).get_json()
    token = api_token(client, email=f"lee-{tag}@example.org")
    goal = client.post(f"/api/v1/partnerships/{accepted['partnership_id']}/goals",
                       json={"title": "Cook at home"},
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    return worker, token, accepted["token"], goal


def test_signing_out_warns_about_unsent_items_then_clears_the_phone(
        chromium, live_server, client):
    worker, _, _, goal = worker_with_goal(chromium, live_server, client)
    try:
        session = session_token(worker)
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        # The server cannot be reached for this one write: it stays on the phone.
        worker.route("**/checkins", lambda route: route.abort()
                     if route.request.method == "POST" else route.continue_())
        worker.get_by_role("button", name="Save check-in").click()
        expect(worker.locator(".checkins .badge")).to_have_text("Saved on this phone")
        assert worker.evaluate(KEPT)[0] == 1

        open_view(worker, live_server, "#/settings", wait="#language")
        worker.get_by_role("button", name="Sign out").click()
        warning = worker.locator("dialog.confirm")
        expect(warning).to_contain_text("not sent yet: 1.")
        warning.get_by_role("button", name="Stay signed in").click()
        expect(worker.get_by_role("button", name="Sign out")).to_be_visible()

        worker.get_by_role("button", name="Sign out").click()
        worker.get_by_role("button", name="Sign out anyway").click()
        expect(worker.locator("#status")).to_have_text("You are signed out.")
        assert worker.evaluate(KEPT) == [0, 0]
        assert worker.evaluate("localStorage.getItem('rapport.signedIn')") is None
        assert not [c for c in worker.context.cookies() if c["name"] == "__Host-rapport_session"]
        # The server ended the session too: the old cookie's token is dead.
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {session}"}
                          ).status_code == 401
        open_view(worker, live_server, "#/goals", wait="main h1")
        expect(worker.locator("main")).to_contain_text("Sign in to see your shared goals.")
    finally:
        worker.context.close()


def test_a_session_ended_elsewhere_clears_private_data_from_the_phone(
        chromium, live_server, client):
    worker, _, _, goal = worker_with_goal(chromium, live_server, client)
    try:
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        assert worker.evaluate(KEPT)[1] > 0  # kept for offline reading while signed in
        session = session_token(worker)
        assert client.delete("/api/v1/auth/token", headers={
            "Authorization": f"Bearer {session}"}).status_code == 204
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait="main h1")
        expect(worker.locator("main")).to_contain_text("Sign in to see your shared goals.")
        assert worker.evaluate(KEPT)[1] == 0
    finally:
        worker.context.close()


def test_a_conflict_shows_both_versions_and_lets_the_person_choose(
        chromium, live_server, client):
    worker, worker_token, peer_token, goal = worker_with_goal(chromium, live_server, client)
    try:
        auth = {"Authorization": f"Bearer {worker_token}"}
        milestone = client.post(f"/api/v1/goals/{goal['id']}/milestones",
                                json={"title": "Plan three meals"}, headers=auth)
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li button")
        controlled(worker)
        worker.context.set_offline(True)
        worker.get_by_role("button", name="Mark done: Plan three meals").click()
        expect(worker.locator(".milestones .badge")).to_have_text("Saved on this phone")
        # Meanwhile the peer renames it.
        renamed = client.patch(f"/api/v1/milestones/{milestone.get_json()['id']}",
                               json={"title": "Plan two meals"},
                               headers={"Authorization": f"Bearer {peer_token}",
                                        "If-Match": milestone.headers["ETag"]})
        assert renamed.status_code == 200
        worker.context.set_offline(False)
        conflict = worker.locator(".alert")
        expect(conflict).to_contain_text("Someone changed this first")
        expect(conflict.locator("dd").first).to_have_text("Plan three meals: done")
        expect(conflict.locator("dd").nth(1)).to_have_text("Plan two meals: not done")

        conflict.get_by_role("button", name="Use mine").click()
        expect(worker.locator(".alert")).to_have_count(0)
        expect(worker.locator(".milestones .badge")).to_have_text("Sent")
        stored = client.get(f"/api/v1/goals/{goal['id']}/milestones", headers=auth).get_json()
        assert [(m["title"], m["done"]) for m in stored] == [("Plan two meals", True)]
    finally:
        worker.context.close()


def take_self_check(page, base: str, values: list[int | None]) -> str:
    """Answer the self-check one screen at a time; returns the total line once sent.
    None answers "Did not come up", a choice set apart from the scale."""
    open_view(page, base, "#/self-check", wait="main .sc-go")
    page.get_by_role("button", name="Start").click()
    for number, value in enumerate(values, start=1):
        expect(page.locator("main h2")).to_have_text(f"Question {number} of {len(values)}")
        if value is None:
            page.locator("main .sc-off").get_by_label("Did not come up").check()
        else:
            page.locator("main .sc-opts:not(.sc-off) .sc-opt").nth(value).click()
        page.get_by_role("button", name="Finish" if number == len(values) else "Next").click()
    expect(page.locator("main [role=status] .badge")).to_have_text("Sent")
    return page.locator("main .sc-total").inner_text()


def test_a_worker_takes_the_self_check_twice_and_sees_results_and_trend(
        chromium, live_server, client):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Jo", f"jo-{tag}@example.org")
        items = client.get("/api/v1/surveys/rapport-self-check").get_json()["items"]
        first = take_self_check(worker, live_server, [1] * len(items))
        assert first == f"Total: {len(items)} of {4 * len(items)} (25%)"
        assert worker.locator("main .sc-bar").count() == len(items)
        assert worker.locator("main .sc-list a[href^='#/tips/']").count() >= 1  # tips to try

        second = take_self_check(worker, live_server, [3] * len(items))
        assert second.startswith(f"Total: {3 * len(items)} of")

        open_view(worker, live_server, "#/self-check/results", wait="main svg.sc-chart")
        chart = worker.locator("main svg.sc-chart")
        assert chart.locator("circle").count() == 2
        assert chart.get_attribute("aria-label") == "Your total went from 25% to 75% over 2 checks"
        expect(worker.locator("main")).to_contain_text(f"+{2 * len(items)}")
        assert worker.errors == [] and worker.dialogs == []
    finally:
        worker.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_worker_says_a_practice_did_not_come_up(chromium, live_server, client, scheme):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium, color_scheme=scheme)
    try:
        sign_up_worker(worker, live_server, "Jo", f"jo-{tag}@example.org")
        items = client.get("/api/v1/surveys/rapport-self-check").get_json()["items"]
        offered = [i["id"] for i in items if i["did_not_come_up"]]
        assert offered == ["use-humor-with-care", "celebrate-wins", "make-space-for-creativity"]
        # The humour question: the scale from Never, then "Did not come up" set apart.
        open_view(worker, live_server, "#/self-check", wait="main .sc-go")
        expect(worker.locator("main p").first).not_to_contain_text("No one else sees")
        worker.get_by_role("button", name="Start").click()
        for _ in range(6):
            worker.locator("main .sc-opt").nth(2).click()
            worker.get_by_role("button", name="Next").click()
        expect(worker.locator("main h2")).to_have_text("Question 7 of 11")
        scale = worker.locator("main .sc-opts:not(.sc-off) .sc-opt")
        assert scale.all_inner_texts() == ["Never", "Rarely", "Sometimes", "Often",
                                           "Almost always"]
        expect(worker.locator("main .sc-off .sc-opt")).to_have_text("Did not come up")
        no_axe_violations(worker)
        # Questions without it show no such choice.
        worker.get_by_role("button", name="Back").click()
        assert worker.locator("main .sc-off").count() == 0

        values = [None if i["id"] in ("use-humor-with-care", "make-space-for-creativity")
                  else 2 for i in items]
        total = take_self_check(worker, live_server, values)
        assert total == "Total: 18 of 36 (50%)"
        main = worker.locator("main")
        expect(main).to_contain_text("9 of 11 practices rated")
        assert worker.locator("main .sc-unrated").count() == 2
        expect(worker.locator("main .sc-unrated").first).to_contain_text("Did not come up")
        tips = worker.locator("main .sc-list a[href^='#/tips/']")
        assert tips.count() >= 1
        assert not {"#/tips/use-humor-with-care", "#/tips/make-space-for-creativity"} & {
            tips.nth(n).get_attribute("href") for n in range(tips.count())}
        no_axe_violations(worker)

        take_self_check(worker, live_server, [3] * len(items))
        open_view(worker, live_server, "#/self-check/results", wait="main svg.sc-chart")
        worker.get_by_text("Each check").click()
        expect(main).to_contain_text("50% of the practices you rated (9 of 11)")
        expect(main).to_contain_text("75% of the practices you rated (11 of 11)")
        worker.get_by_text("What counts as a real change?").click()
        expect(main).to_contain_text("A change is real when one practice moves by 2 points")
        expect(main).not_to_contain_text("1.96")
        no_axe_violations(worker)
        assert worker.errors == [] and worker.dialogs == []
    finally:
        worker.context.close()


def test_a_peer_answers_a_session_check_their_worker_then_sees(chromium, live_server, client):
    worker, worker_token, peer_token, goal = worker_with_goal(chromium, live_server, client)
    peer = new_phone(chromium)
    try:
        partnership = goal["partnership_id"]
        signed_in_as(peer, live_server, peer_token)
        open_view(peer, live_server, f"#/partnerships/{partnership}/session-check",
                  wait="main .sc-go")
        peer.get_by_role("button", name="Start").click()
        for _ in range(4):
            peer.locator("main .sc-opt").nth(8).click()
            peer.locator("main button[type=submit]").click()
        peer.get_by_label("My peer worker can see my answers").check()
        peer.get_by_role("button", name="Finish").click()
        expect(peer.locator("main [role=status] .badge")).to_have_text("Sent")

        open_view(worker, live_server, f"#/partnerships/{partnership}/rapport", wait="main h1")
        expect(worker.locator("main")).to_contain_text("80%")
        shared = client.get(f"/api/v1/partnerships/{partnership}/rapport",
                            headers={"Authorization": f"Bearer {worker_token}"}).get_json()
        assert len(shared["session_checks"]) == 1
    finally:
        peer.context.close()
        worker.context.close()


def test_every_string_has_english_and_spanish(phone, live_server):
    complaints = []
    phone.on("console", lambda message: message.type == "error" and complaints.append(message.text))
    open_view(phone, live_server)
    missing = phone.evaluate("""async () => {
        const i18n = await import('/js/i18n.js');
        await Promise.all(['today', 'tips', 'faq', 'goals', 'goal_edit', 'partnership',
                           'selfcheck', 'settings', 'invites']
            .map(name => import(`/js/views/${name}.js`)));
        await import('/js/ui.js');
        const en = new Set(i18n.stringKeys('en')), es = new Set(i18n.stringKeys('es'));
        return [[...en].filter(k => !es.has(k)), [...es].filter(k => !en.has(k))];
    }""")
    assert missing == [[], []]
    assert complaints == []  # no key given two meanings


def test_marking_a_milestone_done_and_celebrating_it(chromium, live_server, client):
    worker, token, _, goal = worker_with_goal(chromium, live_server, client)
    try:
        client.post(f"/api/v1/goals/{goal['id']}/milestones", json={"title": "Shop for food"},
                    headers={"Authorization": f"Bearer {token}"})
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li button")
        worker.get_by_role("button", name="Mark done: Shop for food").click()
        expect(worker.locator(".milestones .badge")).to_have_text("Sent")
        worker.get_by_text("Celebrate 🎉").click()
        worker.get_by_label("🙌").check()
        worker.get_by_role("button", name="Celebrate", exact=True).click()
        expect(worker.locator(".burst")).to_have_count(1)
        expect(worker.locator(".burst")).to_have_count(0, timeout=5000)
        events = client.get(f"/api/v1/partnerships/{goal['partnership_id']}/timeline",
                            headers={"Authorization": f"Bearer {token}"}).get_json()
        assert [(e["type"], e["text"], e["emoji"]) for e in events][:2] == [
            ("celebration", "Well done!", "🙌"), ("milestone_done", "Shop for food", None)]
    finally:
        worker.context.close()


def test_the_celebration_stays_still_for_reduced_motion(chromium, live_server, client):
    worker, token, _, goal = worker_with_goal(chromium, live_server, client)
    try:
        worker.emulate_media(reduced_motion="reduce")
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        worker.get_by_role("button", name="We reached this goal").click()
        worker.get_by_role("button", name="Yes, we reached it").click()
        burst = worker.locator(".burst")
        burst.wait_for(state="attached")
        assert burst.evaluate("node => getComputedStyle(node).animationName") == "none"
    finally:
        worker.context.close()


def test_export_downloads_my_data_and_deleting_needs_the_word(chromium, live_server, client):
    worker, token, _, _ = worker_with_goal(chromium, live_server, client)
    try:
        open_view(worker, live_server, "#/settings", wait="main #account")
        with worker.expect_download() as download:
            worker.get_by_role("button", name="Download my data").click()
        assert download.value.suggested_filename.startswith("rapport-my-data-")
        exported = json.loads(download.value.path().read_text(encoding="utf-8"))
        assert exported["profile"]["display_name"] == "Lee"

        worker.get_by_text("Delete my account", exact=True).click()
        worker.get_by_label("Type DELETE to confirm").fill("delete it")
        worker.get_by_role("button", name="Delete my account for good").click()
        expect(worker.locator("main .danger-zone [role=alert]")).to_have_text(
            "Type DELETE to confirm.")
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                          ).status_code == 200  # nothing happened
        worker.get_by_label("Type DELETE to confirm").fill("delete")
        worker.get_by_role("button", name="Delete my account for good").click()
        expect(worker.locator("#status")).to_have_text("Your account is deleted.")
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}
                          ).status_code == 401
    finally:
        worker.context.close()


def test_words_an_erased_peer_wrote_show_as_removed(chromium, live_server, client):
    worker, _, peer_token, workers_goal = worker_with_goal(chromium, live_server, client)
    peer = {"Authorization": f"Bearer {peer_token}"}
    try:
        goal = client.post(f"/api/v1/partnerships/{workers_goal['partnership_id']}/goals",
                           json={"title": "Call my sister"}, headers=peer).get_json()
        client.post(f"/api/v1/goals/{goal['id']}/milestones", json={"title": "Find her number"},
                    headers=peer)
        assert client.delete("/api/v1/me", headers=peer).status_code == 204
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        removed = "Words removed by the person who wrote them"
        expect(worker.locator("main h1")).to_have_text(removed)
        expect(worker.locator(".milestones li .title")).to_have_text([removed])
    finally:
        worker.context.close()


def test_the_network_back_while_a_send_is_failing_still_sends(chromium, live_server, client):
    """The signal came back while the phone's last try was still failing: that try ended in
    "offline", and the news that the network was back was lost with it, so the check-in sat
    on the phone until the app was opened again."""
    worker, token, _, goal = worker_with_goal(chromium, live_server, client)
    try:
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        failing = {"first": True}

        def slow_failure(route):
            if route.request.method == "POST" and failing.pop("first", False):
                # While this try hangs, the network comes back...
                worker.evaluate("window.dispatchEvent(new Event('online'))")
                route.abort("internetdisconnected")  # ...and then the try fails.
            else:
                route.continue_()

        worker.route("**/checkins", slow_failure)
        worker.get_by_label("Note (optional)").fill("Cooked rice")
        worker.get_by_role("button", name="Save check-in").click()
        saved = worker.locator(".checkins li", has_text="Cooked rice")
        expect(saved.locator(".badge")).to_have_text("Sent")
        checkins = client.get(f"/api/v1/goals/{goal['id']}/checkins",
                              headers={"Authorization": f"Bearer {token}"}).get_json()
        assert [c["note"] for c in checkins] == ["Cooked rice"]
    finally:
        worker.context.close()


def test_a_new_worker_is_shown_how_to_start_not_praised(chromium, live_server, client):
    """"Nobody is due a check-in. Nice work." greeted a worker with nobody to support yet."""
    worker = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Noor", f"noor-{uuid.uuid4().hex[:8]}@example.org")
        due = worker.locator("section", has=worker.get_by_role("heading", name="Due a check-in"))
        expect(due).to_contain_text("No one to check in with yet")
        expect(due).not_to_contain_text("Nice work")
        due.get_by_role("link", name="Invite a peer").click()
        expect(worker.get_by_role("button", name="Invite a peer")).to_be_visible()
        worker.get_by_role("button", name="Invite a peer").click()
        code = worker.locator("main .code").inner_text()
        accepted = client.post(f"/api/v1/invites/{code}/accept", json={
            "display_name": "Ola", "username": f"ola{uuid.uuid4().hex[:8]}",
            "password": PASSWORD})
        assert accepted.status_code == 201
        open_view(worker, live_server, "#/", wait="main h1")
        expect(due).to_contain_text("Nobody is due a check-in")  # now someone to support
    finally:
        worker.context.close()


def test_a_partnership_with_no_goal_is_due_and_leads_to_setting_one(chromium, live_server, app,
                                                                    client):
    """A worker and a peer with no active goal were never due a check-in: they dropped off
    Today for good. Now the item says a goal is needed, in the person's language, and opens
    the partnership's goals with the new-goal form ready."""
    from sqlalchemy import update

    from api.extensions import db
    from api.models import Partnership
    from tests.factories import make_peer_with, make_worker

    with app.app_context():
        worker = make_worker("noor")
        _, partnership = make_peer_with(worker, "ola")
        db.session.execute(update(Partnership).where(Partnership.id == uuid.UUID(partnership))
                           .values(created_at=datetime.now(UTC) - timedelta(days=10)))
        db.session.commit()

    def due_list(locale: str):
        phone = new_phone(chromium, locale=locale)
        signed_in_as(phone, live_server, worker.token)
        return phone, phone.locator("main section.card").filter(has=phone.locator("h2#due"))

    spanish, due = due_list("es-MX")
    try:
        expect(due.locator("li")).to_have_text(
            ["Ola · 3 días de atraso · sin meta activa: pongan una para registrar avance"])
        if SCREENSHOTS:
            spanish.screenshot(path=os.path.join(SCREENSHOTS, "due-needs-goal-es.png"))
    finally:
        spanish.context.close()

    phone, due = due_list("en-US")
    try:
        expect(due.locator("li")).to_have_text(
            ["Ola · 3 days overdue · no active goal: set one to check in"])
        due.get_by_role("link").click()
        expect(phone.locator("main h1")).to_have_text("With Ola")
        form = phone.locator("details[open]", has_text="Set a new goal")
        expect(form).to_contain_text("A check-in is written on a goal.")
        expect(form.get_by_label("Goal", exact=True)).to_be_focused()
        if SCREENSHOTS:
            phone.screenshot(path=os.path.join(SCREENSHOTS, "due-needs-goal-form.png"))
        form.get_by_label("Goal", exact=True).fill("Call the housing office")
        form.get_by_role("button", name="Save").click()
        expect(phone.locator("main h1")).to_have_text("Call the housing office")
        open_view(phone, live_server, "#/", wait="h2#due")
        # Still due (no check-in yet), with nothing more to set up first.
        expect(due.locator("li")).to_have_text(["Ola · 3 days overdue"])
        expect(due.get_by_role("link")).to_have_attribute("href", f"#/partnerships/{partnership}")
    finally:
        phone.context.close()


def test_the_timeline_names_who_did_it_and_links_to_the_goal(chromium, live_server, client):
    """On SQLite the timeline's ids came as 32 hex digits: every entry said "someone", and a
    goal's link opened Today."""
    worker, token, peer_token, goal = worker_with_goal(chromium, live_server, client)
    try:
        assert client.post(f"/api/v1/goals/{goal['id']}/checkins", json={"progress": 4},
                           headers={"Authorization": f"Bearer {peer_token}"}).status_code == 201
        open_view(worker, live_server, f"#/partnerships/{goal['partnership_id']}/timeline",
                  wait="main .timeline li")
        entries = worker.locator("main .timeline li")
        expect(entries.filter(has_text="Progress 4 of 10")).to_contain_text("Kim")
        expect(entries.filter(has_text="someone")).to_have_count(0)
        expect(entries.filter(has_text="Someone")).to_have_count(0)
        entries.first.get_by_role("link", name="Cook at home").click()
        expect(worker.locator("main h1")).to_have_text("Cook at home")
    finally:
        worker.context.close()


def test_reaching_a_goal_asks_first_and_can_be_undone(chromium, live_server, client):
    """"We reached this goal" was one tap with no question and no way back."""
    worker, token, _, goal = worker_with_goal(chromium, live_server, client)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        worker.get_by_role("button", name="We reached this goal").click()
        ask = worker.locator("dialog.confirm")
        expect(ask).to_contain_text("Mark this goal as reached?")
        ask.get_by_role("button", name="Not yet").click()  # a slip of the thumb
        expect(ask).to_have_count(0)
        assert client.get(f"/api/v1/goals/{goal['id']}", headers=auth).get_json()[
            "status"] == "active"

        worker.get_by_role("button", name="We reached this goal").click()
        worker.get_by_role("button", name="Yes, we reached it").click()
        expect(worker.locator("main")).to_contain_text("Sent")
        assert client.get(f"/api/v1/goals/{goal['id']}", headers=auth).get_json()[
            "status"] == "achieved"

        open_view(worker, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        worker.get_by_role("button", name="Open this goal again").click()
        expect(worker.get_by_role("button", name="We reached this goal")).to_be_visible()
        worker.wait_for_function(
            "() => !document.querySelector('main .badge') || "
            "document.querySelector('main .badge').textContent === 'Sent'")
        assert client.get(f"/api/v1/goals/{goal['id']}", headers=auth).get_json()[
            "status"] == "active"
    finally:
        worker.context.close()
