"""Walk the whole URL map and hold every route to the rules in DESIGN.md.

A new route must be listed in EXAMPLES (if it has path parameters) and be either an API
operation in the spec or a known page; otherwise these tests fail until it is.
"""

import re

import pytest
from werkzeug.routing import Rule

from api import create_app
from api.http.access import rule_for
from api.http.policies import PUBLIC, policy_for
from tests.helpers import assert_problem

MISSING_ID = "00000000-0000-4000-8000-000000000000"
# Values that name something real, and values that name nothing, per endpoint.
EXAMPLES = {
    "tips.TipBySlug": (lambda w: {"slug": "reflect-back"}, {"slug": "no-such-tip"}),
    "faqs.FaqBySlug": (lambda w: {"slug": "what-is-rapport"}, {"slug": "no-such-faq"}),
    "topics.TopicBySlug": (lambda w: {"slug": "feeling-heard"}, {"slug": "no-such-topic"}),
    "surveys.SurveyBySlug": (lambda w: {"slug": "session-check"}, {"slug": "no-such-survey"}),
    "surveys.ScoreAnswers": (lambda w: {"slug": "session-check"}, {"slug": "no-such-survey"}),
    "surveys.SurveyResponses": (lambda w: {"slug": "rapport-self-check"},
                                {"slug": "no-such-survey"}),
    "frontend.app_asset": (lambda w: {"folder": "css", "filename": "app.css"},
                           {"folder": "css", "filename": "missing.css"}),
    "frontend.docs_vendor_asset": (lambda w: {"asset": "swagger-ui.css"}, None),
    "frontend.docs_vendor_versioned": (lambda w: {"asset": "swagger-ui.css"}, None),
    "embed.embed_asset": (lambda w: {"asset": "embed.css"}, None),
    "fhir.questionnaire": (lambda w: {"questionnaire_id": "session-check"},
                           {"questionnaire_id": "no-such-questionnaire"}),
    "fhir.code_system": (lambda w: {"code_system_id": "survey-scale"},
                         {"code_system_id": "no-such-code-system"}),
    "fhir.questionnaire_response": (lambda w: {"response_id": w.fresh_self_check()},
                                    {"response_id": MISSING_ID}),
    "fhir.goal": (lambda w: {"goal_id": w.fresh_goal()}, {"goal_id": MISSING_ID}),
    "partnerships.PartnershipById": (lambda w: {"partnership_id": w.partnership_a},
                                     {"partnership_id": MISSING_ID}),
    "invites.AcceptInvite": (lambda w: {"code": w.fresh_invite()}, {"code": "ZZZZ-ZZZZ"}),
    "invites.InviteById": (lambda w: {"invite_id": w.fresh_invite_id()},
                           {"invite_id": MISSING_ID}),
    "agencies.JoinCodes": (lambda w: {"agency_id": w.agency_a},
                           {"agency_id": MISSING_ID}),
    "crisis.AgencyCrisisResources": (lambda w: {"agency_id": w.agency_a},
                                     {"agency_id": MISSING_ID}),
    "partnerships.PartnershipGoals": (lambda w: {"partnership_id": w.partnership_a},
                                      {"partnership_id": MISSING_ID}),
    "goals.GoalById": (lambda w: {"goal_id": w.fresh_goal()}, {"goal_id": MISSING_ID}),
    "goals.GoalMilestones": (lambda w: {"goal_id": w.fresh_goal()}, {"goal_id": MISSING_ID}),
    "goals.GoalCheckIns": (lambda w: {"goal_id": w.fresh_goal()}, {"goal_id": MISSING_ID}),
    "goals.GoalCelebrations": (lambda w: {"goal_id": w.fresh_goal()}, {"goal_id": MISSING_ID}),
    "goals.MilestoneById": (lambda w: {"milestone_id": w.fresh_milestone()},
                            {"milestone_id": MISSING_ID}),
    "partnerships.PartnershipTimeline": (lambda w: {"partnership_id": w.partnership_a},
                                         {"partnership_id": MISSING_ID}),
    "partnerships.PartnershipRapport": (lambda w: {"partnership_id": w.partnership_a},
                                        {"partnership_id": MISSING_ID}),
    "agencies.AgencyById": (lambda w: {"agency_id": w.agency_a}, {"agency_id": MISSING_ID}),
    "agencies.JoinCodeById": (
        lambda w: {"agency_id": w.agency_a, "code_id": w.fresh_join_code_id()},
        {"agency_id": MISSING_ID, "code_id": MISSING_ID}),
    "agencies.AgencyMembers": (lambda w: {"agency_id": w.agency_a},
                               {"agency_id": MISSING_ID}),
    "agencies.AgencyMemberById": (
        lambda w: {"agency_id": w.agency_a, "user_id": w.fresh_member()},
        {"agency_id": MISSING_ID, "user_id": MISSING_ID}),
    "agencies.AgencyInsights": (lambda w: {"agency_id": w.agency_a},
                                {"agency_id": MISSING_ID}),
    "agencies.AgencySupervision": (lambda w: {"agency_id": w.agency_a},
                                   {"agency_id": MISSING_ID}),
    "agency_content.AgencyTips": (lambda w: {"agency_id": w.agency_a},
                                  {"agency_id": MISSING_ID}),
    "agency_content.AgencyFaqs": (lambda w: {"agency_id": w.agency_a},
                                  {"agency_id": MISSING_ID}),
    "agency_content.AgencyTipBySlug": (
        lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("tips")},
        {"agency_id": MISSING_ID, "slug": "no-such-tip"}),
    "agency_content.AgencyFaqBySlug": (
        lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("faqs")},
        {"agency_id": MISSING_ID, "slug": "no-such-faq"}),
    "agency_content.AgencyTopics": (lambda w: {"agency_id": w.agency_a},
                                    {"agency_id": MISSING_ID}),
    "agency_content.AgencyTopicBySlug": (
        lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("topics")},
        {"agency_id": MISSING_ID, "slug": "no-such-topic"}),
    "partnerships.CalendarFeeds": (lambda w: {"partnership_id": w.partnership_a},
                                   {"partnership_id": MISSING_ID}),
    "api_keys.ApiKeys": (lambda w: {"agency_id": w.agency_a}, {"agency_id": MISSING_ID}),
    "api_keys.ApiKeyById": (lambda w: {"agency_id": w.agency_a, "key_id": w.fresh_api_key()},
                            {"agency_id": MISSING_ID, "key_id": MISSING_ID}),
    "webhooks.Webhooks": (lambda w: {"agency_id": w.agency_a}, {"agency_id": MISSING_ID}),
    **{name: (lambda w: {"agency_id": w.agency_a, "endpoint_id": w.fresh_webhook()},
              {"agency_id": MISSING_ID, "endpoint_id": MISSING_ID})
       for name in ("webhooks.WebhookById", "webhooks.WebhookSecretRotation",
                    "webhooks.WebhookDeliveries", "webhooks.WebhookTest")},
    "webhooks.WebhookReplay": (
        lambda w: dict(zip(("endpoint_id", "delivery_id"), w.fresh_webhook_delivery(),
                           strict=True), agency_id=w.agency_a),
        {"agency_id": MISSING_ID, "endpoint_id": MISSING_ID, "delivery_id": MISSING_ID}),
    "reminders.PushSubscriptionById": (
        lambda w: {"subscription_id": w.fresh_push_subscription("worker_a")},
        {"subscription_id": MISSING_ID}),
    "handovers.AgencyHandovers": (lambda w: {"agency_id": w.agency_a},
                                  {"agency_id": MISSING_ID}),
    "handovers.AgencyHandoverById": (
        lambda w: {"agency_id": w.agency_a, "handover_id": w.fresh_handover()},
        {"agency_id": MISSING_ID, "handover_id": MISSING_ID}),
    "handovers.AgencyWorkerPartnerships": (
        lambda w: {"agency_id": w.agency_a, "worker_id": w["worker_a"].id},
        {"agency_id": MISSING_ID, "worker_id": MISSING_ID}),
    "handovers.HandoverDecision": (lambda w: {"handover_id": w.fresh_handover()},
                                   {"handover_id": MISSING_ID}),
    "handovers.PartnershipHandovers": (lambda w: {"partnership_id": w.partnership_a},
                                       {"partnership_id": MISSING_ID}),
    "oauth_apps.AgencyOAuthClients": (lambda w: {"agency_id": w.agency_a},
                                      {"agency_id": MISSING_ID}),
    "oauth_apps.AgencyOAuthClientById": (
        lambda w: {"agency_id": w.agency_a, "client_id": w.fresh_oauth_client()["id"]},
        {"agency_id": MISSING_ID, "client_id": MISSING_ID}),
    "oauth_apps.ConnectedAppById": (lambda w: {"grant_id": w.fresh_connected_app()},
                                    {"grant_id": MISSING_ID}),
    # No path values, but a query that must be right: the app's authorization request.
    "oauth_apps.Authorization": (lambda w: w.oauth_request(), None),
    "oauth.authorize": (lambda w: w.oauth_request(), None),
    "partnerships.CheckInCalendar": (
        lambda w: {"partnership_id": w.partnership_a, "token": w.fresh_feed_token()},
        {"partnership_id": MISSING_ID, "token": "x" * 43}),
}
# Pages and files that are not API operations (and so are not in the spec).
NON_API_ENDPOINTS = {
    "api-docs.openapi_json", "frontend.app_shell", "frontend.app_asset", "frontend.docs",
    "frontend.docs_vendor_asset", "frontend.docs_vendor_versioned", "frontend.docs_init",
    "frontend.service_worker",
    "frontend.manifest", "frontend.offline_page", "embed.tips_page", "embed.topics_page",
    "embed.embed_asset", "embed.embed_script",
    "fhir.metadata", "fhir.questionnaires", "fhir.questionnaire", "fhir.code_system",
    "fhir.questionnaire_responses", "fhir.questionnaire_response", "fhir.goal_search",
    "fhir.goal",
    "oauth.authorize", "oauth.token", "oauth.revoke", "oauth.server_metadata",
}
# Pages that answer a good request by sending the browser on.
REDIRECTING = {"oauth.authorize"}
# FHIR's private resources: pages outside the spec, yet private (no-store, a session or an
# app's token with the scope).
FHIR_PRIVATE = {"fhir.questionnaire_responses", "fhir.questionnaire_response",
                "fhir.goal_search", "fhir.goal"}
# The pages other sites may put in an iframe; every other response forbids framing.
EMBEDDABLE = {"embed.tips_page", "embed.topics_page"}
PUBLIC_ENDPOINTS = {
    "tips.Tips", "tips.TipOfTheDay", "tips.TipBySlug", "faqs.Faqs", "faqs.FaqBySlug",
    "topics.Topics", "topics.TopicBySlug", "surveys.Surveys", "surveys.SurveyBySlug",
    "feeds.TipsJsonFeed", "feeds.TipsAtomFeed", "feeds.TipsRssFeed",
    "feeds.TopicsJsonFeed", "feeds.TopicsAtomFeed", "feeds.TopicsRssFeed",
    "crisis.CrisisResources", "reminders.PushKey", "oauth.server_metadata",
    *(NON_API_ENDPOINTS - {"oauth.authorize", "oauth.token", "oauth.revoke"} - FHIR_PRIVATE),
}
PRIVATE_ENDPOINTS = {
    "crisis.AgencyCrisisResources",
    "agency_content.AgencyTips", "agency_content.AgencyTipBySlug", "agency_content.AgencyFaqs",
    "agency_content.AgencyFaqBySlug", "agency_content.AgencyTopics",
    "agency_content.AgencyTopicBySlug",
    "health.Health", "health.Readiness", "auth.Register", "auth.Token", "me.Me", "me.Export",
    "me.AccessLog", "invites.Invites", "invites.AcceptInvite",
    "invites.InviteById", "me.MyAgency", "partnerships.Partnerships",
    "partnerships.PartnershipById", "agencies.JoinCodes", "partnerships.PartnershipGoals",
    "goals.GoalById", "goals.GoalMilestones", "goals.MilestoneById", "goals.GoalCheckIns",
    "goals.GoalCelebrations", "partnerships.PartnershipTimeline", "checkins.DueCheckIns",
    "partnerships.CalendarFeeds", "partnerships.CheckInCalendar", "surveys.ScoreAnswers",
    "surveys.SurveyResponses", "me.SelfCheckTrend", "partnerships.PartnershipRapport",
    "agencies.AgencyInsights", "agencies.AgencySupervision", "api_keys.ApiKeys",
    "agencies.AgencyById", "agencies.JoinCodeById", "agencies.AgencyMembers",
    "agencies.AgencyMemberById",
    "api_keys.ApiKeyById", "me.NextMilestones",
    "reminders.PushSubscriptions", "reminders.PushSubscriptionById",
    "handovers.AgencyHandovers", "handovers.AgencyHandoverById",
    "handovers.AgencyWorkerPartnerships", "handovers.MyHandovers",
    "handovers.HandoverDecision", "handovers.PartnershipHandovers",
    "oauth_apps.AgencyOAuthClients", "oauth_apps.AgencyOAuthClientById",
    "oauth_apps.Authorization", "oauth_apps.ConnectedApps", "oauth_apps.ConnectedAppById",
    "oauth.authorize", "oauth.token", "oauth.revoke",
    "webhooks.Webhooks", "webhooks.WebhookById", "webhooks.WebhookSecretRotation",
    "webhooks.WebhookDeliveries", "webhooks.WebhookReplay", "webhooks.WebhookTest",
    *FHIR_PRIVATE,
}
# Operators' pages: private, and not API operations (so not in the spec). The test client
# asks from 127.0.0.1, which /metrics answers; tests/observability/test_requests.py covers others.
OPERATOR_ENDPOINTS = {"observability.metrics"}
PRIVATE_ENDPOINTS |= OPERATOR_ENDPOINTS
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


_MAP = create_app().url_map
RULES = sorted(_MAP.iter_rules(), key=lambda r: r.rule)
API_RULES = [r for r in RULES if r.endpoint not in NON_API_ENDPOINTS | OPERATOR_ENDPOINTS]
PUBLIC_RULES = [r for r in RULES if r.endpoint in PUBLIC_ENDPOINTS]
GET_RULES = [r for r in RULES if "GET" in r.methods]
API_GET_RULES = [r for r in API_RULES if "GET" in r.methods]
PRIVATE_GET_RULES = [r for r in GET_RULES if r.endpoint not in PUBLIC_ENDPOINTS]
URLS = _MAP.bind("localhost")


def _url(rule: Rule, world=None, *, missing: bool = False) -> str:
    if not rule.arguments and rule.endpoint not in EXAMPLES:
        return rule.rule
    found, absent = EXAMPLES.get(rule.endpoint, (None, None))
    assert found is not None, f"add path examples for {rule.endpoint} to EXAMPLES"
    values = absent if missing else found(world)
    return URLS.build(rule.endpoint, values)


def spec_path(rule: Rule) -> str:
    """/api/v1/tips/<slug:slug> -> /api/v1/tips/{slug}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def assert_refused(rule: Rule, response, status: int) -> None:
    """A problem, or under /fhir an OperationOutcome (FHIR speaks its own error resource)."""
    if rule.endpoint.startswith("fhir."):
        assert response.status_code == status
        assert response.mimetype == "application/fhir+json"
        assert response.get_json()["resourceType"] == "OperationOutcome"
    else:
        assert_problem(response, status)


def ids(rules):
    return [r.endpoint for r in rules]


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_every_route_is_classified(app, rule):
    assert rule.endpoint in PUBLIC_ENDPOINTS | PRIVATE_ENDPOINTS, (
        f"{rule.endpoint}: decide whether it is public content and list it here"
    )
    with app.test_request_context():
        public = policy_for(rule.endpoint) == PUBLIC
    assert public == (rule.endpoint in PUBLIC_ENDPOINTS)


def test_every_api_route_is_in_the_spec(app):
    spec_paths = set(app.test_client().get("/openapi.json").get_json()["paths"])
    assert {spec_path(rule) for rule in API_RULES} == spec_paths


# Private routes are asked as worker A, except those only another role may use.
ACTING_AS = {"agencies.AgencyInsights": "admin_a", "agencies.AgencySupervision": "admin_a",
             "agencies.JoinCodes": "admin_a", "agencies.AgencyById": "admin_a",
             "agencies.JoinCodeById": "admin_a", "agencies.AgencyMembers": "admin_a",
             "agencies.AgencyMemberById": "admin_a",
             "crisis.AgencyCrisisResources": "admin_a",
             "agency_content.AgencyTips": "admin_a", "agency_content.AgencyTipBySlug": "admin_a",
             "agency_content.AgencyFaqs": "admin_a", "agency_content.AgencyFaqBySlug": "admin_a",
             "agency_content.AgencyTopics": "admin_a",
             "agency_content.AgencyTopicBySlug": "admin_a",
             "api_keys.ApiKeys": "admin_a", "api_keys.ApiKeyById": "admin_a",
             "handovers.AgencyHandovers": "admin_a", "handovers.AgencyHandoverById": "admin_a",
             "handovers.AgencyWorkerPartnerships": "admin_a", "handovers.MyHandovers": "peer_a",
             "handovers.HandoverDecision": "peer_a",
             "oauth_apps.AgencyOAuthClients": "admin_a",
             "oauth_apps.AgencyOAuthClientById": "admin_a",
             **dict.fromkeys(("webhooks.Webhooks", "webhooks.WebhookById",
                              "webhooks.WebhookSecretRotation", "webhooks.WebhookDeliveries",
                              "webhooks.WebhookReplay", "webhooks.WebhookTest"), "admin_a")}


def auth_for(rule, world) -> dict:
    """A member's token for private routes; public ones are asked anonymously."""
    if rule.endpoint in PUBLIC_ENDPOINTS:
        return {}
    return world[ACTING_AS.get(rule.endpoint, "worker_a")].headers


@pytest.mark.parametrize("rule", GET_RULES, ids=ids(GET_RULES))
def test_get_sets_the_cache_and_cors_policy(client, shared_world, rule):
    url = _url(rule, shared_world)
    with client.get(url, headers=auth_for(rule, shared_world)) as response:
        expected = 303 if rule.endpoint in REDIRECTING else 200
        assert response.status_code == expected, response.get_data(as_text=True)[:300]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        csp = response.headers["Content-Security-Policy"]
        framing = "frame-ancestors *" if rule.endpoint in EMBEDDABLE else "frame-ancestors 'none'"
        assert framing in csp and "unsafe-inline" not in csp.split("style")[0]
        if rule.endpoint in PUBLIC_ENDPOINTS:
            assert response.cache_control.public
            assert response.cache_control.max_age or response.cache_control.no_cache
            assert response.headers["Access-Control-Allow-Origin"] == "*"
            etag, weak = response.get_etag()
            assert etag and not weak
        else:
            assert response.cache_control.no_store
            assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("rule", PRIVATE_GET_RULES, ids=ids(PRIVATE_GET_RULES))
def test_private_reads_need_a_session(app, client, shared_world, rule):
    if not rule_for(app, rule.endpoint, "GET").signed_in:
        return  # probes and the calendar link answer anyone, but are still never cached
    response = client.get(_url(rule, shared_world))
    assert_refused(rule, response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.cache_control.no_store
    bad = client.get(_url(rule, shared_world), headers={"Authorization": "Bearer not-a-token"})
    assert_refused(rule, bad, 401)
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]


@pytest.mark.parametrize("rule", PUBLIC_RULES, ids=ids(PUBLIC_RULES))
def test_public_content_answers_304_to_a_matching_etag(client, rule):
    url = _url(rule, None)
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
    response = client.options(_url(rule, None), headers={
        "Origin": "https://agency.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match",
    })
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_wrong_methods_are_405_with_allow(client, shared_world, rule):
    allowed = set(rule.methods)
    for method in WRITE_METHODS:
        if method in allowed:
            continue
        response = client.open(_url(rule, shared_world), method=method, json={})
        assert_problem(response, 405)
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == allowed
        assert response.cache_control.no_store


@pytest.mark.parametrize("rule", RULES, ids=ids(RULES))
def test_bodies_over_64_kib_are_413(client, shared_world, rule):
    body = b"{" + b" " * (64 * 1024) + b"}"
    method = next(m for m in ("GET", "POST", "PATCH", "DELETE") if m in rule.methods)
    response = client.open(_url(rule, shared_world), method=method, data=body,
                           content_type="application/json",
                           headers=auth_for(rule, shared_world))
    assert_refused(rule, response, 413)


@pytest.mark.parametrize("rule", API_GET_RULES, ids=ids(API_GET_RULES))
def test_unknown_query_parameters_are_422(client, shared_world, rule):
    url = _url(rule, shared_world)
    response = client.get(url + ("&" if "?" in url else "?") + "surprise=1",
                          headers=auth_for(rule, shared_world))
    assert "surprise" in assert_problem(response, 422)["errors"]


@pytest.mark.parametrize("rule", API_GET_RULES, ids=ids(API_GET_RULES))
def test_every_string_query_parameter_refuses_nul(app, client, shared_world, rule):
    spec = app.test_client().get("/openapi.json").get_json()
    params = spec["paths"][spec_path(rule)]["get"].get("parameters", [])
    for param in params:
        if param.get("in") == "query" and param["schema"].get("type") == "string":
            url, _, query = _url(rule, shared_world).partition("?")
            args = dict(pair.split("=", 1) for pair in query.split("&") if pair)
            response = client.get(url, query_string={**args, param["name"]: "a\x00b"},
                                  headers=auth_for(rule, shared_world))
            assert param["name"] in assert_problem(response, 422)["errors"]


MISSABLE = [r for r in GET_RULES if r.arguments and EXAMPLES[r.endpoint][1]]


@pytest.mark.parametrize("rule", MISSABLE, ids=ids(MISSABLE))
def test_paths_that_name_nothing_are_404(client, shared_world, rule):
    with client.get(_url(rule, missing=True), headers=auth_for(rule, shared_world)) as response:
        assert_refused(rule, response, 404)
        assert response.cache_control.no_store


@pytest.mark.parametrize("path", [
    "/nope", "/api/v1/nope", "/api/v1/tips/UPPER", "/api/v1/tips/a%00b",
    f"/api/v1/tips/{2**70}x", "/api/v1/tips/" + "a" * 81, "/api/v1/tips/reflect-back/extra",
])
def test_unknown_urls_are_problem_404(client, path):
    response = client.get(path)
    assert_problem(response, 404)
    assert "Access-Control-Allow-Origin" not in response.headers or path.startswith("/api/v1/tips")
