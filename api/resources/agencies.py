"""Agencies: what an agency's own admins can do."""

import uuid

from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.openapi import Blueprint
from api.lib.clock import utcnow
from api.schemas.accounts import JoinCodeSchema, SupervisionRowSchema
from api.schemas.common import EmptyBodySchema, NoArgsSchema
from api.schemas.surveys import InsightsArgsSchema, InsightsSchema
from api.services.accounts.people import create_join_code
from api.services.support import supervision
from api.services.surveys import insights

blp = Blueprint("agencies", __name__, url_prefix="/api/v1/agencies",
                description="For agency admins: join codes, anonymous insights, and "
                "supervision numbers without content.")


def own_agency(agency_id: uuid.UUID):
    """The caller must be an admin of this very agency; others learn nothing (404)."""
    user = access.caller()
    if user.agency_id != agency_id:
        access.deny(404, user, object_type="agency", object_id=agency_id)
    return user


@blp.route("/<uuid:agency_id>/join-codes")
class JoinCodes(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(EmptyBodySchema, required=False)
    @blp.response(201, JoinCodeSchema)
    @blp.errors(404, 422)
    def post(self, _data, agency_id):
        """Create a code workers enter at sign-up to join your agency (valid 30 days)."""
        admin = own_agency(agency_id)
        code, join = create_join_code(admin)
        return {"code": code, "expires_at": join.expires_at}


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
