"""Who is due a check-in, for a worker: most overdue first, with a consistency score."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, func, select

from api.extensions import db
from api.models import CheckIn, Goal, Partnership, PartnershipPause, User
from api.services import audit
from api.services.clock import utcnow
from api.services.consistency import DEFAULT_WEEKS, Consistency, Due, consistency, due


@dataclass(frozen=True)
class Person:
    id: object
    display_name: str | None


@dataclass(frozen=True)
class Link:
    """The few facts of a partnership the due list needs (plain rows: a big caseload loads
    fast without building ORM objects)."""

    id: object
    created_at: object
    checkin_cadence_days: int
    peer: Person


@dataclass(frozen=True)
class DueCheckIn:
    partnership: Link
    last_checkin_at: object
    due: Due
    consistency: Consistency


def due_for(worker: User, *, now=None) -> list[DueCheckIn]:
    """Active partnerships with an active goal whose check-in is due or overdue."""
    now = now or utcnow()
    has_active_goal = exists().where(Goal.partnership_id == Partnership.id,
                                     Goal.status == "active")
    partnerships = [
        Link(row.id, row.created_at, row.checkin_cadence_days, Person(row.peer_id, row.name))
        for row in db.session.execute(
            select(Partnership.id, Partnership.created_at, Partnership.checkin_cadence_days,
                   User.id.label("peer_id"), User.display_name.label("name"))
            .join(User, User.id == Partnership.peer_id)
            .where(Partnership.worker_id == worker.id, Partnership.status == "active",
                   has_active_goal))]
    ids = [p.id for p in partnerships]
    last = dict(db.session.execute(
        select(CheckIn.partnership_id, func.max(CheckIn.created_at))
        .where(CheckIn.partnership_id.in_(ids)).group_by(CheckIn.partnership_id)).all())
    since = now - timedelta(weeks=DEFAULT_WEEKS, days=max(
        (p.checkin_cadence_days for p in partnerships), default=0))
    recent: dict = {}
    for partnership_id, at in db.session.execute(
            select(CheckIn.partnership_id, CheckIn.created_at)
            .where(CheckIn.partnership_id.in_(ids), CheckIn.created_at >= since)):
        recent.setdefault(partnership_id, []).append(at)
    pauses: dict = {}
    for partnership_id, started, ended in db.session.execute(
            select(PartnershipPause.partnership_id, PartnershipPause.started_at,
                   PartnershipPause.ended_at).where(PartnershipPause.partnership_id.in_(ids))):
        pauses.setdefault(partnership_id, []).append((started, ended))

    found = []
    for p in partnerships:
        when = due(last.get(p.id), p.created_at, p.checkin_cadence_days, now,
                   paused=pauses.get(p.id, []))
        if when.is_due:
            score = consistency(recent.get(p.id, []), p.checkin_cadence_days, now,
                                started_at=p.created_at, paused=pauses.get(p.id, []))
            found.append(DueCheckIn(p, last.get(p.id), when, score))
    found.sort(key=lambda item: (-item.due.days_overdue, item.due.due_at))
    audit.record_now(worker, "checkins.due.read", object_type="user", object_id=worker.id)
    return found
