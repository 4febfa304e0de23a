"""The person supported has their own app, in Spanish throughout: they join with their
worker's invite, find on Today how to tell how the last talk went, read tips and FAQs written
to them, choose for themselves who sees their session check, are told kindly and truly what a
low check means, and read the two-sided view in the second person. Before, a peer met worker
training, FAQs about caseloads, a preselected "share", and "time to talk" at 30 of 40."""

import os
import uuid
from datetime import UTC, datetime

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, new_phone, open_view, signed_in_as
from tests.e2e.test_pwa_together import invite_code, sign_up_worker, worker_with_goal

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
PEER_TIP_TITLES = {"Tú marcas el ritmo", "Di lo que te sirve", "Los pasos pequeños cuentan",
                   "Cuando algo no se siente bien"}


def snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"peer-{name}.png"), full_page=True)


def no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def join_in_spanish(page, base: str, code: str, name: str, username: str) -> None:
    open_view(page, base, "#/settings", wait="#language")
    page.get_by_text("¿Tienes un código de invitación? Únete").click()
    joining = page.locator("details[open]")
    joining.get_by_label("Código de invitación").fill(code)
    joining.get_by_label("Tu nombre").fill(name)
    joining.get_by_label("Elige un nombre de usuario").fill(username)
    joining.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Unirme").click()
    expect(page.locator("main h1")).to_have_text("Con Rosa")


def answer_session_check(page, values) -> None:
    page.get_by_role("button", name="Empezar").click()
    for value in values:
        page.locator("main fieldset").get_by_text(str(value), exact=True).click()
        page.locator("main button.sc-go").click()


def test_a_peer_reads_their_own_app_in_spanish(chromium, live_server):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    peer = new_phone(chromium, locale="es-US")
    errors = []
    peer.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_up_worker(worker, live_server, "Rosa", f"rosa-{tag}@example.org")
        join_in_spanish(peer, live_server, invite_code(worker, live_server), "Sam", f"sam{tag}")

        # Today: the session check is one tap away, and the tip is written to them.
        open_view(peer, live_server, "#/", wait="main #talk")
        expect(peer.locator("main #talk")).to_have_text("¿Cómo te fue en la última charla?")
        tip_title = peer.locator("main article h2").inner_text()
        assert tip_title in PEER_TIP_TITLES, tip_title
        expect(peer.locator("nav.tabs")).to_have_attribute("aria-label", "Principal")
        expect(peer.locator('nav.tabs a[href="#/self-check"]')).to_have_text("Sesión")
        snap(peer, "today")
        no_axe_violations(peer)

        # Tips and questions are theirs, not worker training.
        open_view(peer, live_server, "#/tips", wait="main ul.plain li")
        assert set(peer.locator("main ul.plain li").all_inner_texts()) == PEER_TIP_TITLES
        open_view(peer, live_server, "#/faq", wait="main details")
        questions = peer.locator("main details summary").all_inner_texts()
        assert "¿Quién puede ver mis metas y mis avances?" in questions
        assert not any("casos" in q for q in questions)  # nothing about a worker's caseload
        snap(peer, "faq")

        # The session check: 30 of 40, with answers under 8, is flagged.
        open_view(peer, live_server, "#/", wait="main #talk")
        peer.get_by_role("link", name="Cuéntanos de Rosa").click()
        answer_session_check(peer, [9, 6, 7, 8])
        finish = peer.get_by_role("button", name="Terminar")
        expect(finish).to_be_disabled()  # nothing is chosen for them
        for choice in peer.locator("main input[type=radio]").all():
            assert not choice.is_checked()
        expect(peer.get_by_text("Nadie ve tus respuestas. Solo se suman a totales sin nombres."))\
            .to_be_visible()
        snap(peer, "share-choice")
        no_axe_violations(peer)
        peer.get_by_text("Mi acompañante puede ver mis respuestas").click()
        expect(finish).to_be_enabled()
        finish.click()
        thanks = peer.locator("main").get_by_text("Gracias por tu sinceridad.", exact=False)
        expect(thanks).to_contain_text("algunas cosas podrían ir mejor")
        expect(thanks).not_to_contain_text("es momento")

        # Both sides, said to them: "Tú" and their worker, and help written for them.
        partnership = peer.url.split("/partnerships/")[1].split("/")[0]
        open_view(peer, live_server, f"#/partnerships/{partnership}/rapport", wait="main meter")
        main = peer.locator("main")
        expect(main.get_by_role("heading", name="Algunas cosas podrían ir mejor")).to_be_visible()
        expect(main.get_by_role("link", name="Cuando algo no se siente bien")).to_be_visible()
        expect(main.locator("label", has_text="Tú")).to_have_count(4)  # their side, each area
        expect(main).to_contain_text("Tu acompañante todavía no ha hecho su autoevaluación.")
        snap(peer, "both-sides")
        no_axe_violations(peer)

        # The worker learns it on Today, one tap from the view that says why...
        open_view(worker, live_server, "#/", wait="main #time-to-talk")
        worker.get_by_role("link", name="Sam's last session check asks for a talk about how it "
                                        "is going.").click()
        worker.locator("main meter").first.wait_for()
        assert worker.url.endswith(f"#/partnerships/{partnership}/rapport")
        # ...which shows the same numbers, said to them, with worker help.
        main = worker.locator("main")
        talk = main.get_by_role("heading", name="Time to talk about how it is going")
        expect(talk).to_be_visible()
        expect(main.locator("label", has_text="Your peer")).to_have_count(4)
        expect(main).to_contain_text("You have not done a self-check yet.")
        expect(main.get_by_role("link", name="Cuando algo no se siente bien")).to_have_count(0)
        assert errors == []
    finally:
        worker.context.close()
        peer.context.close()


def test_aggregate_only_says_so_and_never_talks_of_a_flag(chromium, live_server):
    tag = uuid.uuid4().hex[:8]
    worker = new_phone(chromium)
    peer = new_phone(chromium, locale="es-US", color_scheme="dark")
    try:
        sign_up_worker(worker, live_server, "Rosa", f"rosa-{tag}@example.org")
        join_in_spanish(peer, live_server, invite_code(worker, live_server), "Sam", f"sam{tag}")
        open_view(peer, live_server, "#/", wait="main #talk")
        no_axe_violations(peer)  # dark
        peer.get_by_role("link", name="Cuéntanos de Rosa").click()
        answer_session_check(peer, [2, 2, 2, 2])
        peer.get_by_text("Solo contarlas en los totales anónimos de la agencia").click()
        no_axe_violations(peer)
        peer.get_by_role("button", name="Terminar").click()
        expect(peer.locator("main")).to_contain_text(
            "Tus respuestas solo cuentan en totales sin nombres.")
        expect(peer.locator("main")).not_to_contain_text("sinceridad")
    finally:
        worker.context.close()
        peer.context.close()


def test_a_check_in_made_offline_keeps_the_time_it_was_made(chromium, live_server, client):
    """It reaches the server later, but counts when it was made: the API keeps both times."""
    worker, worker_token, peer_token, goal = worker_with_goal(chromium, live_server, client)
    peer = new_phone(chromium, locale="es-US")
    try:
        signed_in_as(peer, live_server, peer_token)
        open_view(peer, live_server, f"#/goals/{goal['id']}", wait=".milestones li")
        peer.route("**/checkins", lambda route: route.abort()
                   if route.request.method == "POST" else route.continue_())
        made = datetime.now(UTC)
        peer.locator("#progress").fill("4")
        peer.get_by_role("button", name="Guardar avance").click()
        expect(peer.locator(".checkins .badge")).to_have_text("Guardado en este teléfono")
        peer.wait_for_timeout(3000)  # the network is gone for a while
        peer.unroute("**/checkins")
        peer.reload()  # the app sends what waited when it opens
        expect(peer.locator(".checkins .badge")).to_have_text("Enviado")
        [checkin] = client.get(f"/api/v1/goals/{goal['id']}/checkins",
                               headers={"Authorization": f"Bearer {worker_token}"}).get_json()
        created = datetime.fromisoformat(checkin["created_at"])
        received = datetime.fromisoformat(checkin["received_at"])
        assert abs((created - made).total_seconds()) < 2, (created, made)
        assert (received - created).total_seconds() >= 3
    finally:
        peer.context.close()
        worker.context.close()
