"""FHIR: every answer is checked by the fhir.resources R4B models."""

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire

from api.services.surveys.fhir import CALCULATED, NOT_APPLICABLE

FHIR_JSON = "application/fhir+json"


def test_metadata_is_a_capability_statement(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.mimetype == FHIR_JSON
    statement = CapabilityStatement.model_validate(response.get_json())
    assert statement.fhirVersion == "4.0.1"
    assert statement.kind == "instance" and statement.format == ["json"]
    resource = statement.rest[0].resource[0]
    assert resource.type == "Questionnaire"
    assert {i.code for i in resource.interaction} == {"read", "search-type"}


def test_questionnaire_search_lists_both_instruments(client):
    response = client.get("/fhir/Questionnaire")
    assert response.status_code == 200 and response.mimetype == FHIR_JSON
    bundle = Bundle.model_validate(response.get_json())
    ids = {entry.resource.id for entry in bundle.entry}
    assert ids == {"rapport-self-check", "session-check"}
    for entry in bundle.entry:
        Questionnaire.model_validate(entry.resource.model_dump())


def test_a_questionnaire_has_its_scale_skip_option_and_totals(client):
    response = client.get("/fhir/Questionnaire/rapport-self-check")
    assert response.status_code == 200
    body = response.get_json()
    questionnaire = Questionnaire.model_validate(body)
    assert questionnaire.status == "active" and questionnaire.version == "2"
    assert questionnaire.language == "en"
    questions = [item for item in questionnaire.item if item.type == "coding"]
    codes = [option.valueCoding.code for option in questions[0].answerOption]
    assert codes[:2] == ["0", "1"] or codes[:2] == ["1", "2"]
    assert any(NOT_APPLICABLE in [o.valueCoding.code for o in item.answerOption]
               for item in questions)
    totals = [item for item in questionnaire.item if item.readOnly]
    assert totals[-1].linkId == "total"
    [extension] = totals[-1].extension
    assert extension.url == CALCULATED
    assert extension.valueExpression.language == "text/fhirpath"
    assert all(f"'{item.linkId}'" in extension.valueExpression.expression for item in questions)


def test_language_by_query_or_accept_language(client):
    spanish = client.get("/fhir/Questionnaire/session-check?lang=es").get_json()
    assert Questionnaire.model_validate(spanish).language == "es"
    english = client.get("/fhir/Questionnaire/session-check").get_json()
    assert spanish["title"] != english["title"]
    asked = client.get("/fhir/Questionnaire/session-check",
                       headers={"Accept-Language": "es"})
    assert asked.get_json()["language"] == "es"
    assert asked.headers["Content-Language"] == "es"


def test_unknown_id_is_a_404_operation_outcome(client):
    response = client.get("/fhir/Questionnaire/no-such-thing")
    assert response.status_code == 404 and response.mimetype == FHIR_JSON
    outcome = OperationOutcome.model_validate(response.get_json())
    assert outcome.issue[0].code == "not-found"


def test_unknown_language_is_a_422_operation_outcome(client):
    response = client.get("/fhir/Questionnaire?lang=xx")
    assert response.status_code == 422
    OperationOutcome.model_validate(response.get_json())


def test_answers_are_cacheable(client):
    first = client.get("/fhir/Questionnaire/session-check")
    assert first.headers.get("ETag")
    again = client.get("/fhir/Questionnaire/session-check",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_refusals_speak_the_callers_language(client):
    missing = client.get("/fhir/Questionnaire/nada?lang=es").get_json()
    assert missing["issue"][0]["diagnostics"].startswith("Ningún")
    bad = client.get("/fhir/Questionnaire?lang=xx", headers={"Accept-Language": "es"})
    assert bad.get_json()["issue"][0]["diagnostics"].startswith("lang debe")
    spanish = client.get("/fhir/Questionnaire/rapport-self-check?lang=es").get_json()
    assert "Total: nuestra relación" in [item["text"] for item in spanish["item"]]
