"""The agency console's operations screens, driven as an agency admin at desktop width: build
an embed and see it size itself (in the console and on another origin), make and revoke an API
key (the revoked key then gets 401), make a join code a worker signs up with and find them
under Members, read the insights (one month with numbers, one with too few) and the
supervision list. Each screen passes axe in light and dark, and fits a 360 px phone.
"""

import json
import os
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import SurveyResponse, User
from api.services.accounts import people as accounts
from api.services.surveys import insights as insight_service
from tests.e2e.conftest import new_phone, open_view, serving, signed_in_as
from tests.e2e.test_embeds import fits
from tests.e2e.test_pwa_together import sign_up_worker
from tests.factories import make_worker
from tests.resources.test_self_check_results import self_check

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
DESKTOP = {"width": 1280, "height": 900}
ANSWERED = 30  # workers answering last month: the noisy count stays well over the minimum


def snap(page, name: str) -> None:
    """The whole screen, without the sticky bar and the fixed tabs drawn over its middle."""
    if not SCREENSHOTS:
        return
    shell = "document.querySelector('header.bar').style.position = {bar!r};" \
            "document.querySelector('nav.tabs').style.display = {shown!r};" \
            "document.getElementById('status').style.display = {shown!r};"
    page.evaluate(shell.format(bar="static", shown="none"))
    page.screenshot(path=os.path.join(SCREENSHOTS, f"console-{name}.png"), full_page=True)
    page.evaluate(shell.format(bar="", shown=""))


def desktop(chromium, scheme="light", **options):
    page = new_phone(chromium, viewport=DESKTOP, device_scale_factor=1, is_mobile=False,
                     has_touch=False, color_scheme=scheme, **options)
    return page


# --- the contract's endpoints, answered in the browser where this branch lacks them ----------


# --- insights data ------------------------------------------------------------------------


def answered_last_month(app, client, world) -> None:
    """ANSWERED workers of agency A take the self-check, moved into last month; the month
    before has no answers (too few)."""
    with app.app_context():
        admin = db.session.get(User, uuid.UUID(world["admin_a"].id))
        code, _ = accounts.create_join_code(admin)
        db.session.commit()
        workers = [make_worker(f"answer_{n}", agency_code=code) for n in range(ANSWERED)]
    for n, worker in enumerate(workers):
        self_check(client, worker, value=2 + n % 3)
    month = insight_service.last_closed_month(utcnow().date())
    delta = utcnow() - datetime.combine(month.start + timedelta(days=14), time(12), UTC)
    with app.app_context():
        for response in db.session.scalars(select(SurveyResponse).where(
                SurveyResponse.user_id.in_([uuid.UUID(w.id) for w in workers]))):
            response.created_at -= delta
        db.session.commit()


def checked_in(client, world) -> None:
    """Worker A checks in on a goal with their peer: they have a consistency score."""
    worker = world["worker_a"].headers
    goal = client.post(f"/api/v1/partnerships/{world.partnership_a}/goals", headers=worker,
                       json={"title": "Walk every morning"}).get_json()["id"]
    made = client.post(f"/api/v1/goals/{goal}/checkins", headers=worker, json={"progress": 3})
    assert made.status_code == 201, made.get_json()


def too_few(route):
    """The API's answer for this period, as it is when the group is too small."""
    body = route.fetch().json()
    for survey in body["surveys"]:
        survey["enough_responses"] = False
        survey["all_items"] = {"percent": None, "low": None, "high": None}
        for dimension in survey["dimensions"]:
            dimension.update(percent=None, low=None, high=None)
    route.fulfill(json=body)


def month_name(key: str) -> str:
    return datetime.strptime(key, "%Y-%m").strftime("%b %Y")


# --- the journey ------------------------------------------------------------------------


def host_page(snippet: str) -> bytes:
    return f"""<!doctype html><html><head><title>Agency site</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Our agency</h1>{snippet}</body></html>""".encode()


def test_an_admin_runs_the_agency_from_the_console(chromium, live_server, app, client, world):
    admin = desktop(chromium, permissions=["clipboard-read", "clipboard-write"])
    worker = new_phone(chromium)
    try:
        signed_in_as(admin, live_server, world["admin_a"].token)

        # The embed: options, a live preview that sizes itself, snippets and feeds to copy.
        open_view(admin, live_server, "#/agency/embed", wait="main iframe.con-embed-frame")
        expect(admin.locator("main h1")).to_have_text("Embed on your website")
        admin.get_by_label("How many").fill("5")
        admin.get_by_label("Dark").check()
        preview = admin.locator("iframe.con-embed-frame")
        expect(preview).to_have_attribute("src", f"{live_server}/embed/tips?agency={world.agency_a}"
                                          "&lang=en&count=5&theme=dark")
        admin.frame_locator("iframe.con-embed-frame").locator("article h2").first.wait_for()
        sizes = fits(admin, "iframe.con-embed-frame")
        assert sizes["content"] > 300  # five tips, not the browser's default 150 px
        snippet = admin.get_by_role("textbox", name="Iframe code").input_value()
        wanted = f"{live_server}/embed/tips?agency={world.agency_a}&lang=en&count=5&theme=dark"
        assert f'src="{wanted}"' in snippet and "height=" not in snippet
        assert f'<script src="{live_server}/embed.js" async>' in snippet
        admin.get_by_role("button", name="Copy the iframe code").click()
        assert admin.evaluate("() => navigator.clipboard.readText()") == snippet
        expect(admin.locator("#status")).to_have_text("Copied.")
        feeds = admin.locator(".con-feeds code")
        expect(feeds).to_have_count(6)
        expect(feeds.first).to_have_text(f"{live_server}/feeds/tips.json?agency={world.agency_a}&lang=en")
        assert client.get(f"/feeds/tips.atom?agency={world.agency_a}&lang=en").status_code == 200
        snap(admin, "embed")
        # The topics: their own embed, the tips-only card set aside, sized the same way.
        admin.get_by_role("radio", name="Group topics").check()
        admin.get_by_label("Compact (titles and short text only)").check()
        expect(preview).to_have_attribute("src", f"{live_server}/embed/topics?agency="
                                          f"{world.agency_a}&lang=en&count=5&theme=dark&compact=true")
        expect(admin.get_by_role("textbox", name="Tip of the day card (script)")).to_be_hidden()
        admin.frame_locator("iframe.con-embed-frame").locator("h2, h3").first.wait_for()
        fits(admin, "iframe.con-embed-frame")
        admin.get_by_role("radio", name="Tips").check()
        admin.get_by_label("Compact (titles and short text only)").uncheck()

        # The copied snippet, as is, on an agency's page on another origin: it fits exactly.
        page = host_page(snippet)
        with serving(lambda environ, start: (start("200 OK", [("Content-Type", "text/html")]),
                                              [page])[1]) as site:
            host = desktop(chromium)
            try:
                host.goto(site)
                assert not host.url.startswith(live_server)
                host.frame_locator("iframe").locator("article h2").first.wait_for()
                elsewhere = fits(host, "iframe")
                outer = host.locator("iframe").evaluate("f => f.getBoundingClientRect().height")
                assert abs(outer - elsewhere["content"]) < 1, (outer, elsewhere)
                # Narrower page, taller content: it follows.
                host.set_viewport_size({"width": 360, "height": 740})
                narrow = fits(host, "iframe")
                assert narrow["content"] > elsewhere["content"]
            finally:
                host.context.close()

        # An API key: shown once, listed by its prefix, revoked; then the API refuses it.
        open_view(admin, live_server, "#/agency/keys", wait="main form")
        admin.get_by_label("What is it for?").fill("Our website")
        admin.get_by_role("button", name="Make key").click()
        key = admin.locator("#new-key").inner_text()
        expect(admin.locator("main")).to_contain_text("We will not show it again.")
        admin.get_by_role("button", name="Copy the key").click()
        assert admin.evaluate("() => navigator.clipboard.readText()") == key
        expect(admin.locator("tr", has_text="Our website")).to_contain_text("Never")
        snap(admin, "keys")
        assert client.get("/api/v1/tips", headers={"X-API-Key": key}).status_code == 200
        open_view(admin, live_server, "#/agency/keys", wait="main table")
        row = admin.locator("tr", has_text="Our website")
        expect(row).to_contain_text(key[:11])
        row.get_by_role("button", name="Revoke Our website").click()
        admin.locator("dialog").get_by_role("button", name="Revoke key").click()
        expect(admin.locator("tr", has_text="Our website")).to_contain_text("Revoked")
        assert client.get("/api/v1/tips", headers={"X-API-Key": key}).status_code == 401

        # A join code a worker signs up with; they show under Members.
        open_view(admin, live_server, "#/agency/join-codes", wait="main form")
        admin.get_by_label("Label (optional)").fill("March training")
        admin.get_by_role("button", name="Make code").click()
        code = admin.locator("#new-join-code").inner_text()
        until = admin.locator("main .con-warning").inner_text().split("until ")[1][:-1]
        message = admin.get_by_role("textbox", name="A message to send to your workers")
        expect(message).to_have_value(
            f"Join our agency on Rapport. Open {live_server}/#/settings, choose “New peer support "
            f"worker? Create an account”, and type this code in “Agency code (optional)”: {code}. "
            f"It works until {until}.")
        expect(admin.locator("tr", has_text="March training")).to_contain_text("Works")
        tag = uuid.uuid4().hex[:8]
        sign_up_worker(worker, live_server, "Noor Haddad", f"noor-{tag}@example.org",
                       agency_code=code)
        open_view(admin, live_server, "#/agency/members", wait="main table")
        noor = admin.locator("tr", has_text="Noor Haddad")
        expect(noor).to_contain_text(f"noor-{tag}@example.org")
        # A worker who still supports a peer cannot leave yet: the way forward is offered.
        rosa = admin.locator("tr", has_text="Worker A")
        rosa.get_by_role("button", name="Remove Worker A from the agency").click()
        admin.locator("dialog").get_by_role("button", name="Remove").click()
        blocked = admin.locator(".con-blocked")
        expect(blocked).to_contain_text("Hand them over or end them first.")
        expect(blocked.get_by_role("link", name="Hand over their partnerships")).to_have_attribute(
            "href", f"#/agency/members/{world['worker_a'].id}/handover")

        # Join codes listed, then one revoked.
        open_view(admin, live_server, "#/agency/join-codes", wait="main table")
        admin.get_by_role("button", name="Revoke the code March training").click()
        admin.locator("dialog").get_by_role("button", name="Revoke code").click()
        expect(admin.locator("tr", has_text="March training")).to_contain_text("Revoked")

        # Supervision: numbers only, lowest first, and each look is in the worker's log.
        checked_in(client, world)
        open_view(admin, live_server, "#/agency/supervision", wait="main table")
        expect(admin.locator("main")).to_contain_text("This list shows no one's words")
        expect(admin.locator("main tbody tr", has_text="Worker A")).to_have_count(1)
        snap(admin, "supervision")
        log = client.get("/api/v1/me/access-log", headers=world["worker_a"].headers).get_json()
        assert "supervision.read" in json.dumps(log)
        # Insights: last month has numbers (with their range); a month with too few answers
        # shows "Too few to show", never a zero. An empty month gets noise too, so it passes
        # the minimum now and then by chance (as it should): the month before last is shown
        # as the API answers a too-small group, its figures withheld.
        answered_last_month(app, client, world)
        last = insight_service.last_closed_month(utcnow().date())
        before = insight_service.last_closed_month(last.start)
        admin.route(f"**/api/v1/agencies/{world.agency_a}/insights?period={before.key}",
                    too_few)
        open_view(admin, live_server, "#/agency/insights", wait="main svg.con-chart")
        heading = admin.get_by_role("heading", name="Workers' self-check")
        self_checks = admin.locator("section", has=heading)
        dots, few = self_checks.locator(".con-dot"), self_checks.locator(".con-few")
        expect(few.first).to_be_visible()
        assert dots.count() + few.count() == 6  # each of the last six months says one or the other
        expect(admin.locator("main")).to_contain_text("Numbers have privacy noise added")
        self_checks.get_by_text("The numbers").click()
        expect(self_checks.locator("tr", has_text=month_name(before.key))).to_contain_text(
            "Too few to show")
        shown = self_checks.locator("tr", has_text=month_name(last.key)).locator("td")
        assert shown.nth(1).inner_text().isdigit()  # the score, 0 to 100
        low, high = (int(n) for n in shown.nth(2).inner_text().split("–"))
        assert low <= int(shown.nth(1).inner_text()) <= high
        snap(admin, "insights")
        admin.get_by_role("link", name="Quarter").click()
        expect(admin.get_by_role("link", name="Quarter")).to_have_attribute("aria-current", "page")
        # The last four quarters (all made before the test moves on: none left being written).
        expect(admin.locator("main svg.con-chart").first).to_contain_text("Q", timeout=30000)

        assert admin.errors == [] and worker.errors == [] and admin.dialogs == []
    finally:
        admin.context.close()
        worker.context.close()


SCREENS = [("#/agency/embed", "main iframe.con-embed-frame"), ("#/agency/keys", "main form"),
           ("#/agency/join-codes", "main form"), ("#/agency/members", "main table"),
           ("#/agency/insights", "main .con-insight, main .con-switch"),
           ("#/agency/supervision", "main table")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_each_console_screen_passes_axe_and_fits_a_phone(chromium, live_server, app, client,
                                                         world, scheme):
    client.post(f"/api/v1/agencies/{world.agency_a}/api-keys", json={"name": "Website"},
                headers=world["admin_a"].headers)
    client.post(f"/api/v1/agencies/{world.agency_a}/join-codes", json={},
                headers=world["admin_a"].headers)
    for width in (1280, 360):
        page = (desktop(chromium, scheme) if width == 1280
                else new_phone(chromium, color_scheme=scheme))
        try:
            signed_in_as(page, live_server, world["admin_a"].token)
            for hash_, wait in SCREENS:
                open_view(page, live_server, hash_, wait)
                page.locator("main h1").wait_for()
                if "insights" in hash_:
                    page.locator("main .con-insight, main p.muted").last.wait_for()
                results = Axe().run(page)
                assert results.violations_count == 0, (hash_, width, results.generate_report())
                overflow = page.evaluate("() => document.documentElement.scrollWidth")
                assert overflow <= width, f"{hash_} wider than {width}: {overflow}px"
            assert page.errors == []
        finally:
            page.context.close()


def test_the_screens_speak_spanish_and_others_are_turned_away(chromium, live_server, app,
                                                              client, world):
    page = desktop(chromium, locale="es-ES")
    try:
        signed_in_as(page, live_server, world["admin_a"].token)
        titles = {"#/agency/embed": "Insertar en tu sitio web", "#/agency/keys": "Claves de API",
                  "#/agency/join-codes": "Códigos para unirse (acompañantes)",
                  "#/agency/members": "Miembros", "#/agency/insights": "Resultados",
                  "#/agency/supervision": "Supervisión"}
        for hash_, title in titles.items():
            open_view(page, live_server, hash_)
            expect(page.locator("main h1")).to_have_text(title, timeout=30000)
        signed_in_as(page, live_server, world["worker_a"].token)
        open_view(page, live_server, "#/agency/supervision")
        expect(page.locator("main")).to_contain_text(
            "Esta parte de Rapport es para quienes administran una agencia.")
        assert page.errors == []
    finally:
        page.context.close()


def test_where_the_clipboard_is_refused_the_text_is_selected_and_keys_do_the_rest(
        chromium, live_server, world):
    page = desktop(chromium)
    try:
        # A browser that refuses the Clipboard API (an older one, or a denied permission).
        page.context.add_init_script(
            "navigator.clipboard.writeText = () => Promise.reject(new Error('denied'))")
        signed_in_as(page, live_server, world["admin_a"].token)
        open_view(page, live_server, "#/agency/keys", wait="main form")
        page.get_by_label("What is it for?").fill("Newsletter")
        page.keyboard.press("Enter")
        key = page.locator("#new-key").inner_text()
        page.get_by_role("button", name="Copy the key").click()
        expect(page.locator("#status")).to_contain_text("The text is selected")
        assert page.evaluate("() => getSelection().toString()") == key
        open_view(page, live_server, "#/agency/embed", wait="main iframe.con-embed-frame")
        page.get_by_role("button", name="Copy the card code").click()
        box = page.get_by_role("textbox", name="Tip of the day card (script)")
        expect(box).to_be_focused()
        selected = box.evaluate("b => b.value.slice(b.selectionStart, b.selectionEnd)")
        assert selected == box.input_value()

        # By keyboard alone: revoke the key (the question opens on "Keep it").
        open_view(page, live_server, "#/agency/keys", wait="main table")
        page.get_by_role("button", name="Revoke Newsletter").focus()
        page.keyboard.press("Enter")
        expect(page.locator("dialog").get_by_role("button", name="Keep it")).to_be_focused()
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("tr", has_text="Newsletter")).to_contain_text("Revoked")
        assert page.errors == []
    finally:
        page.context.close()
