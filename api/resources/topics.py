"""Group discussion topics: questions for a peer support group, and how to hold them."""

from flask.views import MethodView
from flask_smorest import abort

from api.caching.public_cache import cached
from api.http.language import language_headers, negotiate
from api.http.openapi import CONTENT_HEADERS, PAGING_HEADERS, Blueprint, paging_headers
from api.http.policies import public
from api.resources.scope import agency_scope
from api.schemas.content import ContentArgsSchema, TopicQueryArgsSchema, TopicSchema
from api.services.content import topics as topic_service

blp = Blueprint(
    "topics", __name__, url_prefix="/api/v1/topics",
    description="Group discussion topics for peer support groups, with a facilitator's guide.",
)


@blp.route("")
@public
class Topics(MethodView):
    @cached()
    @blp.arguments(TopicQueryArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TopicSchema(many=True), headers=PAGING_HEADERS | CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, page, page_size, lang=None, q=None, tag=None, agency=None):
        """List group topics, searched and filtered, in the asked-for language."""
        language = negotiate(lang)
        items, total = topic_service.list_topics(
            language, q=q, tag=tag, page=page, page_size=page_size,
            agency_id=agency_scope(agency),
        )
        headers = paging_headers(page, page_size, total)
        headers.update(language_headers(language, *(topic.language for topic in items)))
        return items, 200, headers


@blp.route("/<slug:slug>")
@public
class TopicBySlug(MethodView):
    @cached()
    @blp.arguments(ContentArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TopicSchema, headers=CONTENT_HEADERS)
    @blp.cacheable
    @blp.localised
    @blp.errors(404, 422)
    def get(self, slug, lang=None, agency=None):
        """Get one group topic by its slug."""
        topic = topic_service.get_topic(slug, negotiate(lang), agency_scope(agency))
        if topic is None:
            abort(404, message=f"No topic is called '{slug}'.")
        return topic, 200, language_headers(topic.language)
