"""Every route × every actor: the status each must get. Deny by default, provably.

People: nobody signed in; the worker and the peer of partnership A; the worker and the peer
of partnership B; an admin of agency A (worker A's agency) and an admin of agency B.
Apps (OAuth clients) acting for the members of A: one per scope for each of them, one holding
every scope, and one whose grant the person took back. A row lists what people get; an app
gets what its person gets where the route's scope is one it holds, and 403
(insufficient_scope) everywhere else; SCOPES below says which route needs which scope.
A route (or method) without a row here fails `test_every_route_has_a_row`, and a view
without an access rule stops the app from starting at all.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask

from api import create_app
from api.http import access
from api.services.accounts.sessions import token_hash
from api.services.integrations import scopes
from tests.factories import (
    make_oauth_client,
    make_oauth_token,
    push_subscription_body,
    revoke_oauth_grant,
    unique,
)

PEOPLE = ("anonymous", "worker_a", "peer_a", "worker_b", "peer_b", "admin_a", "admin_b")
MEMBERS_A = {"worker_a", "peer_a"}


@dataclass(frozen=True)
class App:
    """An app acting for `person` with the scopes it holds (or a grant taken back)."""
    person: str
    scopes: frozenset[str]
    revoked: bool = False


APPS: dict[str, App] = {
    **{f"{person}+app:{scope}": App(person, frozenset({scope}))
       for person in ("worker_a", "peer_a") for scope in scopes.ALL},
    "worker_a+app:all": App("worker_a", frozenset(scopes.ALL)),
    "peer_a+app:all": App("peer_a", frozenset(scopes.ALL)),
    "worker_a+app:revoked": App("worker_a", frozenset(scopes.ALL), revoked=True),
}
# Apps go first: the people's own turns may end their accounts (DELETE /me).
ACTORS = (*APPS, *PEOPLE)

# The routes an app may call, and the one scope each needs; every other route is closed to
# apps. Least access: a scope here is a decision about what people agree to on the consent
# screen (api.services.integrations.scopes), so changing one must change this table.
SCOPES: dict[tuple[str, str], str] = {
    ("me.Me", "GET"): "profile:read",
    ("partnerships.Partnerships", "GET"): "goals:read",
    ("partnerships.PartnershipById", "GET"): "goals:read",
    ("partnerships.PartnershipGoals", "GET"): "goals:read",
    ("partnerships.PartnershipTimeline", "GET"): "goals:read",
    ("handovers.PartnershipHandovers", "GET"): "goals:read",
    ("goals.GoalById", "GET"): "goals:read",
    ("goals.GoalMilestones", "GET"): "goals:read",
    ("goals.GoalCheckIns", "GET"): "goals:read",
    ("me.NextMilestones", "GET"): "goals:read",
    ("checkins.DueCheckIns", "GET"): "goals:read",
    ("partnerships.PartnershipGoals", "POST"): "goals:write",
    ("goals.GoalById", "PATCH"): "goals:write",
    ("goals.GoalById", "DELETE"): "goals:write",
    ("goals.GoalMilestones", "POST"): "goals:write",
    ("goals.MilestoneById", "PATCH"): "goals:write",
    ("goals.MilestoneById", "DELETE"): "goals:write",
    ("goals.GoalCelebrations", "POST"): "goals:write",
    ("goals.GoalCheckIns", "POST"): "checkins:write",
    ("surveys.SurveyResponses", "GET"): "surveys:read",
    ("me.SelfCheckTrend", "GET"): "surveys:read",
    ("partnerships.PartnershipRapport", "GET"): "surveys:read",
    ("me.Export", "GET"): "export:read",
    # The same data in FHIR's shape (api.web.fhir) needs the same scope.
    ("fhir.questionnaire_responses", "GET"): "surveys:read",
    ("fhir.questionnaire_response", "GET"): "surveys:read",
    ("fhir.goal_search", "GET"): "goals:read",
    ("fhir.goal", "GET"): "goals:read",
}


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PEOPLE, status)


def signed_in(status: int, **exceptions: int) -> dict[str, int]:
    return {**everyone(status), "anonymous": 401, **exceptions}


def members_of_a(status: int) -> dict[str, int]:
    """Members of A get `status`; members of B get 404 (nothing leaks); admins 403."""
    return {"anonymous": 401, "worker_a": status, "peer_a": status, "worker_b": 404,
            "peer_b": 404, "admin_a": 403, "admin_b": 403}


@dataclass
class Row:
    expected: dict[str, int]
    path: dict | Callable = None          # path values, or world -> path values (per actor)
    body: dict | Callable | None = None   # JSON body, or (world, actor) -> body
    headers: dict | None = None
    # An open route that acts for whoever is signed in: it names no scope, so an app's
    # token is refused there (403), and a dead one is a 401, as for anyone.
    acts_for_caller: bool = False


ANY_VERSION = {"If-Match": "*"}
SELF_CHECK_ITEMS = (
    "be-yourself", "reflect-back", "respect-culture", "set-goals-together", "ask-open-questions",
    "show-up-consistently", "use-humor-with-care", "grow-together", "celebrate-wins",
    "find-common-ground", "make-space-for-creativity")


def _new_peer_or_nothing(world, actor):
    if actor.name == "anonymous":
        return {"display_name": "New Peer", "username": unique("np"),
                "password": "green river evening song"}
    return {}


def _handover_body(world):
    """Ask to move partnership A to a new worker of agency A (any waiting request cancelled:
    one waits per partnership)."""
    return {"from_worker_id": world["worker_a"].id,
            "to_worker_id": world.fresh_handover_target(),
            "partnership_ids": [world.partnership_a]}


MATRIX: dict[tuple[str, str], Row] = {
    # Public content and pages: anyone, signed in or not.
    ("tips.Tips", "GET"): Row(everyone(200)),
    ("tips.TipOfTheDay", "GET"): Row(everyone(200)),
    ("tips.TipBySlug", "GET"): Row(everyone(200), {"slug": "reflect-back"}),
    ("faqs.Faqs", "GET"): Row(everyone(200)),
    ("faqs.FaqBySlug", "GET"): Row(everyone(200), {"slug": "what-is-rapport"}),
    ("topics.Topics", "GET"): Row(everyone(200)),
    ("topics.TopicBySlug", "GET"): Row(everyone(200), {"slug": "feeling-heard"}),
    ("feeds.TipsJsonFeed", "GET"): Row(everyone(200)),
    ("feeds.TipsAtomFeed", "GET"): Row(everyone(200)),
    ("feeds.TipsRssFeed", "GET"): Row(everyone(200)),
    ("feeds.TopicsJsonFeed", "GET"): Row(everyone(200)),
    ("feeds.TopicsAtomFeed", "GET"): Row(everyone(200)),
    ("feeds.TopicsRssFeed", "GET"): Row(everyone(200)),
    ("surveys.Surveys", "GET"): Row(everyone(200)),
    ("surveys.SurveyBySlug", "GET"): Row(everyone(200), {"slug": "session-check"}),
    ("surveys.ScoreAnswers", "POST"): Row(everyone(200), {"slug": "session-check"}, {
        "answers": [{"item": i, "value": 8} for i in ("heard", "what-matters", "fits-me",
                                                         "overall")]}),
    ("surveys.SurveyResponses", "GET"): Row(
        signed_in(200, admin_a=403, admin_b=403), {"slug": "rapport-self-check"}),
    ("surveys.SurveyResponses", "POST"): Row(
        signed_in(403, worker_a=201, worker_b=201), {"slug": "rapport-self-check"},
        {"answers": [{"item": t, "value": 3} for t in SELF_CHECK_ITEMS]}),
    ("health.Health", "GET"): Row(everyone(200)),
    ("health.Readiness", "GET"): Row(everyone(200)),
    ("api-docs.openapi_json", "GET"): Row(everyone(200)),
    ("frontend.app_shell", "GET"): Row(everyone(200)),
    ("frontend.app_asset", "GET"): Row(everyone(200), {"folder": "css", "filename": "app.css"}),
    ("frontend.docs", "GET"): Row(everyone(200)),
    ("frontend.docs_vendor_asset", "GET"): Row(everyone(200), {"asset": "swagger-ui.css"}),
    ("frontend.docs_vendor_versioned", "GET"): Row(everyone(200),
                                                   {"asset": "swagger-ui.css"}),
    ("frontend.docs_init", "GET"): Row(everyone(200)),
    ("frontend.service_worker", "GET"): Row(everyone(200)),
    ("frontend.manifest", "GET"): Row(everyone(200)),
    ("frontend.offline_page", "GET"): Row(everyone(200)),
    ("embed.tips_page", "GET"): Row(everyone(200)),
    ("embed.topics_page", "GET"): Row(everyone(200)),
    ("embed.embed_asset", "GET"): Row(everyone(200), {"asset": "embed.css"}),
    ("embed.embed_script", "GET"): Row(everyone(200)),
    ("fhir.metadata", "GET"): Row(everyone(200)),
    ("fhir.questionnaires", "GET"): Row(everyone(200)),
    ("fhir.questionnaire", "GET"): Row(everyone(200), {"questionnaire_id": "session-check"}),
    ("fhir.code_system", "GET"): Row(everyone(200), {"code_system_id": "survey-scale"}),
    # FHIR's private resources: a person's own answers (to anyone else, even the other
    # member, they do not exist) and the goals of their partnerships; admins see neither.
    ("fhir.questionnaire_responses", "GET"): Row(signed_in(200, admin_a=403, admin_b=403)),
    ("fhir.questionnaire_response", "GET"): Row(
        {**signed_in(404, worker_a=200), "admin_a": 403, "admin_b": 403},
        lambda w: {"response_id": w.fresh_self_check()}),
    ("fhir.goal_search", "GET"): Row(signed_in(200, admin_a=403, admin_b=403)),
    ("fhir.goal", "GET"): Row(members_of_a(200), lambda w: {"goal_id": w.fresh_goal()}),
    # Operators' metrics: this machine only (the test client is 127.0.0.1), whoever signed in;
    # from elsewhere 404 unless METRICS_TOKEN is sent (tests/observability/test_requests.py).
    ("observability.metrics", "GET"): Row(everyone(200)),
    # Accounts and sessions.
    ("auth.Register", "POST"): Row(everyone(201), body=lambda w, a: {
        "email": f"{unique('new')}@example.org", "password": "quiet harbor lamp post",
        "display_name": "New Worker"}),
    ("auth.Token", "POST"): Row(everyone(201), body=lambda w, a: (
        a if a.name != "anonymous" else w["worker_a"]).credentials),
    ("auth.Token", "DELETE"): Row(signed_in(204)),
    ("me.Me", "GET"): Row(signed_in(200)),
    ("me.Me", "PATCH"): Row(signed_in(200), body={"display_name": "Renamed"}),
    ("me.Me", "DELETE"): Row(signed_in(204)),
    ("me.Export", "GET"): Row(signed_in(200)),
    ("me.AccessLog", "GET"): Row(signed_in(200)),
    # Workers join an agency with its code: worker A is in agency A already (nothing
    # changes), worker B is in agency B (409); peers and admins may not.
    ("me.MyAgency", "POST"): Row(
        {"anonymous": 401, "worker_a": 200, "worker_b": 409, "peer_a": 403, "peer_b": 403,
         "admin_a": 403, "admin_b": 403},
        body=lambda w, a: {"code": w.fresh_join_code("a")}),
    # Invites: workers invite; peers (new or signed in) accept.
    ("invites.Invites", "POST"): Row(signed_in(201, peer_a=403, peer_b=403, admin_a=403,
                                               admin_b=403), body={}),
    ("invites.Invites", "GET"): Row(signed_in(200, peer_a=403, peer_b=403, admin_a=403,
                                              admin_b=403)),
    # Only the worker who made an invite may cancel it; to anyone else it does not exist.
    ("invites.InviteById", "DELETE"): Row(
        {"anonymous": 401, "worker_a": 204, "worker_b": 404, "peer_a": 403, "peer_b": 403,
         "admin_a": 403, "admin_b": 403},
        lambda w: {"invite_id": w.fresh_invite_id("worker_a")}),
    ("invites.AcceptInvite", "POST"): Row(
        {"anonymous": 201, "worker_a": 403, "worker_b": 403, "admin_a": 403, "admin_b": 403,
         "peer_a": 409,  # already partnered with worker A
         "peer_b": 201},
        lambda w: {"code": w.fresh_invite("worker_a")}, _new_peer_or_nothing,
        acts_for_caller=True),
    # Partnerships: members only; admins see no partnership content at all.
    ("partnerships.Partnerships", "GET"): Row(signed_in(200, admin_a=403, admin_b=403)),
    ("partnerships.PartnershipById", "GET"): Row(
        members_of_a(200), lambda w: {"partnership_id": w.partnership_a}),
    ("partnerships.PartnershipById", "PATCH"): Row(
        members_of_a(200), lambda w: {"partnership_id": w.partnership_a},
        {"checkin_cadence_days": 10}),
    # Goals and everything in them: members only, exactly like their partnership.
    ("partnerships.PartnershipGoals", "GET"): Row(
        members_of_a(200), lambda w: {"partnership_id": w.partnership_a}),
    ("partnerships.PartnershipGoals", "POST"): Row(
        members_of_a(201), lambda w: {"partnership_id": w.partnership_a}, {"title": "Sleep"}),
    ("goals.GoalById", "GET"): Row(members_of_a(200), lambda w: {"goal_id": w.fresh_goal()}),
    ("goals.GoalById", "PATCH"): Row(members_of_a(200), lambda w: {"goal_id": w.fresh_goal()},
                                     {"title": "Walk at night"}, ANY_VERSION),
    ("goals.GoalById", "DELETE"): Row(members_of_a(204), lambda w: {"goal_id": w.fresh_goal()},
                                      None, ANY_VERSION),
    ("goals.GoalMilestones", "GET"): Row(
        members_of_a(200), lambda w: {"goal_id": w.fresh_goal()}),
    ("goals.GoalMilestones", "POST"): Row(
        members_of_a(201), lambda w: {"goal_id": w.fresh_goal()}, {"title": "Day one"}),
    ("goals.MilestoneById", "PATCH"): Row(
        members_of_a(200), lambda w: {"milestone_id": w.fresh_milestone()}, {"done": True},
        ANY_VERSION),
    ("goals.MilestoneById", "DELETE"): Row(
        members_of_a(204), lambda w: {"milestone_id": w.fresh_milestone()}, None, ANY_VERSION),
    ("goals.GoalCheckIns", "GET"): Row(members_of_a(200), lambda w: {"goal_id": w.fresh_goal()}),
    ("goals.GoalCheckIns", "POST"): Row(
        members_of_a(201), lambda w: {"goal_id": w.fresh_goal()}, {"progress": 6}),
    ("goals.GoalCelebrations", "POST"): Row(
        members_of_a(201), lambda w: {"goal_id": w.celebratable_goal()},
        lambda w, a: {"message": "Well done!", "milestone_id": w.last_done_milestone}),
    ("partnerships.PartnershipTimeline", "GET"): Row(
        members_of_a(200), lambda w: {"partnership_id": w.partnership_a}),
    # Across the caller's own partnerships: workers and peers; admins see no partnership content.
    ("me.NextMilestones", "GET"): Row(signed_in(200, admin_a=403, admin_b=403)),
    ("checkins.DueCheckIns", "GET"): Row(
        signed_in(403, worker_a=200, worker_b=200)),  # a worker's caseload, not a peer's
    ("partnerships.CalendarFeeds", "POST"): Row(
        members_of_a(201), lambda w: {"partnership_id": w.partnership_a}, {}),
    ("partnerships.CalendarFeeds", "DELETE"): Row(
        members_of_a(204), lambda w: {"partnership_id": w.partnership_a}),
    # Calendar apps cannot sign in: the secret in the link is the key, for anyone holding it.
    ("partnerships.CheckInCalendar", "GET"): Row(
        everyone(200), lambda w: {"partnership_id": w.partnership_a,
                                  "token": w.fresh_feed_token()}),
    # Agencies: their own admins only.
    ("agencies.JoinCodes", "POST"): Row(
        {"anonymous": 401, "worker_a": 403, "peer_a": 403, "worker_b": 403, "peer_b": 403,
         "admin_a": 201, "admin_b": 404},
        lambda w: {"agency_id": w.agency_a}, {}),
    # The agency console: settings, join codes and workers, the agency's own admins only.
    **{(endpoint, method): Row(
        signed_in(403, admin_a=status, admin_b=404), path, body)
       for endpoint, method, status, path, body in (
           ("agencies.AgencyById", "GET", 200, lambda w: {"agency_id": w.agency_a}, None),
           ("agencies.AgencyById", "PATCH", 200, lambda w: {"agency_id": w.agency_a},
            {"own_content_first": True}),
           ("agencies.JoinCodes", "GET", 200, lambda w: {"agency_id": w.agency_a}, None),
           ("agencies.JoinCodeById", "DELETE", 204,
            lambda w: {"agency_id": w.agency_a, "code_id": w.fresh_join_code_id()}, None),
           ("agencies.AgencyMembers", "GET", 200, lambda w: {"agency_id": w.agency_a}, None),
           ("agencies.AgencyMemberById", "DELETE", 204,
            lambda w: {"agency_id": w.agency_a, "user_id": w.fresh_member()}, None),
       )},
    ("agencies.AgencyInsights", "GET"): Row(
        {"anonymous": 401, "worker_a": 403, "peer_a": 403, "worker_b": 403, "peer_b": 403,
         "admin_a": 200, "admin_b": 404},
        lambda w: {"agency_id": w.agency_a}),
    # Crisis resources: anyone reads them; only the agency's own admins edit its set.
    ("crisis.CrisisResources", "GET"): Row(everyone(200)),
    ("crisis.AgencyCrisisResources", "GET"): Row(
        {"anonymous": 401, "worker_a": 403, "peer_a": 403, "worker_b": 403, "peer_b": 403,
         "admin_a": 200, "admin_b": 404},
        lambda w: {"agency_id": w.agency_a}),
    ("crisis.AgencyCrisisResources", "PUT"): Row(
        {"anonymous": 401, "worker_a": 403, "peer_a": 403, "worker_b": 403, "peer_b": 403,
         "admin_a": 200, "admin_b": 404},
        lambda w: {"agency_id": w.agency_a},
        {"include_default": True, "resources": [
            {"name": "Agency help line", "phone": "(202) 555-0143", "language": "en"}]}),
    # API keys: the agency's own admins; a key of agency A made fresh for each request.
    **{(endpoint, method): Row(
        {"anonymous": 401, "worker_a": 403, "peer_a": 403, "worker_b": 403, "peer_b": 403,
         "admin_a": status, "admin_b": 404}, path, body)
       for endpoint, method, status, path, body in (
           ("api_keys.ApiKeys", "GET", 200, lambda w: {"agency_id": w.agency_a}, None),
           ("api_keys.ApiKeys", "POST", 201, lambda w: {"agency_id": w.agency_a},
            {"name": "Website"}),
           ("api_keys.ApiKeyById", "DELETE", 204,
            lambda w: {"agency_id": w.agency_a, "key_id": w.fresh_api_key()}, None),
       )},
    # Webhooks: the agency's own admins; an endpoint of agency A made fresh for each request.
    **{(endpoint, method): Row(
        signed_in(403, admin_a=status, admin_b=404), path, body)
       for endpoint, method, status, path, body in (
           ("webhooks.Webhooks", "GET", 200, lambda w: {"agency_id": w.agency_a}, None),
           ("webhooks.Webhooks", "POST", 201, lambda w: {"agency_id": w.agency_a},
            {"url": "https://hooks.example.org/rapport", "event_types": ["content.published"]}),
           ("webhooks.WebhookById", "GET", 200,
            lambda w: {"agency_id": w.agency_a, "endpoint_id": w.fresh_webhook()}, None),
           ("webhooks.WebhookById", "PATCH", 200,
            lambda w: {"agency_id": w.agency_a, "endpoint_id": w.fresh_webhook()},
            {"description": "CRM"}),
           ("webhooks.WebhookById", "DELETE", 204,
            lambda w: {"agency_id": w.agency_a, "endpoint_id": w.fresh_webhook()}, None),
           ("webhooks.WebhookSecretRotation", "POST", 200,
            lambda w: {"agency_id": w.agency_a, "endpoint_id": w.fresh_webhook()}, None),
           ("webhooks.WebhookDeliveries", "GET", 200,
            lambda w: {"agency_id": w.agency_a, "endpoint_id": w.fresh_webhook()}, None),
           ("webhooks.WebhookReplay", "POST", 202,
            lambda w: dict(zip(("endpoint_id", "delivery_id"), w.fresh_webhook_delivery(),
                               strict=True), agency_id=w.agency_a), None),
           ("webhooks.WebhookTest", "POST", 202,
            lambda w: {"agency_id": w.agency_a, "endpoint_id": w.fresh_webhook()}, None),
       )},
    # Agency content: the agency's own admins write it; everyone reads it once published.
    **{(endpoint, method): Row(
        {"anonymous": 401, "worker_a": 403, "peer_a": 403, "worker_b": 403, "peer_b": 403,
         "admin_a": status, "admin_b": 404}, path, body)
       for endpoint, method, status, path, body in (
           ("agency_content.AgencyTips", "GET", 200,
            lambda w: {"agency_id": w.agency_a}, None),
           ("agency_content.AgencyTips", "POST", 201, lambda w: {"agency_id": w.agency_a},
            lambda w, a: {"slug": unique("t-"), "text": {"en": {
                "title": "T", "summary": "S", "body": "B"}}}),
           ("agency_content.AgencyTipBySlug", "GET", 200,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("tips")}, None),
           ("agency_content.AgencyTipBySlug", "PATCH", 200,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("tips")},
            {"status": "draft"}),
           ("agency_content.AgencyTipBySlug", "DELETE", 204,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("tips")}, None),
           ("agency_content.AgencyFaqs", "GET", 200,
            lambda w: {"agency_id": w.agency_a}, None),
           ("agency_content.AgencyFaqs", "POST", 201, lambda w: {"agency_id": w.agency_a},
            lambda w, a: {"slug": unique("f-"), "text": {"en": {
                "question": "Q?", "answer": "A."}}}),
           ("agency_content.AgencyFaqBySlug", "GET", 200,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("faqs")}, None),
           ("agency_content.AgencyFaqBySlug", "PATCH", 200,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("faqs")},
            {"status": "draft"}),
           ("agency_content.AgencyFaqBySlug", "DELETE", 204,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("faqs")}, None),
           ("agency_content.AgencyTopics", "GET", 200,
            lambda w: {"agency_id": w.agency_a}, None),
           ("agency_content.AgencyTopics", "POST", 201, lambda w: {"agency_id": w.agency_a},
            lambda w, a: {"slug": unique("g-"), "text": {"en": {
                "title": "T", "opening_question": "Q?", "deeper_questions": ["A?", "B?"],
                "guide_open": "O.", "guide_safety": "S.", "guide_distress": "D."}}}),
           ("agency_content.AgencyTopicBySlug", "GET", 200,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("topics")}, None),
           ("agency_content.AgencyTopicBySlug", "PATCH", 200,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("topics")},
            {"status": "draft"}),
           ("agency_content.AgencyTopicBySlug", "DELETE", 204,
            lambda w: {"agency_id": w.agency_a, "slug": w.fresh_agency_item("topics")}, None),
       )},
    # Self-check results: the worker's own trend; the partnership's two sides, members only.
    ("me.SelfCheckTrend", "GET"): Row(signed_in(403, worker_a=200, worker_b=200)),
    ("partnerships.PartnershipRapport", "GET"): Row(
        members_of_a(200), lambda w: {"partnership_id": w.partnership_a}),
    # Supervision: the agency's own admin only; to another agency's admin it does not exist.
    ("agencies.AgencySupervision", "GET"): Row(
        signed_in(403, admin_a=200, admin_b=404), lambda w: {"agency_id": w.agency_a}),
    # Handovers: the agency's own admin asks and lists; only the peer of the partnership
    # decides (to anyone else the request does not exist); members read the history.
    ("handovers.AgencyHandovers", "POST"): Row(
        signed_in(403, admin_a=201, admin_b=404), lambda w: {"agency_id": w.agency_a},
        lambda w, a: _handover_body(w)),
    ("handovers.AgencyHandovers", "GET"): Row(
        signed_in(403, admin_a=200, admin_b=404), lambda w: {"agency_id": w.agency_a}),
    ("handovers.AgencyHandoverById", "DELETE"): Row(
        signed_in(403, admin_a=204, admin_b=404),
        lambda w: {"agency_id": w.agency_a, "handover_id": w.fresh_handover()}),
    ("handovers.AgencyWorkerPartnerships", "GET"): Row(
        signed_in(403, admin_a=200, admin_b=404),
        lambda w: {"agency_id": w.agency_a, "worker_id": w["worker_a"].id}),
    ("handovers.MyHandovers", "GET"): Row(signed_in(403, peer_a=200, peer_b=200)),
    ("handovers.HandoverDecision", "POST"): Row(
        signed_in(404, peer_a=200), lambda w: {"handover_id": w.fresh_handover()},
        {"agree": False}),
    ("handovers.PartnershipHandovers", "GET"): Row(
        members_of_a(200), lambda w: {"partnership_id": w.partnership_a}),
    # Reminders: the server's public key is for anyone; a device is its owner's alone.
    ("reminders.PushKey", "GET"): Row(everyone(200)),
    ("reminders.PushSubscriptions", "GET"): Row(signed_in(200)),
    ("reminders.PushSubscriptions", "POST"): Row(
        signed_in(201), body=lambda w, a: push_subscription_body(time_zone="UTC")),
    **{("reminders.PushSubscriptionById", method): Row(
        {**signed_in(404), "peer_a": status},
        lambda w: {"subscription_id": w.fresh_push_subscription("peer_a")}, body)
       for method, status, body in (("GET", 200, None), ("PATCH", 200, {"detail": "names"}),
                                    ("DELETE", 204, None))},
    # OAuth: apps speak RFC 6749 to the token endpoints, which judge the app, not a session
    # (an empty request is refused to everyone alike); the link hands anyone to the consent
    # screen. Agencies register apps (their own admin only); workers and peers let them in.
    ("oauth.server_metadata", "GET"): Row(everyone(200)),
    ("oauth.authorize", "GET"): Row(everyone(303), lambda w: w.oauth_request()),
    ("oauth.token", "POST"): Row(everyone(400)),
    ("oauth.revoke", "POST"): Row(everyone(401)),
    ("oauth_apps.AgencyOAuthClients", "GET"): Row(
        signed_in(403, admin_a=200, admin_b=404), lambda w: {"agency_id": w.agency_a}),
    ("oauth_apps.AgencyOAuthClients", "POST"): Row(
        signed_in(403, admin_a=201, admin_b=404), lambda w: {"agency_id": w.agency_a},
        {"name": "Journal", "redirect_uris": ["https://journal.example.org/cb"],
         "scope": "goals:read"}),
    **{("oauth_apps.AgencyOAuthClientById", method): Row(
        signed_in(403, admin_a=status, admin_b=404),
        lambda w: {"agency_id": w.agency_a, "client_id": w.fresh_oauth_client()["id"]}, body)
       for method, status, body in (("GET", 200, None), ("PATCH", 200, {"name": "Diary"}),
                                    ("DELETE", 204, None))},
    ("oauth_apps.Authorization", "GET"): Row(
        signed_in(200, admin_a=403, admin_b=403), lambda w: w.oauth_request()),
    ("oauth_apps.Authorization", "POST"): Row(
        signed_in(200, admin_a=403, admin_b=403),
        body=lambda w, a: {**w.oauth_request(), "approve": True}),
    ("oauth_apps.ConnectedApps", "GET"): Row(signed_in(200)),
    ("oauth_apps.ConnectedAppById", "DELETE"): Row(
        {**signed_in(404), "worker_a": 204},
        lambda w: {"grant_id": w.fresh_connected_app("worker_a")}),
}
# RFC 6749 5.2 fixes the shape of these endpoints' errors: {"error": ..., "error_description"}.
OAUTH_PROTOCOL = {"oauth.token", "oauth.revoke"}

_APP = create_app()
ROUTES = sorted(
    (rule.endpoint, method, rule)
    for rule in _APP.url_map.iter_rules()
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
)
URLS = _APP.url_map.bind("localhost")


def test_every_route_has_a_row():
    assert {(endpoint, method) for endpoint, method, _ in ROUTES} == set(MATRIX)


def test_a_view_without_an_access_rule_stops_the_app():
    app = Flask(__name__)

    @app.get("/forgotten")
    def forgotten():
        return "private?"

    with pytest.raises(RuntimeError, match="GET /forgotten"):
        access.verify_declared(app)


def test_the_routes_an_app_may_call_and_the_scope_each_needs():
    named = {(endpoint, method): rule.scope for endpoint, method, _ in ROUTES
             if (rule := access.rule_for(_APP, endpoint, method)) is not None and rule.scope}
    assert named == SCOPES


def test_every_scope_opens_something():
    assert set(SCOPES.values()) == set(scopes.ALL)


def expected(row: Row, rule: access.Rule | None, name: str) -> int:
    """The status a person gets from the row; an app's, from its person's and its scopes."""
    if name not in APPS:
        return row.expected[name]
    app = APPS[name]
    if rule is not None and rule.signed_in:
        if app.revoked:
            return 401
        return row.expected[app.person] if rule.scope in app.scopes else 403
    if row.acts_for_caller:
        return 401 if app.revoked else 403
    return row.expected[app.person]  # open routes pay no attention to an app's token


@pytest.fixture
def world(world):
    """The world, with the apps acting for the members of A (one app of agency A)."""
    with world.app.app_context():
        client = make_oauth_client(world.agency_a)
        for name, app in APPS.items():
            actor = make_oauth_token(world[app.person], " ".join(sorted(app.scopes)), client)
            actor.name = name
            world.actors[name] = actor
        revoked = make_oauth_client(world.agency_a, "Old Diary")
        actor = make_oauth_token(world["worker_a"], " ".join(scopes.ALL), revoked)
        revoke_oauth_grant(world["worker_a"], revoked)
        actor.name = "worker_a+app:revoked"
        world.actors[actor.name] = actor
    return world


def secrets(world, asking: str) -> set[str]:
    """Password hashes, every token's stored hash, and everyone else's tokens."""
    found = {"$argon2"}
    for name, actor in world.actors.items():
        if actor.token:
            found.add(token_hash(actor.token))
            if name != asking:
                found.add(actor.token)
    return found


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES,
                         ids=[f"{m} {e}" for e, m, _ in ROUTES])
def test_each_actor_gets_the_expected_status(client, world, endpoint, method, rule):
    row = MATRIX[(endpoint, method)]
    access_rule = access.rule_for(_APP, endpoint, method)
    for name in ACTORS:
        actor = world[name]
        values = row.path(world) if callable(row.path) else (row.path or {})
        body = row.body(world, actor) if callable(row.body) else row.body
        kwargs = {"json": body} if body is not None else {}
        headers = {**actor.headers, **(row.headers or {})}
        with client.open(URLS.build(endpoint, values), method=method, headers=headers,
                         **kwargs) as response:
            text = response.get_data(as_text=True)
            assert response.status_code == expected(row, access_rule, name), (name, text[:300])
            leaked = [secret for secret in secrets(world, name) if secret in text]
            assert not leaked, (name, "response contains a hash or another person's token")
            if response.status_code >= 400 and endpoint in OAUTH_PROTOCOL:
                assert "error" in response.get_json()
            elif response.status_code >= 400:  # FHIR's refusals are its own resource
                assert response.mimetype == ("application/fhir+json" if endpoint in FHIR
                                             else "application/problem+json")
            if rule.endpoint not in PUBLIC and response.status_code != 304:
                assert response.cache_control.no_store, name
            if name in APPS and response.status_code == 403:
                assert_why_an_app_is_refused(response, access_rule, APPS[name], name)


def assert_why_an_app_is_refused(response, rule: access.Rule | None, app: App, name: str):
    """RFC 6750 3.1: an app refused for want of a scope learns which one the route needs (no
    scope named: none opens it). Refused for what its person may not do, it is told no more."""
    scope = rule.scope if rule is not None else None
    challenge = response.headers.get("WWW-Authenticate", "")
    if scope in app.scopes:
        assert "insufficient_scope" not in challenge, name
    else:
        needed = f', scope="{scope}"' if scope else ""
        assert challenge == f'Bearer realm="rapport", error="insufficient_scope"{needed}', name


PUBLIC_BLUEPRINTS = {"tips", "faqs", "topics", "feeds", "frontend", "embed", "fhir"}
FHIR = {e for e, _, _ in ROUTES if e.startswith("fhir.")}
FHIR_PRIVATE = {"fhir.questionnaire_responses", "fhir.questionnaire_response",
                "fhir.goal_search", "fhir.goal"}
PUBLIC = {e for e, _, _ in ROUTES if e.split(".")[0] in PUBLIC_BLUEPRINTS} - FHIR_PRIVATE | {
    "oauth.server_metadata",
    "api-docs.openapi_json", "surveys.Surveys", "surveys.SurveyBySlug",
    "crisis.CrisisResources", "reminders.PushKey"}

