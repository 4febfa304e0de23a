"""Handovers: an agency admin asks to move a partnership to another of its workers; the
peer says yes or no in the app; both members can read the partnership's handover history."""

from dataclasses import asdict

from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.idempotency import idempotent
from api.http.openapi import Blueprint
from api.resources.agencies import own_agency
from api.resources.partnerships import MEMBERS, member_partnership
from api.schemas.common import NoArgsSchema
from api.schemas.handovers import (
    AgencyPartnershipSchema,
    HandoverArgsSchema,
    HandoverAskSchema,
    HandoverDecidedSchema,
    HandoverDecisionSchema,
    HandoverHistorySchema,
    HandoverSchema,
    PeerHandoverSchema,
)
from api.services.support import handovers

blp = Blueprint("handovers", __name__, url_prefix="/api/v1",
                description="Handing a partnership over to another worker of the agency: the "
                "agency's admin asks, the peer decides, and the history stays.")


def _shown(view: handovers.AdminView) -> dict:
    return {**asdict(view), "partnership_started": view.partnership_started.date()}


def _refuse(error: handovers.HandoverError):
    if error.field:
        abort(422, errors={error.field: [error.message]})
    abort(error.status, message=error.message)


@blp.route("/agencies/<uuid:agency_id>/handovers")
class AgencyHandovers(MethodView):
    @access.signed_in("agency_admin")
    @idempotent
    @blp.arguments(HandoverAskSchema)
    @blp.response(201, HandoverSchema(many=True), description=(
        "One waiting request per partnership. Each peer sees it in the app and decides; "
        "nothing moves before that."))
    @blp.errors(404, 409, 422)
    def post(self, data, agency_id):
        """Ask peers to move from one of your workers to another (they decide)."""
        admin = own_agency(agency_id)
        try:
            made = handovers.ask(admin, data["from_worker_id"], data["to_worker_id"],
                                 data.get("partnership_ids"))
        except handovers.HandoverError as error:
            _refuse(error)
        return [_shown(view) for view in made], 201

    @access.signed_in("agency_admin")
    @blp.arguments(HandoverArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, HandoverSchema(many=True))
    @blp.errors(404, 422)
    def get(self, agency_id, status=None):
        """List your agency's handover requests, newest first."""
        own_agency(agency_id)
        return [_shown(view) for view in handovers.for_agency(agency_id, status)]


@blp.route("/agencies/<uuid:agency_id>/handovers/<uuid:handover_id>")
class AgencyHandoverById(MethodView):
    @access.signed_in("agency_admin")
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, agency_id, handover_id):
        """Cancel a request the peer has not answered yet."""
        admin = own_agency(agency_id)
        handover = handovers.in_agency(agency_id, handover_id)
        if handover is None:
            access.deny(404, admin, object_type="handover", object_id=handover_id)
        try:
            handovers.cancel(admin, handover)
        except handovers.HandoverError as error:
            _refuse(error)
        return "", 204


@blp.route("/agencies/<uuid:agency_id>/members/<uuid:worker_id>/partnerships")
class AgencyWorkerPartnerships(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, AgencyPartnershipSchema(many=True), description=(
        "The worker's active and paused partnerships made under your agency, oldest first: "
        "when each started, its state and cadence. Never the peer or anything they wrote."))
    @blp.errors(404, 422)
    def get(self, _args, agency_id, worker_id):
        """List a worker's partnerships by start date only, to choose which to hand over."""
        admin = own_agency(agency_id)
        rows = handovers.movable_of(admin, agency_id, worker_id)
        if rows is None:
            access.deny(404, admin, object_type="user", object_id=worker_id)
        return rows


@blp.route("/me/handovers")
class MyHandovers(MethodView):
    @access.signed_in("peer")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, PeerHandoverSchema(many=True))
    @blp.errors(422)
    def get(self, _args):
        """See requests to move your support to another worker, waiting for your answer."""
        return handovers.waiting_for(access.caller())


@blp.route("/handovers/<uuid:handover_id>/decision")
class HandoverDecision(MethodView):
    @access.signed_in()
    @blp.arguments(HandoverDecisionSchema)
    @blp.response(200, HandoverDecidedSchema)
    @blp.errors(404, 409, 422)
    def post(self, data, handover_id):
        """Agree to move to the new worker, or say no (only the peer decides)."""
        user = access.caller()
        handover = handovers.for_peer(user, handover_id)
        if handover is None:
            access.deny(404, user, object_type="handover", object_id=handover_id)
        try:
            return {"status": handovers.decide(user, handover, data["agree"])}
        except handovers.HandoverError as error:
            _refuse(error)


@blp.route("/partnerships/<uuid:partnership_id>/handovers")
class PartnershipHandovers(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, HandoverHistorySchema(many=True), description=(
        "Every handover request about this partnership, oldest first. An accepted one is "
        "the day its new worker took over; the one before no longer sees the partnership."))
    @blp.errors(404, 422)
    def get(self, _args, partnership_id):
        """See who has supported this partnership, and from when."""
        user, partnership = member_partnership(partnership_id)
        return handovers.history(user, partnership)
