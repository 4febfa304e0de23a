"""The self-check instruments as FHIR R4 resources (plain JSON; the fhir.resources R4B
models check them in the tests).

A Questionnaire per instrument: one integer item per practice, answerOption per scale point
(and the "did not come up" option where the item allows it), and the totals (all practices,
and each dimension) as SDC calculated expressions in FHIRPath, so a form filler shows them
the way Rapport scores them: the sum of the answered scale points.
"""

from api.services.surveys import instruments

FHIR_VERSION = "4.0.1"  # R4; fhir.resources.R4B models accept R4 content
CALCULATED = ("http://hl7.org/fhir/uv/sdc/StructureDefinition/"
              "sdc-questionnaire-calculatedExpression")
CODE_SYSTEM = "https://rapport.example/fhir/CodeSystem/survey-scale"
NOT_APPLICABLE = "did-not-come-up"
TOTAL_WORDS = {"en": "Total", "es": "Total"}
# The dimension totals' labels (scoring.DIMENSIONS), in plain words.
DIMENSION_TOTALS = {
    "en": {"relationship": "Total: our relationship", "goals": "Total: goals",
           "approach": "Total: how we work", "overall": "Total: overall"},
    "es": {"relationship": "Total: nuestra relación", "goals": "Total: metas",
           "approach": "Total: cómo trabajamos", "overall": "Total: en general"},
}


def _scale_options(survey: dict, allows_skip: bool) -> list[dict]:
    scale = survey["scale"]
    labels = scale["labels"]
    options = []
    for point in range(scale["min"], scale["max"] + 1):
        coding = {"system": CODE_SYSTEM, "code": str(point)}
        # Anchors name the ends; a full label list names every point.
        if len(labels) == scale["max"] - scale["min"] + 1:
            coding["display"] = labels[point - scale["min"]]
        elif len(labels) == 2 and point in (scale["min"], scale["max"]):
            coding["display"] = labels[0 if point == scale["min"] else 1]
        options.append({"valueCoding": coding})
    if allows_skip and scale.get("did_not_come_up"):
        options.append({"valueCoding": {"system": CODE_SYSTEM, "code": NOT_APPLICABLE,
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


def questionnaire(row, language: str, base_url: str) -> dict:
    survey = instruments.localised(row, language)
    total_word = TOTAL_WORDS.get(survey["language"], TOTAL_WORDS["en"])
    dimension_words = DIMENSION_TOTALS.get(survey["language"], DIMENSION_TOTALS["en"])
    items = [{"linkId": item["id"], "text": item["text"], "type": "coding", "required": False,
              "answerOption": _scale_options(survey, item["did_not_come_up"])}
             for item in survey["items"]]
    dimensions: dict[str, list[str]] = {}
    for item in survey["items"]:
        dimensions.setdefault(item["dimension"], []).append(item["id"])
    totals = [_total_item(f"total-{dimension}", dimension_words[dimension], ids)
              for dimension, ids in dimensions.items() if len(ids) > 1]
    totals.append(_total_item("total", total_word, [item["id"] for item in survey["items"]]))
    return {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(row.slug),
        "url": f"{base_url}/Questionnaire/{questionnaire_id(row.slug)}",
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


def bundle(resources: list[dict], self_url: str) -> dict:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "link": [{"relation": "self", "url": self_url}],
            "entry": [{"fullUrl": resource["url"], "resource": resource,
                       "search": {"mode": "match"}} for resource in resources]}


def capability_statement(base_url: str) -> dict:
    published = max((row.published for row in instruments.latest()), default=None)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": published.isoformat() if published else "2026-01-01",
        "publisher": "Rapport",
        "kind": "instance",
        "software": {"name": "Rapport"},
        "implementation": {"description": "Rapport's self-check instruments", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [{"mode": "server",
                  "resource": [{"type": "Questionnaire",
                                "interaction": [{"code": "read"}, {"code": "search-type"}]}]}],
    }


def outcome(code: str, diagnostics: str) -> dict:
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}]}
