"""Frequently asked questions about building rapport."""

from flask.views import MethodView
from flask_smorest import abort

from api.caching.public_cache import cached
from api.http.language import language_headers, negotiate
from api.http.openapi import CONTENT_HEADERS, PAGING_HEADERS, Blueprint, paging_headers
from api.http.policies import public
from api.resources.scope import agency_scope
from api.schemas.content import ContentArgsSchema, FaqQueryArgsSchema, FaqSchema
from api.services.content import faqs as faq_service

blp = Blueprint(
    "faqs", __name__, url_prefix="/api/v1/faqs",
    description="Questions peer support workers ask, answered plainly.",
)


@blp.route("")
@public
class Faqs(MethodView):
    @cached()
    @blp.arguments(FaqQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, FaqSchema(many=True), headers=PAGING_HEADERS | CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, page, page_size, audience, lang=None, q=None, agency=None):
        """List FAQs, searched, in the asked-for language."""
        language = negotiate(lang)
        items, total = faq_service.list_faqs(language, q=q, page=page, page_size=page_size,
                                             agency_id=agency_scope(agency),
                                             audience=audience)
        headers = paging_headers(page, page_size, total)
        headers.update(language_headers(language, *(faq.language for faq in items)))
        return items, 200, headers


@blp.route("/<slug:slug>")
@public
class FaqBySlug(MethodView):
    @cached()
    @blp.arguments(ContentArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, FaqSchema, headers=CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, slug, lang=None, agency=None):
        """Get one FAQ by its slug."""
        faq = faq_service.get_faq(slug, negotiate(lang), agency_scope(agency))
        if faq is None:
            abort(404, message=f"No FAQ is called '{slug}'.")
        return faq, 200, language_headers(faq.language)
