"""Shared goals, their milestones, check-ins and celebrations (partnership members only)."""

import uuid

from flask import request
from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.conditional import VERSION_HEADER, expected_versions, versioned
from api.http.idempotency import idempotent
from api.http.openapi import PAGING_HEADERS, Blueprint, paging_headers
from api.resources.partnerships import MEMBERS
from api.schemas.common import NoArgsSchema, PagedArgsSchema
from api.schemas.goals import (
    CelebrationCreateSchema,
    CelebrationSchema,
    CheckInCreateSchema,
    CheckInSchema,
    GoalSchema,
    GoalUpdateSchema,
    MilestoneCreateSchema,
    MilestoneSchema,
    MilestoneUpdatedSchema,
    MilestoneUpdateSchema,
)
from api.services.support import goals, partnerships

blp = Blueprint("goals", __name__, url_prefix="/api/v1",
                description="Goals a worker and a peer set together, and their progress.")

def _goal(goal_id: uuid.UUID):
    """The goal and its partnership, if the caller is a member; otherwise 404."""
    user = access.caller()
    found = goals.member_goal(user, goal_id)
    if found is None:
        access.deny(404, user, object_type="goal", object_id=goal_id)
    return (user, *found)


def _milestone(milestone_id: uuid.UUID):
    user = access.caller()
    found = goals.member_milestone(user, milestone_id)
    if found is None:
        access.deny(404, user, object_type="milestone", object_id=milestone_id)
    return (user, *found)


def _run(action):
    """Turn the goals service's refusals into problems."""
    try:
        return action()
    except partnerships.Ended:
        abort(409, message=partnerships.Ended.message)
    except goals.Stale:
        abort(412, message="Someone changed this since you loaded it. Load it again, then "
              "make your change.")
    except goals.Conflict as conflict:
        abort(409, message=conflict.message)
    except goals.Invalid as invalid:
        abort(422, errors={invalid.field: [invalid.message]})


def with_etag(item, status: int = 200, schema=None):
    return versioned((schema or GoalSchema()).dump(item), item.version, status)


@blp.route("/goals/<uuid:goal_id>")
class GoalById(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, GoalSchema, headers=VERSION_HEADER)
    @blp.errors(404, 422)
    def get(self, _args, goal_id):
        """Get a goal (with its ETag, for editing)."""
        user, goal, _ = _goal(goal_id)
        goals.read_goal(user, goal)
        return with_etag(goal).make_conditional(request)

    @access.signed_in(*MEMBERS, scope="goals:write")
    @blp.conditional_write
    @blp.arguments(GoalUpdateSchema, required=False)
    @blp.response(200, GoalSchema, headers=VERSION_HEADER)
    @blp.errors(404, 409, 422)
    def patch(self, data, goal_id):
        """Edit a goal: title, why, target date or status (needs If-Match)."""
        user, goal, partnership = _goal(goal_id)
        expected = expected_versions()
        updated = _run(lambda: goals.update_goal(user, goal, partnership, expected, **data))
        return with_etag(updated)

    @access.signed_in(*MEMBERS, scope="goals:write")
    @blp.conditional_write
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, goal_id):
        """Delete a goal and its milestones; one with check-ins is kept (409). Needs If-Match."""
        user, goal, partnership = _goal(goal_id)
        expected = expected_versions()
        _run(lambda: goals.delete_goal(user, goal, partnership, expected))
        return "", 204


@blp.route("/goals/<uuid:goal_id>/milestones")
class GoalMilestones(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, MilestoneSchema(many=True))
    @blp.errors(404, 422)
    def get(self, _args, goal_id):
        """List a goal's milestones, in order."""
        user, goal, _ = _goal(goal_id)
        return goals.list_milestones(user, goal)

    @access.signed_in(*MEMBERS, scope="goals:write")
    @idempotent
    @blp.arguments(MilestoneCreateSchema)
    @blp.response(201, MilestoneSchema, headers=VERSION_HEADER)
    @blp.errors(404, 409, 422)
    def post(self, data, goal_id):
        """Add a milestone to a goal."""
        user, goal, partnership = _goal(goal_id)
        milestone = _run(lambda: goals.add_milestone(user, goal, partnership, **data))
        return with_etag(milestone, 201, MilestoneSchema())


@blp.route("/milestones/<uuid:milestone_id>")
class MilestoneById(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:write")
    @blp.conditional_write
    @blp.arguments(MilestoneUpdateSchema, required=False)
    @blp.response(200, MilestoneUpdatedSchema, headers=VERSION_HEADER)
    @blp.errors(404, 409, 422)
    def patch(self, data, milestone_id):
        """Edit or complete a milestone (`{"done": true}`; needs If-Match)."""
        user, milestone, goal, partnership = _milestone(milestone_id)
        expected = expected_versions()
        updated = _run(lambda: goals.update_milestone(user, milestone, partnership, expected,
                                                      **data))
        updated.suggest_goal_achieved = (
            goal.status == "active" and updated.done and goals.all_milestones_done(goal))
        return with_etag(updated, 200, MilestoneUpdatedSchema())

    @access.signed_in(*MEMBERS, scope="goals:write")
    @blp.conditional_write
    @blp.response(204)
    @blp.errors(404, 409)
    def delete(self, milestone_id):
        """Delete a milestone (needs If-Match)."""
        user, milestone, _, partnership = _milestone(milestone_id)
        expected = expected_versions()
        _run(lambda: goals.delete_milestone(user, milestone, partnership, expected))
        return "", 204


@blp.route("/goals/<uuid:goal_id>/checkins")
class GoalCheckIns(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:read")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, CheckInSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, goal_id, page, page_size):
        """List a goal's check-ins, newest first."""
        user, goal, _ = _goal(goal_id)
        items, total = goals.list_checkins(user, goal, page, page_size)
        return items, 200, paging_headers(page, page_size, total)

    @access.signed_in(*MEMBERS, scope="checkins:write")
    @idempotent
    @blp.arguments(CheckInCreateSchema)
    @blp.response(201, CheckInSchema)
    @blp.errors(404, 409, 422)
    def post(self, data, goal_id):
        """Check in on a goal: progress 0-10 and an optional note (append-only)."""
        user, goal, partnership = _goal(goal_id)
        checkin = _run(lambda: goals.add_checkin(user, goal, partnership, **data))
        return checkin, 201


@blp.route("/goals/<uuid:goal_id>/celebrations")
class GoalCelebrations(MethodView):
    @access.signed_in(*MEMBERS, scope="goals:write")
    @idempotent
    @blp.arguments(CelebrationCreateSchema)
    @blp.response(201, CelebrationSchema)
    @blp.errors(404, 409, 422)
    def post(self, data, goal_id):
        """Celebrate a milestone that is done, or the goal once achieved."""
        user, goal, partnership = _goal(goal_id)
        return _run(lambda: goals.add_celebration(user, goal, partnership, **data)), 201

