"""Phone-sized screenshots of the app's main views for the README, against a throwaway server
seeded with a demo worker, peer, goal and self-check. Writes docs/screenshots/<name>.png.
Run: make screenshots"""

import json
import urllib.error
import urllib.request
from datetime import date, timedelta

from _serve import ROOT, serve
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

# File name -> view hash; {partnership} and {goal} come from the demo data. The worker's
# phone is in English, the peer's in Spanish; "-dark" names are shot in dark mode.
WORKER_VIEWS = {
    "today": "#/",
    "tips": "#/tips",
    "tip": "#/tips/reflect-back",
    "faq": "#/faq",
    "topics": "#/topics",
    "goals": "#/goals",
    "partnership": "#/partnerships/{partnership}",
    "partnership-settings": "#/partnerships/{partnership}/settings",
    "goal": "#/goals/{goal}",
    "self-check": "#/self-check/results",
    "both-sides": "#/partnerships/{partnership}/rapport",
    "settings": "#/settings",
    "today-dark": "#/",
}
PEER_VIEWS = {
    "peer-today": "#/",
    "peer-goal": "#/goals/{goal}",
    "peer-session-check": "#/partnerships/{partnership}/session-check",
    "peer-both-sides": "#/partnerships/{partnership}/rapport",
    "peer-faq-dark": "#/faq",
}
OUT = ROOT / "docs" / "screenshots"
WORKDIR = ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 1}
# Views still being written may never settle: shoot whatever is there after this.
SETTLE_TIMEOUT_MS = 5000

# Demo people for a throwaway database; the passphrases only need to pass the password rules.
WORKER = {"email": "sam@example.org", "display_name": "Sam",
          "password": "quiet harbour morning tide"}
PEER = {"display_name": "Alex", "username": "alex.r", "password": "green river evening song"}


def call(base_url: str, method: str, path: str, body: dict | None = None,
         token: str | None = None, if_match: str | None = None) -> dict:
    return send(base_url, method, path, body, token, if_match)[0]


def send(base_url: str, method: str, path: str, body: dict | None = None,
         token: str | None = None, if_match: str | None = None) -> tuple[dict, str | None]:
    """The answer's JSON and its ETag (goals and milestones need it to be changed)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if if_match:
        headers["If-Match"] = if_match
    data = None if body is None else json.dumps(body).encode()
    # Both calls are flagged for file: URLs; ours is always a loopback http one.
    request = urllib.request.Request(  # noqa: S310
        f"{base_url}{path}", data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return json.loads(response.read()), response.headers.get("ETag")
    except urllib.error.HTTPError as error:  # the problem body says which rule was broken
        raise RuntimeError(f"{method} {path}: {error.code} {error.read().decode()}") from error


def seed(base_url: str) -> dict:
    """A worker and a peer in a partnership, one goal with milestones and check-ins, and the
    worker's self-check. Returns the ids the view hashes need."""
    call(base_url, "POST", "/api/v1/auth/register", WORKER)
    worker = call(base_url, "POST", "/api/v1/auth/token",
                  {"email": WORKER["email"], "password": WORKER["password"]})["token"]
    invite = call(base_url, "POST", "/api/v1/invites", {}, worker)
    accepted = call(base_url, "POST", f"/api/v1/invites/{invite['code']}/accept", PEER)
    partnership = accepted["partnership_id"]
    goal = call(base_url, "POST", f"/api/v1/partnerships/{partnership}/goals", {
        "title": "Walk to the park three times a week",
        "why": "I sleep better and feel calmer when I get outside.",
    }, worker)["id"]
    today = date.today()
    milestones = [send(base_url, "POST", f"/api/v1/goals/{goal}/milestones",
                       {"title": title, "due_date": (today + timedelta(weeks=weeks)).isoformat()},
                       worker)
                  for weeks, title in ((1, "Find a walking buddy"),
                                       (3, "Walk there without stopping"),
                                       (6, "Three walks a week for a month"))]
    first, etag = milestones[0]
    call(base_url, "PATCH", f"/api/v1/milestones/{first['id']}", {"done": True}, worker,
         if_match=etag)
    call(base_url, "POST", f"/api/v1/goals/{goal}/celebrations",
         {"milestone_id": first["id"], "message": "You found a walking buddy!", "emoji": "🎉"},
         worker)
    call(base_url, "POST", "/api/v1/invites", {}, worker)  # one not used yet: the pending list
    for progress, note in ((3, "Went once; the rain put me off."),
                           (5, "Twice this week, once with my neighbour.")):
        call(base_url, "POST", f"/api/v1/goals/{goal}/checkins",
             {"progress": progress, "note": note}, accepted["token"])
    survey = call(base_url, "GET", "/api/v1/surveys/rapport-self-check")
    top = survey["scale"]["max"]
    # A believable spread: mostly strong, a few practices to work on.
    answers = [{"item": item["id"], "value": top - index % 3}
               for index, item in enumerate(survey["items"])]
    call(base_url, "POST", "/api/v1/surveys/rapport-self-check/responses",
         {"answers": answers}, worker)
    check = call(base_url, "GET", "/api/v1/surveys/session-check")
    call(base_url, "POST", "/api/v1/surveys/session-check/responses", {
        "answers": [{"item": item["id"], "value": value}
                    for item, value in zip(check["items"], (9, 7, 8, 9), strict=True)],
        "partnership_id": partnership, "share": "now"}, accepted["token"])
    return {"partnership": partnership, "goal": goal}


def shoot_as(browser, base_url: str, ids: dict, credentials: dict, views: dict,
             locale: str) -> None:
    for name, view in views.items():
        scheme = "dark" if name.endswith("-dark") else "light"
        context = browser.new_context(base_url=base_url, locale=locale, color_scheme=scheme,
                                      **PHONE)
        # Signing in through the context's request client leaves the HttpOnly cookie in it.
        signed_in = context.request.post("/api/v1/auth/token",
                                         data={**credentials, "use_cookie": True})
        if not signed_in.ok:
            raise RuntimeError(f"cookie sign-in: {signed_in.status} {signed_in.text()}")
        context.add_init_script("localStorage.setItem('rapport.signedIn', '1')")
        page = context.new_page()
        view = view.format(**ids)
        page.goto(f"/{view}")
        try:
            page.wait_for_selector("main h1", timeout=SETTLE_TIMEOUT_MS)
            page.wait_for_load_state("networkidle", timeout=SETTLE_TIMEOUT_MS)
            heading = page.inner_text("main h1")
        except PlaywrightTimeout:
            heading = "(did not settle; shot as is)"
        path = OUT / f"{name}.png"
        page.screenshot(path=path, animations="disabled")
        print(f"  {path.relative_to(ROOT)}  {view}  h1: {heading}")
        context.close()


def shoot(base_url: str, ids: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        shoot_as(browser, base_url, ids, {"email": WORKER["email"],
                                          "password": WORKER["password"]}, WORKER_VIEWS, "en-US")
        shoot_as(browser, base_url, ids, {"username": PEER["username"],
                                          "password": PEER["password"]}, PEER_VIEWS, "es-US")
        browser.close()


def main() -> None:
    with serve(WORKDIR) as base_url:
        shoot(base_url, seed(base_url))


if __name__ == "__main__":
    main()
