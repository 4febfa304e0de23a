"""Partnerships: the private space of one worker and one peer."""

import uuid

import marshmallow as ma
from flask import make_response, url_for
from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.conditional import VERSION_HEADER, versioned
from api.http.idempotency import idempotent
from api.http.language import language_headers, negotiate
from api.http.openapi import CONTENT_HEADERS, PAGING_HEADERS, Blueprint, paging_headers
from api.lib.languages import FALLBACK
from api.schemas.accounts import (
    PartnershipListItemSchema,
    PartnershipSchema,
    PartnershipUpdateSchema,
)
from api.schemas.common import (
    EmptyBodySchema,
    LanguageArgsSchema,
    NoArgsSchema,
    PagedArgsSchema,
)
from api.schemas.goals import GoalCreateSchema, GoalSchema, TimelineEntrySchema
from api.schemas.surveys import RapportViewSchema
from api.services import audit
from api.services.support import feeds, goals, partnerships, timeline
from api.services.surveys import two_sided

blp = Blueprint("partnerships", __name__, url_prefix="/api/v1/partnerships",
                description="Your partnerships. Only their two members can see them.")

MEMBERS = ("worker", "peer")  # agency admins see no partnership content at all


def member_partnership(partnership_id: uuid.UUID):
    """The partnership if the caller is a member; otherwise 404, so nothing leaks."""
    user = access.caller()
    partnership = partnerships.for_member(user, partnership_id)
    if partnership is None:
        access.deny(404, user, object_type="partnership", object_id=partnership_id)
    return user, partnership


@blp.route("")
class Partnerships(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, PartnershipListItemSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(422)
    def get(self, page, page_size):
        """List your partnerships, newest first, each saying whether it is time to talk."""
        user = access.caller()
        items, total = partnerships.mine(user, page, page_size)
        for item in items:  # once a minute, like every read: Today lists them on each visit
            audit.record_read(user, "partnership.read", object_type="partnership",
                              object_id=item.id, partnership_id=item.id)
        audit.record_read(user, "partnership.list")
        flagged = two_sided.asking_for_a_talk([item.id for item in items])
        shown = [{"talk_flag": item.id in flagged, **{
            field: getattr(item, field) for field in PartnershipSchema().fields}}
            for item in items]
        return shown, 200, paging_headers(page, page_size, total)


@blp.route("/<uuid:partnership_id>")
class PartnershipById(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, PartnershipSchema)
    @blp.errors(404, 422)
    def get(self, _args, partnership_id):
        """Get one of your partnerships."""
        user, partnership = member_partnership(partnership_id)
        audit.record_read(user, "partnership.read", object_type="partnership",
                         object_id=partnership.id, partnership_id=partnership.id)
        return partnership

    @access.signed_in(*MEMBERS)
    @blp.arguments(PartnershipUpdateSchema, required=False)
    @blp.response(200, PartnershipSchema)
    @blp.errors(404, 409, 422)
    def patch(self, data, partnership_id):
        """Change the check-in cadence, pause, resume or end a partnership."""
        user, partnership = member_partnership(partnership_id)
        try:
            return partnerships.update(user, partnership, **data)
        except partnerships.Ended:
            abort(409, message=partnerships.Ended.message)


@blp.route("/<uuid:partnership_id>/goals")
class PartnershipGoals(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, GoalSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, partnership_id, page, page_size):
        """List the partnership's goals, newest first."""
        user, partnership = member_partnership(partnership_id)
        items, total = goals.list_goals(user, partnership, page, page_size)
        return items, 200, paging_headers(page, page_size, total)

    @access.signed_in(*MEMBERS, scope="goals:write")
    @idempotent
    @blp.arguments(GoalCreateSchema)
    @blp.response(201, GoalSchema, headers={
        "Location": {"description": "The new goal's URL.", "schema": {"type": "string"}},
        **VERSION_HEADER})
    @blp.errors(404, 409, 422)
    def post(self, data, partnership_id):
        """Set a new shared goal (either member may)."""
        user, partnership = member_partnership(partnership_id)
        try:
            goal = goals.create_goal(user, partnership, **data)
        except partnerships.Ended:
            abort(409, message=partnerships.Ended.message)
        return versioned(GoalSchema().dump(goal), goal.version, 201,
                         {"Location": url_for("goals.GoalById", goal_id=goal.id)})


@blp.route("/<uuid:partnership_id>/timeline")
class PartnershipTimeline(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, TimelineEntrySchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, partnership_id, page, page_size):
        """Read the partnership's story: check-ins, milestones, celebrations, goal changes."""
        user, partnership = member_partnership(partnership_id)
        entries, total = timeline.timeline(user, partnership, page, page_size)
        return entries, 200, paging_headers(page, page_size, total)


class CalendarFeedSchema(ma.Schema):
    url = ma.fields.String(required=True, metadata={
        "description": "Subscribe to this in a phone calendar. Keep it private: anyone with "
        "it can see when your check-ins are due. Shown once."})


class CalendarQuerySchema(LanguageArgsSchema):
    token = ma.fields.String(required=True,
                             validate=ma.validate.Regexp(r"^[A-Za-z0-9_-]{20,100}$"),
                             metadata={"description": "The secret from the feed's URL."})


@blp.route("/<uuid:partnership_id>/calendar-feeds")
class CalendarFeeds(MethodView):
    @access.signed_in(*MEMBERS)
    @blp.arguments(EmptyBodySchema, required=False)
    @blp.response(201, CalendarFeedSchema)
    @blp.errors(404, 422)
    def post(self, _data, partnership_id):
        """Make a private calendar link for your check-ins (revoke it with DELETE)."""
        user, partnership = member_partnership(partnership_id)
        token = feeds.create(user, partnership)
        url = url_for("partnerships.CheckInCalendar", partnership_id=partnership.id,
                      token=token, _external=True)
        return {"url": url}, 201

    @access.signed_in(*MEMBERS)
    @blp.response(204)
    @blp.errors(404)
    def delete(self, partnership_id):
        """Revoke every calendar link you made for this partnership."""
        user, partnership = member_partnership(partnership_id)
        feeds.revoke_all(user, partnership)
        return "", 204


@blp.route("/<uuid:partnership_id>/checkins.ics")
class CheckInCalendar(MethodView):
    @access.anyone  # calendar apps cannot sign in: the secret token in the URL is the key
    @blp.arguments(CalendarQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, content_type="text/calendar",
                  description="An iCalendar (RFC 5545) feed of the next due check-ins.")
    @blp.errors(404, 422, 429)
    def get(self, partnership_id, token, lang=None):
        """Get the check-in calendar (private link from POST .../calendar-feeds)."""
        body = feeds.calendar(partnership_id, token, lang or FALLBACK)
        if body is None:
            access.deny(404, None)  # a wrong or revoked link: counted, limited per address
        response = make_response(body)
        response.mimetype = "text/calendar"
        response.headers["Content-Disposition"] = 'inline; filename="checkins.ics"'
        return response


@blp.route("/<uuid:partnership_id>/rapport")
class PartnershipRapport(MethodView):
    @access.signed_in(*MEMBERS, scope="surveys:read")
    @blp.arguments(LanguageArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, RapportViewSchema, headers={
        "Content-Language": CONTENT_HEADERS["Content-Language"]})
    @blp.localised
    @blp.errors(404, 422)
    def get(self, partnership_id, lang=None):
        """See both sides: the worker's self-check next to the peer's shared session-checks."""
        user, partnership = member_partnership(partnership_id)
        language = negotiate(lang)
        view, languages = two_sided.view(user, partnership, language)
        return view, 200, language_headers(*(languages or [language]))
