"""Web Push: each device a person lets us remind, and each reminder or alert made for it.

A subscription belongs to the session that made it: signing out, changing the password or
erasing the account deletes the session, and with it the device's subscription, so a shared
phone stops hearing about someone who signed out. Choices are per device.

A notification is one thing worth telling one device (a check-in due, a goal made...). It is
written in the same transaction as what caused it (an outbox: nothing is lost if a worker
process dies) and sent later, many of one kind folded into one message. `dedupe_key` makes
each one at most once per device, however many processes look for it.
"""

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.extensions import db
from api.lib.clock import utcnow
from api.models.types import UtcDateTime

# What a person can be told about, in the order the app lists them.
KINDS = ("checkin_due", "talk_flag", "milestone_done", "celebration", "new_goal")
# private: "A check-in is due in Rapport"; names: the other person's name, never their words.
DETAILS = ("private", "names")
STATUSES = ("waiting", "sent", "skipped", "failed")


class PushSubscription(db.Model):
    __tablename__ = "push_subscriptions"
    __table_args__ = (
        CheckConstraint(f"detail IN {DETAILS}", name="detail"),
        CheckConstraint("quiet_start BETWEEN 0 AND 1439 AND quiet_end BETWEEN 0 AND 1439",
                        name="quiet_hours"),
        CheckConstraint("summary_at BETWEEN 0 AND 1439", name="summary_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True)
    # The push service's URL for this browser: a capability, never shown back in full.
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(40))
    label: Mapped[str | None] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    kinds: Mapped[list] = mapped_column(JSON, default=lambda: list(KINDS))
    detail: Mapped[str] = mapped_column(String(10), default="private")
    # Minutes after local midnight; no pushes from start to end (start > end spans midnight).
    quiet_start: Mapped[int | None] = mapped_column(SmallInteger)
    quiet_end: Mapped[int | None] = mapped_column(SmallInteger)
    # A daily summary instead of each alert as it comes, at this local minute.
    daily_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    summary_at: Mapped[int] = mapped_column(SmallInteger, default=8 * 60)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # One sender at a time per device, across processes and machines (a lease, not a lock).
    sending_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        UniqueConstraint("subscription_id", "dedupe_key", name="uq_notifications_once"),
        Index("ix_notifications_waiting", "status", "deliver_after"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("push_subscriptions.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    partnership_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # What it is about (a goal, a milestone...): an id, never its words.
    subject_id: Mapped[str | None] = mapped_column(String(64))
    # The person it is about, named only on a device that chose "names".
    about_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Not before: quiet hours, the daily summary's time, or a retry's back-off.
    deliver_after: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # How many notifications went out in the one message this was part of.
    sent_with: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(40))
