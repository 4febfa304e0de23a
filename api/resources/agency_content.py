"""An agency's own tips, FAQs and group topics: its admins write, publish and retire them."""

import uuid

from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.idempotency import idempotent
from api.http.openapi import PAGING_HEADERS, Blueprint, paging_headers
from api.resources.agencies import own_agency
from api.schemas.agency_content import (
    AgencyFaqCreateSchema,
    AgencyFaqSchema,
    AgencyFaqUpdateSchema,
    AgencyTipCreateSchema,
    AgencyTipSchema,
    AgencyTipUpdateSchema,
    AgencyTopicCreateSchema,
    AgencyTopicSchema,
    AgencyTopicUpdateSchema,
)
from api.schemas.common import NoArgsSchema, PagedArgsSchema
from api.services.content import agency_content as content

blp = Blueprint("agency_content", __name__, url_prefix="/api/v1/agencies",
                description="For agency admins: your own tips, FAQs and group topics, shown "
                "first (then ours) in your agency's lists, feeds and embeds once published.")

ADMIN = "agency_admin"


_MISSING = {  # each sentence whole, so each has its own words in Spanish
    "tip": lambda slug: f"Your agency has no tip called '{slug}'.",
    "FAQ": lambda slug: f"Your agency has no FAQ called '{slug}'.",
    "topic": lambda slug: f"Your agency has no topic called '{slug}'.",
}


def _found(item, kind: str, slug: str):
    if item is None:
        abort(404, message=_MISSING[kind](slug))
    return item


def _saved(action):
    try:
        return content.as_admin_sees(action())
    except content.SlugTaken:
        abort(409, message=content.SlugTaken.message)
    except content.UnknownTips as error:
        abort(422, errors={"related_tips": [
            "Not a core tip or one of your own: " + ", ".join(error.slugs) + "."]})


@blp.route("/<uuid:agency_id>/tips")
class AgencyTips(MethodView):
    @access.signed_in(ADMIN)
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AgencyTipSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, agency_id: uuid.UUID, page, page_size):
        """List your agency's tips, drafts included, in their order."""
        own_agency(agency_id)
        items, total = content.tips(agency_id, page, page_size)
        return ([content.as_admin_sees(i) for i in items], 200,
                paging_headers(page, page_size, total))

    @access.signed_in(ADMIN)
    @idempotent
    @blp.arguments(AgencyTipCreateSchema)
    @blp.response(201, AgencyTipSchema)
    @blp.errors(404, 409, 422)
    def post(self, data, agency_id: uuid.UUID):
        """Write a tip for your agency (a draft until you publish it)."""
        admin = own_agency(agency_id)
        return _saved(lambda: content.create_tip(admin, data))


@blp.route("/<uuid:agency_id>/tips/<slug:slug>")
class AgencyTipBySlug(MethodView):
    @access.signed_in(ADMIN)
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, AgencyTipSchema)
    @blp.errors(404, 422)
    def get(self, _args, agency_id: uuid.UUID, slug: str):
        """Get one of your agency's tips, draft or published."""
        own_agency(agency_id)
        return content.as_admin_sees(_found(content.tip(agency_id, slug), "tip", slug))

    @access.signed_in(ADMIN)
    @blp.arguments(AgencyTipUpdateSchema)
    @blp.response(200, AgencyTipSchema)
    @blp.errors(404, 422)
    def patch(self, data, agency_id: uuid.UUID, slug: str):
        """Edit, publish or unpublish one of your agency's tips."""
        admin = own_agency(agency_id)
        item = _found(content.tip(agency_id, slug), "tip", slug)
        return _saved(lambda: content.update_tip(admin, item, data))

    @access.signed_in(ADMIN)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, agency_id: uuid.UUID, slug: str):
        """Delete one of your agency's tips for good (unpublish it to keep it)."""
        admin = own_agency(agency_id)
        content.delete_tip(admin, _found(content.tip(agency_id, slug), "tip", slug))


@blp.route("/<uuid:agency_id>/faqs")
class AgencyFaqs(MethodView):
    @access.signed_in(ADMIN)
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AgencyFaqSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, agency_id: uuid.UUID, page, page_size):
        """List your agency's FAQs, drafts included, in their order."""
        own_agency(agency_id)
        items, total = content.faqs(agency_id, page, page_size)
        return ([content.as_admin_sees(i) for i in items], 200,
                paging_headers(page, page_size, total))

    @access.signed_in(ADMIN)
    @idempotent
    @blp.arguments(AgencyFaqCreateSchema)
    @blp.response(201, AgencyFaqSchema)
    @blp.errors(404, 409, 422)
    def post(self, data, agency_id: uuid.UUID):
        """Write an FAQ for your agency (a draft until you publish it)."""
        admin = own_agency(agency_id)
        return _saved(lambda: content.create_faq(admin, data))


@blp.route("/<uuid:agency_id>/faqs/<slug:slug>")
class AgencyFaqBySlug(MethodView):
    @access.signed_in(ADMIN)
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, AgencyFaqSchema)
    @blp.errors(404, 422)
    def get(self, _args, agency_id: uuid.UUID, slug: str):
        """Get one of your agency's FAQs, draft or published."""
        own_agency(agency_id)
        return content.as_admin_sees(_found(content.faq(agency_id, slug), "FAQ", slug))

    @access.signed_in(ADMIN)
    @blp.arguments(AgencyFaqUpdateSchema)
    @blp.response(200, AgencyFaqSchema)
    @blp.errors(404, 422)
    def patch(self, data, agency_id: uuid.UUID, slug: str):
        """Edit, publish or unpublish one of your agency's FAQs."""
        admin = own_agency(agency_id)
        item = _found(content.faq(agency_id, slug), "FAQ", slug)
        return _saved(lambda: content.update_faq(admin, item, data))

    @access.signed_in(ADMIN)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, agency_id: uuid.UUID, slug: str):
        """Delete one of your agency's FAQs for good (unpublish it to keep it)."""
        admin = own_agency(agency_id)
        content.delete_faq(admin, _found(content.faq(agency_id, slug), "FAQ", slug))


@blp.route("/<uuid:agency_id>/topics")
class AgencyTopics(MethodView):
    @access.signed_in(ADMIN)
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, AgencyTopicSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, agency_id: uuid.UUID, page, page_size):
        """List your agency's group topics, drafts included, in their order."""
        own_agency(agency_id)
        items, total = content.topics(agency_id, page, page_size)
        return ([content.as_admin_sees(i) for i in items], 200,
                paging_headers(page, page_size, total))

    @access.signed_in(ADMIN)
    @idempotent
    @blp.arguments(AgencyTopicCreateSchema)
    @blp.response(201, AgencyTopicSchema)
    @blp.errors(404, 409, 422)
    def post(self, data, agency_id: uuid.UUID):
        """Write a group topic for your agency (a draft until you publish it)."""
        admin = own_agency(agency_id)
        return _saved(lambda: content.create_topic(admin, data))


@blp.route("/<uuid:agency_id>/topics/<slug:slug>")
class AgencyTopicBySlug(MethodView):
    @access.signed_in(ADMIN)
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, AgencyTopicSchema)
    @blp.errors(404, 422)
    def get(self, _args, agency_id: uuid.UUID, slug: str):
        """Get one of your agency's group topics, draft or published."""
        own_agency(agency_id)
        return content.as_admin_sees(_found(content.topic(agency_id, slug), "topic", slug))

    @access.signed_in(ADMIN)
    @blp.arguments(AgencyTopicUpdateSchema)
    @blp.response(200, AgencyTopicSchema)
    @blp.errors(404, 422)
    def patch(self, data, agency_id: uuid.UUID, slug: str):
        """Edit, publish or unpublish one of your agency's group topics."""
        admin = own_agency(agency_id)
        item = _found(content.topic(agency_id, slug), "topic", slug)
        return _saved(lambda: content.update_topic(admin, item, data))

    @access.signed_in(ADMIN)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, agency_id: uuid.UUID, slug: str):
        """Delete one of your agency's group topics for good (unpublish it to keep it)."""
        admin = own_agency(agency_id)
        content.delete_topic(admin, _found(content.topic(agency_id, slug), "topic", slug))
