"""Group discussion topics over HTTP: the same public rules as tips."""

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import delete, select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.models import Topic, TopicTranslation
from tests.helpers import assert_problem, parse_links

FIELDS = {
    "slug", "position", "title", "opening_question", "deeper_questions", "guide",
    "related_tips", "tags", "language", "fallback", "last_reviewed", "agency",
}
GUIDE = {"how_to_open", "keep_it_safe", "if_someone_is_distressed"}


def test_lists_at_least_fourteen_core_topics_in_order(client):
    response = client.get("/api/v1/topics?page_size=100")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["Content-Language"] == "en"
    topics = response.get_json()
    assert len(topics) >= 14
    assert [t["position"] for t in topics] == sorted(t["position"] for t in topics)
    for topic in topics:
        assert set(topic) == FIELDS and set(topic["guide"]) == GUIDE
        assert topic["opening_question"].endswith("?")
        assert 2 <= len(topic["deeper_questions"]) <= 4
        assert topic["related_tips"] and topic["agency"] is None
        assert "988" in topic["guide"]["if_someone_is_distressed"]
        assert topic["language"] == "en" and topic["fallback"] is False


def test_related_tips_are_real_tips_titled_in_the_same_language(client):
    topic = client.get("/api/v1/topics/feeling-heard?lang=es").get_json()
    assert topic["language"] == "es"
    for ref in topic["related_tips"]:
        tip = client.get(f"/api/v1/tips/{ref['slug']}?lang=es")
        assert tip.status_code == 200
        assert tip.get_json()["title"] == ref["title"]


def test_spanish_by_query_parameter_and_by_accept_language(client):
    by_query = client.get("/api/v1/topics/feeling-heard?lang=es")
    by_header = client.get("/api/v1/topics/feeling-heard",
                           headers={"Accept-Language": "es-MX,es;q=0.9"})
    for response in (by_query, by_header):
        assert response.headers["Content-Language"] == "es"
        assert response.get_json()["title"] == "Sentirse escuchado"
    english = client.get("/api/v1/topics/feeling-heard?lang=en",
                         headers={"Accept-Language": "es"})
    assert english.get_json()["language"] == "en"  # ?lang= beats the header


def test_unsupported_lang_is_422_in_spanish_when_asked(client):
    body = assert_problem(client.get("/api/v1/topics?lang=fr",
                                     headers={"Accept-Language": "es"}), 422)
    assert "lang" in body["errors"]


def test_missing_translation_falls_back_to_english_and_says_so(app, client, restore_content):
    with app.app_context():
        topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == "small-wins"))
        db.session.execute(delete(TopicTranslation).where(
            TopicTranslation.topic_id == topic_id, TopicTranslation.language == "es"))
        db.session.commit()

    one = client.get("/api/v1/topics/small-wins?lang=es")
    assert one.get_json()["language"] == "en" and one.get_json()["fallback"] is True
    assert one.headers["Content-Language"] == "en"

    listed = client.get("/api/v1/topics?lang=es&page_size=100")
    by_slug = {t["slug"]: t for t in listed.get_json()}
    assert by_slug["small-wins"]["fallback"] is True
    assert by_slug["feeling-heard"]["fallback"] is False
    assert listed.headers["Content-Language"] == "es, en"


def test_search_ignores_case_and_accents_and_needs_every_word(client):
    assert "laughter-on-hard-days" in [t["slug"] for t in
                                       client.get("/api/v1/topics?q=LAUGH").get_json()]
    spanish = client.get("/api/v1/topics?q=como se siente la confianza&lang=es").get_json()
    assert [t["slug"] for t in spanish] == ["what-trust-feels-like"]
    assert client.get("/api/v1/topics?q=laugh zebra").get_json() == []


def test_tag_filter(client):
    topics = client.get("/api/v1/topics?tag=creativity").get_json()
    assert [t["slug"] for t in topics] == ["saying-it-without-words"]
    assert_problem(client.get("/api/v1/topics?tag=Not A Tag"), 422)


def test_etag_and_304(client):
    first = client.get("/api/v1/topics/showing-up")
    etag = first.headers["ETag"]
    assert etag.startswith('"')  # strong
    again = client.get("/api/v1/topics/showing-up", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    spanish = client.get("/api/v1/topics/showing-up?lang=es", headers={"If-None-Match": etag})
    assert spanish.status_code == 200  # another language is another representation


def test_paging_headers_and_links(client):
    response = client.get("/api/v1/topics?page_size=5&page=2")
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["page"] == 2 and meta["total"] >= 14
    assert len(response.get_json()) == 5
    links = parse_links(response.headers["Link"])
    assert {"first", "prev", "next", "last"} <= links.keys()
    assert_problem(client.get("/api/v1/topics?page_size=101"), 422)


def test_unknown_topic_and_unknown_agency_are_404(client):
    body = assert_problem(client.get("/api/v1/topics/no-such-topic?lang=es"), 404)
    assert "tema" in body["detail"]
    assert_problem(client.get(f"/api/v1/topics?agency={uuid.uuid4()}"), 404)


@pytest.fixture
def agency_topics(app, world, restore_content):
    """Agency A's own topics: one published, one draft; agency B's published one."""
    with app.app_context(), unit_of_work():
        for agency, slug, status, position in (
            (world.agency_a, "our-walking-group", "published", 1),
            (world.agency_a, "our-draft", "draft", 2),
            (world.agency_b, "their-topic", "published", 1),
        ):
            topic = Topic(slug=slug, position=position, related_tip_slugs=["be-yourself"],
                          agency_id=uuid.UUID(agency), status=status)
            topic.translations.append(TopicTranslation(
                language="en", title=f"Topic {slug}", opening_question="What helps you?",
                deeper_questions=["What else?", "Who else?"], guide_open="Open gently.",
                guide_safety="Anyone may pass.", guide_distress="Pause; 988 in danger.",
                last_reviewed=date(2026, 12, 3), search_text=f"topic {slug}"))
            db.session.add(topic)
    yield
    with app.app_context(), unit_of_work():
        db.session.execute(delete(Topic).where(Topic.agency_id.is_not(None)))


def test_an_agencys_published_topics_come_first_and_only_in_its_lists(client, world,
                                                                      agency_topics):
    listed = client.get(f"/api/v1/topics?agency={world.agency_a}&page_size=100&lang=es")
    slugs = [t["slug"] for t in listed.get_json()]
    assert slugs[0] == "our-walking-group"
    assert "our-draft" not in slugs and "their-topic" not in slugs
    assert len(slugs) == 1 + len(client.get("/api/v1/topics?page_size=100").get_json())
    own = listed.get_json()[0]
    assert own["agency"]["id"] == world.agency_a and own["fallback"] is True
    assert listed.headers["Content-Language"] == "es, en"

    core = [t["slug"] for t in client.get("/api/v1/topics?page_size=100").get_json()]
    assert "our-walking-group" not in core
    assert client.get("/api/v1/topics/our-walking-group").status_code == 404
    assert client.get(f"/api/v1/topics/our-walking-group?agency={world.agency_a}"
                      ).status_code == 200
    assert client.get(f"/api/v1/topics/our-draft?agency={world.agency_a}").status_code == 404
    assert client.get(f"/api/v1/topics/their-topic?agency={world.agency_a}").status_code == 404


def topic_body(slug="our-group-agreements", **extra):
    return {"slug": slug, "tags": ["first-meeting"], "related_tips": ["be-yourself"],
            "text": {"en": {
                "title": "Our group agreements",
                "opening_question": "What helps you feel safe here?",
                "deeper_questions": ["What would you add?", "How should we remind each other?"],
                "guide_open": "Read the agreements out loud.",
                "guide_safety": "Anyone may pass.",
                "guide_distress": "Pause, offer a break, and check in one to one. 988 in danger."},
                "es": None}, **extra}


def test_an_agency_admin_writes_publishes_and_deletes_a_topic(client, world):
    headers = world["admin_a"].headers
    base = f"/api/v1/agencies/{world.agency_a}/topics"
    created = client.post(base, json=topic_body(), headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "draft"
    public = f"/api/v1/topics/our-group-agreements?agency={world.agency_a}"
    assert client.get(public).status_code == 404  # a draft stays private

    published = client.patch(f"{base}/our-group-agreements", json={"status": "published"},
                             headers=headers)
    assert published.status_code == 200
    shown = client.get(public).get_json()
    assert shown["agency"]["id"] == world.agency_a
    assert shown["related_tips"][0]["slug"] == "be-yourself"
    first = client.get(f"/api/v1/topics?agency={world.agency_a}&tag=first-meeting").get_json()
    assert first[0]["slug"] == "our-group-agreements"
    assert [t["slug"] for t in first[1:]] == ["being-new-to-a-group"]

    # Someone else's agency, a core slug, a tip that is not there.
    other = client.get(f"/api/v1/agencies/{world.agency_a}/topics",
                       headers=world["admin_b"].headers)
    assert_problem(other, 404)
    assert_problem(client.post(base, json=topic_body("feeling-heard"), headers=headers), 409)
    body = assert_problem(client.post(base, json=topic_body("x-1", related_tips=["nope"]),
                                      headers=headers), 422)
    assert "related_tips" in body["errors"]
    one_question = topic_body("x-2")
    one_question["text"]["en"]["deeper_questions"] = ["Only one?"]
    assert_problem(client.post(base, json=one_question, headers=headers), 422)

    assert client.delete(f"{base}/our-group-agreements", headers=headers).status_code == 204
    gone = client.get(f"{base}/our-group-agreements",
                      headers={**headers, "Accept-Language": "es"})
    assert "Tu agencia no tiene ningún tema" in assert_problem(gone, 404)["detail"]
