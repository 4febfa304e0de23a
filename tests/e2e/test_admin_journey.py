"""An agency admin's whole job, in one walk through the console, in real Chromium at 1280 px,
against the app as `make run` serves it (scripts/serve.py --embedded: granian, two workers, the
job consumer beside it) on a database of its own (SQLite, or a PostgreSQL schema when
TEST_DATABASE_URL points at one).

Only the admin's account is made outside the browser, with `flask agency create`: nothing in
the app makes an agency. Then, each step as a person sees it: the admin signs in and lands on
the console; writes a tip in English and Spanish side by side, previews it as the app and the
embed show it, and publishes it; makes a join code, and a new worker signs up with it on a
360 px phone; the worker reads the tip in English and in Spanish; the tip shows in the
agency's embed on another origin (the iframe snippet copied from the embed builder), which
sizes itself to its content; the admin swaps the default crisis lines for the agency's own and
the worker's "Need help now" shows them; an API key is made (shown once), works, is revoked
and then refused; the worker is under Members and in Supervision, where no peer's name shows;
Insights reads. Every console screen passes axe, light and dark.

Screenshots of the main steps go to the test's tmp dir (pytest's --basetemp to keep them)."""

import os
import subprocess
import uuid
from contextlib import contextmanager

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from api.config import database_url
from tests.conftest import temporary_database
from tests.e2e.conftest import PASSWORD, new_phone, open_view, serving
from tests.e2e.test_embeds import fits
from tests.e2e.test_pwa_together import invite_code, join, sign_up_worker
from tests.failure.harness import BIN, ROOT, MakeRun, RedisServer, free_port, server_url
from tests.failure.test_job_consumer import prepare

AGENCY = "Riverside Recovery"
ADMIN_EMAIL = "director@riverside.example.org"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "device_scale_factor": 1,
           "is_mobile": False, "has_touch": False}
ON_POSTGRESQL = database_url(os.environ.get("TEST_DATABASE_URL", "")).startswith("postgresql")


@contextmanager
def job_queue():
    """The job queue `make run` would use: the file beside a SQLite database; for PostgreSQL a
    throwaway Redis (the default, redis db 1, is shared by everything on this machine)."""
    if not ON_POSTGRESQL:
        yield {}
        return
    redis = RedisServer(free_port()).start()
    try:
        yield {"JOBS_URL": redis.url}
    finally:
        redis.kill()


@pytest.fixture
def served(tmp_path):
    """The served app on a fresh, migrated database with the content loaded and one agency
    made by the CLI, as an operator would make it."""
    with temporary_database(tmp_path) as database, job_queue() as queue:
        prepare(database)
        env = {**os.environ, **queue, "DATABASE_URL": server_url(database), "FLASK_APP": "api",
               "SECRET_KEY_FILE": str(tmp_path / "secret-key"),
               "VAPID_KEY_FILE": str(tmp_path / "vapid.pem")}
        for name in ("RATELIMIT_STORAGE_URI", "SECRET_KEY", "VAPID_PRIVATE_KEY", "JOB_WORKERS"):
            env.pop(name, None)  # the app's own defaults, as `make run` has them
        made = subprocess.run(  # noqa: S603 (our own venv, fixed arguments)
            [str(BIN / "flask"), "agency", "create", AGENCY, "--admin-email", ADMIN_EMAIL],
            env={**env, "RAPPORT_ADMIN_PASSWORD": PASSWORD}, cwd=ROOT, capture_output=True,
            text=True, timeout=60, check=False)
        assert made.returncode == 0, made.stderr
        agency_id = made.stdout.split("(id ")[1].split(")")[0]
        server = MakeRun(env, free_port(), tmp_path / "server.log").start()
        try:
            yield server.base, agency_id
        finally:
            server.kill()


class Shots:
    """Screenshots of the main steps, numbered in the order taken, into the test's tmp dir: a
    console screen whole (its sticky bar, tabs and status line set aside, or a full-page
    capture draws them over its middle); a phone as its screen shows it."""

    SHELL = ("document.querySelector('header.bar').style.position = {bar!r};"
             "document.querySelector('nav.tabs').style.display = {shown!r};"
             "document.getElementById('status').style.display = {shown!r};")

    def __init__(self, folder):
        self.folder, self.taken = folder, 0

    def __call__(self, page, name: str, whole: bool = True) -> None:
        self.taken += 1
        path = str(self.folder / f"{self.taken:02d}-{name}.png")
        if not whole:
            page.screenshot(path=path)
            return
        page.evaluate(self.SHELL.format(bar="static", shown="none"))
        page.screenshot(path=path, full_page=True)
        page.evaluate(self.SHELL.format(bar="", shown=""))


def axe_clean(page, screen: str) -> None:
    """No axe violation in light or in dark, and nothing wider than the window."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{screen}, {scheme}: {results.generate_report()}"
    page.emulate_media(color_scheme="light")
    width = page.viewport_size["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, screen


def console_card(page, name: str) -> None:
    """Back to the console's home by its link, then into one of its screens by its card."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agency").click()
    page.locator(".con-cards").wait_for()
    page.locator("main").get_by_role("link", name=name, exact=True).click()


def help_now(page):
    page.get_by_role("button", name="Need help now").click()
    dialog = page.locator("dialog#crisis")
    expect(dialog).to_be_visible()
    return dialog


def test_an_agency_admin_does_the_whole_job_in_the_console(chromium, served, tmp_path):
    base, agency_id = served
    api = base + "/api/v1"
    shot = Shots(tmp_path)
    tag = uuid.uuid4().hex[:8]
    admin = new_phone(chromium, **DESKTOP)
    worker, peer = new_phone(chromium), new_phone(chromium)
    try:
        # Sign in, in Settings like anyone; the console is where the admin lands.
        open_view(admin, base, "#/settings", wait="#language")
        card = admin.locator("form", has=admin.get_by_role("heading", name="Sign in"))
        card.get_by_label("Email (workers) or username (peers)").fill(ADMIN_EMAIL)
        card.get_by_label("Password").fill(PASSWORD)
        card.get_by_role("button", name="Sign in").click()
        main = admin.locator("main")
        expect(main.locator("h1")).to_have_text(AGENCY)
        expect(main).to_contain_text("Agency console")
        expect(main).not_to_contain_text("Tip of the day")
        tabs = admin.get_by_role("navigation", name="Main")
        expect(tabs.get_by_role("link", name="Agency")).to_have_attribute("aria-current", "page")
        expect(tabs.get_by_role("link", name="Goals")).to_be_hidden()
        axe_clean(admin, "home")
        shot(admin, "console-home")

        # A tip, English and Spanish side by side, previewed as the app and the embed show it.
        main.get_by_role("link", name="Content", exact=True).click()
        expect(main.locator("h1")).to_have_text("Tips, FAQs and group topics")
        axe_clean(admin, "content")
        admin.get_by_role("link", name="Write a tip").click()
        expect(main.locator("h1")).to_have_text("Write a tip")
        english = admin.locator("fieldset", has=admin.locator("legend", has_text="English"))
        spanish = admin.locator("fieldset",
                                has=admin.locator("legend", has_text="Español (Spanish)"))
        side = [box.bounding_box() for box in (english, spanish)]
        assert side[0]["x"] + side[0]["width"] <= side[1]["x"], side  # beside, not below
        assert abs(side[0]["y"] - side[1]["y"]) < 2, side
        english.get_by_label("Title").fill("Sit side by side")
        english.get_by_label("Summary").fill("A chair beside someone feels less like a test.")
        english.get_by_label("The tip").fill("Sit beside the person.\n\nFace the same way.")
        english.get_by_label("Things to try").fill("Pull up a chair beside them\nWalk and talk")
        spanish.get_by_label("Title").fill("Siéntate a su lado")
        spanish.get_by_label("Summary").fill("Una silla al lado se siente menos como un examen.")
        spanish.get_by_label("The tip").fill("Siéntate al lado de la persona.")
        spanish.get_by_label("Things to try").fill("Acerca una silla a su lado")
        expect(admin.get_by_label("Web address name")).to_have_value("sit-side-by-side")
        preview = admin.locator("aside.con-preview")
        expect(preview.locator(".con-app h2")).to_have_text("Sit side by side")
        expect(preview.locator(".con-embed-card .try")).to_have_text(
            "Try this: Pull up a chair beside them")
        axe_clean(admin, "tip editor")
        shot(admin, "tip-preview-en")
        preview.get_by_label("Show the preview in").select_option("es")
        expect(preview.locator(".con-app h2")).to_have_text("Siéntate a su lado")
        expect(preview.locator(".con-embed-card .try")).to_have_text(
            "Prueba esto: Acerca una silla a su lado")
        expect(preview.locator(".con-embed-card .by")).to_have_text(f"De {AGENCY}")
        admin.get_by_role("button", name="Publish").click()
        expect(admin.locator("#status")).to_have_text("Published. Members see it now.")
        expect(admin.get_by_role("button", name="Unpublish")).to_be_visible()
        shot(admin, "tip-published")

        # A join code, made in the console; a new worker signs up with it on their phone.
        console_card(admin, "Join codes")
        expect(main.locator("h1")).to_have_text("Join codes for workers")
        admin.get_by_label("Label (optional)").fill("Spring training")
        admin.get_by_role("button", name="Make code").click()
        code = admin.locator("#new-join-code").inner_text()
        expect(admin.locator("tr", has_text="Spring training")).to_contain_text("Works")
        axe_clean(admin, "join codes")
        shot(admin, "join-code")
        sign_up_worker(worker, base, "Noor Haddad", f"noor-{tag}@example.org", agency_code=code)
        expect(worker.locator("main h1")).to_have_text("Today")

        # The worker reads the new tip, first in their list, in English and then in Spanish.
        open_view(worker, base, "#/tips", wait="main ul.plain li a")
        expect(worker.locator("main ul.plain li a").first).to_have_text("Sit side by side")
        worker.locator("main ul.plain li a").first.click()
        expect(worker.locator("main h1")).to_have_text("Sit side by side")
        expect(worker.locator("main")).to_contain_text("Face the same way.")
        shot(worker, "worker-tip-en", whole=False)
        open_view(worker, base, "#/settings", wait="#language")
        worker.locator("#language").select_option("es")
        open_view(worker, base, "#/tips", wait="main ul.plain li a")
        expect(worker.locator("main h1")).to_have_text("Consejos")
        expect(worker.locator("main ul.plain li a").first).to_have_text("Siéntate a su lado")
        worker.locator("main ul.plain li a").first.click()
        expect(worker.locator("main")).to_contain_text("Siéntate al lado de la persona.")
        shot(worker, "worker-tip-es", whole=False)
        open_view(worker, base, "#/settings", wait="#language")
        worker.locator("#language").select_option("en")

        # The embed builder's iframe snippet, pasted into a page on another origin.
        console_card(admin, "Embed on your site")
        admin.locator("main iframe.con-embed-frame").wait_for()
        expect(main.locator("h1")).to_have_text("Embed on your website")
        admin.frame_locator("iframe.con-embed-frame").locator("article h2").first.wait_for()
        axe_clean(admin, "embed builder")
        shot(admin, "embed-builder")
        snippet = admin.get_by_role("textbox", name="Iframe code").input_value()
        assert f"agency={agency_id}" in snippet and "height=" not in snippet
        page = (f"<!doctype html><html><head><title>{AGENCY}</title></head><body>"
                f"<h1>Welcome to {AGENCY}</h1>{snippet}<p>Call us any time.</p>"
                "</body></html>").encode()
        with serving(lambda environ, start: (start("200 OK", [("Content-Type", "text/html")]),
                                              [page])[1]) as site:
            host = new_phone(chromium, **DESKTOP)
            try:
                host.goto(site)
                assert site.split(":")[-1] != base.split(":")[-1]  # another origin
                embedded = host.frame_locator("iframe")
                expect(embedded.locator("article h2").first).to_have_text("Sit side by side")
                sizes = fits(host, "iframe")
                outer = host.locator("iframe").evaluate("f => f.getBoundingClientRect().height")
                assert sizes["content"] > 150  # not the browser's default height
                assert abs(outer - sizes["content"]) < 1, (outer, sizes)
                host.screenshot(path=str(tmp_path / "embed-on-another-origin.png"))
                assert host.errors == []
            finally:
                host.context.close()

        # The crisis lines: the agency's own line, and the default (988) dropped.
        console_card(admin, "Crisis lines")
        expect(main.locator("h1")).to_have_text("Crisis lines")
        admin.get_by_role("button", name="Add a line").click()
        line = admin.locator("fieldset.con-line").last
        line.get_by_label("Name").fill("Riverside Warmline")
        line.get_by_label("Number to call").fill("(202) 555-0143")
        line.get_by_label("When someone answers").fill("Every day, 8 am to 10 pm")
        admin.get_by_label("Show the national lines (988) first, then ours").uncheck()
        admin.get_by_role("button", name="Save crisis lines").click()
        expect(admin.locator("#status")).to_have_text("Saved. Members see these lines now.")
        shown = admin.locator(".con-help-preview")
        expect(shown.locator(".crisis-list li").first).to_contain_text("Riverside Warmline")
        expect(shown).not_to_contain_text("988 Suicide")
        axe_clean(admin, "crisis lines")
        shot(admin, "crisis-lines")
        open_view(worker, base, "#/", wait="main h1")
        lines = help_now(worker)
        expect(lines.locator(".crisis-list li").first).to_contain_text("Riverside Warmline")
        expect(lines.get_by_role("link", name="Call (202) 555-0143")).to_have_attribute(
            "href", "tel:2025550143")
        expect(lines).not_to_contain_text("988 Suicide")
        shot(worker, "worker-need-help-now", whole=False)
        lines.get_by_role("button", name="Close").click()

        # An API key: shown once, works against the served API, revoked, then refused.
        console_card(admin, "API keys")
        expect(main.locator("h1")).to_have_text("API keys")
        admin.get_by_label("What is it for?").fill("Our website")
        admin.get_by_role("button", name="Make key").click()
        key = admin.locator("#new-key").inner_text()
        expect(main).to_contain_text("We will not show it again.")
        axe_clean(admin, "API keys, the new key shown")
        shot(admin, "api-key-made")
        answer = requests.get(f"{api}/tips", headers={"X-API-Key": key}, timeout=10)
        assert answer.status_code == 200, answer.text
        assert "Sit side by side" in answer.text  # the key reads as its agency
        open_view(admin, base, "#/agency/keys", wait="main table")
        expect(main).not_to_contain_text(key)  # shown once: never again
        row = admin.locator("tr", has_text="Our website")
        expect(row).to_contain_text(key[:11])
        row.get_by_role("button", name="Revoke Our website").click()
        admin.locator("dialog").get_by_role("button", name="Revoke key").click()
        expect(admin.locator("tr", has_text="Our website")).to_contain_text("Revoked")
        axe_clean(admin, "API keys, one revoked")
        refused = requests.get(f"{api}/tips", headers={"X-API-Key": key}, timeout=10)
        assert refused.status_code == 401, refused.text

        # The worker supports a peer (so there is a peer's name that must not show), and is
        # among the agency's members.
        join(peer, base, invite_code(worker, base), "Sam Rivera", f"sam{tag}")
        expect(peer.locator("main h1")).to_have_text("With Noor Haddad")
        console_card(admin, "Members")
        admin.locator("main table").wait_for()
        noor = admin.locator("tr", has_text="Noor Haddad")
        expect(noor).to_contain_text(f"noor-{tag}@example.org")
        expect(main).not_to_contain_text("Sam Rivera")
        axe_clean(admin, "members")
        shot(admin, "members")

        # Insights and supervision: the worker is listed by numbers; no peer's name anywhere.
        console_card(admin, "Insights")
        expect(main.locator("h1")).to_have_text("Insights")
        admin.locator("main .con-insight, main .con-switch").first.wait_for()
        expect(main).to_contain_text("Numbers have privacy noise added")
        expect(main).not_to_contain_text("Sam Rivera")
        axe_clean(admin, "insights")
        shot(admin, "insights")
        console_card(admin, "Supervision")
        admin.locator("main table").wait_for()
        expect(main.locator("h1")).to_have_text("Supervision")
        row = main.locator("tbody tr", has_text="Noor Haddad")
        expect(row).to_have_count(1)
        expect(row.locator("td").first).to_have_text("1")  # one partnership
        expect(main).to_contain_text("This list shows no one's words")
        expect(main).not_to_contain_text("Sam Rivera")
        axe_clean(admin, "supervision")
        shot(admin, "supervision")

        assert admin.errors == [] and worker.errors == [] and peer.errors == []
        assert admin.dialogs == [] and worker.dialogs == []
    finally:
        for page in (admin, worker, peer):
            page.context.close()
