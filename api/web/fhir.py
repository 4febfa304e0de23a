"""FHIR R4 (`application/fhir+json`) at /fhir, outside the OpenAPI spec: FHIR clients read
the CapabilityStatement (/fhir/metadata) instead.

Public and cacheable like /api/v1/surveys: the CapabilityStatement, the self-check
instruments as Questionnaire resources, and their answer scale as a CodeSystem.
Private (`no-store`, like every route not marked public): the caller's own stored answers as
QuestionnaireResponse (OAuth scope surveys:read) and the goals of their partnerships as Goal
(goals:read), for the person's own session too. Every refusal raised in here, the access
rules' 401, 403 and 429 included, is an OperationOutcome in the caller's language with the
headers the problem would have had (WWW-Authenticate, Retry-After). A path that matches no
route at all (404, 405) is answered before this blueprint is known: problem+json there.
"""

import json
import re
import uuid
from urllib.parse import urlencode

from flask import Blueprint, abort, make_response, request, url_for
from werkzeug.exceptions import HTTPException

from api.caching.public_cache import cached
from api.http import access, problem_words
from api.http.errors import problem_from_exception
from api.http.language import language_headers, negotiate
from api.http.policies import public
from api.lib import fhir as fhir_json
from api.lib.languages import LANGUAGES
from api.services.support import fhir as goal_fhir
from api.services.support import goals
from api.services.surveys import fhir, instruments, responses

FHIR_JSON = "application/fhir+json"
MEMBERS = ("worker", "peer")  # agency admins see no partnership content, nor answers
DEFAULT_COUNT, MAX_COUNT, MAX_PAGE = 20, 100, 100_000
# A problem's headers an OperationOutcome keeps.
KEPT_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow", "Content-Language", "Vary")
# FHIR's issue type for each refusal (http://hl7.org/fhir/issue-type).
ISSUE_TYPES = {400: "structure", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 409: "conflict", 413: "too-long", 415: "not-supported",
               422: "invalid", 429: "throttled", 503: "transient"}
DASHED_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# An instrument by id or canonical URL, with or without |version.
QUESTIONNAIRE = re.compile(r"(?:.*/Questionnaire/)?([a-z0-9][a-z0-9-]{0,79})(?:\|([0-9]{1,6}))?")

bp = Blueprint("fhir", __name__, url_prefix="/fhir")


def _answer(resource: dict, status: int = 200, language: str | None = None):
    response = make_response(json.dumps(resource, ensure_ascii=False), status)
    response.mimetype = FHIR_JSON
    response.charset = "utf-8"
    if language:
        response.headers.update(language_headers(language))
    return response


@bp.errorhandler(HTTPException)
def _outcome(error: HTTPException):
    # The problem the rest of the app would answer (its words in the caller's language, its
    # headers, a 500 logged), reshaped as FHIR's error resource.
    problem = problem_from_exception(error)
    status = problem.status_code
    response = _answer(fhir_json.outcome(ISSUE_TYPES.get(status, "exception"),
                                         problem.get_json()["detail"]), status)
    for name in KEPT_HEADERS:
        if name in problem.headers:
            response.headers[name] = problem.headers[name]
    return response


def _base_url() -> str:
    return url_for("fhir.metadata", _external=True).rsplit("/", 1)[0]


def _language():
    lang = request.args.get("lang")
    if lang is not None and lang not in LANGUAGES:
        return None
    return negotiate(lang)


class Invalid(Exception):
    """A search parameter FHIR's rules cannot read: a 422 OperationOutcome."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@bp.errorhandler(Invalid)
def _invalid(error: Invalid):
    # Said in the language Accept-Language (or a valid ?lang=) asks for, as every refusal is.
    words, language = problem_words.message(error.message, _language() or negotiate(None))
    return _answer(fhir_json.outcome("invalid", words), 422, language=language)


def _not_found(resource_type: str, resource_id: str, language: str):
    words, used = problem_words.message(f"No {resource_type} is called '{resource_id}'.",
                                        language)
    return _answer(fhir_json.outcome("not-found", words), 404, language=used)


def _asked_language() -> str:
    language = _language()
    if language is None:
        raise Invalid(f"lang must be one of: {', '.join(LANGUAGES)}.")
    return language


def _whole(name: str, default: int, most: int) -> int:
    text = request.args.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 6 or not 1 <= int(text) <= most:
        raise Invalid(f"{name} must be a whole number from 1 to {most}.")
    return int(text)


def _paging() -> tuple[int, int]:
    return _whole("page", 1, MAX_PAGE), _whole("_count", DEFAULT_COUNT, MAX_COUNT)


def _links(page: int, count: int, total: int) -> dict[str, str]:
    """The Bundle's paging links: the same search, another page."""
    def at(number: int) -> str:
        args = [(name, value) for name, value in request.args.items(multi=True)
                if name != "page"]
        return f"{request.base_url}?{urlencode([*args, ('page', number)])}"

    last = max(1, -(-total // count))
    links = {"self": request.url, "first": at(1)}
    if page > 1:
        links["previous"] = at(min(page - 1, last))
    if page < last:
        links["next"] = at(page + 1)
    links["last"] = at(last)
    return links


def _uuid_or_404(text: str) -> uuid.UUID:
    if not DASHED_UUID.fullmatch(text):
        abort(404)
    return uuid.UUID(text)


@bp.get("/metadata")
@public
@access.anyone
@cached()
def metadata():
    base_url = _base_url()
    root = base_url.removesuffix("/fhir")
    return _answer(fhir.capability_statement(
        base_url, authorize_url=f"{root}/oauth/authorize", token_url=f"{root}/oauth/token",
        revoke_url=f"{root}/oauth/revoke", more=[goal_fhir.CAPABILITY]))


@bp.get("/Questionnaire")
@public
@access.anyone
@cached()
def questionnaires():
    language = _asked_language()
    resources = fhir.questionnaires(language, _base_url())
    return _answer(fhir_json.bundle(resources, _base_url(), {"self": request.url}),
                   language=language)


@bp.get("/Questionnaire/<string:questionnaire_id>")
@public
@access.anyone
@cached()
def questionnaire(questionnaire_id: str):
    language = _asked_language()
    row = instruments.newest(questionnaire_id)
    if row is None:
        return _not_found("Questionnaire", questionnaire_id, language)
    resource = fhir.questionnaire(row, language, _base_url())
    return _answer(resource, language=resource["language"])


@bp.get("/CodeSystem/<string:code_system_id>")
@public
@access.anyone
@cached()
def code_system(code_system_id: str):
    language = _asked_language()
    if code_system_id != fhir.CODE_SYSTEM_ID:
        return _not_found("CodeSystem", code_system_id, language)
    resource = fhir.code_system(language, _base_url())
    return _answer(resource, language=resource["language"])


@bp.get("/QuestionnaireResponse")
@access.signed_in(*MEMBERS, scope="surveys:read")
def questionnaire_responses():
    """Search the caller's own stored answers (a searchset Bundle, newest first)."""
    language = _asked_language()
    page, count = _paging()
    slug = version = None
    if (asked := request.args.get("questionnaire")) is not None:
        found = QUESTIONNAIRE.fullmatch(asked)
        if found is None:
            raise Invalid("questionnaire must be a Questionnaire id or its canonical URL "
                          "(with |version if you like).")
        slug, version = found[1], int(found[2]) if found[2] else None
    user = access.caller()
    rows, total = responses.own_page(user, page, count, slug, version)
    base_url = _base_url()
    resources = [fhir.questionnaire_response(response, row, user.role, language, base_url)
                 for response, row in rows]
    return _answer(fhir_json.bundle(resources, base_url, _links(page, count, total), total),
                   language=language)


@bp.get("/QuestionnaireResponse/<string:response_id>")
@access.signed_in(*MEMBERS, scope="surveys:read")
def questionnaire_response(response_id: str):
    """Read one of the caller's own stored answer sets."""
    language = _asked_language()
    user = access.caller()
    wanted = _uuid_or_404(response_id)
    found = responses.own_response(user, wanted)
    if found is None:
        access.deny(404, user, object_type="survey_response", object_id=wanted)
    response, row = found
    resource = fhir.questionnaire_response(response, row, user.role, language, _base_url())
    return _answer(resource, language=resource["language"])


def _goal_resources(rows, base_url: str) -> list[dict]:
    milestones, changed = goals.goal_details([goal.id for goal, _ in rows])
    return [goal_fhir.goal(goal, partnership, milestones[goal.id], changed.get(goal.id),
                           base_url) for goal, partnership in rows]


def _lifecycle_statuses() -> list[str] | None:
    """Rapport's statuses the lifecycle-status search names (each repeat narrows it)."""
    asked = request.args.getlist("lifecycle-status")
    if not asked:
        return None
    wanted = set(goal_fhir.LIFECYCLE)
    for value in asked:
        codes = value.split(",")
        if not all(code in goal_fhir.LIFECYCLE_CODES for code in codes):
            raise Invalid("lifecycle-status must be one or more of: "
                          f"{', '.join(goal_fhir.LIFECYCLE_CODES)}.")
        wanted &= set(goal_fhir.statuses_for(codes))
    return sorted(wanted)


@bp.get("/Goal")
@access.signed_in(*MEMBERS, scope="goals:read")
def goal_search():
    """Search the goals of the caller's partnerships (a searchset Bundle, newest first)."""
    _asked_language()
    page, count = _paging()
    statuses = _lifecycle_statuses()
    rows, total = goals.member_goals(access.caller(), page, count, statuses)
    base_url = _base_url()
    return _answer(fhir_json.bundle(_goal_resources(rows, base_url), base_url,
                                    _links(page, count, total), total))


@bp.get("/Goal/<string:goal_id>")
@access.signed_in(*MEMBERS, scope="goals:read")
def goal(goal_id: str):
    """Read a goal of one of the caller's partnerships."""
    _asked_language()
    user = access.caller()
    wanted = _uuid_or_404(goal_id)
    found = goals.member_goal(user, wanted)
    if found is None:
        access.deny(404, user, object_type="goal", object_id=wanted)
    goals.read_goal(user, found[0])
    [resource] = _goal_resources([found], _base_url())
    return _answer(resource)
