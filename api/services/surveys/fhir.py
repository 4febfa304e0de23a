"""The self-check instruments and stored answers as FHIR R4 resources (plain JSON; the
fhir.resources R4B models check them in the tests).

A Questionnaire per instrument: one coded item per practice, answerOption per scale point
(and the "did not come up" option where the item allows it), and the totals (all practices,
and each dimension) as SDC calculated expressions in FHIRPath, so a form filler shows them
the way Rapport scores them: the sum of the answered scale points.

A QuestionnaireResponse per stored answer set: the same linkIds, each answer the same
coding as the Questionnaire's option, and the totals as the answers of the read-only total
items, worked out exactly as those expressions would. People are named by id only.
"""

from api.lib import fhir
from api.lib.clock import iso
from api.services.surveys import instruments

CALCULATED = ("http://hl7.org/fhir/uv/sdc/StructureDefinition/"
              "sdc-questionnaire-calculatedExpression")
CODE_SYSTEM_ID = "survey-scale"
NOT_APPLICABLE = "did-not-come-up"
TOTAL_WORDS = {"en": "Total", "es": "Total"}
# The dimension totals' labels (scoring.DIMENSIONS), in plain words.
DIMENSION_TOTALS = {
    "en": {"relationship": "Total: our relationship", "goals": "Total: goals",
           "approach": "Total: how we work", "overall": "Total: overall"},
    "es": {"relationship": "Total: nuestra relación", "goals": "Total: metas",
           "approach": "Total: cómo trabajamos", "overall": "Total: en general"},
}




def code_system_url(base_url: str) -> str:
    """The scale's canonical URL: on this server, where it is served."""
    return f"{base_url}/CodeSystem/{CODE_SYSTEM_ID}"


def _scale_options(survey: dict, allows_skip: bool, system: str) -> list[dict]:
    scale = survey["scale"]
    labels = scale["labels"]
    options = []
    for point in range(scale["min"], scale["max"] + 1):
        coding = {"system": system, "code": str(point)}
        # Anchors name the ends; a full label list names every point.
        if len(labels) == scale["max"] - scale["min"] + 1:
            coding["display"] = labels[point - scale["min"]]
        elif len(labels) == 2 and point in (scale["min"], scale["max"]):
            coding["display"] = labels[0 if point == scale["min"] else 1]
        options.append({"valueCoding": coding})
    if allows_skip and scale.get("did_not_come_up"):
        options.append({"valueCoding": {"system": system, "code": NOT_APPLICABLE,
                                        "display": scale["did_not_come_up"]}})
    return options


def _sum_of(link_ids: list[str]) -> str:
    """FHIRPath: the sum of the answered scale points of these items ("did not come up" and
    unanswered items count nothing)."""
    ids = " | ".join(f"'{link_id}'" for link_id in link_ids)
    return (f"%resource.repeat(item).where(linkId in ({ids})).answer.value"
            f".where(code != '{NOT_APPLICABLE}').code.toInteger().aggregate($this + $total, 0)")


def _total_item(link_id: str, text: str, link_ids: list[str]) -> dict:
    return {"linkId": link_id, "text": text, "type": "integer", "readOnly": True,
            "extension": [{"url": CALCULATED,
                           "valueExpression": {"language": "text/fhirpath",
                                               "expression": _sum_of(link_ids)}}]}


def questionnaire_id(slug: str) -> str:
    return slug


def _totals(items: list[dict]) -> dict[str, list[str]]:
    """The total items' linkIds and the items each sums: one per dimension that has more
    than one item, then the grand total."""
    dimensions: dict[str, list[str]] = {}
    for item in items:
        dimensions.setdefault(item["dimension"], []).append(item["id"])
    totals = {f"total-{dimension}": ids for dimension, ids in dimensions.items() if len(ids) > 1}
    totals["total"] = [item["id"] for item in items]
    return totals


def canonical(base_url: str, row) -> str:
    return f"{base_url}/Questionnaire/{questionnaire_id(row.slug)}"


def questionnaire(row, language: str, base_url: str) -> dict:
    survey = instruments.localised(row, language)
    system = code_system_url(base_url)
    total_word = TOTAL_WORDS.get(survey["language"], TOTAL_WORDS["en"])
    dimension_words = DIMENSION_TOTALS.get(survey["language"], DIMENSION_TOTALS["en"])
    items = [{"linkId": item["id"], "text": item["text"], "type": "coding", "required": False,
              "answerOption": _scale_options(survey, item["did_not_come_up"], system)}
             for item in survey["items"]]
    totals = [_total_item(link_id, total_word if link_id == "total"
                          else dimension_words[link_id.removeprefix("total-")], ids)
              for link_id, ids in _totals(survey["items"]).items()]
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(row.slug),
        "url": canonical(base_url, row),
        "version": str(row.version),
        "name": row.slug.replace("-", "_"),
        "title": survey["title"],
        "status": "active",
        "language": survey["language"],
        "subjectType": ["Patient", "Practitioner"],
        "date": row.published.isoformat(),
        "description": survey["intro"],
        "item": items + totals,
    }


def questionnaires(language: str, base_url: str) -> list[dict]:
    return [questionnaire(row, language, base_url) for row in instruments.latest()]



def questionnaire_response(response, row, author_role: str, language: str,
                           base_url: str) -> dict:
    """A stored answer set, against the instrument version it answered. Each answer is the
    coding the Questionnaire offers for it; the total items hold the sums their calculated
    expressions give (the stored total among them)."""
    survey = instruments.localised(row, language)
    options = {option["valueCoding"]["code"]: option["valueCoding"]
               for option in _scale_options(survey, True, code_system_url(base_url))}
    values = {answer["item"]: answer["value"] for answer in response.answers}
    items = [{"linkId": item["id"], "answer": [{"valueCoding": options[
                 NOT_APPLICABLE if values[item["id"]] is None else str(values[item["id"]])]}]}
             for item in survey["items"] if item["id"] in values]
    sums = {link_id: sum(values.get(item_id) or 0 for item_id in ids)
            for link_id, ids in _totals(survey["items"]).items()}
    sums["total"] = response.total
    author = fhir.person(fhir.RESOURCE_FOR_ROLE[author_role], response.user_id)
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(response.id),
        "language": survey["language"],
        "questionnaire": f"{canonical(base_url, row)}|{row.version}",
        "status": "completed",
        "subject": author,  # each instrument asks its answerer about their own practice
        "author": author,
        "authored": iso(response.created_at),
        "item": items + [{"linkId": link_id, "answer": [{"valueInteger": total}]}
                         for link_id, total in sums.items()],
    }


SCALE_WORDS = {
    "en": {"title": "Self-check answer scale",
           "description": "The points people answer Rapport's self-checks with: a whole "
                          "number on the instrument's scale (the higher, the better it "
                          "went), or \"did not come up\", which counts in no total.",
           "point": "Point {} on the instrument's scale."},
    "es": {"title": "Escala de respuestas de las autoevaluaciones",
           "description": "Los puntos con que se responden las autoevaluaciones de Rapport: "
                          "un número entero en la escala del instrumento (cuanto más alto, "
                          "mejor fue), o \"no se dio\", que no cuenta en ningún total.",
           "point": "Punto {} en la escala del instrumento."},
}


def code_system(language: str, base_url: str) -> dict:
    """Every point any instrument's scale has, and "did not come up"."""
    rows = instruments.latest()
    words = SCALE_WORDS.get(language, SCALE_WORDS["en"])
    skip = next(filter(None, (instruments.localised(row, language)["scale"]["did_not_come_up"]
                              for row in rows)), None)
    points = range(min(row.scale_min for row in rows), max(row.scale_max for row in rows) + 1)
    concepts = [{"code": str(point), "display": str(point),
                 "definition": words["point"].format(point)} for point in points]
    if skip:
        concepts.append({"code": NOT_APPLICABLE, "display": skip, "definition": skip})
    return {
        "resourceType": "CodeSystem",
        "id": CODE_SYSTEM_ID,
        "url": code_system_url(base_url),
        "name": CODE_SYSTEM_ID.replace("-", "_"),
        "title": words["title"],
        "status": "active",
        "language": language if language in SCALE_WORDS else "en",
        "date": max(row.published for row in rows).isoformat(),
        "publisher": "Rapport",
        "description": words["description"],
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def _oauth_security(authorize_url: str, token_url: str, revoke_url: str) -> dict:
    return {
        "cors": False,
        "service": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
            "code": "OAuth", "display": "OAuth"}]}],
        "description": "OAuth 2.1, authorization code with PKCE. Send the access token as "
                       "`Authorization: Bearer`. QuestionnaireResponse needs the scope "
                       "surveys:read, Goal the scope goals:read; Questionnaire, CodeSystem "
                       "and this statement are public.",
        # SMART App Launch's way of naming the endpoints (optional for clients to read).
        "extension": [{"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/"
                              "oauth-uris",
                       "extension": [{"url": "authorize", "valueUri": authorize_url},
                                     {"url": "token", "valueUri": token_url},
                                     {"url": "revoke", "valueUri": revoke_url}]}],
    }


READ_AND_SEARCH = [{"code": "read"}, {"code": "search-type"}]
SURVEY_CAPABILITIES = [
    {"type": "Questionnaire", "interaction": READ_AND_SEARCH},
    {"type": "QuestionnaireResponse", "interaction": READ_AND_SEARCH,
     "searchParam": [{"name": "questionnaire", "type": "reference",
                      "documentation": "The instrument: its id (rapport-self-check, "
                                       "session-check) or canonical URL, with or without "
                                       "|version."},
                     {"name": "_count", "type": "number",
                      "documentation": "Entries per page, 1 to 100 (20 by default); the "
                                       "Bundle's links page through the rest."}],
     "documentation": "The caller's own stored answers, never anyone else's. Scope "
                      "surveys:read."},
    {"type": "CodeSystem", "interaction": [{"code": "read"}]},
]


def capability_statement(base_url: str, *, authorize_url: str, token_url: str,
                         revoke_url: str, more: list[dict] = ()) -> dict:
    """What this server offers: the survey resources, and `more` (other domains' entries)."""
    published = max((row.published for row in instruments.latest()), default=None)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": published.isoformat() if published else "2026-01-01",
        "publisher": "Rapport",
        "kind": "instance",
        "software": {"name": "Rapport"},
        "implementation": {"description": "Rapport's self-checks and shared goals",
                           "url": base_url},
        "fhirVersion": fhir.FHIR_VERSION,
        "format": ["json"],
        "rest": [{"mode": "server",
                  "security": _oauth_security(authorize_url, token_url, revoke_url),
                  "resource": [*SURVEY_CAPABILITIES, *more]}],
    }
