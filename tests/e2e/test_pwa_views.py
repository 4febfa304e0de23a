"""Every view of the phone app, signed in as a worker or a peer, in light and dark: axe-core
finds nothing, nothing is wider than a 320 px phone, and no script error happens."""

import re
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import PASSWORD, open_view, signed_in_as


@pytest.fixture(scope="module")
def together(app):
    """A worker and a peer with a goal, milestones (one done), a check-in, a celebration,
    two self-checks and a shared session-check: every view has something to show."""
    client = app.test_client()
    tag = uuid.uuid4().hex[:8]
    email = f"mo-{tag}@example.org"
    client.post("/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "display_name": "Mo"})
    worker = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD}
                         ).get_json()["token"]
    as_worker = {"Authorization": f"Bearer {worker}"}
    code = client.post("/api/v1/invites", json={}, headers=as_worker).get_json()["code"]
    accepted = client.post(f"/api/v1/invites/{code}/accept", json={
        "display_name": "Ty", "username": f"ty{tag}", "password": PASSWORD}).get_json()
    as_peer = {"Authorization": f"Bearer {accepted['token']}"}
    partnership = accepted["partnership_id"]
    goal = client.post(f"/api/v1/partnerships/{partnership}/goals", headers=as_worker,
                       json={"title": "Sleep by eleven", "why": "Mornings feel better"}
                       ).get_json()["id"]
    first = client.post(f"/api/v1/goals/{goal}/milestones", headers=as_worker,
                        json={"title": "Phone away at ten", "due_date": "2030-01-10"})
    client.post(f"/api/v1/goals/{goal}/milestones", headers=as_worker,
                json={"title": "Three nights in a row"})
    client.patch(f"/api/v1/milestones/{first.get_json()['id']}", json={"done": True},
                 headers={**as_peer, "If-Match": first.headers["ETag"]})
    client.post(f"/api/v1/goals/{goal}/checkins", headers=as_peer,
                json={"progress": 4, "note": "Two good nights"})
    client.post(f"/api/v1/goals/{goal}/celebrations", headers=as_peer, json={
        "message": "First step done", "emoji": "🌟",
        "milestone_id": first.get_json()["id"]})
    items = client.get("/api/v1/surveys/rapport-self-check").get_json()["items"]
    for value in (1, 3):
        client.post("/api/v1/surveys/rapport-self-check/responses", headers=as_worker,
                    json={"answers": [{"item": i["id"], "value": value} for i in items]})
    session_items = client.get("/api/v1/surveys/session-check").get_json()["items"]
    client.post("/api/v1/surveys/session-check/responses", headers=as_peer, json={
        "answers": [{"item": i["id"], "value": 3} for i in session_items],
        "partnership_id": partnership, "share": "now"})
    return {"worker": worker, "peer": accepted["token"], "partnership": partnership,
            "goal": goal}


WORKER_VIEWS = [
    ("", "main #due"),  # who is due: a worker only
    ("#/goals", "main ul.plain li"),
    ("#/partnerships/{partnership}", "main ul.plain li"),
    ("#/goals/{goal}", "main .checkins li"),
    ("#/partnerships/{partnership}/timeline", "main .timeline li"),
    ("#/partnerships/{partnership}/rapport", "main meter"),
    ("#/partnerships/{partnership}/settings", "main #calendar"),
    ("#/self-check", "main .sc-go"),
    ("#/self-check/results", "main svg.sc-chart"),
    ("#/settings", "main #account"),
    ("#/settings/access-log", "main .access-log li"),
    ("#/topics", "main ul.topics li"),
    ("#/topics/feeling-heard", "main h3"),
]
PEER_VIEWS = [
    ("#/", "main #talk"),
    ("#/faq", "main details"),
    ("#/partnerships/{partnership}/rapport", "main meter"),
    ("#/self-check", "main ul.plain li"),
    ("#/partnerships/{partnership}/session-check", "main .sc-go"),
    ("#/goals/{goal}", "main .celebrations li"),
    ("#/partnerships/{partnership}/settings", "main #calendar"),
]


def check_view(page) -> None:
    shown = page.locator("main").inner_text()
    assert not re.search(r"null|undefined|NaN|\[object Object\]", shown), shown
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    assert overflow <= 320, f"wider than the phone: {overflow}px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("who, views", [("worker", WORKER_VIEWS), ("peer", PEER_VIEWS)])
def test_every_signed_in_view_passes_axe_at_320_px(chromium, live_server, together, who,
                                                   views, scheme):
    context = chromium.new_context(viewport={"width": 320, "height": 640}, locale="en-US",
                                   color_scheme=scheme)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        signed_in_as(page, live_server, together[who])
        for hash_, wait in views:
            open_view(page, live_server, hash_.format(**together), wait)
            check_view(page)
            if hash_ == "#/self-check" and who == "worker":  # one question screen too
                page.get_by_role("button", name="Start").click()
                page.locator("main fieldset").wait_for()
                check_view(page)
        assert errors == []
    finally:
        context.close()
