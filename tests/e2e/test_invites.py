"""Invites on a 360 px phone: a worker makes one and sees its QR code; a peer opens the join
link on their own phone and joins; the invite leaves the pending list; a cancelled invite's
code is refused; a worker joins an agency from Settings and then reads its tips. Each step
as a real Chromium shows it."""

import uuid
from urllib.parse import unquote

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from api.services import audit
from tests.e2e.conftest import PASSWORD, new_phone, open_view, signed_in_as
from tests.e2e.test_pwa_together import sign_up_worker
from tests.factories import make_oauth_client, make_oauth_token
from tests.helpers import qr_text_matches


def no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def make_invite(worker, base):
    open_view(worker, base, "#/goals", wait="main h1")
    pending = worker.locator("main .pending-invites li[data-invite]")
    before = pending.count()
    worker.get_by_role("button", name="Invite a peer").click()
    code = worker.locator("main .code")
    expect(code).to_be_visible()
    expect(pending).to_have_count(before + 1)
    return code.inner_text()


def qr_svg(worker) -> str:
    src = worker.locator("main img.qr").get_attribute("src")
    prefix = "data:image/svg+xml,"
    assert src.startswith(prefix)
    return unquote(src[len(prefix):])


def test_invite_share_scan_join_and_cancel(chromium, live_server, client):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    worker.context.grant_permissions(["clipboard-read", "clipboard-write"])
    peer = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Rosa", f"rosa-{tag}@example.org")
        code = make_invite(worker, live_server)
        join_url = f"{live_server}/#/join?code={code}&lang=en"

        # The QR code is an image of the join link (read back module by module).
        qr = worker.locator("main img.qr")
        expect(qr).to_be_visible()
        expect(qr).to_have_attribute("alt", "QR code that opens the join link")
        assert qr.evaluate("img => img.naturalWidth > 0")  # the browser drew it
        assert qr_text_matches(qr_svg(worker), join_url)

        # Share: no navigator.share in desktop Chromium, so the link is copied, and said so.
        worker.get_by_role("button", name="Share the link").click()
        expect(worker.locator("#status")).to_have_text("Link copied")
        assert worker.evaluate("() => navigator.clipboard.readText()") == join_url
        expect(worker.locator("#status")).to_have_text("", timeout=12_000)  # the toast leaves
        assert worker.locator("main").evaluate("m => m.scrollWidth <= 360")
        no_axe_violations(worker)

        # The peer opens the link on their own phone: the join form, with the code filled in.
        peer.goto(join_url)
        expect(peer.locator("main h1")).to_have_text(f"Join with code {code}")
        joining = peer.locator("main details[open]")
        expect(joining.get_by_label("Invite code")).to_have_value(code)
        no_axe_violations(peer)
        joining.get_by_label("Your name").fill("Sam")
        joining.get_by_label("Pick a username").fill(f"sam{tag}")
        joining.get_by_label("Password").fill(PASSWORD)
        peer.get_by_role("button", name="Join").click()
        expect(peer.locator("main h1")).to_have_text("With Rosa")

        # The used invite has left the worker's pending list.
        open_view(worker, live_server, "#/goals", wait="main .pending-invites li")
        expect(worker.locator("main .pending-invites")).to_have_text("No open invites.")

        # Another invite, cancelled (after saying yes): its code is refused at the door.
        other = make_invite(worker, live_server)
        open_view(worker, live_server, "#/goals", wait="main .pending-invites li[data-invite]")
        worker.get_by_role("button", name="Cancel").first.click()
        dialog = worker.locator("dialog.confirm")
        expect(dialog).to_contain_text("Cancel this invite?")
        dialog.get_by_role("button", name="Cancel invite").click()
        expect(worker.locator("#status")).to_have_text("Invite cancelled.")
        expect(worker.locator("main .pending-invites")).to_have_text("No open invites.")

        stranger = new_phone(chromium)
        try:
            stranger.goto(f"{live_server}/#/join?code={other}")
            joining = stranger.locator("main details[open]")
            expect(joining.get_by_label("Invite code")).to_have_value(other)
            joining.get_by_label("Your name").fill("Eve")
            joining.get_by_label("Pick a username").fill(f"eve{tag}")
            joining.get_by_label("Password").fill(PASSWORD)
            stranger.get_by_role("button", name="Join").click()
            expect(stranger.locator("main form .error")).to_have_text(
                "This invite code is not valid, was used, or has expired.")
            assert stranger.errors == []
        finally:
            stranger.context.close()
        assert worker.errors == [] and peer.errors == [] and worker.dialogs == []
    finally:
        worker.context.close()
        peer.context.close()


def test_the_join_link_opens_in_spanish(chromium, live_server, client, world):
    code = client.post("/api/v1/invites?lang=es", json={},
                       headers=world["worker_a"].headers).get_json()
    peer = new_phone(chromium)
    try:
        peer.goto(code["join_url"].replace("http://localhost", live_server))
        expect(peer.locator("main h1")).to_have_text(f"Unirte con el código {code['code']}")
        expect(peer.locator("main details[open]").get_by_label("Código de invitación")) \
            .to_have_value(code["code"])
    finally:
        peer.context.close()


def test_a_worker_joins_an_agency_from_settings_and_reads_its_tips(
        chromium, live_server, client, world):
    code = client.post(f"/api/v1/agencies/{world.agency_a}/join-codes", json={},
                       headers=world["admin_a"].headers).get_json()["code"]
    world.fresh_agency_item("tips")  # published, titled "Our tip"
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    try:
        sign_up_worker(worker, live_server, "Lee", f"lee-{tag}@example.org")
        open_view(worker, live_server, "#/tips", wait="main ul.plain li a")
        expect(worker.locator("main").get_by_role("link", name="Our tip")).to_have_count(0)

        open_view(worker, live_server, "#/settings", wait="#language")
        card = worker.locator("section", has=worker.get_by_role("heading", name="Join your agency"))
        card.get_by_label("Agency code").fill("ZZZZ-ZZZZ-ZZZZ")
        card.get_by_role("button", name="Join agency").click()
        expect(card.locator(".field-error")).to_have_text(
            "This agency code is not valid or has expired.")
        card.get_by_label("Agency code").fill(code)
        card.get_by_role("button", name="Join agency").click()
        expect(worker.locator("#status")).to_have_text("You joined your agency.")
        expect(worker.get_by_role("heading", name="Join your agency")).to_have_count(0)
        no_axe_violations(worker)

        open_view(worker, live_server, "#/tips", wait="main ul.plain li a")
        expect(worker.locator("main").get_by_role("link", name="Our tip")).to_be_visible()
        open_view(worker, live_server, "#/settings/access-log", wait="main ol.access-log li")
        expect(worker.locator("main ol.access-log")).to_contain_text("You · joined an agency")
        assert worker.errors == []
    finally:
        worker.context.close()


def test_the_access_log_folds_repeats(chromium, live_server, client, world):
    worker = world["worker_a"]
    goal = world.fresh_goal()
    for _ in range(3):
        audit.forget_recent_reads()  # reads are logged once a minute at most
        assert client.get(f"/api/v1/goals/{goal}", headers=worker.headers).status_code == 200
    phone = new_phone(chromium)
    try:
        signed_in_as(phone, live_server, worker.token)
        open_view(phone, live_server, "#/settings/access-log", wait="main ol.access-log li")
        folded = phone.locator("main ol.access-log li", has_text="You · looked at goals")
        expect(folded).to_have_count(1)
        expect(folded).to_contain_text("3 times")
        assert phone.errors == []
    finally:
        phone.context.close()
    spanish = new_phone(chromium, locale="es-US")
    try:  # said to "Tú", in the second person
        signed_in_as(spanish, live_server, worker.token)
        open_view(spanish, live_server, "#/settings/access-log", wait="main ol.access-log li")
        folded = spanish.locator("main ol.access-log li", has_text="Tú · viste metas")
        expect(folded).to_contain_text("3 veces")
        expect(spanish.locator("main ol.access-log")).not_to_contain_text("Tú · vio")
    finally:
        spanish.context.close()



def test_the_access_log_names_the_app_that_acted(chromium, live_server, client, world):
    worker = world["worker_a"]
    with world.app.app_context():
        app = make_oauth_token(worker, "goals:read",
                               make_oauth_client(world.agency_a, "Walk Together"))
    goal = world.fresh_goal()
    assert client.get(f"/api/v1/goals/{goal}", headers=app.headers).status_code == 200
    audit.forget_recent_reads()
    assert client.get(f"/api/v1/goals/{goal}", headers=worker.headers).status_code == 200
    for locale, by_app, by_person in (
            ("en-US", "You · looked at goals · via Walk Together", "You · looked at goals"),
            ("es-US", "Tú · viste metas · mediante Walk Together", "Tú · viste metas")):
        phone = new_phone(chromium, locale=locale)
        try:
            signed_in_as(phone, live_server, worker.token)
            open_view(phone, live_server, "#/settings/access-log", wait="main ol.access-log li")
            entries = phone.locator("main ol.access-log li", has_text=by_person)
            expect(entries).to_have_count(2)  # the app's read is not folded into the person's
            expect(entries.filter(has_text=by_app)).to_have_count(1)
            assert phone.errors == []
        finally:
            phone.context.close()
