"""An app connects through the consent screen, in a real browser on a 360 px phone: the app
(this test) makes a PKCE pair and opens /oauth/authorize; the peer lands on sign-in, signs in,
reads who asks and for what, and taps Allow; the browser is sent to the app's own page (a tiny
server on loopback) with code, state and iss; the app trades the code for tokens. Then the peer
takes the access back in Settings → Connected apps, and the app's refresh token stops working.
Saying no sends access_denied. Both screens pass axe in light and dark.

SCREENSHOT_DIR=docs/screenshots keeps consent-en.png, consent-es.png and connected-apps.png.
"""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import new_phone, open_view, signed_in_as
from tests.oauth.flow import authorization_params, pkce_pair, register_app

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
SCOPE = "goals:read checkins:write"
GOALS_EN = ("See your partnerships and shared goals, with their steps, check-ins and "
            "celebrations.")
GOALS_ES = ("Ver tus parejas de apoyo y sus metas compartidas, con sus pasos, registros y "
            "celebraciones.")


class AppPage:
    """The app's own page on loopback, where the browser comes back (RFC 8252 loopback)."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = b"<!doctype html><title>Journal</title><h1>Back in the journal</h1>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.callback = f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app_page():
    page = AppPage()
    yield page
    page.close()


def snap(page, name: str) -> None:
    """The whole screen, without the fixed tabs a full-page picture draws over its middle."""
    if not SCREENSHOTS:
        return
    shell = "document.querySelector('nav.tabs').style.display = {shown!r};"
    page.evaluate(shell.format(shown="none"))
    page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
    page.evaluate(shell.format(shown=""))


def start(client, world, app_page, state="state-42"):
    """The app: registered by agency A, a PKCE pair, and the link it opens."""
    app_info = register_app(client, world["admin_a"], world.agency_a, scope=SCOPE,
                            redirect_uris=(app_page.callback,))
    verifier, challenge = pkce_pair()
    params = authorization_params(app_info, scope=SCOPE, challenge=challenge, state=state,
                                  redirect_uri=app_page.callback)
    return app_info, verifier, params


def sign_in_here(page, person, *, heading="Sign in", login="Email (workers) or username (peers)",
                 password="Password"):
    form = page.locator("form", has=page.get_by_role("heading", name=heading))
    form.get_by_label(login).fill(person.username or person.email)
    form.get_by_label(password, exact=True).fill(person.password)
    form.get_by_role("button", name=heading).click()


def returned(page, app_page) -> dict:
    page.wait_for_url(f"{app_page.callback}?*")
    expect(page.locator("h1")).to_have_text("Back in the journal")
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


def token_request(base, form):
    return requests.post(f"{base}/oauth/token", data=form, timeout=10)


def read_with(base, access_token) -> int:
    return requests.get(f"{base}/api/v1/partnerships", timeout=10,
                        headers={"Authorization": f"Bearer {access_token}"}).status_code


def no_overflow(page, width=360):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_a_peer_connects_an_app_then_takes_it_back(chromium, live_server, client, world,
                                                   app_page):
    app_info, verifier, params = start(client, world, app_page)
    peer = world["peer_a"]
    phone = new_phone(chromium)
    try:
        phone.goto(f"{live_server}/oauth/authorize?{urlencode(params)}")
        # Signed out: the sign-in first, then back to the same request.
        expect(phone.locator("main h1")).to_have_text("Connect an app")
        expect(phone.locator("main")).to_contain_text("Sign in first, then you choose.")
        expect(phone.get_by_text("Have an invite code? Join")).to_be_visible()
        sign_in_here(phone, peer)
        asks = phone.get_by_role("heading", name="Recovery Journal wants to connect")
        expect(asks).to_be_visible()
        assert phone.url.startswith(f"{live_server}/#/authorize?")
        main = phone.locator("main")
        expect(main).to_contain_text("Registered by Agency A.")
        expect(main).to_contain_text("Made by journal.example.org.")
        expect(main).to_contain_text("This app will be able to:")
        expect(phone.locator(".consent-scopes li")).to_have_text(
            [GOALS_EN, "Add check-ins to your shared goals."])
        back = urlsplit(app_page.callback).netloc
        expect(main).to_contain_text(f"After you choose, you go back to {back}.")
        expect(main).to_contain_text("Settings → Connected apps")
        no_overflow(phone)
        snap(phone, "consent-en")

        phone.get_by_role("button", name="Allow", exact=True).click()
        answer = returned(phone, app_page)
        assert answer["state"] == "state-42"
        assert answer["iss"].startswith("http")  # RFC 9207: the server's own name
        tokens = token_request(live_server, {
            "grant_type": "authorization_code", "code": answer["code"],
            "redirect_uri": app_page.callback, "code_verifier": verifier,
            "client_id": app_info["client_id"]})
        assert tokens.status_code == 200, tokens.text
        tokens = tokens.json()
        assert tokens["access_token"].startswith("rpa_") and tokens["refresh_token"]
        # The token reads what its scope allows, and nothing more.
        partnerships = requests.get(f"{live_server}/api/v1/partnerships", timeout=10,
                                    headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert partnerships.status_code == 200, partnerships.text
        assert [p["id"] for p in partnerships.json()] == [world.partnership_a]
        export = requests.get(f"{live_server}/api/v1/me/export", timeout=10,
                              headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert export.status_code == 403
        assert 'error="insufficient_scope"' in export.headers["WWW-Authenticate"]

        # The peer sees the app's read in their access log, under the app's name.
        open_view(phone, live_server, "#/settings/access-log", wait="main ol.access-log li")
        expect(phone.locator("main ol.access-log li",
                             has_text="via Recovery Journal").first).to_be_visible()

        # Settings → Connected apps: the app, what it can do; one tap (and a yes) removes it.
        open_view(phone, live_server, "#/settings", wait="#language")
        phone.get_by_role("link", name="Connected apps").click()
        expect(phone.locator("main h1")).to_have_text("Connected apps")
        card = phone.locator(".connected-app")
        expect(card.get_by_role("heading")).to_have_text("Recovery Journal")
        expect(card).to_contain_text("From Agency A")
        expect(card).to_contain_text(GOALS_EN)
        expect(card).to_contain_text("Last used")
        no_overflow(phone)
        snap(phone, "connected-apps")
        phone.get_by_role("button", name="Remove access for Recovery Journal").click()
        phone.locator("dialog").get_by_role("button", name="Remove access").click()
        expect(phone.locator("#status")).to_have_text("Access removed.")
        expect(phone.locator("main")).to_contain_text("No apps are connected.")

        refreshed = token_request(live_server, {
            "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": app_info["client_id"]})
        assert refreshed.status_code == 400, refreshed.text
        assert read_with(live_server, tokens["access_token"]) == 401
        assert phone.errors == [] and phone.dialogs == []
    finally:
        phone.context.close()


def test_saying_no_sends_access_denied_in_spanish_too(chromium, live_server, client, world,
                                                      app_page):
    _app_info, _verifier, params = start(client, world, app_page, state="no-thanks")
    phone = new_phone(chromium, locale="es-ES")
    try:
        phone.goto(f"{live_server}/oauth/authorize?{urlencode(params)}")
        expect(phone.locator("main h1")).to_have_text("Conectar una app")
        sign_in_here(phone, world["peer_a"], heading="Iniciar sesión",
                     login="Correo (acompañantes de pares) o usuario (personas acompañadas)",
                     password="Contraseña")
        asks = phone.get_by_role("heading", name="Recovery Journal quiere conectarse")
        expect(asks).to_be_visible()
        expect(phone.locator(".consent-scopes li").first).to_have_text(GOALS_ES)
        expect(phone.locator("main")).to_contain_text("Ajustes → Apps conectadas")
        no_overflow(phone)
        snap(phone, "consent-es")
        phone.get_by_role("button", name="No permitir").click()
        answer = returned(phone, app_page)
        assert answer["error"] == "access_denied" and answer["state"] == "no-thanks"
        assert "code" not in answer
        assert phone.errors == []
    finally:
        phone.context.close()


def test_bad_requests_and_admins_are_told_why_and_sent_nowhere(chromium, live_server, client,
                                                               world, app_page):
    app_info, _verifier, params = start(client, world, app_page)
    phone = new_phone(chromium)
    try:
        signed_in_as(phone, live_server, world["peer_a"].token)
        # A redirect URI the app never registered: 422, and the page stays here.
        bad = {**params, "redirect_uri": "https://evil.example.org/cb",
               "state": '<img src=x onerror="alert(1)">'}
        open_view(phone, live_server, f"#/authorize?{urlencode(bad)}")
        expect(phone.get_by_role("alert")).to_contain_text("This app's sign-in link is not valid.")
        # An app its agency revoked: 404.
        client.delete(f"/api/v1/agencies/{world.agency_a}/oauth-clients/{app_info['id']}",
                      headers=world["admin_a"].headers)
        open_view(phone, live_server, f"#/authorize?{urlencode(params)}")
        expect(phone.get_by_role("alert")).to_contain_text("This app is not registered")
        assert phone.url.startswith(live_server)
        signed_in_as(phone, live_server, world["admin_a"].token)
        open_view(phone, live_server, f"#/authorize?{urlencode(params)}")
        expect(phone.get_by_role("alert")).to_have_text("Only workers and peers can connect apps.")
        assert phone.dialogs == [] and phone.errors == []
    finally:
        phone.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_consent_and_connected_apps_pass_axe(chromium, live_server, client, world, app_page,
                                              scheme):
    _app_info, _verifier, params = start(client, world, app_page)
    phone = new_phone(chromium, color_scheme=scheme)
    try:
        signed_in_as(phone, live_server, world["worker_a"].token)
        open_view(phone, live_server, f"#/authorize?{urlencode(params)}", wait=".consent-actions")
        results = Axe().run(phone)
        assert results.violations_count == 0, results.generate_report()
        phone.get_by_role("button", name="Allow", exact=True).click()
        returned(phone, app_page)
        open_view(phone, live_server, "#/settings/connected-apps", wait=".connected-app")
        results = Axe().run(phone)
        assert results.violations_count == 0, results.generate_report()
        # Signed out, the consent screen's sign-in passes too.
        phone.context.clear_cookies()
        phone.evaluate("localStorage.removeItem('rapport.signedIn')")
        phone.goto(f"{live_server}/")
        open_view(phone, live_server, f"#/authorize?{urlencode(params)}", wait="main form")
        results = Axe().run(phone)
        assert results.violations_count == 0, results.generate_report()
    finally:
        phone.context.close()
