"""Agencies: what an agency's own admins can do."""

import uuid
from datetime import timedelta

from flask.views import MethodView
from flask_smorest import abort

from api import access
from api.openapi import Blueprint
from api.schemas.accounts import JoinCodeSchema
from api.schemas.common import EmptyBodySchema
from api.schemas.surveys import InsightsArgsSchema, InsightsSchema
from api.services import insights
from api.services.accounts import create_join_code
from api.services.clock import utcnow

blp = Blueprint("agencies", __name__, url_prefix="/api/v1/agencies",
                description="For agency admins: join codes and anonymous insights.")


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
    def get(self, agency_id, start=None, end=None):
        """See anonymous self-check and session-check results, in groups of five or more."""
        admin = own_agency(agency_id)
        end = end or utcnow().date()
        start = start or end - timedelta(days=89)
        if start > end:
            abort(422, errors={"from": ["Must not be after 'to' (today when left out)."]})
        return insights.insights(admin, agency_id, start, end)
