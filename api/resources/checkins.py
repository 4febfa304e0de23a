"""Check-ins across a worker's caseload: who is due."""

from flask.views import MethodView

from api.http import access
from api.http.openapi import Blueprint
from api.schemas.common import NoArgsSchema
from api.schemas.goals import DueCheckInSchema
from api.services.support.due import due_for

blp = Blueprint("checkins", __name__, url_prefix="/api/v1/checkins",
                description="Consistent support: who is due a check-in.")


@blp.route("/due")
class DueCheckIns(MethodView):
    @access.signed_in("worker", scope="goals:read")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, DueCheckInSchema(many=True))
    @blp.errors(422)
    def get(self, _args):
        """List partnerships due or overdue a check-in, most overdue first.

        Every active partnership keeps its cadence: due a cadence after its last check-in
        on any goal, or after it began. One with no active goal is listed too, with
        `needs_goal`: a check-in is written on a goal, so set one first. Paused and ended
        partnerships are never due.
        """
        return due_for(access.caller())
