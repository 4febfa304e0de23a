"""Tip feeds: they parse cleanly in a real reader library, validate, revalidate cheaply, speak
the asked-for language, carry an agency's published tips, and never its drafts or markup."""

import json
from datetime import datetime
from pathlib import Path

import feedparser
import jsonschema
import pytest

from tests.resources.test_agency_content import CORE_TIPS, tip_body

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "jsonfeed-1.1.schema.json")
                    .read_text())
FEEDS = {"json": "application/feed+json", "atom": "application/atom+xml",
         "rss": "application/rss+xml"}
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def publish(client, world, slug="before-a-first-visit", status="published", title=None):
    body = tip_body(slug, status=status)
    if title:
        body["text"]["en"]["title"] = title
    made = client.post(f"/api/v1/agencies/{world.agency_a}/tips", json=body,
                       headers=world["admin_a"].headers)
    assert made.status_code == 201, made.get_json()


def entries(client, kind, **query):
    got = client.get(f"/feeds/tips.{kind}", query_string=query)
    assert got.status_code == 200, got.get_data(as_text=True)[:300]
    assert got.mimetype == FEEDS[kind]
    if kind == "json":
        return got.get_json()["items"]
    parsed = feedparser.parse(got.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def test_the_json_feed_validates_against_json_feed_1_1(client):
    got = client.get("/feeds/tips.json", query_string={"lang": "es"})
    document = got.get_json()
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert document["language"] == "es" and len(document["items"]) == CORE_TIPS
    first = document["items"][0]
    assert first["url"] == "http://localhost/#/tips/be-yourself?lang=es"
    assert first["language"] == "es" and first["authors"] == [{"name": "Rapport"}]
    for key in ("date_published", "date_modified"):
        assert datetime.fromisoformat(first[key]).tzinfo is not None


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_atom_and_rss_parse_cleanly_with_items_linking_to_the_app(client, kind):
    items = entries(client, kind, lang="es")
    assert len(items) == CORE_TIPS
    first = items[0]
    assert first.link == "http://localhost/#/tips/be-yourself?lang=es"
    assert first.title == "Muéstrate como eres" and first.get("language") == "es"
    assert first.get("author") == "Rapport"
    assert first.get("published_parsed") is not None
    if kind == "atom":
        assert first.get("updated_parsed") is not None
    parsed = feedparser.parse(client.get(f"/feeds/tips.{kind}", query_string={"lang": "es"}).data)
    assert parsed.feed.language == "es"


@pytest.mark.parametrize("kind", FEEDS)
def test_feeds_revalidate_with_etag_and_last_modified(client, kind):
    first = client.get(f"/feeds/tips.{kind}")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.cache_control.public and first.last_modified is not None
    etag = first.headers["ETag"]
    assert client.get(f"/feeds/tips.{kind}", headers={"If-None-Match": etag}).status_code == 304
    since = first.headers["Last-Modified"]
    assert client.get(f"/feeds/tips.{kind}",
                      headers={"If-Modified-Since": since}).status_code == 304
    # Another language is another document.
    assert client.get(f"/feeds/tips.{kind}", query_string={"lang": "es"},
                      headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("kind", FEEDS)
def test_an_agency_feed_adds_its_published_tips_attributed_and_never_drafts(
        client, world, kind):
    publish(client, world)
    publish(client, world, "still-a-draft", status="draft")
    slugs = [(item["url"] if kind == "json" else item.link).split("#/tips/")[1].split("?")[0]
             for item in entries(client, kind, agency=world.agency_a)]
    assert slugs[0] == "before-a-first-visit"  # the agency's own first
    assert len(slugs) == CORE_TIPS + 1
    assert "still-a-draft" not in slugs
    first = entries(client, kind, agency=world.agency_a)[0]
    author = first["authors"][0]["name"] if kind == "json" else first.author
    assert author == "Agency A"
    core_only = entries(client, kind)
    assert len(core_only) == CORE_TIPS
    assert len(entries(client, kind, agency=world.agency_b)) == CORE_TIPS


def test_a_published_tip_changes_the_feed_and_its_validators(client, world):
    before = client.get("/feeds/tips.atom", query_string={"agency": world.agency_a})
    publish(client, world)
    after = client.get("/feeds/tips.atom", query_string={"agency": world.agency_a},
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.last_modified > before.last_modified


@pytest.mark.parametrize("kind", FEEDS)
def test_agency_markup_stays_text_in_every_feed(client, world, kind):
    publish(client, world, title=HOSTILE)
    got = client.get(f"/feeds/tips.{kind}", query_string={"agency": world.agency_a})
    if kind == "json":
        item = got.get_json()["items"][0]
        assert item["title"] == HOSTILE and "content_html" not in item
        return
    raw = got.get_data(as_text=True)
    assert "<script>" not in raw and "<img" not in raw
    entry = feedparser.parse(got.data).entries[0]
    if kind == "atom":  # plain text: the reader shows exactly these characters
        assert entry.title == HOSTILE and entry.title_detail.type == "text/plain"
    else:  # HTML by definition in RSS: escaped, so it shows as text
        assert "&lt;script&gt;" in entry.title and "<script" not in entry.title


def test_an_unknown_agency_or_language_is_a_clear_error(client):
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get("/feeds/tips.rss", query_string={"agency": missing}).status_code == 404
    assert client.get("/feeds/tips.atom", query_string={"lang": "fr"}).status_code == 422


def test_the_app_page_lets_readers_discover_the_feeds(client):
    with client.get("/") as response:  # a file response: close it
        page = response.get_data(as_text=True)
    for kind, mimetype in FEEDS.items():
        assert f'<link rel="alternate" type="{mimetype}"' in page
        assert f'href="/feeds/tips.{kind}"' in page
