"""Who is due a check-in, for a worker: most overdue first, with a consistency score.

Every active partnership keeps its cadence, with or without an active goal: the check-in is
due a cadence after the last one on any of its goals (reached or let go ones too), or after
the partnership began. A check-in is written on a goal, so an item whose partnership has
no active goal says so (`needs_goal`): the worker and the peer set one, or open one again,
and check in on it. Paused and ended partnerships are never due.

A worker may carry hundreds of partnerships, so the list is read in three flat queries of
plain columns (no ORM objects, no list of ids sent back to the database): the active
partnerships, each with its peer, its latest check-in and whether it has an active goal;
their pauses; and the check-ins inside the look-back. The windows of each cadence are cut
once for all (consistency.Lookback), and the read is audited once, as one row for the worker.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, func, select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import CheckIn, Goal, Partnership, PartnershipPause, User
from api.services import audit
from api.services.support.consistency import DEFAULT_WEEKS, Due, Lookback, due


@dataclass(frozen=True, slots=True)
class Person:
    id: uuid.UUID
    display_name: str | None


@dataclass(frozen=True, slots=True)
class DueCheckIn:
    partnership_id: uuid.UUID
    peer: Person
    checkin_cadence_days: int
    last_checkin_at: datetime | None
    due: Due
    consistency: float | None  # see api.services.support.consistency
    needs_goal: bool  # no active goal to check in on


def _key(column):
    """A uuid column as text, to pair rows of two queries up: no uuid.UUID built (and
    hashed in Python) per check-in row."""
    return cast(column, String)


def due_for(worker: User, *, now=None) -> list[DueCheckIn]:
    """Active partnerships whose check-in is due or overdue."""
    now = now or utcnow()
    active = (Partnership.worker_id == worker.id) & (Partnership.status == "active")
    has_active_goal = exists().where(Goal.partnership_id == Partnership.id,
                                     Goal.status == "active").correlate(Partnership)
    # Correlated: one step down ix_checkins_partnership_created per partnership.
    last_checkin = (select(func.max(CheckIn.created_at))
                    .where(CheckIn.partnership_id == Partnership.id)
                    .correlate(Partnership).scalar_subquery())
    # Plain rows through the session's connection: the ORM's loading layer adds nothing here.
    connection = db.session.connection()
    partnerships = connection.execute(
        select(_key(Partnership.id), Partnership.id, Partnership.created_at,
               Partnership.checkin_cadence_days, User.id, User.display_name, last_checkin,
               has_active_goal)
        .join(User, User.id == Partnership.peer_id)
        .where(active)).all()
    if not partnerships:
        return _audited(worker, [])

    pauses: dict = {}
    for key, started, ended in connection.execute(
            select(_key(PartnershipPause.partnership_id), PartnershipPause.started_at,
                   PartnershipPause.ended_at)
            .join(Partnership, Partnership.id == PartnershipPause.partnership_id)
            .where(active)).all():
        pauses.setdefault(key, []).append((started, ended))

    late = []
    for row in partnerships:
        key, _, created_at, cadence, _, _, last, _ = row
        when = due(last, created_at, cadence, now, paused=pauses.get(key, ()))
        if when.is_due:
            late.append((row, when))
    if not late:
        return _audited(worker, [])

    since = now - timedelta(weeks=DEFAULT_WEEKS,
                            days=max(row.checkin_cadence_days for row, _ in late))
    recent: dict = {}
    # In slices: as quick as fetching all at once, without hundreds of rows alive at a time.
    for rows in connection.execute(
            select(_key(CheckIn.partnership_id), CheckIn.created_at)
            .join(Partnership, Partnership.id == CheckIn.partnership_id)
            .where(active, CheckIn.created_at >= since)).partitions(200):
        for key, at in rows:
            recent.setdefault(key, []).append(at)

    lookbacks: dict[int, Lookback] = {}
    found = []
    for (key, id_, created_at, cadence, peer_id, name, last, has_goal), when in late:
        lookback = lookbacks.get(cadence)
        if lookback is None:
            lookback = lookbacks[cadence] = Lookback(now, cadence)
        score = lookback.score(recent.get(key, ()), created_at, pauses.get(key, ()))
        found.append(DueCheckIn(id_, Person(peer_id, name), cadence, last, when, score,
                                needs_goal=not has_goal))
    found.sort(key=lambda item: (-item.due.days_overdue, item.due.due_at))
    return _audited(worker, found)


def _audited(worker: User, found: list[DueCheckIn]) -> list[DueCheckIn]:
    audit.record_read(worker, "checkins.due.read", object_type="user", object_id=worker.id)
    return found
