"""Handing over a caseload in the browser: the agency admin asks on the handover screen (each
partnership shown by its start date, never the peer's name), the peer sees the request on
Today at 360 px (English and Spanish), agrees, and at once the new worker sees the shared
goals while the old worker no longer does; both members then read who supported when."""

import os

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import new_phone, open_view, signed_in_as
from tests.e2e.test_change_and_undo import no_axe_violations
from tests.factories import make_worker

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def snap(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"handover-{name}.png"), full_page=True)


DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False,
           "device_scale_factor": 1}


def axe_clean(page) -> None:
    """No axe violations in light and dark (at any width: this is the desktop console)."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = Axe().run(page)
        assert results.violations_count == 0, f"{scheme}: {results.generate_report()}"
    page.emulate_media(color_scheme="light")


def test_the_admin_asks_the_peer_agrees_and_the_partnership_moves(
        chromium, live_server, client, world):
    with world.app.app_context():
        new = make_worker("Nadia_New", agency_code=world.fresh_join_code("a"))
    world.fresh_goal("Walk to the lake")
    partnership = world.partnership_a
    admin = new_phone(chromium, **DESKTOP)
    peer = new_phone(chromium)
    spanish = new_phone(chromium, locale="es-ES")
    newcomer, old = new_phone(chromium), new_phone(chromium)
    try:
        # The admin chooses by start date only, and asks.
        signed_in_as(admin, live_server, world["admin_a"].token)
        open_view(admin, live_server, f"#/agency/members/{world['worker_a'].id}/handover",
                  wait=".handover-form")
        main = admin.locator("main")
        expect(main.locator("h1")).to_have_text("Hand over Worker A's partnerships")
        choice = main.get_by_role("checkbox")
        expect(choice).to_be_checked()
        expect(main.locator(".handover-choices")).to_contain_text("Started")
        expect(main.locator(".handover-choices")).to_contain_text("check-ins every 7 days")
        assert "Peer A" not in main.inner_text()
        main.get_by_label("Hand over to").select_option(label="Nadia New")
        snap(admin, "admin")
        main.get_by_role("button", name="Ask them").click()
        expect(main.locator(".handover-requests")).to_contain_text("waiting for an answer")
        expect(main.locator(".handover-requests")).to_contain_text("Worker A to Nadia New")
        assert "Peer A" not in main.inner_text()
        expect(main.get_by_role("button", name="Cancel request")).to_be_visible()
        axe_clean(admin)

        # Before the answer nothing has moved.
        signed_in_as(old, live_server, world["worker_a"].token)
        open_view(old, live_server, f"#/partnerships/{partnership}", wait="main ul.plain li")
        expect(old.locator("main")).to_contain_text("Walk to the lake")

        # The peer's card, in Spanish too.
        signed_in_as(spanish, live_server, world["peer_a"].token)
        open_view(spanish, live_server, "#/", wait=".handover-ask")
        expect(spanish.locator(".handover-ask")).to_contain_text(
            "Agency A pide pasar tu acompañamiento de Worker A a Nadia New.")
        expect(spanish.get_by_role("button", name="Ahora no")).to_be_visible()

        signed_in_as(peer, live_server, world["peer_a"].token)
        open_view(peer, live_server, "#/", wait=".handover-ask")
        card = peer.locator(".handover-ask")
        expect(card).to_contain_text(
            "Agency A asks to move your support from Worker A to Nadia New. If you agree, "
            "Nadia New will see your shared goals and check-ins, and Worker A will not.")
        no_axe_violations(peer)
        snap(peer, "peer-card")
        card.get_by_role("button", name="Agree").click()
        expect(peer.locator("#status")).to_have_text("Done. Nadia New supports you now.")
        expect(peer.locator(".handover-ask")).to_have_count(0)

        # At once: the new worker has the goals, the old one has nothing.
        signed_in_as(newcomer, live_server, new.token)
        open_view(newcomer, live_server, f"#/partnerships/{partnership}", wait="main ul.plain li")
        expect(newcomer.locator("main")).to_contain_text("Walk to the lake")
        open_view(old, live_server, f"#/partnerships/{partnership}", wait="main p")
        expect(old.locator("main")).to_contain_text("We could not find that")
        expect(old.locator("main")).not_to_contain_text("Walk to the lake")
        assert client.get(f"/api/v1/partnerships/{partnership}/goals",
                          headers=world["worker_a"].headers).status_code == 404

        # Who supported when, in the partnership's settings.
        open_view(peer, live_server, f"#/partnerships/{partnership}/settings",
                  wait=".handover-history li")
        expect(peer.locator(".handover-history")).to_contain_text(
            "support moved from Worker A to Nadia New")
        # The peer's access log tells of the request and the answer in plain words.
        open_view(peer, live_server, "#/settings/access-log", wait=".access-log li")
        expect(peer.locator(".access-log")).to_contain_text(
            "An agency admin · asked for a move of the partnership to another worker")
        expect(peer.locator(".access-log")).to_contain_text(
            "You · agreed to a move of the partnership to another worker")
        open_view(admin, live_server, f"#/agency/members/{world['worker_a'].id}/handover",
                  wait=".handover-requests")
        expect(admin.locator(".handover-requests")).to_contain_text("agreed")
        snap(admin, "admin-after")
        snap(peer, "peer-history")
        for page in (admin, peer, spanish, newcomer, old):
            assert page.errors == [], page.errors
    finally:
        for page in (admin, peer, spanish, newcomer, old):
            page.context.close()


def test_the_admin_cancels_and_the_peers_not_now_keeps_things_as_they_were(
        chromium, live_server, client, world):
    with world.app.app_context():
        new = make_worker("Nadia_New", agency_code=world.fresh_join_code("a"))
    ask = lambda: client.post(  # noqa: E731
        f"/api/v1/agencies/{world.agency_a}/handovers", headers=world["admin_a"].headers,
        json={"from_worker_id": world["worker_a"].id, "to_worker_id": new.id})
    assert ask().status_code == 201
    admin, peer = new_phone(chromium, **DESKTOP), new_phone(chromium)
    try:
        signed_in_as(admin, live_server, world["admin_a"].token)
        open_view(admin, live_server, f"#/agency/members/{world['worker_a'].id}/handover",
                  wait=".handover-requests")
        admin.get_by_role("button", name="Cancel request").click()
        expect(admin.locator("#status")).to_have_text("Request cancelled.")
        expect(admin.locator(".handover-requests")).to_contain_text("cancelled")

        signed_in_as(peer, live_server, world["peer_a"].token)
        open_view(peer, live_server, "#/")
        expect(peer.locator(".handover-ask")).to_have_count(0)
        assert ask().status_code == 201
        open_view(peer, live_server, "#/", wait=".handover-ask")
        peer.get_by_role("button", name="Not now").click()
        expect(peer.locator("#status")).to_have_text(
            "You said not now. Worker A still supports you.")
        expect(peer.locator(".handover-ask")).to_have_count(0)
        seen = client.get(f"/api/v1/partnerships/{world.partnership_a}",
                          headers=world["peer_a"].headers).get_json()
        assert seen["worker"]["id"] == world["worker_a"].id
        assert admin.errors == [] and peer.errors == []
    finally:
        admin.context.close()
        peer.context.close()
