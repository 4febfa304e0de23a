"""People, their sessions, agencies, invites, partnerships, and the audit trail.

Private objects have UUID ids (unguessable). Secrets (passwords, session tokens, invite
and join codes) are stored only as hashes.
"""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import text

from api.extensions import db
from api.lib.clock import utcnow
from api.models.types import UtcDateTime

ROLES = ("worker", "peer", "agency_admin")
PARTNERSHIP_STATUSES = ("active", "paused", "ended")


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


def _created() -> Mapped[datetime]:
    return mapped_column(UtcDateTime, default=utcnow)


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = _created()
    # Crisis resources: show the default set (988 in the US) before the agency's own, or
    # only the agency's own (an agency outside the US replaces it).
    crisis_include_default: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=text("true"))
    # In the agency's lists, feeds and embeds: its own published items before the core ones
    # (true), or after them.
    own_content_first: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=text("true"))


class AgencyJoinCode(db.Model):
    """A code an agency admin hands to workers so their accounts join the agency."""

    __tablename__ = "agency_join_codes"

    id: Mapped[uuid.UUID] = _id()
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # What the admin made it for ("Spring hires"), so a list of codes can be told apart.
    label: Mapped[str | None] = mapped_column(String(80))
    # How many workers joined with it; a revoked code lets no one else in.
    uses: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES}", name="role"),
    )

    id: Mapped[uuid.UUID] = _id()
    role: Mapped[str] = mapped_column(String(20))
    # Workers and admins sign in with an email, peers with a username; both lower-cased.
    # All personal fields are emptied when a person erases their account.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    username: Mapped[str | None] = mapped_column(String(40), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    agency_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    # When a worker joined their agency (null for admins, and for workers who joined before
    # this was kept).
    agency_joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = _created()
    password_changed_at: Mapped[datetime] = _created()
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    agency: Mapped[Agency | None] = relationship()


class AuthSession(db.Model):
    """A signed-in session: the client holds a random token, we keep its SHA-256."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = _id()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Moved forward as the session is used (at most every few minutes): a session left
    # unused for SESSION_IDLE_HOURS ends, whatever its expires_at says.
    last_seen_at: Mapped[datetime] = _created()

    user: Mapped[User] = relationship()


class Invite(db.Model):
    """A worker's single-use invitation for a peer to join them in a partnership."""

    __tablename__ = "invites"

    id: Mapped[uuid.UUID] = _id()
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    worker_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = _created()
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Cancelled by the worker before anyone used it: it opens nothing from then on.
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    partnership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="SET NULL"))


class Partnership(db.Model):
    """The private space a worker and a peer share."""

    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint(f"status IN {PARTNERSHIP_STATUSES}", name="status"),
        CheckConstraint("checkin_cadence_days BETWEEN 1 AND 365", name="cadence"),
    )

    id: Mapped[uuid.UUID] = _id()
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    peer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")
    checkin_cadence_days: Mapped[int] = mapped_column(Integer, default=7)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    worker: Mapped[User] = relationship(foreign_keys=[worker_id])
    peer: Mapped[User] = relationship(foreign_keys=[peer_id])

    def member_ids(self) -> set[uuid.UUID]:
        return {self.worker_id, self.peer_id}


HANDOVER_STATUSES = ("waiting", "accepted", "declined", "cancelled")


class PartnershipHandover(db.Model):
    """An agency admin asks to move a partnership to another of its workers; the peer decides.

    Kept after the decision: the partnership's history of who supported the peer, and when.
    At most one request waits per partnership.
    """

    __tablename__ = "partnership_handovers"
    __table_args__ = (
        CheckConstraint(f"status IN {HANDOVER_STATUSES}", name="status"),
        Index("uq_partnership_handovers_waiting", "partnership_id", unique=True,
              sqlite_where=text("status = 'waiting'"),
              postgresql_where=text("status = 'waiting'")),
    )

    id: Mapped[uuid.UUID] = _id()
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    # Null once that person erased their account: the history stays, the person does not.
    from_worker_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    to_worker_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    asked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = _created()
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEvent(db.Model):
    """Append-only: who did what to which object, and how it went. Never any content."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = _created()
    # A user's UUID, which holds nothing personal once that person erases their account.
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(64))
    # The partnership the object belongs to, so each member can see who touched it.
    partnership_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    # The app (OAuth client) that acted for the actor, so people see which app read what.
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
