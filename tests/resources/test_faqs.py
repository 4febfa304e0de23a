"""FAQs over HTTP."""

import json

from tests.helpers import assert_problem


def test_lists_the_article_faqs_first_and_at_least_eight_more(client):
    response = client.get("/api/v1/faqs?page_size=100")
    faqs = response.get_json()
    assert len(faqs) >= 12
    assert [f["position"] for f in faqs] == sorted(f["position"] for f in faqs)
    assert faqs[0]["slug"] == "what-is-rapport"
    for faq in faqs:
        assert faq["question"].endswith("?") and faq["answer"]
        assert faq["related_tips"], faq["slug"]
        for ref in faq["related_tips"]:
            assert set(ref) == {"slug", "title"}


def test_related_tips_are_real_tips_titled_in_the_same_language(client):
    faq = client.get("/api/v1/faqs/rebuild-damaged-rapport?lang=es").get_json()
    assert faq["language"] == "es"
    for ref in faq["related_tips"]:
        tip = client.get(f"/api/v1/tips/{ref['slug']}?lang=es").get_json()
        assert tip["title"] == ref["title"]


def test_search_faqs(client):
    faqs = client.get("/api/v1/faqs?q=988").get_json()
    # The crisis FAQs: one in crisis, calming someone down (988 is one way to get help).
    assert [f["slug"] for f in faqs][0] == "person-in-crisis"
    assert all("988" in f["answer"] for f in faqs)
    spanish = client.get("/api/v1/faqs?q=988&lang=es")
    assert spanish.get_json()[0]["language"] == "es"
    assert spanish.headers["Content-Language"] == "es"


def test_faq_paging(client):
    response = client.get("/api/v1/faqs?page_size=5&page=3")
    meta = json.loads(response.headers["X-Pagination"])
    assert meta["page"] == 3 and meta["total"] >= 12
    assert len(response.get_json()) == min(5, meta["total"] - 10)


def test_unknown_faq_is_404(client):
    assert_problem(client.get("/api/v1/faqs/no-such-question"), 404)
