"""Goals, milestones, check-ins and celebrations as the API shows and takes them."""

import marshmallow as ma

from api.models.goals import GOAL_STATUSES
from api.schemas.common import (
    BaseSchema,
    IdSchema,
    Name,
    StrictBoolean,
    StrictInteger,
    Text,
    Timestamp,
)

NOTE_MAX = 2000
_status = ma.fields.String(validate=ma.validate.OneOf(GOAL_STATUSES),
                           metadata={"description": "`achieved` and `let_go` close a goal."})
_why = Text(allow_none=True, validate=ma.validate.Length(max=NOTE_MAX),
            metadata={"description": "Why it matters, in the peer's words."})
_target_date = ma.fields.Date(allow_none=True)


def _words_removed(what: str, **kwargs) -> ma.fields.Boolean:
    return ma.fields.Boolean(required=True, **kwargs, metadata={"description": (
        f"True when the person who wrote {what} erased their account: its words are gone "
        "(the title is empty; a goal's `why` is null) while the item stays in the shared "
        "history. Show a placeholder in their place. A new title from the other member makes "
        "this false.")})


class GoalSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    partnership_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True)
    why = ma.fields.String(required=True, allow_none=True)
    status = ma.fields.String(required=True, metadata={"enum": list(GOAL_STATUSES)})
    target_date = ma.fields.Date(required=True, allow_none=True)
    created_by = ma.fields.UUID(required=True)
    words_removed = _words_removed("the goal")
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)
    version = ma.fields.Integer(
        required=True,
        metadata={"description": 'Changes on every edit; the ETag is `"v<version>"`.'})


class GoalCreateSchema(BaseSchema):
    title = Name(required=True, validate=ma.validate.Length(min=1, max=200))
    why = _why
    target_date = _target_date
    status = _status


class GoalUpdateSchema(BaseSchema):
    title = Name(validate=ma.validate.Length(min=1, max=200))
    why = _why
    target_date = _target_date
    status = _status


class MilestoneSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    goal_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True)
    due_date = ma.fields.Date(required=True, allow_none=True)
    position = ma.fields.Integer(required=True)
    done = ma.fields.Boolean(required=True)
    done_at = Timestamp(required=True, allow_none=True)
    done_by = ma.fields.UUID(required=True, allow_none=True)
    created_by = ma.fields.UUID(
        required=True, allow_none=True,
        metadata={"description": "Who wrote it; null for some milestones made before this "
                  "was recorded."})
    words_removed = _words_removed("the milestone")
    version = ma.fields.Integer(required=True)


class MilestoneUpdatedSchema(MilestoneSchema):
    suggest_goal_achieved = ma.fields.Boolean(
        required=True,
        metadata={"description": "True when every milestone is now done: the client may offer "
                  "to mark the goal achieved (it never happens by itself)."})


class NextMilestoneSchema(MilestoneSchema):
    """An open milestone, with the goal and partnership it belongs to."""

    goal_title = ma.fields.String(required=True, attribute="goal.title")
    goal_words_removed = _words_removed("the goal", attribute="goal.words_removed")
    partnership_id = ma.fields.UUID(required=True, attribute="goal.partnership_id")


_position = StrictInteger(validate=ma.validate.Range(min=0, max=10_000))


class MilestoneCreateSchema(BaseSchema):
    title = Name(required=True, validate=ma.validate.Length(min=1, max=200))
    due_date = ma.fields.Date(allow_none=True)
    position = _position


class MilestoneUpdateSchema(BaseSchema):
    title = Name(validate=ma.validate.Length(min=1, max=200))
    due_date = ma.fields.Date(allow_none=True)
    position = _position
    done = StrictBoolean(metadata={"description": "`true` completes the milestone."})


class CheckInSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    goal_id = ma.fields.UUID(required=True)
    progress = ma.fields.Integer(required=True)
    note = ma.fields.String(required=True, allow_none=True)
    author_id = ma.fields.UUID(required=True)
    created_at = Timestamp(required=True, metadata={
        "description": "When the check-in was made: the phone's `made_at` for one written "
        "offline, else when it was received. Consistency counts it in this week."})
    received_at = Timestamp(required=True, metadata={
        "description": "When the server stored it."})


class CheckInCreateSchema(BaseSchema):
    id = ma.fields.UUID(metadata={"description": "Optional: a UUID the client made, so a "
                                  "check-in written offline keeps its identity."})
    progress = StrictInteger(required=True, validate=ma.validate.Range(min=0, max=10),
                             metadata={"description": "0 (no progress) to 10 (done)."})
    note = Text(allow_none=True, validate=ma.validate.Length(max=NOTE_MAX))
    made_at = ma.fields.AwareDateTime(format="iso", metadata={
        "description": "Optional: when it was made, for a check-in written offline and sent "
        "later (with a time zone). Not more than 5 minutes ahead of the server's clock, not "
        "before the goal was set, not older than 90 days. Left out: now."})


class CelebrationSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    goal_id = ma.fields.UUID(required=True)
    milestone_id = ma.fields.UUID(required=True, allow_none=True)
    message = ma.fields.String(required=True)
    emoji = ma.fields.String(required=True, allow_none=True)
    author_id = ma.fields.UUID(required=True)
    created_at = Timestamp(required=True)


class CelebrationCreateSchema(BaseSchema):
    message = Name(required=True, validate=ma.validate.Length(min=1, max=280))
    emoji = Text(allow_none=True, validate=ma.validate.Length(min=1, max=16))
    milestone_id = ma.fields.UUID(
        allow_none=True,
        metadata={"description": "The milestone being celebrated; leave out to celebrate "
                  "the goal itself (it must be achieved)."})


class TimelineEntrySchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={
        "enum": ["checkin", "milestone_done", "celebration", "goal_status"]})
    id = ma.fields.String(required=True)
    at = Timestamp(required=True)
    actor_id = ma.fields.UUID(required=True, allow_none=True)
    goal_id = ma.fields.UUID(required=True)
    goal_title = ma.fields.String(required=True)
    goal_words_removed = _words_removed("the goal")
    progress = ma.fields.Integer(required=True, allow_none=True,
                                 metadata={"description": "Check-ins: 0 to 10."})
    text = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "A check-in's note, a milestone's title or a celebration's message."})
    words_removed = ma.fields.Boolean(required=True, metadata={"description": (
        "For `milestone_done`: true when the person who wrote the milestone erased their "
        "account, so `text` is empty; show a placeholder instead. False for other entries.")})
    emoji = ma.fields.String(required=True, allow_none=True)
    from_status = ma.fields.String(required=True, allow_none=True)
    to_status = ma.fields.String(required=True, allow_none=True)


class DueCheckInSchema(ma.Schema):
    partnership_id = ma.fields.UUID(required=True)
    peer = ma.fields.Nested(IdSchema, required=True)
    checkin_cadence_days = ma.fields.Integer(required=True)
    last_checkin_at = Timestamp(required=True, allow_none=True)
    due_at = Timestamp(required=True, attribute="due.due_at")
    days_overdue = ma.fields.Integer(required=True, attribute="due.days_overdue")
    consistency = ma.fields.Float(
        required=True, allow_none=True,
        metadata={"description": "0 to 1 over the last 12 weeks, recent weeks weighing more; "
                  "one missed check-in after a steady run costs about a fifth. Null when "
                  "there is nothing to judge yet."})
    needs_goal = ma.fields.Boolean(
        required=True,
        metadata={"description": "True when the partnership has no active goal: the cadence "
                  "still holds, but a check-in is written on a goal, so set one together "
                  "(`POST /partnerships/{id}/goals`) or open one again, then check in on it."})

    def dump(self, obj, *, many=None):
        """The fields above, written out by hand for the due list's items: a big caseload
        is hundreds of them, and marshmallow's per-field machinery cost more than scoring
        them. The same output, key for key and type for type (tests/resources/
        test_consistent_support.py compares it with marshmallow's own dump)."""
        if not (self.many if many is None else many):
            return self._item(obj)
        return [self._item(item) for item in obj]

    @staticmethod
    def _item(item) -> dict:
        peer, due = item.peer, item.due
        last, score = item.last_checkin_at, item.consistency
        return {
            "partnership_id": str(item.partnership_id),
            "peer": {"id": str(peer.id),
                     "display_name": None if peer.display_name is None
                     else str(peer.display_name)},
            "checkin_cadence_days": int(item.checkin_cadence_days),
            "last_checkin_at": None if last is None else _timestamp(last, None, None),
            "due_at": _timestamp(due.due_at, None, None),
            "days_overdue": int(due.days_overdue),
            "consistency": None if score is None else float(score),
            "needs_goal": bool(item.needs_goal),
        }


_timestamp = Timestamp()._serialize
