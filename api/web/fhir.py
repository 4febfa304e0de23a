"""FHIR R4 (`application/fhir+json`): the self-check instruments as Questionnaire resources
and the server's CapabilityStatement at /fhir/metadata. Public and cacheable like
/api/v1/surveys; errors are OperationOutcome resources. Outside the OpenAPI spec: FHIR
clients read the CapabilityStatement instead.

Stored responses (QuestionnaireResponse) and shared goals (Goal) wait for OAuth scopes.
"""

import json

from flask import Blueprint, make_response, request, url_for

from api.caching.public_cache import cached
from api.http import access
from api.http.language import language_headers, negotiate
from api.http.policies import public
from api.lib.languages import LANGUAGES
from api.services.surveys import fhir, instruments

FHIR_JSON = "application/fhir+json"

bp = Blueprint("fhir", __name__, url_prefix="/fhir")


def _answer(resource: dict, status: int = 200, language: str | None = None):
    response = make_response(json.dumps(resource, ensure_ascii=False), status)
    response.mimetype = FHIR_JSON
    response.charset = "utf-8"
    if language:
        response.headers.update(language_headers(language))
    return response


def _base_url() -> str:
    return url_for("fhir.metadata", _external=True).rsplit("/", 1)[0]


def _language():
    lang = request.args.get("lang")
    if lang is not None and lang not in LANGUAGES:
        return None
    return negotiate(lang)


BAD_LANGUAGE = {"en": "lang must be one of: {}.", "es": "lang debe ser uno de: {}."}
NOT_FOUND = {"en": "No Questionnaire is called '{}'.", "es": "Ningún Questionnaire se llama '{}'."}


def _bad_language():
    # Said in the language Accept-Language asks for, as every refusal is.
    words = BAD_LANGUAGE[negotiate(None)].format(", ".join(LANGUAGES))
    return _answer(fhir.outcome("invalid", words), 422)


@bp.get("/metadata")
@public
@access.anyone
@cached()
def metadata():
    return _answer(fhir.capability_statement(_base_url()))


@bp.get("/Questionnaire")
@public
@access.anyone
@cached()
def questionnaires():
    language = _language()
    if language is None:
        return _bad_language()
    return _answer(fhir.bundle(fhir.questionnaires(language, _base_url()), request.url),
                   language=language)


@bp.get("/Questionnaire/<string:questionnaire_id>")
@public
@access.anyone
@cached()
def questionnaire(questionnaire_id: str):
    language = _language()
    if language is None:
        return _bad_language()
    row = instruments.newest(questionnaire_id)
    if row is None:
        words = NOT_FOUND[language].format(questionnaire_id)
        return _answer(fhir.outcome("not-found", words), 404)
    resource = fhir.questionnaire(row, language, _base_url())
    return _answer(resource, language=resource["language"])
