"""An agency site on another origin embeds the tips two ways, and both show them safely."""

import json

import pytest

from tests.e2e.conftest import serving

HOSTILE = '<script>alert("title")</script><img src=x onerror="alert(\'img\')">'


def host_page(rapport: str, agency: str) -> bytes:
    """The agency's own page: its own styles, an iframe and the script snippet."""
    return f"""<!doctype html><html><head><title>Agency site</title>
<style>* {{ color: red !important; font-size: 40px !important; }} h2 {{ display: none; }}</style>
</head><body>
<h1>Our agency</h1>
<iframe id="tips" title="Rapport tips" width="400" height="600"
  src="{rapport}/embed/tips?agency={agency}&count=20&theme=dark"></iframe>
<div id="card" data-rapport-tips data-lang="es" data-agency="{agency}"></div>
<script src="{rapport}/embed.js" async></script>
</body></html>""".encode()


@pytest.fixture
def agency_site(live_server, world, client):
    """Agency A publishes a tip whose title is an attack, and hosts a page elsewhere."""
    body = {"slug": "hostile", "status": "published", "text": {"en": {
        "title": HOSTILE, "summary": "onerror=alert(1)", "body": "<b>bold?</b>"}}}
    made = client.post(f"/api/v1/agencies/{world.agency_a}/tips", json=body,
                       headers=world["admin_a"].headers)
    assert made.status_code == 201, made.get_json()
    page = host_page(live_server, world.agency_a)

    def site(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page]

    with serving(site) as url:
        yield url


def test_an_agency_page_on_another_origin_shows_both_embeds(page, agency_site, live_server,
                                                              client, world):
    today = client.get("/api/v1/tips/today",
                       query_string={"lang": "es", "agency": world.agency_a}).get_json()
    page.goto(agency_site)
    assert not page.url.startswith(live_server)  # truly another origin

    frame = page.frame_locator("#tips")
    titles = frame.locator("article h2")
    titles.first.wait_for()
    assert titles.count() == 12  # the 11 core tips and the agency's own
    # The attack shows as the very characters typed, and nothing ran.
    assert frame.get_by_text(HOSTILE, exact=True).count() == 1
    assert frame.locator("script, img").count() == 0
    link = frame.locator("article h2 a").first.get_attribute("href")
    assert link.startswith(live_server + "/#/tips/")

    card = page.locator("#card")
    heading = card.locator("h2")  # Playwright pierces the open shadow root
    heading.wait_for()
    assert heading.inner_text() == today["title"]
    assert card.locator("a").first.get_attribute("href").startswith(live_server)
    # The host's CSS does not reach into the card: its h2 is shown, in its own colour.
    assert heading.is_visible()
    assert heading.evaluate("h => getComputedStyle(h).color") != "rgb(255, 0, 0)"
    assert page.dialogs == []


def test_an_agency_tips_link_opens_it_in_the_app(page, agency_site, live_server):
    page.goto(agency_site)
    frame = page.frame_locator("#tips")
    link = frame.locator("article h2 a").last  # the agency's own tip, after the core ones
    link.wait_for()
    page.goto(link.get_attribute("href"))
    page.locator("main h1").wait_for()
    assert page.locator("main h1").inner_text() == HOSTILE  # found, and shown as text
    assert page.dialogs == []


def test_the_script_writes_hostile_text_as_text(page, agency_site, live_server):
    hostile_tip = {"slug": "x", "title": HOSTILE, "summary": HOSTILE,
                   "actions": ['<img src=x onerror="alert(1)">']}
    page.route(f"{live_server}/api/v1/tips/today*", lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(hostile_tip),
        headers={"Access-Control-Allow-Origin": "*"}))
    page.goto(agency_site)
    card = page.locator("#card")
    card.locator("h2").wait_for()
    assert card.locator("h2").inner_text() == HOSTILE
    assert card.locator("img, script").count() == 0
    page.wait_for_timeout(200)
    assert page.dialogs == []


def test_only_the_iframe_page_may_be_framed(client):
    with client.get("/embed/tips") as embed, client.get("/") as app_page:
        assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
        assert "default-src 'none'" in embed.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in app_page.headers["Content-Security-Policy"]
