"""Signing in on a phone while someone else guesses the password: the person's own phone
still gets in, a phone never used before is asked to wait, and says so in plain words."""

import os
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, new_phone, open_view
from tests.e2e.test_pwa_together import sign_up_worker

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def sign_in(page, base: str, login: str) -> None:
    open_view(page, base, "#/settings", wait="#language")
    signing_in = page.locator("form", has=page.get_by_role("heading", name="Sign in"))
    signing_in.get_by_label("Email (workers) or username (peers)").fill(login)
    signing_in.get_by_label("Password").fill(PASSWORD)
    signing_in.get_by_role("button", name="Sign in").click()


def snap(page, name: str) -> None:
    if SCREENSHOTS:  # SCREENSHOT_DIR=... to look at the walk
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_guesses_elsewhere_never_lock_a_person_out_of_their_own_phone(
        chromium, live_server, client):
    email = f"rosa-{uuid.uuid4().hex[:8]}@example.org"
    rosa = new_phone(chromium)
    stranger = new_phone(chromium)
    try:
        sign_up_worker(rosa, live_server, "Rosa", email)
        cookies = {c["name"]: c for c in rosa.context.cookies()}
        assert cookies["__Host-rapport_device"]["httpOnly"]
        assert cookies["__Host-rapport_device"]["secure"]
        open_view(rosa, live_server, "#/settings", wait="#language")
        rosa.get_by_role("button", name="Sign out").click()
        expect(rosa.locator("#status")).to_have_text("You are signed out.")
        # Signing out ends the session, and keeps the device cookie (it names no one).
        names = {c["name"] for c in rosa.context.cookies()}
        assert "__Host-rapport_session" not in names and "__Host-rapport_device" in names

        # Someone tries Rosa's password from other addresses, over and over.
        for n in range(12):
            guess = client.post("/api/v1/auth/token", environ_base={
                "REMOTE_ADDR": f"198.51.100.{n}"}, json={"email": email, "password": f"guess {n}!"})
            assert guess.status_code in (401, 429)

        # A phone that never signed in to Rosa's account is asked to wait, in plain words.
        sign_in(stranger, live_server, email)
        error = stranger.locator("form .error").first
        expect(error).to_contain_text("Too many tries")
        expect(error).to_contain_text("A phone you signed in on before can sign in now.")
        snap(stranger, "sign-in-new-phone-waits")

        # Rosa's own phone gets straight in.
        sign_in(rosa, live_server, email)
        rosa.locator("main h1", has_text="Today").wait_for()
        snap(rosa, "sign-in-own-phone")
        assert not rosa.errors and not stranger.errors
    finally:
        rosa.context.close()
        stranger.context.close()


def test_the_wait_is_explained_in_spanish_too(chromium, live_server, client):
    email = f"luz-{uuid.uuid4().hex[:8]}@example.org"
    client.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                               "display_name": "Luz"})
    for n in range(5):
        client.post("/api/v1/auth/token", environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
                    json={"email": email, "password": f"guess {n}!"})
    phone = new_phone(chromium, locale="es-ES")
    try:
        open_view(phone, live_server, "#/settings", wait="#language")
        signing_in = phone.locator("form", has=phone.get_by_role("heading",
                                                                  name="Iniciar sesión"))
        signing_in.get_by_label(
            "Correo (acompañantes de pares) o usuario (personas acompañadas)").fill(email)
        signing_in.get_by_label("Contraseña").fill(PASSWORD)
        signing_in.get_by_role("button", name="Iniciar sesión").click()
        expect(phone.locator("form .error").first).to_contain_text("Demasiados intentos")
        snap(phone, "sign-in-espera")
    finally:
        phone.context.close()
