"""The audit trail: append-only rows of who did what to which object, never the content.

Two things keep it from being flooded: refusals of anonymous requests are only counted
(`count_denial`, in /metrics), never written one by one; and a read is written at most once
a minute per reader, action and object (`record_read`; per process), so reading the same
page again and again does not bury the other member's access log.
"""

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import and_, insert, or_, select

from api.db.paging import page_of
from api.db.unit_of_work import keep_if_failed
from api.extensions import db
from api.lib.clock import utcnow
from api.models import AuditEvent, OAuthClient, Partnership, PartnershipHandover, User

# The OAuth client acting in this request (set by api.http.access), named in every event.
acting_client: ContextVar[uuid.UUID | None] = ContextVar("acting_client", default=None)

READ_EVERY_SECONDS = 60
_RECENT_READS_KEPT = 20_000
_recent_reads: OrderedDict[tuple, float] = OrderedDict()
_recent_lock = threading.Lock()

DENIALS = Counter("rapport_access_denials", "Requests refused by the access rules.",
                  ("status", "caller"))

# One prepared statement, run at once: the ORM's unit of work costs several times more for a
# row that is only ever inserted, and this is on the path of every private read and write.
_INSERT = insert(AuditEvent.__table__)


def record(actor: User | None, action: str, *, object_type: str | None = None,
           object_id=None, partnership_id: uuid.UUID | None = None,
           outcome: str = "ok", at: datetime | None = None) -> None:
    """Add an event to the current transaction; it lands with the change it describes.
    `at`: the time the change itself carries, where one must match the other exactly."""
    _insert({**_row(actor, action, object_type, object_id, partnership_id, outcome),
             **({"at": at} if at is not None else {})})


def record_refusal(actor: User | None, action: str, **details) -> None:
    """Record an event that stands even though the request fails: a refusal, a failed
    sign-in (kept after the unit of work rolls back, api.db.unit_of_work)."""
    row = _row(actor, action, outcome=details.pop("outcome", "denied"), **details)
    _insert(row)
    keep_if_failed(lambda: _insert(row))


def _row(actor: User | None, action: str, object_type: str | None = None, object_id=None,
         partnership_id: uuid.UUID | None = None, outcome: str = "ok") -> dict:
    return {
        "at": utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_role": actor.role if actor else None,
        "action": action[:100],
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else None,
        "partnership_id": partnership_id,
        "outcome": outcome,
        "client_id": acting_client.get(),
    }


def _insert(row: dict) -> None:
    # Without flushing the caller's pending changes first: a versioned edit is checked
    # against the client's If-Match before it is flushed (goals._flush_versioned).
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
             "partnership_id": partnership_id, "outcome": "ok",
             "client_id": acting_client.get()}
            for partnership_id in dict.fromkeys(partnership_ids)
            if _fresh_read((actor.id, action, str(partnership_id), partnership_id,
                            acting_client.get()))]
    if rows:
        db.session.execute(insert(AuditEvent), rows)


def record_read(actor: User, action: str, **details) -> None:
    """Record a read, unless this reader made the same read of the same object in the last
    READ_EVERY_SECONDS."""
    if _fresh_read((actor.id, action, str(details.get("object_id")),
                    details.get("partnership_id"), acting_client.get())):
        record(actor, action, **details)


def _fresh_read(key: tuple) -> bool:
    """True (and remembered) unless the same read was written in the last minute."""
    now = time.monotonic()
    with _recent_lock:
        seen = _recent_reads.get(key)
        if seen is not None and now - seen < READ_EVERY_SECONDS:
            return False
        _recent_reads[key] = now
        _recent_reads.move_to_end(key)
        while len(_recent_reads) > _RECENT_READS_KEPT:
            _recent_reads.popitem(last=False)
        return True


def forget_recent_reads() -> None:
    """Write the next read of everything again (tests start each case from nothing)."""
    with _recent_lock:
        _recent_reads.clear()


def count_denial(status: int, caller: User | None) -> None:
    DENIALS.labels(str(status), "signed_in" if caller else "anonymous").inc()


def about(user: User):
    """Events on the person's own account, and on a partnership while they were part of it.

    A peer sees all of their partnership's events. A worker sees a partnership's events from
    the time they supported it: one handed over to them, from the handover on; one handed
    away, up to the handover (their own time stays theirs, the next worker's is not). The
    handover's own event is in both: it carries the handover's time exactly.
    """
    return select(AuditEvent).where(or_(
        (AuditEvent.object_type == "user") & (AuditEvent.object_id == str(user.id)),
        AuditEvent.actor_id == user.id,
        AuditEvent.partnership_id.in_(select(Partnership.id).where(
            Partnership.peer_id == user.id)),
        *_worker_windows(user),
    ))


def _worker_windows(user: User) -> list:
    """One condition per stretch of time the worker supported a partnership (one query: the
    handovers they were part of; their present partnerships stay a subquery)."""
    moves = db.session.execute(
        select(PartnershipHandover.partnership_id, PartnershipHandover.decided_at,
               PartnershipHandover.from_worker_id, PartnershipHandover.to_worker_id)
        .where(PartnershipHandover.status == "accepted",
               or_(PartnershipHandover.from_worker_id == user.id,
                   PartnershipHandover.to_worker_id == user.id))
        .order_by(PartnershipHandover.decided_at)).all()
    current = select(Partnership.id).where(Partnership.worker_id == user.id)
    starts: dict = {}  # partnership -> when their present stretch began (None: at its start)
    windows = []
    for partnership_id, at, from_id, to_id in moves:
        if to_id == user.id:
            starts[partnership_id] = at
        elif from_id == user.id:
            windows.append(_between(partnership_id, starts.pop(partnership_id, None), at))
    windows.append(and_(AuditEvent.partnership_id.in_(current),
                        AuditEvent.partnership_id.not_in(list(starts))))
    windows += [and_(_between(p, start, None), AuditEvent.partnership_id.in_(current))
                for p, start in starts.items()]
    return windows


def _between(partnership_id, start, end):
    return and_(AuditEvent.partnership_id == partnership_id,
                *([AuditEvent.at >= start] if start is not None else []),
                *([AuditEvent.at <= end] if end is not None else []))


def with_apps(events):
    """Each event with the app that acted (OAuth client), in the same statement: `(event,
    app)`, the app {"name": ...} or None when the person acted themselves. An app removed
    since is still an app, without its name."""
    return events.add_columns(OAuthClient.name).outerjoin(
        OAuthClient, OAuthClient.id == AuditEvent.client_id)


def app_of(event: AuditEvent, name: str | None) -> dict | None:
    return {"name": name} if event.client_id is not None else None


def access_log(user: User, page: int, page_size: int):
    """A page of `(event, app)`, newest first (see with_apps)."""
    rows, total = page_of(with_apps(about(user)), (AuditEvent.at.desc(), AuditEvent.id.desc()),
                          page, page_size)
    return [(event, app_of(event, name)) for event, name in rows], total
