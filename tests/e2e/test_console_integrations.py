"""The console's Apps and Webhooks screens, driven by an agency admin at desktop width: register
an app and copy its client_id (a confidential one's secret shown once), add a webhook to a
receiver on loopback, send a test event and see it delivered in the log (the receiver verifies
it with the secret shown), send it again, rotate the secret, and switch an endpoint that kept
failing back on from the home's warning. axe-clean in light and dark, one column at 360 px.

SCREENSHOT_DIR=docs/screenshots keeps console-integrations.png (and console-apps.png).
"""

import os
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.clock import utcnow
from api.models import WebhookEndpoint
from tests.e2e.conftest import new_phone, open_view, signed_in_as
from tests.e2e.test_console_ops import desktop
from tests.webhooks.conftest import deliver
from tests.webhooks.receiver import Receiver

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


@pytest.fixture
def receiver():
    service = Receiver()
    yield service
    service.close()


def snap(page, name: str) -> None:
    if not SCREENSHOTS:
        return
    shell = "document.querySelector('header.bar').style.position = {bar!r};" \
            "document.querySelector('nav.tabs').style.display = {shown!r};" \
            "document.getElementById('status').style.display = {shown!r};"
    page.evaluate(shell.format(bar="static", shown="none"))
    page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
    page.evaluate(shell.format(bar="", shown=""))


def test_an_admin_registers_an_app_and_a_webhook_and_sees_it_delivered(
        chromium, live_server, app, client, world, receiver):
    admin = desktop(chromium, permissions=["clipboard-read", "clipboard-write"])
    try:
        signed_in_as(admin, live_server, world["admin_a"].token)
        open_view(admin, live_server, "#/agency", wait="main .con-cards")
        admin.get_by_role("link", name="Apps (OAuth)").click()
        expect(admin.locator("main h1")).to_have_text("Apps (OAuth)")

        # Register a confidential app: the client_id to copy, the secret shown once.
        admin.get_by_label("App name").fill("Recovery Journal")
        admin.get_by_label("Homepage (optional)").fill("https://journal.example.org")
        admin.get_by_label("Return addresses (redirect URIs)").fill(
            "https://journal.example.org/callback\nhttp://127.0.0.1/callback")
        admin.get_by_label("See your partnerships and shared goals").check()
        admin.get_by_label("Add check-ins to your shared goals.").check()
        admin.get_by_label("The app has its own server").check()
        admin.get_by_role("button", name="Register app").click()
        made = admin.locator(".con-once")
        expect(made.locator("h2")).to_have_text("“Recovery Journal” is registered")
        client_id = admin.locator("#new-client-id").inner_text()
        assert client_id.startswith("rpapp_")
        expect(made).to_contain_text("We will not show it again.")
        secret = admin.locator("#new-client-secret").inner_text()
        made.get_by_role("button", name="Copy the client ID").click()
        assert admin.evaluate("() => navigator.clipboard.readText()") == client_id
        row = admin.locator("table.con-apps tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(client_id)
        expect(row).to_contain_text("Confidential (has a server)")
        expect(row).to_contain_text("goals:read")
        expect(row).to_contain_text("https://journal.example.org/callback")
        apps = client.get(f"/api/v1/agencies/{world.agency_a}/oauth-clients",
                          headers=world["admin_a"].headers).get_json()
        assert [a["client_id"] for a in apps] == [client_id]
        assert apps[0]["scope"] == "goals:read checkins:write" and apps[0]["confidential"]
        assert secret not in str(apps)
        snap(admin, "console-apps")

        # A webhook to the receiver: its secret once, a test event, delivered in the log.
        open_view(admin, live_server, "#/agency/webhooks", wait="main form")
        expect(admin.locator("main h1")).to_have_text("Webhooks")
        admin.get_by_label("Address (URL)").fill(receiver.url("crm"))
        admin.get_by_label("Description (optional)").fill("Our case system")
        admin.get_by_label("Your agency published a tip, FAQ or group topic").check()
        admin.get_by_label("A worker and a peer started working together").check()
        admin.get_by_label("For an app (optional)").select_option(
            label="No app: for the agency itself")
        admin.get_by_role("button", name="Add webhook").click()
        shown = admin.locator(".con-once")
        expect(shown.locator("h2")).to_have_text("Webhook added")
        signing = shown.locator(".con-secret").inner_text()
        assert signing.startswith("whsec_")
        hook = admin.locator(".con-hook")
        expect(hook.get_by_role("heading")).to_have_text(receiver.url("crm"))
        expect(hook).to_contain_text("Our case system")
        hook.get_by_role("button", name="Send a test event").click()
        expect(admin.locator("#status")).to_contain_text("Test event sent.")
        log = hook.locator("table.con-log tbody tr")
        expect(log).to_have_count(1)
        expect(log.first).to_contain_text("Test event")
        expect(log.first).to_contain_text("Waiting")
        # What the job queue does (the suite's other tests may leave deliveries of their own
        # waiting in this shared database: the receiver below counts only ours).
        assert deliver(app) >= 1
        hook.get_by_role("button", name="Refresh").click()
        expect(log.first).to_contain_text("Delivered")
        expect(log.first).to_contain_text("200")
        [message] = receiver.to("crm")
        assert message.verify(signing)["type"] == "webhook.test"

        # Send again: the same webhook-id, delivered again.
        log.first.get_by_role("button", name="Send again").click()
        expect(admin.locator("#status")).to_have_text("Sent again, with the same webhook-id.")
        deliver(app)
        same = message.headers["webhook-id"]
        assert [m.headers["webhook-id"] for m in receiver.to("crm")] == [same, same]

        # Rotate: a new secret once; the old one still signs for 24 h, and the screen says so.
        hook.get_by_role("button", name="Rotate secret").click()
        admin.locator("dialog").get_by_role("button", name="Make new secret").click()
        expect(shown.locator("h2")).to_have_text("Your new signing secret")
        expect(shown).to_contain_text("The old secret keeps working until")
        expect(shown).to_contain_text("(24 hours)")
        rotated = shown.locator(".con-secret").inner_text()
        assert rotated.startswith("whsec_") and rotated != signing
        hook.get_by_role("button", name="Send a test event").click()
        expect(admin.locator("#status")).to_contain_text("Test event sent.")
        deliver(app)
        latest = receiver.to("crm")[-1]
        assert latest.verifies_with(rotated) and latest.verifies_with(signing)
        hook.get_by_role("button", name="Refresh").click()
        expect(log).to_have_count(2)
        admin.evaluate("() => window.scrollTo(0, 0)")
        snap(admin, "console-integrations")
        assert admin.errors == [] and admin.dialogs == []
    finally:
        admin.context.close()


def switched_off(app, agency_id: str, url: str) -> str:
    """An endpoint that kept failing, as the delivery job leaves it (tests/webhooks tests that)."""
    with app.app_context(), unit_of_work():
        endpoint = db.session.scalar(db.select(WebhookEndpoint).where(
            WebhookEndpoint.agency_id == uuid.UUID(agency_id), WebhookEndpoint.url == url))
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = "failing"
        return str(endpoint.id)


def test_the_home_says_a_webhook_was_switched_off_and_it_goes_back_on(
        chromium, live_server, app, client, world, receiver):
    made = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks",
                       headers=world["admin_a"].headers,
                       json={"url": receiver.url("down"), "event_types": ["content.published"]})
    assert made.status_code == 201, made.get_json()
    switched_off(app, world.agency_a, receiver.url("down"))
    admin = desktop(chromium)
    try:
        signed_in_as(admin, live_server, world["admin_a"].token)
        open_view(admin, live_server, "#/agency", wait="main .con-cards")
        warning = admin.get_by_role(
            "link", name="1 webhook was switched off after failing. Check it.")
        warning.click()
        expect(admin.locator("main h1")).to_have_text("Webhooks")
        hook = admin.locator(".con-hook")
        expect(hook).to_contain_text("Every try failed for too long")
        hook.get_by_role("button", name="Switch back on").click()
        expect(admin.locator("#status")).to_have_text("Webhook switched back on.")
        expect(hook).to_contain_text("On")
        expect(hook.get_by_role("button", name="Switch back on")).to_have_count(0)
        answer = client.get(f"/api/v1/agencies/{world.agency_a}", headers=world["admin_a"].headers)
        assert answer.get_json()["webhooks_switched_off"] == 0
        assert admin.errors == []
    finally:
        admin.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_apps_and_webhooks_pass_axe_and_fit_a_phone(chromium, live_server, app, client, world,
                                                    receiver, scheme):
    headers = world["admin_a"].headers
    client.post(f"/api/v1/agencies/{world.agency_a}/oauth-clients", headers=headers,
                json={"name": "Journal", "redirect_uris": ["https://journal.example.org/cb"],
                      "scope": "goals:read"})
    hook = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks", headers=headers,
                       json={"url": receiver.url("axe"), "event_types": ["content.published"]})
    client.post(f"/api/v1/agencies/{world.agency_a}/webhooks/{hook.get_json()['id']}/test",
                headers=headers)
    switched_off(app, world.agency_a, receiver.url("axe"))
    for width in (1280, 360):
        page = (desktop(chromium, scheme) if width == 1280
                else new_phone(chromium, color_scheme=scheme))
        try:
            signed_in_as(page, live_server, world["admin_a"].token)
            for hash_, wait in (("#/agency", "main .con-hooks-off"),
                                ("#/agency/apps", "main table"),
                                ("#/agency/webhooks", "main .con-hook")):
                open_view(page, live_server, hash_, wait)
                if hash_ == "#/agency/webhooks":
                    page.locator(".con-hook summary").click()
                    page.locator("table.con-log").wait_for()
                results = Axe().run(page)
                assert results.violations_count == 0, (hash_, width, results.generate_report())
                overflow = page.evaluate("() => document.documentElement.scrollWidth")
                assert overflow <= width, f"{hash_} wider than {width}: {overflow}px"
            assert page.errors == []
        finally:
            page.context.close()


def test_the_screens_speak_spanish(chromium, live_server, world):
    page = desktop(chromium, locale="es-ES")
    try:
        signed_in_as(page, live_server, world["admin_a"].token)
        open_view(page, live_server, "#/agency/apps", wait="main form")
        expect(page.get_by_role("button", name="Registrar app")).to_be_visible()
        expect(page.locator("main")).to_contain_text("Agregar registros a tus metas compartidas.")
        open_view(page, live_server, "#/agency/webhooks", wait="main form")
        expect(page.get_by_role("button", name="Agregar webhook")).to_be_visible()
        assert page.errors == []
    finally:
        page.context.close()
