"""Rapport tips: list and search, one tip, and the tip of the day."""

from datetime import UTC, datetime, timedelta

from flask import request
from flask.views import MethodView
from flask_smorest import abort

from api.caching.public_cache import cached
from api.http.language import language_headers, negotiate
from api.http.openapi import CONTENT_HEADERS, PAGING_HEADERS, Blueprint, paging_headers
from api.http.policies import public
from api.resources.scope import agency_scope
from api.schemas.content import (
    ContentArgsSchema,
    TipOfTheDayArgsSchema,
    TipQueryArgsSchema,
    TipSchema,
)
from api.services.content import tips as tip_service

blp = Blueprint(
    "tips", __name__, url_prefix="/api/v1/tips",
    description="Rapport tips: ideas to try before and during a visit.",
)


@blp.route("")
@public
class Tips(MethodView):
    @cached()
    @blp.arguments(TipQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TipSchema(many=True), headers=PAGING_HEADERS | CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, page, page_size, audience, lang=None, q=None, tag=None, agency=None):
        """List tips, searched and filtered, in the asked-for language."""
        language = negotiate(lang)
        items, total = tip_service.list_tips(
            language, q=q, tag=tag, page=page, page_size=page_size,
            agency_id=agency_scope(agency), audience=audience,
        )
        headers = paging_headers(page, page_size, total)
        headers.update(language_headers(language, *(tip.language for tip in items)))
        return items, 200, headers


def until_midnight() -> dict[str, str]:
    """Today's tip may be kept until midnight UTC, when the next one starts (another day's
    tip, asked for with `date`, keeps the usual public lifetime)."""
    now = datetime.now(UTC)
    if request.args.get("date") not in (None, now.date().isoformat()):
        return {}
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    seconds_left = max(1, int((midnight - now).total_seconds()))
    return {"Cache-Control": f"public, max-age={seconds_left}",
            "Expires": midnight.strftime("%a, %d %b %Y %H:%M:%S GMT")}


@blp.route("/today")
@public
class TipOfTheDay(MethodView):
    @cached(day=lambda: datetime.now(UTC).date(), fresh_headers=until_midnight)
    @blp.arguments(TipOfTheDayArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TipSchema, headers=CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, audience, lang=None, day=None, agency=None):
        """Get the tip of the day: the same for everyone it is written for, all UTC day."""
        now = datetime.now(UTC)
        day = day or now.date()
        tip = tip_service.tip_of_the_day(day, negotiate(lang), agency_scope(agency), audience)
        if tip is None:
            abort(404, message="There are no tips yet.")
        return tip, 200, language_headers(tip.language)


@blp.route("/<slug:slug>")
@public
class TipBySlug(MethodView):
    @cached()
    @blp.arguments(ContentArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TipSchema, headers=CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, slug, lang=None, agency=None):
        """Get one tip by its slug."""
        tip = tip_service.get_tip(slug, negotiate(lang), agency_scope(agency))
        if tip is None:
            abort(404, message=f"No tip is called '{slug}'.")
        return tip, 200, language_headers(tip.language)

