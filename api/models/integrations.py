"""What an agency sets up for the world outside: API keys and its crisis resources."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from api.extensions import db
from api.lib.clock import utcnow
from api.models.types import UtcDateTime


class ApiKey(db.Model):
    """An integrator's key: shown once, kept as a SHA-256 hash; the prefix stays visible so
    people can tell their keys apart (and spot one in a log) without the secret."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CrisisResource(db.Model):
    """One help line an agency shows, in one language, exactly as the admin entered it."""

    __tablename__ = "crisis_resources"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(String(40))
    hours: Mapped[str | None] = mapped_column(String(120))
    url: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
