"""Walk the whole URL map and hold every route to the rules in DESIGN.md.

A new route must be listed in EXAMPLES (if it has path parameters) and be either an API
operation in the spec or a known page; otherwise these tests fail until it is.
"""

import re

import pytest
from werkzeug.routing import Rule

from api import create_app
from tests.helpers import assert_problem

# Values that name something real, and values that name nothing, per endpoint.
EXAMPLES = {
    "tips.TipBySlug": ({"slug": "reflect-back"}, {"slug": "no-such-tip"}),
    "faqs.FaqBySlug": ({"slug": "what-is-rapport"}, {"slug": "no-such-faq"}),
    "frontend.app_asset": ({"folder": "css", "filename": "app.css"},
                           {"folder": "css", "filename": "missing.css"}),
    "frontend.docs_vendor_asset": ({"asset": "swagger-ui.css"}, None),
}
# Pages and files that are not API operations (and so are not in the spec).
NON_API_ENDPOINTS = {
    "api-docs.openapi_json", "frontend.app_shell", "frontend.app_asset", "frontend.docs",
    "frontend.docs_vendor_asset", "frontend.docs_init",
}
PUBLIC_ENDPOINTS = {
    "tips.Tips", "tips.TipOfTheDay", "tips.TipBySlug", "faqs.Faqs", "faqs.FaqBySlug",
    *NON_API_ENDPOINTS,
}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


_MAP = create_app().url_map
RULES = sorted(_MAP.iter_rules(), key=lambda r: r.rule)
API_RULES = [r for r in RULES if r.endpoint not in NON_API_ENDPOINTS]
PUBLIC_RULES = [r for r in RULES if r.endpoint in PUBLIC_ENDPOINTS]
URLS = _MAP.bind("localhost")


def _url(rule: Rule, *, missing: bool = False) -> str:
    if not rule.arguments:
        return rule.rule
    found, absent = EXAMPLES.get(rule.endpoint, (None, None))
    values = absent if missing else found
    assert values is not None, f"add path examples for {rule.endpoint} to EXAMPLES"
    return URLS.build(rule.endpoint, values)


def spec_path(rule: Rule) -> str:
    """/api/v1/tips/<slug:slug> -> /api/v1/tips/{slug}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def ids(rules):
    return [r.endpoint for r in rules]


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_every_route_is_classified(rule):
    assert rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith("health."), (
        f"{rule.endpoint}: decide whether it is public content and list it here"
    )


def test_every_api_route_is_in_the_spec(app):
    spec_paths = set(app.test_client().get("/openapi.json").get_json()["paths"])
    assert {spec_path(rule) for rule in API_RULES} == spec_paths


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_get_sets_the_cache_and_cors_policy(client, rule):
    with client.get(_url(rule)) as response:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if rule.endpoint in PUBLIC_ENDPOINTS:
            assert response.cache_control.public
            assert response.cache_control.max_age or response.cache_control.no_cache
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            etag, weak = response.get_etag()
            assert etag and not weak
        else:
            assert response.cache_control.no_store
            assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("rule", PUBLIC_RULES, ids=ids(PUBLIC_RULES))
def test_public_content_answers_304_to_a_matching_etag(client, rule):
    url = _url(rule)
    with client.get(url) as first:
        etag = first.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.get_data() == b""
        assert again.headers["ETag"] == etag
    with client.get(url, headers={"If-None-Match": '"something-else"'}) as changed:
        assert changed.status_code == 200


@pytest.mark.parametrize("rule", PUBLIC_RULES, ids=ids(PUBLIC_RULES))
def test_public_content_allows_cors_preflight(client, rule):
    response = client.options(_url(rule), headers={
        "Origin": "https://agency.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match",
    })
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_wrong_methods_are_405_with_allow(client, rule):
    allowed = set(rule.methods)
    for method in WRITE_METHODS:
        if method in allowed:
            continue
        response = client.open(_url(rule), method=method, json={})
        assert_problem(response, 405)
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed
        assert response.cache_control.no_store


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_bodies_over_64_kib_are_413(client, rule):
    body = b"{" + b" " * (64 * 1024) + b"}"
    response = client.get(_url(rule), data=body, content_type="application/json")
    assert_problem(response, 413)


@pytest.mark.parametrize("rule", API_RULES, ids=ids(API_RULES))
def test_unknown_query_parameters_are_422(client, rule):
    body = assert_problem(client.get(_url(rule) + "?surprise=1"), 422)
    assert "surprise" in body["errors"]


@pytest.mark.parametrize("rule", API_RULES, ids=ids(API_RULES))
def test_every_string_query_parameter_refuses_nul(app, client, rule):
    spec = app.test_client().get("/openapi.json").get_json()
    params = spec["paths"][spec_path(rule)]["get"].get("parameters", [])
    for param in params:
        if param.get("in") == "query" and param["schema"].get("type") == "string":
            body = assert_problem(client.get(_url(rule), query_string={param["name"]: "a\x00b"}),
                                  422)
            assert param["name"] in body["errors"]


@pytest.mark.parametrize("rule", [r for r in RULES if r.arguments and EXAMPLES[r.endpoint][1]],
                         ids=ids([r for r in RULES if r.arguments and EXAMPLES[r.endpoint][1]]))
def test_paths_that_name_nothing_are_404(client, rule):
    with client.get(_url(rule, missing=True)) as response:
        assert_problem(response, 404)
        assert response.cache_control.no_store


@pytest.mark.parametrize("path", [
    "/nope", "/api/v1/nope", "/api/v1/tips/UPPER", "/api/v1/tips/a%00b",
    f"/api/v1/tips/{2**70}x", "/api/v1/tips/" + "a" * 81, "/api/v1/tips/reflect-back/extra",
])
def test_unknown_urls_are_problem_404(client, path):
    response = client.get(path)
    assert_problem(response, 404)
    assert "Access-Control-Allow-Origin" not in response.headers or path.startswith("/api/v1/tips")
