"""Writing down what to tell whom, in the transaction of what caused it (a transactional
outbox): if the change commits, the notification is there to send; if it rolls back, it never
was. One row per device that wants that kind, timed to its quiet hours or daily summary.

The session remembers which devices got something new, so that after the commit the job queue
can send at once (api.jobs); a periodic sweep sends anything a lost nudge left behind.
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from api.extensions import db
from api.lib.clock import utcnow
from api.models import Notification, PushSubscription
from api.services.reminders import timing

# The session's info key: devices with something new to send once this commit lands.
NEW_FOR = "rapport.push.new_for"


def insert_once(rows: list[dict]) -> None:
    """Insert notifications, skipping any a device already has (same dedupe_key): however
    many processes find the same news at once, each device hears it once."""
    if not rows:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(Notification).on_conflict_do_nothing(
        index_elements=["subscription_id", "dedupe_key"]), rows)
    db.session.info.setdefault(NEW_FOR, set()).update(row["subscription_id"] for row in rows)


def row(subscription: PushSubscription, kind: str, *, dedupe_key: str,
        partnership_id: uuid.UUID | None = None, subject_id=None,
        about_user_id: uuid.UUID | None = None, now: datetime | None = None,
        deliver_after: datetime | None = None) -> dict:
    """One notification's row; `deliver_after` is worked out from the device unless given
    (a caller writing many rows for one device at one instant works it out once)."""
    now = now or utcnow()
    if deliver_after is None:
        deliver_after = timing.deliver_after(subscription, now)
    return {"id": uuid.uuid4(), "user_id": subscription.user_id,
            "subscription_id": subscription.id, "kind": kind, "partnership_id": partnership_id,
            "subject_id": None if subject_id is None else str(subject_id),
            "about_user_id": about_user_id, "dedupe_key": dedupe_key, "created_at": now,
            "deliver_after": deliver_after, "status": "waiting",
            "attempts": 0}


def alert(recipient_id: uuid.UUID, kind: str, *, partnership_id: uuid.UUID,
          subject_id, about_user_id: uuid.UUID | None) -> None:
    """Tell each of the recipient's devices that wants `kind` about one thing that happened."""
    # No autoflush: the caller's change is flushed by its own rules (a versioned edit).
    with db.session.no_autoflush:
        devices = db.session.scalars(select(PushSubscription)
                                     .where(PushSubscription.user_id == recipient_id)).all()
    key = f"{kind}:{subject_id}"
    insert_once([row(device, kind, dedupe_key=key, partnership_id=partnership_id,
                     subject_id=subject_id, about_user_id=about_user_id)
                 for device in devices if kind in (device.kinds or ())])


def take_new(session) -> set[uuid.UUID]:
    return session.info.pop(NEW_FOR, set())
