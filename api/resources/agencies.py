"""Agencies: what an agency's own admins can do."""

import uuid

from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.openapi import Blueprint
from api.lib.clock import utcnow
from api.schemas.accounts import (
    AgencySchema,
    AgencyUpdateSchema,
    JoinCodeCreateSchema,
    JoinCodeRowSchema,
    JoinCodeSchema,
    MemberSchema,
    SupervisionRowSchema,
)
from api.schemas.common import NoArgsSchema
from api.schemas.surveys import InsightsArgsSchema, InsightsSchema
from api.services.accounts import agencies
from api.services.accounts.people import create_join_code
from api.services.support import supervision
from api.services.surveys import insights

blp = Blueprint("agencies", __name__, url_prefix="/api/v1/agencies",
                description="For agency admins: the agency's settings, join codes, workers, "
                "anonymous insights, and supervision numbers without content.")


def own_agency(agency_id: uuid.UUID):
    """The caller must be an admin of this very agency; others learn nothing (404)."""
    user = access.caller()
    if user.agency_id != agency_id:
        access.deny(404, user, object_type="agency", object_id=agency_id)
    return user


@blp.route("/<uuid:agency_id>")
class AgencyById(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, AgencySchema)
    @blp.errors(404, 422)
    def get(self, _args, agency_id):
        """See your agency's name, content order, crisis line choice and worker count."""
        admin = own_agency(agency_id)
        return agencies.settings(admin, agency_id)

    @access.signed_in("agency_admin")
    @blp.arguments(AgencyUpdateSchema)
    @blp.response(200, AgencySchema)
    @blp.errors(404, 422)
    def patch(self, data, agency_id):
        """Rename your agency, or put its own items before or after the core ones."""
        admin = own_agency(agency_id)
        return agencies.update_settings(admin, agency_id, **data)


@blp.route("/<uuid:agency_id>/join-codes")
class JoinCodes(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, JoinCodeRowSchema(many=True))
    @blp.errors(404, 422)
    def get(self, _args, agency_id):
        """List your agency's join codes, newest first (the codes themselves are not shown)."""
        admin = own_agency(agency_id)
        return agencies.join_codes(admin, agency_id)

    # No Idempotency-Key: a replay would mean keeping the code itself for 30 days.
    @access.signed_in("agency_admin")
    @blp.arguments(JoinCodeCreateSchema, required=False)
    @blp.response(201, JoinCodeSchema)
    @blp.errors(404, 422)
    def post(self, data, agency_id):
        """Create a code workers enter at sign-up to join your agency (valid 30 days).

        The code is shown in this answer only; the list shows its label, uses and status.
        """
        admin = own_agency(agency_id)
        code, join = create_join_code(admin, (data or {}).get("label"))
        return {"id": join.id, "code": code, "label": join.label, "expires_at": join.expires_at}


@blp.route("/<uuid:agency_id>/join-codes/<uuid:code_id>")
class JoinCodeById(MethodView):
    @access.signed_in("agency_admin")
    @blp.response(204)
    @blp.errors(404)
    def delete(self, agency_id, code_id):
        """Revoke a join code: no one else can sign up or join with it. It stays listed."""
        admin = own_agency(agency_id)
        code = agencies.join_code(agency_id, code_id)
        if code is None:
            access.deny(404, admin, object_type="join_code", object_id=code_id)
        agencies.revoke_join_code(admin, code)
        return "", 204


@blp.route("/<uuid:agency_id>/members")
class AgencyMembers(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, MemberSchema(many=True))
    @blp.errors(404, 422)
    def get(self, _args, agency_id):
        """List your agency's workers by name, with the partnerships each still carries."""
        admin = own_agency(agency_id)
        return agencies.members(admin, agency_id)


@blp.route("/<uuid:agency_id>/members/<uuid:user_id>")
class AgencyMemberById(MethodView):
    @access.signed_in("agency_admin")
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, agency_id, user_id):
        """Remove a worker from your agency (409 while they have partnerships made under it).

        Hand over or end their active and paused partnerships made under the agency first.
        Afterwards the worker is no longer listed in the agency's members or supervision,
        and reads core content only; their partnerships and history stay as they were.
        """
        admin = own_agency(agency_id)
        worker = agencies.member(agency_id, user_id)
        if worker is None:
            access.deny(404, admin, object_type="user", object_id=user_id)
        try:
            agencies.remove_member(admin, agency_id, worker)
        except agencies.StillCarrying as error:
            abort(409, message=str(error))
        return "", 204


@blp.route("/<uuid:agency_id>/insights")
class AgencyInsights(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(InsightsArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, InsightsSchema)
    @blp.errors(404, 422)
    def get(self, agency_id, period=None):
        """See a month's or quarter's self-checks and session-checks, with privacy noise."""
        admin = own_agency(agency_id)
        wanted = (insights.period(period) if period
                  else insights.last_closed_month(utcnow().date()))
        try:
            return insights.insights(admin, agency_id, wanted)
        except insights.NotYetClosed as error:
            abort(422, errors={"period": [
                f"This period has not ended yet. Its figures can be seen from "
                f"{error.available_from.isoformat()}."]})
        except insights.BeforeTheAgency as error:
            abort(422, errors={"period": [
                f"Your agency was made on {error.created_on.isoformat()}: this period "
                f"ended before that."]})


@blp.route("/<uuid:agency_id>/supervision")
class AgencySupervision(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, SupervisionRowSchema(many=True), description=(
        "One row per worker of the agency, lowest median consistency first (workers with no "
        "score yet last). Process numbers only: nothing a peer wrote or answered, no goal, no "
        "peer's name. Only partnerships made under the agency count. Each read is written "
        "into every listed worker's access log."))
    @blp.errors(404, 422)
    def get(self, _args, agency_id):
        """See how steadily each of your workers checks in (numbers only, never content)."""
        admin = own_agency(agency_id)
        return supervision.for_agency(admin, agency_id)
