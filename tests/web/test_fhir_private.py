"""FHIR's private resources: a person's own stored answers (QuestionnaireResponse) and the
goals they share (Goal), read by an app through the scope the person granted, or by the
person's own session. Every answer is checked by the fhir.resources R4B models."""

import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.goal import Goal
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.clock import utcnow
from api.models import AuditEvent, OAuthClient, OAuthGrant, OAuthToken
from api.services.integrations import oauth
from api.services.surveys.fhir import NOT_APPLICABLE
from tests.factories import make_goal, make_milestone

FHIR_JSON = "application/fhir+json"
SPANISH = {"Accept-Language": "es"}
SELF_CHECK = ["be-yourself", "reflect-back", "respect-culture", "set-goals-together",
              "ask-open-questions", "show-up-consistently", "use-humor-with-care",
              "grow-together", "celebrate-wins", "find-common-ground",
              "make-space-for-creativity"]


def app_token(app, world, actor: str, scope: str) -> tuple[dict, uuid.UUID]:
    """An app of agency A that `actor` granted exactly `scope`: its Bearer header and the
    client's row id. Minted as rows (the /oauth endpoints are built elsewhere)."""
    token = oauth.new_secret(oauth.ACCESS_PREFIX)
    with app.app_context(), unit_of_work():
        client = OAuthClient(client_id=f"rpapp_{secrets.token_hex(12)}",
                             agency_id=uuid.UUID(world.agency_a), name="Clinic app",
                             redirect_uris=["https://app.example/callback"],
                             scope="goals:read surveys:read")
        db.session.add(client)
        db.session.flush()
        grant = OAuthGrant(client_id=client.id, user_id=uuid.UUID(world[actor].id),
                           scope=scope)
        db.session.add(grant)
        db.session.flush()
        db.session.add(OAuthToken(grant_id=grant.id, access_hash=oauth.digest(token),
                                  scope=scope,
                                  access_expires_at=utcnow() + timedelta(hours=1)))
        client_id = client.id
    return {"Authorization": f"Bearer {token}"}, client_id


def fhir_ok(response, model):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == FHIR_JSON
    assert response.cache_control.no_store
    return model.model_validate(response.get_json())


def outcome(response, status: int) -> OperationOutcome:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == FHIR_JSON
    assert response.cache_control.no_store
    return OperationOutcome.model_validate(response.get_json())


def self_check(client, worker, values=None) -> str:
    values = values or {item: 3 for item in SELF_CHECK}
    response = client.post("/api/v1/surveys/rapport-self-check/responses",
                           json={"answers": [{"item": k, "value": v} for k, v in values.items()]},
                           headers=worker.headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def session_check(client, world, peer="peer_a", share="now") -> str:
    partnership = world.partnership_a if peer == "peer_a" else world.partnership_b
    response = client.post("/api/v1/surveys/session-check/responses", json={
        "answers": [{"item": i, "value": 9} for i in ("heard", "what-matters", "fits-me",
                                                        "overall")],
        "partnership_id": partnership, "share": share}, headers=world[peer].headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


# --- QuestionnaireResponse ------------------------------------------------------------------


def test_an_app_reads_the_persons_own_self_checks_as_questionnaire_responses(
        app, client, world):
    values = {item: 2 for item in SELF_CHECK} | {"celebrate-wins": None, "reflect-back": 4}
    first = self_check(client, world["worker_a"], values)
    self_check(client, world["worker_b"])  # someone else's: never shown
    headers, _ = app_token(app, world, "worker_a", "surveys:read")

    bundle = fhir_ok(client.get("/fhir/QuestionnaireResponse", headers=headers), Bundle)
    assert bundle.type == "searchset" and bundle.total == 1
    [entry] = bundle.entry
    response = QuestionnaireResponse.model_validate(entry.resource.model_dump())
    assert response.id == first and entry.fullUrl.endswith(f"/QuestionnaireResponse/{first}")
    assert response.status == "completed"
    assert response.authored.isoformat().startswith(str(utcnow().year))
    assert response.questionnaire.endswith("/fhir/Questionnaire/rapport-self-check|2")
    assert response.author.identifier.value == f"urn:uuid:{world['worker_a'].id}"
    assert response.author.type == "Practitioner" and response.author.display is None

    # Every answer is one of the Questionnaire's own options for that linkId.
    form = Questionnaire.model_validate(
        client.get("/fhir/Questionnaire/rapport-self-check").get_json())
    options = {item.linkId: {(o.valueCoding.system, o.valueCoding.code)
                             for o in item.answerOption or []} for item in form.item}
    answers = {item.linkId: item.answer[0] for item in response.item}
    assert set(answers) == {item.linkId for item in form.item}
    for link_id in SELF_CHECK:
        coding = answers[link_id].valueCoding
        assert (coding.system, coding.code) in options[link_id]
    assert answers["celebrate-wins"].valueCoding.code == NOT_APPLICABLE
    assert answers["reflect-back"].valueCoding.code == "4"
    # The totals are what the calculated expressions give: "did not come up" counts nothing.
    assert answers["total"].valueInteger == 2 * 9 + 4
    for item in form.item:
        if item.linkId.startswith("total-"):
            expression = item.extension[0].valueExpression.expression
            summed = [link_id for link_id in SELF_CHECK if f"'{link_id}'" in expression]
            assert answers[item.linkId].valueInteger == sum(values[i] or 0 for i in summed)

    read = client.get(f"/fhir/QuestionnaireResponse/{first}", headers=headers)
    assert fhir_ok(read, QuestionnaireResponse).model_dump() == response.model_dump()


def test_a_peer_reads_only_their_own_session_checks(app, client, world):
    mine = session_check(client, world, "peer_a")
    kept_back = session_check(client, world, "peer_a", share="aggregate_only")
    worker_own = self_check(client, world["worker_a"])
    headers, _ = app_token(app, world, "peer_a", "surveys:read")

    bundle = fhir_ok(client.get("/fhir/QuestionnaireResponse?questionnaire=session-check",
                                headers=headers), Bundle)
    assert {entry.resource.id for entry in bundle.entry} == {mine, kept_back}
    resource = bundle.entry[0].resource
    assert resource.author.type == "Patient"
    totals = {item.linkId: item.answer[0].valueInteger for item in resource.item
              if item.linkId.startswith("total")}
    assert totals == {"total": 36}  # one item per dimension: no dimension totals
    # The other member's answers are not theirs to read, even shared with them.
    worker_app, _ = app_token(app, world, "worker_a", "surveys:read")
    outcome(client.get(f"/fhir/QuestionnaireResponse/{mine}", headers=worker_app), 404)
    outcome(client.get(f"/fhir/QuestionnaireResponse/{worker_own}", headers=headers), 404)
    theirs = fhir_ok(client.get("/fhir/QuestionnaireResponse", headers=worker_app), Bundle)
    assert [entry.resource.id for entry in theirs.entry] == [worker_own]


def test_questionnaire_search_by_canonical_url_and_version(app, client, world):
    self_check(client, world["worker_a"])
    headers = world["worker_a"].headers  # the person's own session works too
    canonical = "http://localhost/fhir/Questionnaire/rapport-self-check"
    for asked, found in ((canonical, 1), (f"{canonical}|2", 1), ("rapport-self-check|1", 0),
                         ("session-check", 0), ("no-such-thing", 0)):
        bundle = fhir_ok(client.get("/fhir/QuestionnaireResponse",
                                    query_string={"questionnaire": asked}, headers=headers),
                         Bundle)
        assert bundle.total == found, asked
    bad = client.get("/fhir/QuestionnaireResponse?questionnaire=a%20b", headers=headers)
    assert outcome(bad, 422).issue[0].code == "invalid"


def test_pages_follow_the_bundle_links(app, client, world):
    made = [self_check(client, world["worker_a"]) for _ in range(3)]
    headers = world["worker_a"].headers
    seen, url = [], "/fhir/QuestionnaireResponse?_count=2"
    while url:
        bundle = fhir_ok(client.get(url, headers=headers), Bundle)
        assert bundle.total == 3
        seen += [entry.resource.id for entry in bundle.entry]
        links = {link.relation: link.url for link in bundle.link}
        assert "_count=2" in links["last"] and "page=2" in links["last"]
        url = urlsplit(links["next"])._replace(scheme="", netloc="").geturl() \
            if "next" in links else None
    assert seen == made[::-1]  # newest first
    for bad in ("_count=0", "_count=101", "_count=x", "page=0", "page=99999999"):
        outcome(client.get(f"/fhir/QuestionnaireResponse?{bad}", headers=headers), 422)


# --- Goal ------------------------------------------------------------------------------------


@pytest.fixture
def goal_a(app, world):
    """A goal of partnership A set by the peer, with a target date and two milestones (one
    done), later achieved by the worker."""
    with app.app_context():
        goal = make_goal(world["peer_a"], world.partnership_a, "Cook dinner twice a week")
        goal_id = str(goal.id)
        make_milestone(world["peer_a"], goal_id, done=True)
        make_milestone(world["worker_a"], goal_id)
    return goal_id


def test_an_app_reads_a_shared_goal(app, client, world, goal_a):
    client.patch(f"/api/v1/goals/{goal_a}", json={"status": "achieved", "why": "To eat well",
                                                 "target_date": "2030-06-01"},
                 headers={**world["worker_a"].headers, "If-Match": "*"})
    headers, client_id = app_token(app, world, "worker_a", "goals:read")

    goal = fhir_ok(client.get(f"/fhir/Goal/{goal_a}", headers=headers), Goal)
    assert goal.id == goal_a
    assert goal.lifecycleStatus == "completed"
    assert goal.achievementStatus.coding[0].code == "achieved"
    assert goal.description.text == "Cook dinner twice a week"
    assert goal.subject.identifier.value == f"urn:uuid:{world['peer_a'].id}"
    assert goal.subject.type == "Patient" and goal.subject.display is None
    assert goal.expressedBy.type == "Patient"  # the peer set it
    assert goal.startDate.isoformat() == goal.statusDate.isoformat() == utcnow().date().isoformat()
    assert goal.note[0].text == "To eat well"
    due, done, open_ = goal.target
    assert due.dueDate.isoformat() == "2030-06-01" and due.measure is None
    assert done.measure.text == open_.measure.text == "First walk"
    assert done.extension[0].url.endswith("/fhir/StructureDefinition/milestone-done")
    assert open_.extension is None

    # The read is in partnership A's access log, naming the app.
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "goal.read", AuditEvent.object_id == goal_a)).one()
    assert event.partnership_id == uuid.UUID(world.partnership_a)
    assert event.client_id == client_id
    assert str(event.actor_id) == world["worker_a"].id
    log = client.get("/api/v1/me/access-log", headers=world["peer_a"].headers).get_json()
    assert any(entry["action"] == "goal.read" and entry["object_id"] == goal_a
               for entry in log)


def test_goal_search_lists_the_callers_partnerships_only(app, client, world, goal_a):
    with app.app_context():
        paused = str(make_goal(world["worker_a"], world.partnership_a, "Sleep by eleven").id)
        other = str(make_goal(world["worker_b"], world.partnership_b, "Not yours").id)
    client.patch(f"/api/v1/goals/{paused}", json={"status": "paused"},
                 headers={**world["worker_a"].headers, "If-Match": "*"})
    headers, client_id = app_token(app, world, "peer_a", "goals:read")

    bundle = fhir_ok(client.get("/fhir/Goal", headers=headers), Bundle)
    assert {entry.resource.id for entry in bundle.entry} == {goal_a, paused}
    assert other not in {entry.resource.id for entry in bundle.entry}
    for entry in bundle.entry:
        Goal.model_validate(entry.resource.model_dump())
    held = fhir_ok(client.get("/fhir/Goal?lifecycle-status=on-hold", headers=headers), Bundle)
    assert [entry.resource.id for entry in held.entry] == [paused]
    assert held.entry[0].resource.achievementStatus is None
    either = fhir_ok(client.get("/fhir/Goal?lifecycle-status=active,on-hold&_count=1",
                                headers=headers), Bundle)
    assert either.total == 2 and len(either.entry) == 1
    none = fhir_ok(client.get("/fhir/Goal?lifecycle-status=proposed", headers=headers), Bundle)
    assert none.total == 0
    outcome(client.get("/fhir/Goal?lifecycle-status=done", headers=headers), 422)
    # The search is in the partnership's log as the JSON list is, naming the app.
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "goal.list", AuditEvent.client_id == client_id)).all()
    assert {event.partnership_id for event in events} == {uuid.UUID(world.partnership_a)}


def test_another_partnerships_goal_is_not_found(app, client, world, goal_a):
    headers, _ = app_token(app, world, "peer_b", "goals:read")
    for path in (goal_a, str(uuid.uuid4()), "not-a-uuid", goal_a.replace("-", "")):
        assert outcome(client.get(f"/fhir/Goal/{path}", headers=headers), 404) \
            .issue[0].code == "not-found"
    assert outcome(client.get(f"/fhir/Goal/{goal_a}", headers=world["peer_b"].headers), 404)
    admin = client.get(f"/fhir/Goal/{goal_a}", headers=world["admin_a"].headers)
    assert outcome(admin, 403).issue[0].code == "forbidden"


# --- Scopes and sign-in ----------------------------------------------------------------------


def test_each_scope_opens_only_its_own_resource(app, client, world, goal_a):
    goals_app, _ = app_token(app, world, "worker_a", "goals:read")
    fhir_ok(client.get(f"/fhir/Goal/{goal_a}", headers=goals_app), Goal)
    refused = client.get("/fhir/QuestionnaireResponse", headers=goals_app)
    assert outcome(refused, 403).issue[0].code == "forbidden"
    assert refused.headers["WWW-Authenticate"] == (
        'Bearer realm="rapport", error="insufficient_scope", scope="surveys:read"')

    surveys_app, _ = app_token(app, world, "worker_a", "surveys:read")
    fhir_ok(client.get("/fhir/QuestionnaireResponse", headers=surveys_app), Bundle)
    refused = client.get("/fhir/Goal", headers=surveys_app)
    assert outcome(refused, 403)
    assert 'scope="goals:read"' in refused.headers["WWW-Authenticate"]
    # Neither scope opens the JSON API's routes that name no scope.
    assert client.get("/api/v1/me/export", headers=goals_app).status_code == 403


def test_a_revoked_grant_is_signed_out_at_once(app, client, world, goal_a):
    headers, client_id = app_token(app, world, "worker_a", "goals:read")
    fhir_ok(client.get("/fhir/Goal", headers=headers), Bundle)
    with app.app_context(), unit_of_work():
        grant = db.session.scalars(select(OAuthGrant).where(
            OAuthGrant.client_id == client_id)).one()
        grant.revoked_at = utcnow()
    response = client.get("/fhir/Goal", headers=headers)
    assert outcome(response, 401).issue[0].code == "login"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    anonymous = client.get(f"/fhir/Goal/{goal_a}")
    outcome(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")


def test_refusals_speak_the_callers_language(app, client, world, goal_a):
    signed_out = client.get("/fhir/QuestionnaireResponse", headers=SPANISH)
    assert outcome(signed_out, 401).issue[0].diagnostics == "Inicia sesión para hacer esto."
    assert signed_out.headers["Content-Language"] == "es"
    headers, _ = app_token(app, world, "peer_b", "goals:read")
    missing = client.get(f"/fhir/Goal/{goal_a}?lang=es", headers=headers)
    assert outcome(missing, 404).issue[0].diagnostics == "No hay nada en esta dirección."
    no_scope = client.get("/fhir/QuestionnaireResponse", headers={**headers, **SPANISH})
    assert outcome(no_scope, 403).issue[0].diagnostics.startswith("Esta aplicación")
    bad = client.get("/fhir/Goal?_count=500", headers={**headers, **SPANISH})
    assert outcome(bad, 422).issue[0].diagnostics.startswith("_count debe")
    english = client.get(f"/fhir/Goal/{goal_a}", headers=headers)
    assert outcome(english, 404).issue[0].diagnostics == "Nothing was found at this address."


# --- Public: CapabilityStatement and CodeSystem ---------------------------------------------


def test_metadata_lists_the_private_resources_and_how_to_sign_in(client):
    statement = CapabilityStatement.model_validate(client.get("/fhir/metadata").get_json())
    [rest] = statement.rest
    resources = {resource.type: resource for resource in rest.resource}
    assert set(resources) == {"Questionnaire", "QuestionnaireResponse", "Goal", "CodeSystem"}
    for name in ("QuestionnaireResponse", "Goal"):
        assert {i.code for i in resources[name].interaction} == {"read", "search-type"}
    assert {p.name for p in resources["QuestionnaireResponse"].searchParam} == {
        "questionnaire", "_count"}
    assert {p.name for p in resources["Goal"].searchParam} == {"lifecycle-status", "_count"}
    assert rest.security.service[0].coding[0].code == "OAuth"
    [uris] = rest.security.extension
    assert {e.url: e.valueUri for e in uris.extension} == {
        "authorize": "http://localhost/oauth/authorize", "token": "http://localhost/oauth/token",
        "revoke": "http://localhost/oauth/revoke"}
    # The same endpoints the OAuth server's own metadata (RFC 8414) names.
    server = client.get("/.well-known/oauth-authorization-server").get_json()
    assert [server["authorization_endpoint"], server["token_endpoint"],
            server["revocation_endpoint"]] == [e.valueUri for e in uris.extension]


def test_the_answer_scale_is_served_where_its_url_says(client):
    form = client.get("/fhir/Questionnaire/session-check").get_json()
    system = form["item"][0]["answerOption"][0]["valueCoding"]["system"]
    assert system == "http://localhost/fhir/CodeSystem/survey-scale"
    response = client.get(urlsplit(system).path)
    assert response.status_code == 200 and response.mimetype == FHIR_JSON
    assert response.cache_control.public and response.headers["ETag"]
    scale = CodeSystem.model_validate(response.get_json())
    assert scale.url == system and scale.content == "complete"
    codes = {concept.code for concept in scale.concept}
    used = {option["valueCoding"]["code"] for name in ("session-check", "rapport-self-check")
            for item in client.get(f"/fhir/Questionnaire/{name}").get_json()["item"]
            for option in item.get("answerOption", [])}
    assert used <= codes and NOT_APPLICABLE in codes
    spanish = client.get(urlsplit(system).path, headers=SPANISH).get_json()
    assert spanish["language"] == "es" and spanish["title"] != scale.title
    missing = client.get("/fhir/CodeSystem/other?lang=es")
    assert missing.status_code == 404 and missing.mimetype == FHIR_JSON
    assert missing.get_json()["issue"][0]["diagnostics"].startswith("Ningún CodeSystem")


def test_a_crash_is_a_500_operation_outcome_without_a_trace(client, world, monkeypatch, caplog):
    from api.services.support import goals

    def crash(goal_ids):
        raise RuntimeError("abc123 SELECT secret")

    monkeypatch.setattr(goals, "goal_details", crash)
    with caplog.at_level("ERROR"):
        response = client.get("/fhir/Goal", headers=world["worker_a"].headers)
    assert outcome(response, 500).issue[0].code == "exception"
    text = response.get_data(as_text=True)
    assert not any(leak in text for leak in ("abc123", "SELECT", "Traceback", ".py"))
    assert any("abc123" in str(record.exc_info[1]) for record in caplog.records
               if record.exc_info)  # operators still get the cause
