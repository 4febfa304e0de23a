"""An agency site on another origin embeds the tips two ways, and both show them safely.

The page below is what an agency would make from the README: its iframe snippet copied as
it stands, a second iframe sized by embed.js, and the script's card. Before, the README's
count=3 iframe never showed the agency's own tips (they came after all 11 core ones), its
fixed height clipped the tips or left a scrollbar inside, and its links lost `lang` and
`agency`, so the app opened in another language without the agency's tips."""

import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serving
from tests.helpers import core_tips

HOSTILE = '<script>alert("title")</script><img src=x onerror="alert(\'img\')">'
README = Path(__file__).resolve().parents[2] / "README.md"
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
PHONE, DESKTOP = {"width": 360, "height": 740}, {"width": 1280, "height": 900}


def readme_iframe(rapport: str, agency: str) -> str:
    """The README's iframe snippet, with the host and the agency filled in."""
    blocks = re.findall(r"```html\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    snippet = next(block for block in blocks if "/embed/tips" in block)
    assert "height=" not in snippet  # no guessed height: the page says how tall it is
    return snippet.replace("https://RAPPORT-HOST", rapport).replace("AGENCY-ID", agency)


def host_page(rapport: str, agency: str) -> bytes:
    """The agency's own page: hostile styles of its own, the README's iframe, a second iframe
    (no lang, every tip, a border in a border-box layout) sized by embed.js, and its card."""
    return f"""<!doctype html><html><head><title>Agency site</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>* {{ color: red !important; font-size: 40px !important; box-sizing: border-box; }}
h2 {{ display: none; }} #tips-all {{ border: 3px solid; padding: 2px; width: 100%; }}</style>
</head><body>
<h1>Our agency</h1>
{readme_iframe(rapport, agency)}
<iframe id="tips-all" title="All Rapport tips"
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


def fits(page, selector: str) -> dict:
    """Wait until the iframe's window is as tall as the page inside it; the heights."""
    frame = page.locator(selector).element_handle().content_frame()
    sizes = {}
    for _ in range(50):
        sizes = frame.evaluate("""() => ({
            window: document.documentElement.clientHeight,  // the iframe's inside height
            scroll: document.documentElement.scrollHeight,
            content: document.documentElement.getBoundingClientRect().height})""")
        # No scrollbar inside (all of it shows), and no empty band under it.
        if sizes["scroll"] <= sizes["window"] and sizes["window"] - sizes["content"] < 1:
            return sizes
        page.wait_for_timeout(100)
    raise AssertionError(f"{selector} does not fit its content: {sizes}")


def snap(page, name: str) -> None:
    # What the viewport shows: a full-page capture leaves a tall cross-origin iframe blank.
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"embed-{name}.png"))


def test_an_agency_page_on_another_origin_shows_both_embeds(page, agency_site, live_server,
                                                              client, world):
    today = client.get("/api/v1/tips/today",
                       query_string={"lang": "es", "agency": world.agency_a}).get_json()
    page.goto(agency_site)
    assert not page.url.startswith(live_server)  # truly another origin

    frame = page.frame_locator("#tips-all")
    titles = frame.locator("article h2")
    titles.first.wait_for()
    assert titles.count() == len(core_tips("worker")) + 1  # the core tips and the agency's own
    # The attack shows as the very characters typed, and nothing ran.
    assert frame.get_by_text(HOSTILE, exact=True).count() == 1
    assert frame.locator("img").count() == 0
    # The only script in the page is our own file: the one that says how tall it is.
    scripts = frame.locator("script")
    assert scripts.count() == 1
    assert scripts.get_attribute("src") == "/embed/frame.js"
    link = frame.locator("article h2 a").first.get_attribute("href")
    assert link.startswith(live_server + "/#/tips/")

    card = page.locator("#card")
    heading = card.locator("h2")  # Playwright pierces the open shadow root
    heading.wait_for()
    assert heading.inner_text() == today["title"]
    assert card.locator("a").first.get_attribute("href").startswith(live_server)
    # The host's CSS does not reach into the card: its h2 is shown, in its own colour and
    # size (not 40px: the host's root size does not scale it either).
    assert heading.is_visible()
    assert heading.evaluate("h => getComputedStyle(h).color") != "rgb(255, 0, 0)"
    assert heading.evaluate("h => getComputedStyle(h).fontSize") == "16.8px"
    assert page.dialogs == []


def test_the_readme_embed_leads_with_the_agency_tip_and_fits_at_any_width(
        page, agency_site, live_server, client, world):
    today = client.get("/api/v1/tips/today",
                       query_string={"lang": "es", "agency": world.agency_a}).get_json()
    page.set_viewport_size(PHONE)
    page.goto(agency_site)
    frame = page.frame_locator("#rapport-tips")
    articles = frame.locator("article")
    articles.first.wait_for()
    expect(articles).to_have_count(3)
    # The agency's own tip first, then the tip of the day (labelled once), then core ones.
    expect(articles.first.locator("h2")).to_have_text(HOSTILE)
    expect(articles.first.locator(".by")).to_have_text("De Agency A")
    labelled = articles.filter(has=frame.locator(".label"))
    expect(labelled).to_have_count(1)
    expect(labelled.locator("h2")).to_have_text(today["title"])

    for width, viewport in (("360", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        readme = fits(page, "#rapport-tips")  # the README's own listener sized it
        scripted = fits(page, "#tips-all")  # embed.js sized this one, border and all
        assert readme["window"] > 150 and scripted["window"] > 150  # grew past the default
        snap(page, f"agency-site-{width}")
    # Wider means shorter: the iframe followed the page down as well as up.
    wide = fits(page, "#tips-all")["window"]
    page.set_viewport_size(PHONE)
    assert fits(page, "#tips-all")["window"] > wide
    assert page.dialogs == []


def test_links_out_of_the_embeds_keep_the_language_and_the_agency(page, agency_site,
                                                                   live_server, world):
    page.goto(agency_site)
    readme = page.frame_locator("#rapport-tips")
    readme.locator("article").first.wait_for()
    card = page.locator("#card")
    card.locator("h2").wait_for()
    links = {
        "README iframe": (readme.locator("a"), "es"),
        # No ?lang=: the page was shown in the browser's language, and its links say which.
        "embed.js iframe": (page.frame_locator("#tips-all").locator("a"), "en"),
        "card": (card.locator("a"), "es"),
    }
    for name, (anchors, lang) in links.items():
        hrefs = anchors.evaluate_all("links => links.map(a => a.href)")
        assert len(hrefs) >= 2, name  # a tip, and "More tips"
        for href in hrefs:
            assert href.startswith(live_server + "/#/tips"), (name, href)
            query = parse_qs(urlsplit(href).fragment.partition("?")[2])
            assert query == {"lang": [lang], "agency": [world.agency_a]}, (name, href)

    # "More tips" opens the app in Spanish with the agency's tip in the list; the visit keeps
    # both, so the tip opens from the list too.
    more = readme.locator("p.more a").get_attribute("href")
    page.goto(more)
    expect(page.locator("main h1")).to_have_text("Consejos")
    page.get_by_role("link", name=HOSTILE).click()
    expect(page.locator("main h1")).to_have_text(HOSTILE)
    expect(page.get_by_role("link", name="Volver")).to_be_visible()
    assert page.dialogs == []


def test_an_agency_tips_link_opens_it_in_the_app(page, agency_site, live_server):
    page.goto(agency_site)
    frame = page.frame_locator("#tips-all")
    link = frame.locator("article h2 a").first  # the agency's own tip, before the core ones
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
        csp = embed.headers["Content-Security-Policy"]
        assert "frame-ancestors *" in csp and "default-src 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in app_page.headers["Content-Security-Policy"]
    with client.get("/embed/frame.js") as script:
        assert script.status_code == 200 and "javascript" in script.mimetype
        assert b"rapport:resize" in script.data


def test_the_topics_embed_renders_on_another_origin_and_fits(page, live_server, client):
    topics = client.get("/api/v1/topics", query_string={"lang": "es"}).get_json()
    site_page = f"""<!doctype html><html><head><title>Agency site</title></head><body>
<iframe id="topics" title="Rapport group topics" width="100%" style="border:0"
  src="{live_server}/embed/topics?lang=es&count=2"></iframe>
<script src="{live_server}/embed.js" async></script></body></html>""".encode()

    def site(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [site_page]

    with serving(site) as url:
        page.goto(url)
        assert not page.url.startswith(live_server)
        frame = page.frame_locator("#topics")
        articles = frame.locator("article")
        articles.first.wait_for()
        expect(articles).to_have_count(2)
        expect(articles.first.locator("h2")).to_have_text(topics[0]["title"])
        expect(articles.first.locator(".summary")).to_have_text(topics[0]["opening_question"])
        link = articles.first.locator("h2 a").get_attribute("href")
        assert link == f"{live_server}/#/topics/{topics[0]['slug']}?lang=es"
        assert fits(page, "#topics")["window"] > 150  # embed.js sized it to its content
        assert page.dialogs == []
