"""Tips over HTTP: listing, search, tags, paging, language and the tip of the day."""

import json
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete, select

from api.extensions import db
from api.models import Tip, TipTranslation
from tests.helpers import assert_problem, core_tips, parse_links

WORKER_TIPS = core_tips("worker")

TIP_FIELDS = {
    "slug", "number", "title", "summary", "body", "actions", "questions", "tags",
    "audience", "language", "fallback", "last_reviewed", "agency",
}


def test_lists_the_workers_core_tips_in_order(client):
    response = client.get("/api/v1/tips?page_size=100")
    assert response.status_code == 200
    tips = response.get_json()
    assert [t["number"] for t in tips] == [t["number"] for t in WORKER_TIPS]
    assert [t["number"] for t in tips[:11]] == list(range(1, 12))  # the article's, first
    for tip in tips:
        assert set(tip) == TIP_FIELDS
        assert len(tip["summary"]) <= 200
        assert len(tip["actions"]) >= 3 and len(tip["questions"]) >= 2
        assert tip["language"] == "en" and tip["fallback"] is False
        assert tip["agency"] is None
        date.fromisoformat(tip["last_reviewed"])


def test_spanish_by_query_parameter(client):
    response = client.get("/api/v1/tips/reflect-back?lang=es")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    tip = response.get_json()
    assert tip["language"] == "es" and tip["fallback"] is False
    english = client.get("/api/v1/tips/reflect-back?lang=en").get_json()
    assert tip["title"] != english["title"]
    assert tip["tags"] == english["tags"]  # tags are language-neutral keys


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("es-MX,es;q=0.9,en;q=0.5", "es"), ("fr-FR, de", "en"), ("en-GB", "en"), ("", "en")],
)
def test_accept_language_negotiation(client, accept_language, expected):
    response = client.get("/api/v1/tips/be-yourself", headers={"Accept-Language": accept_language})
    assert response.headers["Content-Language"] == expected
    assert response.get_json()["language"] == expected
    assert "Accept-Language" in response.headers["Vary"]


def test_lang_parameter_beats_accept_language(client):
    response = client.get("/api/v1/tips/be-yourself?lang=en", headers={"Accept-Language": "es"})
    assert response.get_json()["language"] == "en"


def test_unsupported_lang_is_422(client):
    body = assert_problem(client.get("/api/v1/tips?lang=fr"), 422)
    assert "lang" in body["errors"]


def test_missing_translation_falls_back_to_english_and_says_so(app, client, restore_content):
    with app.app_context():
        tip_id = db.session.scalar(select(Tip.id).where(Tip.slug == "celebrate-wins"))
        db.session.execute(
            delete(TipTranslation).where(
                TipTranslation.tip_id == tip_id, TipTranslation.language == "es"
            )
        )
        db.session.commit()

    one = client.get("/api/v1/tips/celebrate-wins?lang=es")
    assert one.get_json()["language"] == "en" and one.get_json()["fallback"] is True
    assert one.headers["Content-Language"] == "en"

    listed = client.get("/api/v1/tips?lang=es&page_size=100")
    by_slug = {t["slug"]: t for t in listed.get_json()}
    assert by_slug["celebrate-wins"]["fallback"] is True
    assert by_slug["reflect-back"]["fallback"] is False
    assert by_slug["reflect-back"]["language"] == "es"
    assert listed.headers["Content-Language"] == "es, en"


def test_search_matches_title_summary_and_body_case_insensitively(client):
    tips = client.get("/api/v1/tips?q=HUMOR").get_json()
    assert "use-humor-with-care" in [t["slug"] for t in tips]
    for tip in tips:
        text = " ".join([tip["title"], tip["summary"], tip["body"]]).lower()
        assert "humor" in text


def test_search_needs_every_word(client):
    both = {t["slug"] for t in client.get("/api/v1/tips?q=laugh+never").get_json()}
    laugh = {t["slug"] for t in client.get("/api/v1/tips?q=laugh").get_json()}
    never = {t["slug"] for t in client.get("/api/v1/tips?q=never").get_json()}
    assert both == laugh & never
    assert both


def test_search_ignores_accents_in_spanish(client):
    with_accent = client.get("/api/v1/tips?lang=es&q=pequeños").get_json()
    without = client.get("/api/v1/tips?lang=es&q=PEQUENOS").get_json()
    assert with_accent and with_accent == without


def test_search_treats_like_wildcards_literally(client):
    assert client.get("/api/v1/tips?q=%25").get_json() == []
    assert client.get("/api/v1/tips?q=_").get_json() == []


def test_search_with_no_match_is_an_empty_page(client):
    response = client.get("/api/v1/tips?q=zzzqqq")
    assert response.status_code == 200 and response.get_json() == []
    assert json.loads(response.headers["X-Pagination"])["total"] == 0


def test_tag_filter(client):
    tips = client.get("/api/v1/tips?tag=listening").get_json()
    assert tips and all("listening" in t["tags"] for t in tips)
    assert client.get("/api/v1/tips?tag=no-such-tag").get_json() == []


def test_paging_headers_and_links(client):
    response = client.get("/api/v1/tips?page=2&page_size=4&lang=es")
    assert [t["number"] for t in response.get_json()] == [5, 6, 7, 8]
    meta = json.loads(response.headers["X-Pagination"])
    last = -(-len(WORKER_TIPS) // 4)
    assert meta == {"total": len(WORKER_TIPS), "total_pages": last, "first_page": 1,
                    "last_page": last, "page": 2, "previous_page": 1, "next_page": 3}
    links = parse_links(response.headers["Link"])
    assert set(links) == {"first", "prev", "next", "last"}
    for rel, page in (("first", "1"), ("prev", "1"), ("next", "3"), ("last", str(last))):
        query = parse_qs(urlsplit(links[rel]).query)
        # Other parameters survive, so following a link keeps the language and search.
        assert query == {"page": [page], "page_size": ["4"], "lang": ["es"]}
        assert client.get(links[rel]).status_code == 200


def test_first_page_has_no_prev_link_and_last_no_next(client):
    first = parse_links(client.get("/api/v1/tips?page_size=4").headers["Link"])
    final = -(-len(WORKER_TIPS) // 4)
    last = parse_links(client.get(f"/api/v1/tips?page={final}&page_size=4").headers["Link"])
    assert "prev" not in first and "next" in first
    assert "next" not in last and "prev" in last


def test_a_page_past_the_end_is_empty(client):
    response = client.get("/api/v1/tips?page=99&page_size=10")
    assert response.status_code == 200 and response.get_json() == []
    assert json.loads(response.headers["X-Pagination"])["total"] == len(WORKER_TIPS)


@pytest.mark.parametrize("query", ["page_size=101", "page_size=0", "page=0", "page=-1",
                                   f"page={2**64}", f"page_size={2**70}", "page=abc",
                                   # int() takes these; an integer in the spec does not
                                   "page=%095", "page=+2", "page_size=1_0", "page=%D9%A5",
                                   "page=2%20"])
def test_bad_paging_is_422(client, query):
    assert_problem(client.get(f"/api/v1/tips?{query}"), 422)


def test_unknown_tip_is_404(client):
    assert_problem(client.get("/api/v1/tips/no-such-tip"), 404)


def test_tip_of_the_day_is_the_same_all_day_and_rotates_through_all_tips(client):
    start = date(2027, 3, 1)
    seen = []
    for offset in range(len(WORKER_TIPS)):
        day = (start + timedelta(days=offset)).isoformat()
        first = client.get(f"/api/v1/tips/today?date={day}").get_json()
        again = client.get(f"/api/v1/tips/today?date={day}&lang=es").get_json()
        assert first["slug"] == again["slug"]
        seen.append(first["slug"])
    assert len(set(seen)) == len(WORKER_TIPS)


def test_tip_of_the_day_is_cacheable_until_utc_midnight(client):
    response = client.get("/api/v1/tips/today")
    assert response.status_code == 200
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    max_age = response.cache_control.max_age
    assert response.cache_control.public
    assert 0 < max_age <= (midnight - now).total_seconds() + 1
    assert response.expires == midnight
    assert response.get_json()["slug"] == client.get(
        f"/api/v1/tips/today?date={now.date().isoformat()}").get_json()["slug"]


def test_tip_of_the_day_rejects_bad_dates(client):
    assert_problem(client.get("/api/v1/tips/today?date=2027-02-30"), 422)
    assert_problem(client.get("/api/v1/tips/today?date=tomorrow"), 422)


def test_links_use_the_public_address_behind_a_trusted_proxy(make_app):
    behind_proxy = make_app(PROXY_HOPS=1).test_client()
    response = behind_proxy.get("/api/v1/tips?page_size=5", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "rapport.example.org",
    })
    assert parse_links(response.headers["Link"])["next"].startswith(
        "https://rapport.example.org/api/v1/tips?")


def test_forwarded_headers_are_ignored_unless_a_proxy_is_trusted(client):
    response = client.get("/api/v1/tips?page_size=5", headers={"X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in response.headers["Link"]
