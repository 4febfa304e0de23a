"""Rapport self-checks: the instruments, and scoring that stores nothing."""

from flask.views import MethodView
from flask_smorest import abort

from api.caching.public_cache import cached
from api.http import access
from api.http.idempotency import idempotent
from api.http.language import language_headers, negotiate
from api.http.openapi import CONTENT_HEADERS, PAGING_HEADERS, Blueprint, paging_headers
from api.http.policies import public
from api.schemas.common import LanguageArgsSchema, PagedLanguageArgsSchema
from api.schemas.surveys import (
    AnswersSchema,
    ResponseCreateSchema,
    ScoreSchema,
    StoredResponseSchema,
    SurveyQueryArgsSchema,
    SurveySchema,
)
from api.services.content.tips import tip_advice
from api.services.surveys import instruments, responses, scoring

# Scores name tips and actions in the asked-for language.
LANGUAGE_HEADER = {"Content-Language": CONTENT_HEADERS["Content-Language"]}

blp = Blueprint("surveys", __name__, url_prefix="/api/v1/surveys",
                description="Rapport self-checks: see your practice, and what to try next.")


def instrument_or_404(slug: str, version: int | None = None):
    row = (instruments.version_of(slug, version) if version
           else instruments.newest(slug))
    if row is None:
        abort(404, message=f"No survey is called '{slug}' in version {version}." if version
              else f"No survey is called '{slug}'.")
    return row


@blp.route("")
@public
class Surveys(MethodView):
    @cached()
    @blp.arguments(LanguageArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SurveySchema(many=True), headers=CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(422)
    def get(self, lang=None):
        """List the self-check instruments (newest versions)."""
        language = negotiate(lang)
        items = [instruments.localised(row, language) for row in instruments.latest()]
        return items, 200, language_headers(language, *(i["language"] for i in items))


@blp.route("/<slug:slug>")
@public
class SurveyBySlug(MethodView):
    @cached()
    @blp.arguments(SurveyQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, SurveySchema, headers=CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, slug, lang=None, version=None):
        """Get an instrument: its scale, items and wording."""
        language = negotiate(lang)
        survey = instruments.localised(instrument_or_404(slug, version), language)
        return survey, 200, language_headers(survey["language"])


@blp.route("/<slug:slug>/score")
class ScoreAnswers(MethodView):
    @access.anyone
    @blp.arguments(AnswersSchema)
    @blp.arguments(LanguageArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, ScoreSchema, headers=LANGUAGE_HEADER)
    @blp.localised
    @blp.errors(404, 422)
    def post(self, data, slug, lang=None):
        """Score answers without storing anything: totals, dimensions, what to try next."""
        row = instrument_or_404(slug, data.get("version"))
        language = negotiate(lang)
        try:
            # The same cut-offs as a stored check, so both say the same about the same answers.
            result = scoring.score(instruments.for_scoring(row), data["answers"],
                                   tips=tip_advice(language), **responses.flag_rules())
        except scoring.AnswerError as error:
            abort(422, errors=error.errors)
        return scoring.as_dict(result), 200, language_headers(language)


def stored(response, instrument_row, result) -> dict:
    return {"id": response.id, "survey": instrument_row.slug, "version": instrument_row.version,
            "partnership_id": response.partnership_id, "share": response.share,
            "answers": response.answers, "score": scoring.as_dict(result),
            "created_at": response.created_at}


@blp.route("/<slug:slug>/responses")
class SurveyResponses(MethodView):
    @access.signed_in("worker", "peer", scope="surveys:read")
    @blp.arguments(PagedLanguageArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, StoredResponseSchema(many=True),
                  headers=PAGING_HEADERS | LANGUAGE_HEADER)
    @blp.localised
    @blp.errors(404, 422)
    def get(self, slug, page, page_size, lang=None):
        """List your own responses to a survey, with their scores, newest first."""
        row = instrument_or_404(slug)
        language = negotiate(lang)
        found, total = responses.mine(access.caller(), row.slug, page, page_size,
                                      tips=tip_advice(language))
        items = [stored(response, version, result) for response, version, result in found]
        return (items, 200,
                paging_headers(page, page_size, total) | language_headers(language))

    @access.signed_in("worker", "peer")
    @idempotent
    @blp.arguments(ResponseCreateSchema)
    @blp.arguments(LanguageArgsSchema, location="query", as_kwargs=True)
    @blp.response(201, StoredResponseSchema, headers=LANGUAGE_HEADER)
    @blp.localised
    @blp.errors(404, 409, 422)
    def post(self, data, slug, lang=None):
        """Keep a response: a worker's self-check, or a peer's session-check and who sees it."""
        row = instrument_or_404(slug, data.get("version"))
        language = negotiate(lang)
        try:
            response, result = responses.store(
                access.caller(), row, data["answers"],
                partnership_id=data.get("partnership_id"), share=data.get("share"),
                tips=tip_advice(language))
        except scoring.AnswerError as error:
            abort(422, errors=error.errors)
        except responses.NotAllowed as refused:
            if refused.status == 422:
                abort(422, errors={refused.field: [refused.message]})
            abort(refused.status, message=refused.message)
        return stored(response, row, result), 201, language_headers(language)
