"""Goals, milestones, check-ins and celebrations inside a partnership.

Either member may create and edit. An ended partnership is history: reads only.
Edits name the version they started from; another version means someone else got there
first, and nothing is changed.
"""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, insert, or_, select
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.exc import StaleDataError

from api.db.paging import page_of
from api.extensions import db
from api.lib.clock import utcnow
from api.models import Celebration, CheckIn, Goal, GoalEvent, Milestone, Partnership, User
from api.services import audit
from api.services.reminders import outbox
from api.services.support.partnerships import Ended
from api.services.webhooks import events as webhook_events


class Stale(Exception):
    """The item changed since the version the client named."""


class Conflict(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(Exception):
    """A field the schema could not judge alone (it needs the goal or the clock)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


# A check-in written offline keeps the time it was made, within these bounds: a phone's clock
# may run a little fast, and the oldest counts for nothing past the consistency lookback.
MADE_AT_SKEW = timedelta(minutes=5)
MADE_AT_MAX_AGE = timedelta(days=90)


def _made_at(made_at: datetime | None, goal: Goal, now: datetime) -> datetime:
    if made_at is None:
        return now
    # Compared before it is converted: a time near year 1 or 9999 in a far zone would not
    # fit in UTC, and is out of bounds anyway.
    if made_at > now + MADE_AT_SKEW:
        raise Invalid("made_at", "This time is in the future. Check the phone's clock.")
    if made_at < now - MADE_AT_MAX_AGE:
        raise Invalid("made_at", f"Check-ins older than {MADE_AT_MAX_AGE.days} days cannot "
                      "be added.")
    if made_at < goal.created_at - MADE_AT_SKEW:
        raise Invalid("made_at", "This time is before the goal was set.")
    return min(made_at.astimezone(UTC), now)


def _writable(partnership: Partnership) -> None:
    if partnership.status == "ended":
        raise Ended


def _flush_versioned(expected: set[int] | None, item) -> None:
    """Write the change if `item` is still at one of the `expected` versions (None: any).
    Stale leaves the rollback to the request's boundary (a 412 answer changes nothing)."""
    if expected is not None and item.version not in expected:
        raise Stale
    try:
        db.session.flush()
    except StaleDataError as error:  # a concurrent edit won the race in the database
        raise Stale from error


# Built once (the path of every goal request): not rebuilt and re-keyed for the cache each time.
_GOAL_WITH_PARTNERSHIP = (
    select(Goal, Partnership).join(Partnership, Partnership.id == Goal.partnership_id)
    .where(Goal.id == bindparam("goal_id")))


def _tell_the_other(user: User, partnership: Partnership, kind: str, subject_id) -> None:
    """A push for the other member's devices that want this kind (api.services.reminders)."""
    other = partnership.peer_id if user.id == partnership.worker_id else partnership.worker_id
    outbox.alert(other, kind, partnership_id=partnership.id, subject_id=subject_id,
                 about_user_id=user.id)


def member_goal(user: User, goal_id: uuid.UUID) -> tuple[Goal, Partnership] | None:
    row = db.session.execute(_GOAL_WITH_PARTNERSHIP, {"goal_id": goal_id}).first()
    if row is None or user.id not in row[1].member_ids():
        return None
    return row[0], row[1]


def member_milestone(user: User, milestone_id: uuid.UUID):
    row = db.session.execute(
        select(Milestone, Goal, Partnership).join(Goal, Goal.id == Milestone.goal_id)
        .join(Partnership, Partnership.id == Goal.partnership_id)
        .where(Milestone.id == milestone_id)).first()
    if row is None or user.id not in row[2].member_ids():
        return None
    return row[0], row[1], row[2]


def list_goals(user: User, partnership: Partnership, page: int, page_size: int):
    stmt = select(Goal).where(Goal.partnership_id == partnership.id)
    rows, total = page_of(stmt, (Goal.created_at.desc(), Goal.id), page, page_size)
    audit.record_read(user, "goal.list", object_type="partnership", object_id=partnership.id,
                     partnership_id=partnership.id)
    return [row[0] for row in rows], total


def member_goals(user: User, page: int, page_size: int, statuses: list[str] | None = None):
    """One page of the goals in every partnership the caller is a member of (with `statuses`
    only, when given), newest first, each with its partnership. Each partnership shown is
    recorded as the JSON list records it ("goal.list"), so its members see the read."""
    stmt = (select(Goal, Partnership).join(Partnership, Partnership.id == Goal.partnership_id)
            .where(or_(Partnership.worker_id == user.id, Partnership.peer_id == user.id)))
    if statuses is not None:
        stmt = stmt.where(Goal.status.in_(statuses))
    rows, total = page_of(stmt, (Goal.created_at.desc(), Goal.id), page, page_size)
    audit.record_per_partnership(user, "goal.list", (goal.partnership_id for goal, _ in rows))
    return rows, total


def goal_details(goal_ids: list[uuid.UUID]) -> tuple[dict, dict]:
    """For these goals, in two statements: their milestones in order, and when each last
    changed status (goal id → list, goal id → time)."""
    if not goal_ids:
        return {}, {}
    milestones: dict[uuid.UUID, list[Milestone]] = {goal_id: [] for goal_id in goal_ids}
    for milestone in db.session.scalars(
            select(Milestone).where(Milestone.goal_id.in_(goal_ids))
            .order_by(Milestone.position, Milestone.created_at, Milestone.id)):
        milestones[milestone.goal_id].append(milestone)
    changed = dict(db.session.execute(
        select(GoalEvent.goal_id, func.max(GoalEvent.at)).where(GoalEvent.goal_id.in_(goal_ids))
        .group_by(GoalEvent.goal_id)).all())
    return milestones, changed


def create_goal(user: User, partnership: Partnership, *, title: str, why: str | None = None,
                target_date=None, status: str = "active") -> Goal:
    _writable(partnership)
    goal = Goal(partnership_id=partnership.id, title=title, why=why, target_date=target_date,
                status=status, created_by=user.id, title_by=user.id,
                why_by=user.id if why else None)
    db.session.add(goal)
    db.session.flush()
    db.session.add(GoalEvent(goal_id=goal.id, partnership_id=partnership.id, from_status=None,
                             to_status=status, actor_id=user.id))
    _tell_the_other(user, partnership, "new_goal", goal.id)
    audit.record(user, "goal.create", object_type="goal", object_id=goal.id,
                 partnership_id=partnership.id)
    if status == "achieved":
        webhook_events.goal_achieved(goal, partnership)
    db.session.flush()
    return goal


def read_goal(user: User, goal: Goal) -> Goal:
    audit.record_read(user, "goal.read", object_type="goal", object_id=goal.id,
                     partnership_id=goal.partnership_id)
    return goal


def _words_now_theirs(user: User, item: Goal | Milestone, changes: dict) -> None:
    """New words are their editor's: erasing that person's account takes them back. A new
    title leaves nothing of an erased writer's to mark."""
    if "title" in changes:
        item.title_by, item.words_removed_at = user.id, None
    if "why" in changes:
        item.why_by = user.id if changes["why"] else None


def update_goal(user: User, goal: Goal, partnership: Partnership, expected: set[int] | None,
                **changes) -> Goal:
    _writable(partnership)
    old_status = goal.status
    for name, value in changes.items():
        setattr(goal, name, value)
    _words_now_theirs(user, goal, changes)
    if goal.status != old_status:
        db.session.add(GoalEvent(goal_id=goal.id, partnership_id=partnership.id,
                                 from_status=old_status, to_status=goal.status,
                                 actor_id=user.id))
    audit.record(user, "goal.update", object_type="goal", object_id=goal.id,
                 partnership_id=partnership.id)
    _flush_versioned(expected, goal)
    if goal.status == "achieved" and old_status != "achieved":
        webhook_events.goal_achieved(goal, partnership)
    return goal


def delete_goal(user: User, goal: Goal, partnership: Partnership,
                expected: set[int] | None) -> None:
    _writable(partnership)
    # Check-ins are append-only history for both members: a goal that has them is let go,
    # not deleted.
    if db.session.scalar(select(CheckIn.id).where(CheckIn.goal_id == goal.id).limit(1)):
        raise Conflict("This goal has check-ins. Set its status to let_go instead, so the "
                       "history you share stays.")
    audit.record(user, "goal.delete", object_type="goal", object_id=goal.id,
                 partnership_id=partnership.id)
    db.session.delete(goal)
    _flush_versioned(expected, goal)


def list_milestones(user: User, goal: Goal) -> list[Milestone]:
    audit.record_read(user, "milestone.list", object_type="goal", object_id=goal.id,
                     partnership_id=goal.partnership_id)
    return db.session.scalars(select(Milestone).where(Milestone.goal_id == goal.id)
                              .order_by(Milestone.position, Milestone.created_at)).all()


def next_milestones(user: User, page: int, page_size: int):
    """Open milestones of active goals in the caller's live partnerships, soonest due first."""
    stmt = (
        select(Milestone).join(Milestone.goal)
        .join(Partnership, Partnership.id == Goal.partnership_id)
        # The goal rides along in the same statement: items name their goal and partnership.
        .options(contains_eager(Milestone.goal))
        .where(or_(Partnership.worker_id == user.id, Partnership.peer_id == user.id),
               Partnership.status != "ended", Goal.status == "active",
               Milestone.done.is_(False)))
    # Undated last on every database (SQLite sorts NULL first, PostgreSQL last).
    order = (Milestone.due_date.is_(None), Milestone.due_date, Goal.created_at, Goal.id,
             Milestone.position, Milestone.created_at, Milestone.id)
    rows, total = page_of(stmt, order, page, page_size)
    items = [row[0] for row in rows]
    # Each partnership shown gets its own row, so the other member sees the read in their log.
    audit.record_per_partnership(user, "milestone.next.read",
                                 (item.goal.partnership_id for item in items))
    audit.record_read(user, "milestone.next.list", object_type="user", object_id=user.id)
    return items, total


def add_milestone(user: User, goal: Goal, partnership: Partnership, *, title: str,
                  due_date=None, position: int | None = None) -> Milestone:
    _writable(partnership)
    if position is None:
        last = db.session.scalar(select(func.max(Milestone.position))
                                 .where(Milestone.goal_id == goal.id))
        position = 0 if last is None else last + 1
    milestone = Milestone(goal_id=goal.id, title=title, due_date=due_date, position=position,
                          created_by=user.id, title_by=user.id)
    db.session.add(milestone)
    db.session.flush()
    audit.record(user, "milestone.create", object_type="milestone", object_id=milestone.id,
                 partnership_id=partnership.id)
    return milestone


def all_milestones_done(goal: Goal) -> bool:
    remaining = db.session.scalar(select(func.count()).select_from(Milestone).where(
        Milestone.goal_id == goal.id, Milestone.done.is_(False)))
    return remaining == 0


def update_milestone(user: User, milestone: Milestone, partnership: Partnership,
                     expected: set[int] | None, **changes) -> Milestone:
    _writable(partnership)
    now_done = changes.get("done") is True and not milestone.done
    if "done" in changes and changes["done"] != milestone.done:
        milestone.done_at = utcnow() if changes["done"] else None
        milestone.done_by = user.id if changes["done"] else None
    for name, value in changes.items():
        setattr(milestone, name, value)
    _words_now_theirs(user, milestone, changes)
    audit.record(user, "milestone.update", object_type="milestone", object_id=milestone.id,
                 partnership_id=partnership.id)
    _flush_versioned(expected, milestone)
    if now_done:
        _tell_the_other(user, partnership, "milestone_done", milestone.id)
    return milestone


def delete_milestone(user: User, milestone: Milestone, partnership: Partnership,
                     expected: set[int] | None) -> None:
    _writable(partnership)
    audit.record(user, "milestone.delete", object_type="milestone", object_id=milestone.id,
                 partnership_id=partnership.id)
    db.session.delete(milestone)
    _flush_versioned(expected, milestone)


def list_checkins(user: User, goal: Goal, page: int, page_size: int):
    stmt = select(CheckIn).where(CheckIn.goal_id == goal.id)
    rows, total = page_of(stmt, (CheckIn.created_at.desc(), CheckIn.id), page, page_size)
    audit.record_read(user, "checkin.list", object_type="goal", object_id=goal.id,
                     partnership_id=goal.partnership_id)
    return [row[0] for row in rows], total


_INSERT_CHECKIN = insert(CheckIn.__table__)


def add_checkin(user: User, goal: Goal, partnership: Partnership, *, progress: int,
                note: str | None = None, id: uuid.UUID | None = None,
                made_at: datetime | None = None) -> CheckIn:
    """A check-in dated when it was made (`made_at`, for one written offline) or now."""
    _writable(partnership)
    now = utcnow()
    made_at = _made_at(made_at, goal, now)
    if id is not None and db.session.get(CheckIn, id) is not None:
        raise Conflict("A check-in with this id already exists.")
    # Append-only and the busiest write: one prepared INSERT, not the unit of work. The
    # object returned is not in the session; it only carries the answer.
    checkin = CheckIn(id=id or uuid.uuid4(), goal_id=goal.id, partnership_id=partnership.id,
                      progress=progress, note=note, author_id=user.id, created_at=made_at,
                      received_at=now)
    db.session.execute(_INSERT_CHECKIN, {
        "id": checkin.id, "goal_id": checkin.goal_id, "partnership_id": checkin.partnership_id,
        "progress": progress, "note": note, "author_id": checkin.author_id,
        "created_at": checkin.created_at, "received_at": now})
    audit.record(user, "checkin.create", object_type="checkin", object_id=checkin.id,
                 partnership_id=partnership.id)
    db.session.flush()
    return checkin


def add_celebration(user: User, goal: Goal, partnership: Partnership, *, message: str,
                    emoji: str | None = None, milestone_id: uuid.UUID | None = None):
    """Celebrate a milestone that is done, or a goal that is achieved."""
    _writable(partnership)
    if milestone_id is not None:
        milestone = db.session.get(Milestone, milestone_id)
        if milestone is None or milestone.goal_id != goal.id:
            raise Conflict("That milestone is not part of this goal.")
        if not milestone.done:
            raise Conflict("Mark the milestone done first, then celebrate it.")
    elif goal.status != "achieved":
        raise Conflict("Celebrate a milestone that is done, or a goal once it is achieved.")
    celebration = Celebration(goal_id=goal.id, milestone_id=milestone_id,
                              partnership_id=partnership.id, message=message, emoji=emoji,
                              author_id=user.id)
    db.session.add(celebration)
    db.session.flush()
    audit.record(user, "celebration.create", object_type="celebration",
                 object_id=celebration.id, partnership_id=partnership.id)
    _tell_the_other(user, partnership, "celebration", celebration.id)
    return celebration
