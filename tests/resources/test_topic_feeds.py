"""Group topic feeds and the topics embed: the tip feeds' code and rules, for the topics. Each
item carries the whole topic as text (opening question, deeper questions, facilitator's guide)
and links into the app keeping `lang` and `agency`; an agency's published topics lead."""

import json
from pathlib import Path

import feedparser
import jsonschema
import pytest

from tests.resources.test_tip_feeds import HOSTILE
from tests.resources.test_topics import topic_body

SCHEMA = json.loads((Path(__file__).parent.parent / "data" / "jsonfeed-1.1.schema.json")
                    .read_text())
FEEDS = {"json": "application/feed+json", "atom": "application/atom+xml",
         "rss": "application/rss+xml"}


def core_topics(client, lang="en"):
    return client.get("/api/v1/topics", query_string={"lang": lang, "page_size": 100}).get_json()


def publish(client, world, slug="our-group-agreements", title=None):
    body = topic_body(slug)
    if title:
        body["text"]["en"]["title"] = title
    base = f"/api/v1/agencies/{world.agency_a}/topics"
    headers = world["admin_a"].headers
    assert client.post(base, json=body, headers=headers).status_code == 201
    assert client.patch(f"{base}/{slug}", json={"status": "published"},
                        headers=headers).status_code == 200


def entries(client, kind, **query):
    got = client.get(f"/feeds/topics.{kind}", query_string=query)
    assert got.status_code == 200, got.get_data(as_text=True)[:300]
    assert got.mimetype == FEEDS[kind]
    if kind == "json":
        return got.get_json()["items"]
    parsed = feedparser.parse(got.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


def test_the_topic_json_feed_validates_and_carries_the_whole_topic(client):
    got = client.get("/feeds/topics.json", query_string={"lang": "es"})
    document = got.get_json()
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.FormatChecker())
    topics = core_topics(client, "es")
    assert document["language"] == "es" and len(document["items"]) == len(topics)
    assert document["title"] == "Temas para grupos de Rapport"
    assert got.headers["Content-Language"].startswith("es")
    first, topic = document["items"][0], topics[0]
    assert first["url"] == f"http://localhost/#/topics/{topic['slug']}?lang=es"
    assert first["title"] == topic["title"] and first["summary"] == topic["opening_question"]
    text = first["content_text"]
    assert text.startswith(topic["opening_question"])
    for question in topic["deeper_questions"]:
        assert f"- {question}" in text
    for part in topic["guide"].values():
        assert part in text
    assert "Guía para quien facilita" in text
    assert first["language"] == "es" and first["authors"] == [{"name": "Rapport"}]


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_topic_atom_and_rss_parse_cleanly_with_items_linking_to_the_app(client, kind):
    items = entries(client, kind, lang="es")
    topics = core_topics(client, "es")
    assert len(items) == len(topics)
    assert items[0].link == f"http://localhost/#/topics/{topics[0]['slug']}?lang=es"
    assert items[0].title == topics[0]["title"] and items[0].get("language") == "es"
    assert topics[0]["deeper_questions"][0] in items[0].content[0].value


@pytest.mark.parametrize("kind", FEEDS)
def test_topic_feeds_revalidate_and_are_open_to_every_origin(client, kind):
    first = client.get(f"/feeds/topics.{kind}")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.cache_control.public and first.last_modified is not None
    etag = first.headers["ETag"]
    assert etag != client.get(f"/feeds/tips.{kind}").headers["ETag"]
    assert client.get(f"/feeds/topics.{kind}",
                      headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/feeds/topics.{kind}", query_string={"lang": "es"},
                      headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("kind", FEEDS)
def test_an_agency_topic_feed_leads_with_its_published_topics(client, world, kind):
    publish(client, world)
    items = entries(client, kind, agency=world.agency_a, lang="es")
    url = items[0]["url"] if kind == "json" else items[0].link
    assert url == f"http://localhost/#/topics/our-group-agreements?lang=es&agency={world.agency_a}"
    author = items[0]["authors"][0]["name"] if kind == "json" else items[0].author
    assert author == "Agency A"
    assert len(items) == len(core_topics(client)) + 1
    assert len(entries(client, kind)) == len(core_topics(client))
    assert len(entries(client, kind, agency=world.agency_b)) == len(core_topics(client))


@pytest.mark.parametrize("kind", FEEDS)
def test_agency_markup_stays_text_in_every_topic_feed(client, world, kind):
    publish(client, world, title=HOSTILE)
    got = client.get(f"/feeds/topics.{kind}", query_string={"agency": world.agency_a})
    if kind == "json":
        assert got.get_json()["items"][0]["title"] == HOSTILE
        return
    raw = got.get_data(as_text=True)
    assert "<script>" not in raw and "<img" not in raw


def test_unknown_agency_or_language_is_a_clear_error(client):
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get("/feeds/topics.json", query_string={"agency": missing}).status_code == 404
    assert client.get("/feeds/topics.rss", query_string={"lang": "fr"}).status_code == 422


def test_the_topics_embed_shows_topics_with_the_tips_embeds_rules(client, world):
    publish(client, world, title=HOSTILE)
    with client.get("/embed/topics", query_string={
            "agency": world.agency_a, "lang": "es", "count": 2, "theme": "dark"}) as got:
        page = got.get_data(as_text=True)
        assert got.status_code == 200 and got.mimetype == "text/html"
        csp = got.headers["Content-Security-Policy"]
        assert csp == client.get("/embed/tips").headers["Content-Security-Policy"]
        assert "frame-ancestors *" in csp and "unsafe-inline" not in csp
        assert got.headers["Content-Language"].startswith("es")
        assert got.cache_control.public and got.headers["ETag"]
    assert page.count("<article") == 2
    assert "<script>alert" not in page and "&lt;script&gt;" in page  # escaped: text
    assert f"#/topics/our-group-agreements?lang=es&amp;agency={world.agency_a}" in page
    assert "What helps you feel safe here?" in page  # the opening question
    assert 'data-theme="dark"' in page and 'src="/embed/frame.js"' in page
    assert f'#/topics?lang=es&amp;agency={world.agency_a}"' in page  # "more" goes to the list
    first = core_topics(client)[0]
    plain = client.get("/embed/topics", query_string={"compact": "true"}).get_data(as_text=True)
    assert f"#/topics/{first['slug']}?lang=en" in plain and 'class="compact"' in plain
    assert plain.count("<article") == 3
    assert client.get("/embed/topics", query_string={"count": 0}).status_code == 422
