"""A partnership's story, newest first: check-ins, milestones done, celebrations, goal changes.

The four kinds are one UNION ALL with shared columns, so a page is one statement however
many entries it holds. Who and which goal stay UUID columns; an entry's own id is text (a
goal change's is a number), and SQLite casts a UUID to 32 hex digits where PostgreSQL writes
the dashed form the rest of the API uses, so it is dashed here.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, cast, false, literal, null, select, union_all

from api.db.paging import page_of
from api.models import Celebration, CheckIn, Goal, GoalEvent, Milestone, Partnership, User
from api.services import audit


@dataclass(frozen=True)
class Entry:
    type: str            # checkin | milestone_done | celebration | goal_status
    id: str
    at: datetime
    actor_id: uuid.UUID | None
    goal_id: uuid.UUID
    goal_title: str
    goal_words_removed: bool
    progress: int | None = None
    text: str | None = None
    words_removed: bool = False
    emoji: str | None = None
    from_status: str | None = None
    to_status: str | None = None


def _rows(partnership_id):
    goal_removed = Goal.words_removed_at.is_not(None)
    checkins = select(
        literal("checkin").label("type"), cast(CheckIn.id, String).label("id"),
        CheckIn.created_at.label("at"), CheckIn.author_id.label("actor_id"),
        CheckIn.goal_id.label("goal_id"), Goal.title.label("goal_title"),
        goal_removed.label("goal_words_removed"),
        CheckIn.progress.label("progress"), CheckIn.note.label("text"),
        false().label("words_removed"),
        cast(null(), String).label("emoji"), cast(null(), String).label("from_status"),
        cast(null(), String).label("to_status"),
    ).join(Goal, Goal.id == CheckIn.goal_id).where(CheckIn.partnership_id == partnership_id)
    milestones = select(
        literal("milestone_done"), cast(Milestone.id, String), Milestone.done_at,
        Milestone.done_by, Milestone.goal_id, Goal.title,
        goal_removed, cast(null(), Integer), Milestone.title,
        Milestone.words_removed_at.is_not(None), cast(null(), String), cast(null(), String),
        cast(null(), String),
    ).join(Goal, Goal.id == Milestone.goal_id).where(
        Goal.partnership_id == partnership_id, Milestone.done.is_(True))
    celebrations = select(
        literal("celebration"), cast(Celebration.id, String), Celebration.created_at,
        Celebration.author_id, Celebration.goal_id, Goal.title,
        goal_removed, cast(null(), Integer), Celebration.message, false(), Celebration.emoji,
        cast(null(), String), cast(null(), String),
    ).join(Goal, Goal.id == Celebration.goal_id).where(
        Celebration.partnership_id == partnership_id)
    changes = select(
        literal("goal_status"), cast(GoalEvent.id, String), GoalEvent.at,
        GoalEvent.actor_id, GoalEvent.goal_id, Goal.title,
        goal_removed, cast(null(), Integer), cast(null(), String), false(),
        cast(null(), String), GoalEvent.from_status, GoalEvent.to_status,
    ).join(Goal, Goal.id == GoalEvent.goal_id).where(GoalEvent.partnership_id == partnership_id)
    return union_all(checkins, milestones, celebrations, changes).subquery("timeline")


def timeline(user: User, partnership: Partnership, page: int, page_size: int):
    story = _rows(partnership.id)
    rows, total = page_of(select(story), (story.c.at.desc(), story.c.id.desc()),
                          page, page_size)
    audit.record_read(user, "timeline.read", object_type="partnership",
                     object_id=partnership.id, partnership_id=partnership.id)
    return [Entry(row[0], _dashed(row[1]), *row[2:]) for row in rows], total


def _dashed(entry_id: str) -> str:
    return str(uuid.UUID(entry_id)) if len(entry_id) == 32 else entry_id
