"""What a worker and a peer work on together: goals, milestones, check-ins, celebrations.

Goals and milestones carry a version (SQLAlchemy's optimistic concurrency): the ETag is
built from it, and an UPDATE that finds another version changes nothing (412).
Check-ins and celebrations are append-only.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.extensions import db
from api.lib.clock import utcnow
from api.models.types import UtcDateTime

GOAL_STATUSES = ("active", "paused", "achieved", "let_go")


class WordsRemovable:
    """Words that can be taken back: blanked when the person who wrote them erases their
    account, while the item itself stays in the other member's history. Each text field
    remembers who last wrote it (`title_by`, `why_by`), so an edit is its editor's words."""

    words_removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    title_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def words_removed(self) -> bool:
        return self.words_removed_at is not None


class Goal(WordsRemovable, db.Model):
    __tablename__ = "goals"
    __table_args__ = (CheckConstraint(f"status IN {GOAL_STATUSES}", name="status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str | None] = mapped_column(Text)
    why_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="active")
    target_date: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="goal", cascade="all, delete-orphan",
        order_by="(Milestone.position, Milestone.created_at)")

    __mapper_args__ = {"version_id_col": version}


class Milestone(WordsRemovable, db.Model):
    __tablename__ = "milestones"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    goal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # Null only for milestones made before authors were recorded and not found in the audit trail.
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    goal: Mapped[Goal] = relationship(back_populates="milestones")

    __mapper_args__ = {"version_id_col": version}


class CheckIn(db.Model):
    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 10", name="progress"),
        Index("ix_checkins_partnership_created", "partnership_id", "created_at"),
    )

    # A client may choose the id, so a check-in made offline keeps its identity.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    goal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"))
    progress: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # When it was made: earlier than received_at for one written offline and sent later.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When the server stored it (null never after migration 0009, which filled it in).
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=utcnow)


class Celebration(db.Model):
    __tablename__ = "celebrations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    goal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    milestone_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="SET NULL"))
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(String(280))
    emoji: Mapped[str | None] = mapped_column(String(16))
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class GoalEvent(db.Model):
    """A goal's status change, kept for the timeline."""

    __tablename__ = "goal_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    goal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PartnershipPause(db.Model):
    """A stretch of time a partnership was paused: nobody missed a check-in then."""

    __tablename__ = "partnership_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CalendarFeed(db.Model):
    """A private, revocable link to a partnership's check-in calendar (apps cannot sign in)."""

    __tablename__ = "calendar_feeds"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IdempotencyRecord(db.Model):
    """A creating POST's key and, once done, its response, replayed for a repeat request."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Whose key it is: "user:<uuid>" or, before sign-in, "anon:<address>".
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while in flight
    body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
