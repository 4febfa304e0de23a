"""The audit trail: append-only rows of who did what to which object, never the content."""

import uuid
from collections.abc import Iterable

from sqlalchemy import insert, or_, select

from api.extensions import db
from api.models import AuditEvent, Partnership, User
from api.services.clock import utcnow
from api.services.localised import page_of

# One prepared statement, run at once: the ORM's unit of work costs several times more for a
# row that is only ever inserted, and this is on the path of every private read and write.
_INSERT = insert(AuditEvent.__table__)


def record(actor: User | None, action: str, *, object_type: str | None = None,
           object_id=None, partnership_id: uuid.UUID | None = None,
           outcome: str = "ok") -> None:
    """Add an event to the current transaction; it lands with the change it describes."""
    row = {
        "at": utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_role": actor.role if actor else None,
        "action": action[:100],
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "partnership_id": partnership_id,
        "outcome": outcome,
    }
    # Without flushing the caller's pending changes first: a versioned edit is checked
    # against the client's If-Match before it is flushed (goals._commit_versioned).
    with db.session.no_autoflush:
        db.session.execute(_INSERT, row)


def record_per_partnership(actor: User, action: str,
                           partnership_ids: Iterable[uuid.UUID]) -> None:
    """Record `action` once for each partnership, filed under it so its members see it.

    One INSERT for them all: a read across many partnerships costs no more statements
    than a read of one.
    """
    rows = [{"actor_id": actor.id, "actor_role": actor.role, "action": action[:100],
             "object_type": "partnership", "object_id": str(partnership_id),
             "partnership_id": partnership_id, "outcome": "ok"}
            for partnership_id in dict.fromkeys(partnership_ids)]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def record_now(actor: User | None, action: str, **details) -> None:
    """Record and commit at once: for reads and denials, which change nothing else."""
    record(actor, action, **details)
    db.session.commit()


def about(user: User):
    """Events on the person's own account or on a partnership they are part of."""
    mine = select(Partnership.id).where(
        or_(Partnership.worker_id == user.id, Partnership.peer_id == user.id))
    return select(AuditEvent).where(or_(
        (AuditEvent.object_type == "user") & (AuditEvent.object_id == str(user.id)),
        AuditEvent.partnership_id.in_(mine),
        AuditEvent.actor_id == user.id,
    ))


def access_log(user: User, page: int, page_size: int):
    rows, total = page_of(about(user), (AuditEvent.at.desc(), AuditEvent.id.desc()),
                          page, page_size)
    return [row[0] for row in rows], total
