"""Handing over a caseload: an agency admin asks to move a partnership to another of the
agency's workers, and the peer decides.

Nothing moves without the peer's "yes". On that yes, in the same transaction: the partnership's
worker becomes the new worker (who sees its goals and check-ins from then on), the old worker
loses it entirely, their calendar links for it stop answering and any reminder still waiting
for them about it is skipped. Goals, milestones, check-ins and events keep their authors: the
history stays whole, and the handover rows themselves say who supported the peer, from when.

The admin's side never carries the peer's name or anything the peer wrote: a partnership is
known to them only by when it started, its status and its cadence.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from api.db.unit_of_work import keep_if_failed
from api.extensions import db
from api.lib.clock import utcnow
from api.models import (
    Agency,
    CalendarFeed,
    Notification,
    Partnership,
    PartnershipHandover,
    User,
)
from api.services import audit

MOVABLE = ("active", "paused")

NOT_A_WORKER = "Choose a worker of your agency."
SAME_WORKER = "Choose a different worker to hand over to."
NOTHING_TO_MOVE = "This worker has no active or paused partnerships to hand over."
NOT_THEIRS = ("Choose partnerships of this worker, made under your agency, that are active "
              "or paused.")
ALREADY_WAITING = ("A handover of this partnership is already waiting for an answer. Cancel it "
                   "first to ask again.")
ALREADY_PARTNERS = "The new worker already has a partnership with this person."
NOT_WAITING = "This request was already answered or cancelled."
WORKER_LEFT = "The new worker has left the agency, so this request was cancelled."
PARTNERSHIP_CHANGED = ("This partnership has changed since the request was made, so the "
                       "request was cancelled.")


class HandoverError(Exception):
    """A request that cannot be made or answered; `field` names the input at fault (422)."""

    def __init__(self, message: str, status: int = 409, field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.field = message, status, field


@dataclass(frozen=True, slots=True)
class AdminView:
    """What an admin sees of a handover: the workers and dates, never the peer."""

    id: uuid.UUID
    partnership_id: uuid.UUID
    from_worker: User | None
    to_worker: User | None
    status: str
    asked_at: datetime
    decided_at: datetime | None
    partnership_started: datetime


def _agency_worker(agency_id: uuid.UUID, worker_id: uuid.UUID | None, *,
                   lock: bool = False) -> User | None:
    """A live worker of the agency. With `lock`, their row is locked to share until the end
    of the transaction: the agency removing them at this moment waits, or is waited for."""
    if worker_id is None:
        return None
    stmt = select(User).where(
        User.id == worker_id, User.role == "worker", User.agency_id == agency_id,
        User.erased_at.is_(None))
    if lock:
        stmt = stmt.with_for_update(read=True).execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def _already_partners(worker_id: uuid.UUID, peer_id: uuid.UUID) -> bool:
    # The same rule as an invite: one partnership that has not ended per worker and peer.
    return db.session.scalar(select(Partnership.id).where(
        Partnership.worker_id == worker_id, Partnership.peer_id == peer_id,
        Partnership.status != "ended").limit(1)) is not None


def ask(admin: User, from_worker_id: uuid.UUID, to_worker_id: uuid.UUID,
        partnership_ids: list[uuid.UUID] | None = None) -> list[AdminView]:
    """Ask the peers of these partnerships (default: all of the worker's active and paused
    ones made under the agency) to move to `to_worker_id`."""
    agency_id = admin.agency_id
    old = _agency_worker(agency_id, from_worker_id)
    if old is None:
        raise HandoverError(NOT_A_WORKER, 422, "from_worker_id")
    new = _agency_worker(agency_id, to_worker_id)
    if new is None:
        raise HandoverError(NOT_A_WORKER, 422, "to_worker_id")
    if old.id == new.id:
        raise HandoverError(SAME_WORKER, 422, "to_worker_id")
    movable = select(Partnership).where(
        Partnership.agency_id == agency_id, Partnership.worker_id == old.id,
        Partnership.status.in_(MOVABLE)).order_by(Partnership.created_at, Partnership.id)
    if partnership_ids:
        wanted = list(dict.fromkeys(partnership_ids))
        chosen = db.session.scalars(movable.where(Partnership.id.in_(wanted))).all()
        if len(chosen) != len(wanted):
            raise HandoverError(NOT_THEIRS, 422, "partnership_ids")
    else:
        chosen = db.session.scalars(movable).all()
        if not chosen:
            raise HandoverError(NOTHING_TO_MOVE, 422, "from_worker_id")
    made = []
    for partnership in chosen:
        if _already_partners(new.id, partnership.peer_id):
            raise HandoverError(ALREADY_PARTNERS)
        if db.session.scalar(select(PartnershipHandover.id).where(
                PartnershipHandover.partnership_id == partnership.id,
                PartnershipHandover.status == "waiting")):
            raise HandoverError(ALREADY_WAITING)
        handover = PartnershipHandover(
            partnership_id=partnership.id, agency_id=agency_id, from_worker_id=old.id,
            to_worker_id=new.id, asked_by=admin.id, status="waiting")
        try:
            # A savepoint: a twin request flushed a moment earlier by another admin trips the
            # partial unique index, and this request answers 409 instead of 500.
            with db.session.begin_nested():
                db.session.add(handover)
                db.session.flush()
        except IntegrityError:
            raise HandoverError(ALREADY_WAITING) from None
        audit.record(admin, "handover.ask", object_type="partnership",
                     object_id=partnership.id, partnership_id=partnership.id)
        made.append(_admin_view(handover, partnership, old, new))
    return made


def movable_of(admin: User, agency_id: uuid.UUID, worker_id: uuid.UUID) -> list[dict] | None:
    """A worker's partnerships that could be handed over, as the admin may know them: start
    date, state and cadence. None when the worker is not the agency's."""
    worker = _agency_worker(agency_id, worker_id)
    if worker is None:
        return None
    rows = db.session.scalars(select(Partnership).where(
        Partnership.agency_id == agency_id, Partnership.worker_id == worker.id,
        Partnership.status.in_(MOVABLE)).order_by(Partnership.created_at, Partnership.id)).all()
    audit.record_read(admin, "partnership.list", object_type="user", object_id=worker.id)
    return [{"id": row.id, "started": row.created_at.date(), "status": row.status,
             "checkin_cadence_days": row.checkin_cadence_days} for row in rows]


def _admin_view(handover: PartnershipHandover, partnership: Partnership,
                old: User | None, new: User | None) -> AdminView:
    return AdminView(handover.id, handover.partnership_id, old, new, handover.status,
                     handover.asked_at, handover.decided_at, partnership.created_at)


def for_agency(agency_id: uuid.UUID, status: str | None = None) -> list[AdminView]:
    """The agency's requests, newest first."""
    old, new = aliased(User), aliased(User)
    stmt = (select(PartnershipHandover, Partnership, old, new)
            .join(Partnership, Partnership.id == PartnershipHandover.partnership_id)
            .outerjoin(old, old.id == PartnershipHandover.from_worker_id)
            .outerjoin(new, new.id == PartnershipHandover.to_worker_id)
            .where(PartnershipHandover.agency_id == agency_id)
            .order_by(PartnershipHandover.asked_at.desc(), PartnershipHandover.id))
    if status:
        stmt = stmt.where(PartnershipHandover.status == status)
    return [_admin_view(*row) for row in db.session.execute(stmt).all()]


def in_agency(agency_id: uuid.UUID, handover_id: uuid.UUID) -> PartnershipHandover | None:
    return db.session.scalar(select(PartnershipHandover).where(
        PartnershipHandover.id == handover_id, PartnershipHandover.agency_id == agency_id))


def _close(handover: PartnershipHandover, status: str) -> bool:
    """Move a waiting request to `status`. A conditional UPDATE: of two answers at once,
    exactly one finds it still waiting (on SQLite too, which ignores FOR UPDATE)."""
    now = utcnow()
    closed = db.session.execute(
        update(PartnershipHandover)
        .where(PartnershipHandover.id == handover.id, PartnershipHandover.status == "waiting")
        .values(status=status, decided_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    if closed:
        handover.status, handover.decided_at = status, now
    return closed


def cancel(admin: User, handover: PartnershipHandover) -> None:
    if not _close(handover, "cancelled"):
        raise HandoverError(NOT_WAITING)
    audit.record(admin, "handover.cancel", object_type="partnership",
                 object_id=handover.partnership_id, partnership_id=handover.partnership_id)


def waiting_for(peer: User) -> list[dict]:
    """Requests waiting for this peer's answer, oldest first, with the names they need."""
    old, new = aliased(User), aliased(User)
    rows = db.session.execute(
        select(PartnershipHandover, Agency.name, old.display_name, new.display_name)
        .join(Partnership, Partnership.id == PartnershipHandover.partnership_id)
        .join(Agency, Agency.id == PartnershipHandover.agency_id)
        .outerjoin(old, old.id == PartnershipHandover.from_worker_id)
        .outerjoin(new, new.id == PartnershipHandover.to_worker_id)
        .where(Partnership.peer_id == peer.id, PartnershipHandover.status == "waiting")
        .order_by(PartnershipHandover.asked_at, PartnershipHandover.id)).all()
    for handover, *_ in rows:
        audit.record_read(peer, "handover.read", object_type="partnership",
                          object_id=handover.partnership_id,
                          partnership_id=handover.partnership_id)
    return [{"id": handover.id, "partnership_id": handover.partnership_id,
             "agency_name": agency, "from_worker_name": old_name,
             "to_worker_name": new_name, "asked_at": handover.asked_at}
            for handover, agency, old_name, new_name in rows]


def for_peer(peer: User, handover_id: uuid.UUID) -> PartnershipHandover | None:
    """The request, only if it is about one of this peer's partnerships (the peer decides,
    nobody else: to anyone else it does not exist)."""
    if peer.role != "peer":
        return None
    return db.session.scalar(
        select(PartnershipHandover)
        .join(Partnership, Partnership.id == PartnershipHandover.partnership_id)
        .where(PartnershipHandover.id == handover_id, Partnership.peer_id == peer.id))


def _cancel_for_good(handover: PartnershipHandover, message: str) -> None:
    """Cancel a request that can no longer be agreed to, and keep that cancellation although
    the peer's request itself fails (409)."""
    handover_id, partnership_id = handover.id, handover.partnership_id

    def write():
        cancelled = db.session.execute(
            update(PartnershipHandover)
            .where(PartnershipHandover.id == handover_id,
                   PartnershipHandover.status == "waiting")
            .values(status="cancelled", decided_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount
        if cancelled:  # by the rules, not by a person
            audit.record(None, "handover.cancel", object_type="partnership",
                         object_id=partnership_id, partnership_id=partnership_id)

    keep_if_failed(write)
    raise HandoverError(message)


def decide(peer: User, handover: PartnershipHandover, agree: bool) -> str:
    """The peer's answer. On "yes", the partnership moves at once."""
    if handover.status != "waiting":
        raise HandoverError(NOT_WAITING)
    partnership = db.session.get(Partnership, handover.partnership_id)
    if agree:
        new = _agency_worker(handover.agency_id, handover.to_worker_id, lock=True)
        if new is None:
            _cancel_for_good(handover, WORKER_LEFT)
        if (partnership.worker_id != handover.from_worker_id
                or partnership.status not in MOVABLE
                or partnership.agency_id != handover.agency_id
                or _already_partners(new.id, peer.id)):
            _cancel_for_good(handover, PARTNERSHIP_CHANGED)
    if not _close(handover, "accepted" if agree else "declined"):
        raise HandoverError(NOT_WAITING)
    if agree:
        _move(partnership, handover.from_worker_id, handover.to_worker_id)
    audit.record(peer, "handover.agree" if agree else "handover.decline",
                 object_type="partnership", object_id=partnership.id,
                 partnership_id=partnership.id, at=handover.decided_at)
    return handover.status


def _move(partnership: Partnership, old_id: uuid.UUID, new_id: uuid.UUID) -> None:
    partnership.worker_id = new_id
    # The old worker's calendar links for it stop answering (feeds are per person and
    # partnership), and reminders still waiting for them about it are not sent.
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.partnership_id == partnership.id,
                                                  CalendarFeed.user_id == old_id))
    db.session.execute(
        update(Notification)
        .where(Notification.partnership_id == partnership.id, Notification.user_id == old_id,
               Notification.status == "waiting")
        .values(status="skipped", outcome="handed over")
        .execution_options(synchronize_session=False))
    db.session.flush()


def history(member: User, partnership: Partnership) -> list[dict]:
    """Every request about this partnership, oldest first: who supported the peer, from when
    (an accepted one is the day the new worker took over)."""
    old, new = aliased(User), aliased(User)
    rows = db.session.execute(
        select(PartnershipHandover, old, new)
        .outerjoin(old, old.id == PartnershipHandover.from_worker_id)
        .outerjoin(new, new.id == PartnershipHandover.to_worker_id)
        .where(PartnershipHandover.partnership_id == partnership.id)
        .order_by(PartnershipHandover.asked_at, PartnershipHandover.id)).all()
    audit.record_read(member, "handover.list", object_type="partnership",
                      object_id=partnership.id, partnership_id=partnership.id)
    return [{"id": handover.id, "from_worker": old_worker, "to_worker": new_worker,
             "status": handover.status, "asked_at": handover.asked_at,
             "decided_at": handover.decided_at}
            for handover, old_worker, new_worker in rows]
