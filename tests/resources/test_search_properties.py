"""Search over HTTP, for any query: never a 500, and every hit really matches."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.lib.text import normalise, search_terms

queries = st.text(max_size=60)
# The client fixture is stateless between examples, so sharing it is safe.
shared_client = settings(deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(shared_client, max_examples=150)
@given(q=queries, lang=st.sampled_from(["en", "es"]))
def test_tip_search_returns_only_matching_tips(client, q, lang):
    response = client.get("/api/v1/tips", query_string={"q": q, "lang": lang, "page_size": 100})
    if response.status_code == 422:  # empty, too long, or control characters
        assert not q or len(q) > 200 or any(ord(c) < 32 or ord(c) == 127 for c in q)
        return
    assert response.status_code == 200
    for tip in response.get_json():
        text = normalise(" ".join([tip["title"], tip["summary"], tip["body"]]))
        assert all(term in text for term in search_terms(q)), (q, tip["slug"])


@settings(shared_client, max_examples=100)
@given(q=queries)
def test_faq_search_never_fails(client, q):
    response = client.get("/api/v1/faqs", query_string={"q": q})
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        for faq in response.get_json():
            text = normalise(faq["question"] + " " + faq["answer"])
            assert all(term in text for term in search_terms(q))
