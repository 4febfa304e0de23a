"""The phone app in a real Chromium: its views, the crisis button, two languages, offline,
installable, accessible, small, and safe with hostile text."""

import json
import re
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, HOSTILE, LAUNCH_ARGS, PHONE, open_view, session_cookie
from tests.helpers import core_tips

# Whether the service worker's content cache (any version) holds a URL containing `part`.
KEPT_ON_PHONE = """part => caches.keys()
    .then(names => Promise.all(names.filter(name => name.startsWith('rapport-content-'))
        .map(name => caches.open(name).then(cache => cache.keys()))))
    .then(lists => lists.flat().some(request => request.url.includes(part)))"""


def test_today_shows_the_tip_of_the_day(phone, live_server, client):
    tip = client.get("/api/v1/tips/today", query_string={"lang": "en"}).get_json()
    open_view(phone, live_server, wait="main article h2")
    assert phone.locator("main article h2").inner_text() == tip["title"]
    assert phone.locator('nav a[aria-current="page"]').inner_text() == "Today"


def test_tips_search_and_detail(phone, live_server, client):
    found = client.get("/api/v1/tips", query_string={"q": "open questions"}).get_json()
    workers = len(core_tips("worker"))
    assert 0 < len(found) < workers  # the search narrows the list
    open_view(phone, live_server, "#/tips", wait="main ul.plain li")
    assert phone.locator("main ul.plain li").count() == workers
    phone.fill("#tip-search", "open questions")
    phone.click("main form button")
    expect(phone.locator("main ul.plain li")).to_have_count(len(found))
    phone.locator("main ul.plain li a").first.click()
    phone.locator("main section.card h2").first.wait_for()
    assert phone.locator("main h1").inner_text() == found[0]["title"]
    assert phone.locator("main section.card h2").all_inner_texts() == [
        "Try this", "Questions to ask"]


def test_faq_expands(phone, live_server):
    open_view(phone, live_server, "#/faq", wait="main details summary")
    first = phone.locator("main details").first
    first.locator("summary").click()
    assert first.get_attribute("open") is not None
    assert first.locator("p").first.is_visible()


def test_the_crisis_button_opens_call_and_text_links(phone, live_server):
    open_view(phone, live_server)
    phone.get_by_role("button", name="Need help now").click()
    phone.locator("#crisis-list a").first.wait_for()
    hrefs = phone.locator("#crisis-list a").evaluate_all("links => links.map(a => a.href)")
    assert "tel:988" in hrefs and "sms:988" in hrefs
    # From the API, not the built-in fallback (which has no name and no website).
    assert phone.locator("#crisis-list strong").first.inner_text() == (
        "988 Suicide & Crisis Lifeline")
    assert "https://988lifeline.org/" in hrefs


def test_switching_to_spanish_changes_the_app_and_the_content(phone, live_server, client):
    tip = client.get("/api/v1/tips/today", query_string={"lang": "es"}).get_json()
    open_view(phone, live_server, "#/settings", wait="#language")
    phone.select_option("#language", "es")
    phone.locator("nav a", has_text="Hoy").wait_for()
    assert phone.evaluate("document.documentElement.lang") == "es"
    phone.click("nav a >> text=Hoy")
    phone.locator("main article h2").wait_for()
    assert phone.locator("main article h2").inner_text() == tip["title"]


def test_the_app_opens_offline_with_what_it_saved(phone, live_server, client):
    tip = client.get("/api/v1/tips/today", query_string={"lang": "en"}).get_json()
    open_view(phone, live_server, wait="main article h2")
    phone.evaluate("navigator.serviceWorker.ready")
    phone.reload()  # now controlled: the tip goes through the service worker's cache
    phone.locator("main article h2").wait_for()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The worker stores the tip after answering: wait until it is on the phone.
    phone.wait_for_function(KEPT_ON_PHONE, arg="/tips/today")
    phone.context.set_offline(True)
    try:
        phone.reload()
        phone.locator("main article h2").wait_for()
        assert phone.locator("main article h2").inner_text() == tip["title"]
        assert "offline" in phone.locator("#status").inner_text()
    finally:
        phone.context.set_offline(False)


def test_the_app_is_installable(chromium, live_server, tmp_path):
    # A persistent profile: in an incognito-like context Chromium never offers to install.
    context = chromium.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=LAUNCH_ARGS)
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        page.evaluate("navigator.serviceWorker.ready")
        session = context.new_cdp_session(page)
        errors = session.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
        manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
        sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
        assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    finally:
        context.close()


@pytest.mark.parametrize("hash_, wait", [
    ("", "main article h2"), ("#/tips", "main ul.plain li"),
    ("#/tips/reflect-back", "main section.card"), ("#/faq", "main details"),
    ("#/settings", "#language")])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_view_passes_axe(chromium, live_server, hash_, wait, scheme):
    context = chromium.new_context(**PHONE, color_scheme=scheme)
    try:
        page = context.new_page()
        open_view(page, live_server, hash_, wait)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        page.get_by_role("button", name="Need help now").click()
        page.locator("#crisis-list a").first.wait_for()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()


@pytest.mark.parametrize("signed_in", [False, True])
def test_first_load_stays_within_50_kb(phone, live_server, world, signed_in):
    if signed_in:  # Today then also loads the session, the outbox and the worker's lists
        phone.context.add_cookies([session_cookie(live_server, world["worker_a"].token)])
        phone.goto(live_server + "/offline.html")  # same origin, loads none of the app
        phone.evaluate("localStorage.setItem('rapport.signedIn', '1')")
        phone = phone.context.new_page()  # a first load: nothing in the page's memory
    open_view(phone, live_server, wait="main article h2")
    if signed_in:
        phone.locator("main #due").wait_for()
    phone.wait_for_load_state("networkidle")
    transferred = phone.evaluate("""() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const rest = performance.getEntriesByType('resource');
        return [nav, ...rest].reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize), 0);
    }""")
    print(f"first load, signed in: {signed_in}: {transferred} bytes")
    assert 0 < transferred <= 50 * 1024, transferred


def test_hostile_text_from_the_api_shows_as_text(phone, live_server):
    tip = {"slug": "x", "title": HOSTILE, "summary": HOSTILE,
           "agency": {"id": "1", "name": HOSTILE}}
    phone.route("**/api/v1/tips/today*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(tip)))
    open_view(phone, live_server, wait="main article h2")
    assert phone.locator("main article h2").inner_text() == HOSTILE
    assert phone.locator("main img").count() == 0
    phone.wait_for_timeout(200)
    assert phone.dialogs == []


def test_private_answers_are_never_kept_on_the_phone(phone, live_server, world):
    open_view(phone, live_server, wait="main article h2")
    phone.evaluate("navigator.serviceWorker.ready")
    phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    token = world["worker_a"].token
    status = phone.evaluate("""token => fetch('/api/v1/me',
        {headers: {Authorization: 'Bearer ' + token}})
        .then(r => r.status)""", token)
    assert status == 200
    # The one private path the worker's public pattern comes near: a survey's responses.
    status = phone.evaluate("""token => fetch('/api/v1/surveys/rapport-self-check/responses',
        {headers: {Authorization: 'Bearer ' + token}}).then(r => r.status)""", token)
    assert status == 200
    phone.evaluate("fetch('/api/v1/tips?page_size=5').then(r => r.json())")
    phone.wait_for_function(KEPT_ON_PHONE, arg="/api/v1/tips?")
    stored = phone.evaluate("""async () => {
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
        }
        return urls;
    }""")
    assert any("/api/v1/tips" in url for url in stored)   # public: kept
    assert not any("/api/v1/me" in url or "/responses" in url for url in stored)  # never


def test_a_new_version_waits_until_the_person_asks_for_it(phone, live_server, tmp_path,
                                                           monkeypatch):
    from api.web import frontend

    copy = tmp_path / "pwa"
    shutil.copytree(frontend.PWA_DIR, copy)
    monkeypatch.setattr(frontend, "PWA_DIR", copy)
    old = re.search(r'const VERSION = "([^"]+)"', (copy / "sw.js").read_text()).group(1)
    open_view(phone, live_server, wait="main article h2")
    phone.evaluate("navigator.serviceWorker.ready")
    phone.reload()
    phone.wait_for_function("() => navigator.serviceWorker.controller !== null")
    phone.evaluate("window.stillHere = true")

    sw = copy / "sw.js"
    sw.write_text(sw.read_text().replace(f'const VERSION = "{old}"', 'const VERSION = "next"'))
    phone.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    expect(phone.locator("#status")).to_contain_text("A new version is ready.")
    phone.wait_for_timeout(500)
    assert phone.evaluate("window.stillHere") is True  # nothing reloads by itself

    with phone.expect_navigation():
        phone.locator("#status").get_by_role("button", name="Refresh").click()
    phone.locator("main article h2").wait_for()
    assert phone.evaluate("window.stillHere") is None
    names = phone.evaluate("caches.keys()")
    assert "rapport-shell-next" in names and f"rapport-shell-{old}" not in names
