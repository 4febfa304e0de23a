"""Errors at the field, in the person's language: a Spanish phone that sends a bad email
address sees the server's message in Spanish under the email field, which is marked invalid
and focused; before, it read "Not a valid email address." in a block under the button."""

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, new_phone, open_view


def test_a_spanish_sign_up_shows_the_problem_at_its_field(chromium, live_server):
    phone = new_phone(chromium, locale="es-MX")
    try:
        open_view(phone, live_server, "#/settings", wait="#language")
        phone.get_by_text("¿Eres acompañante de pares y todavía no tienes cuenta? Crea una").click()
        signing_up = phone.locator("details[open]")
        signing_up.get_by_label("Tu nombre").fill("Lucía")
        email = signing_up.get_by_label("Correo", exact=True)
        email.fill("lucia-sin-arroba")
        signing_up.get_by_label("Contraseña").fill(PASSWORD)
        phone.get_by_role("button", name="Crear cuenta").click()

        note = signing_up.locator(".field-error")
        expect(note).to_have_text("No es un correo electrónico válido.")
        expect(email).to_have_attribute("aria-invalid", "true")
        expect(email).to_be_focused()
        assert note.get_attribute("id") in email.get_attribute("aria-describedby")
        expect(signing_up.locator("p.error[role=alert]")).to_be_empty()

        email.fill("lucia@example.org")  # fixed: the note goes with the next try
        phone.get_by_role("button", name="Crear cuenta").click()
        phone.locator("main h1", has_text="Hoy").wait_for()
        assert phone.errors == []
    finally:
        phone.context.close()
