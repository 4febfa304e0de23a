"""Survey instruments (versioned, immutable once published) and stored responses."""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.extensions import db
from api.lib.clock import utcnow
from api.models.types import UtcDateTime


class SurveyInstrument(db.Model):
    """One published version of an instrument. Never edited: a change is a new version,
    so old responses keep scoring exactly as they did."""

    __tablename__ = "survey_instruments"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(20))
    scale_min: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer)
    published: Mapped[date] = mapped_column(Date)
    # Items (id, dimension, tip) and every language's words, exactly as published.
    definition: Mapped[dict] = mapped_column(JSON)


class SurveyResponse(db.Model):
    __tablename__ = "survey_responses"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("survey_instruments.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Peer session-checks belong to a partnership; `share` is the peer's choice:
    # "now" (the worker sees it) or "aggregate_only" (only anonymous agency totals).
    partnership_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    share: Mapped[str | None] = mapped_column(String(20))
    answers: Mapped[list] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


class InsightRelease(db.Model):
    """An agency's insights for one closed period, made once with differential privacy.

    Kept and returned unchanged for ever after: asking again must not draw new noise, or
    averaging the answers would take the noise away.
    """

    __tablename__ = "insight_releases"
    __table_args__ = (UniqueConstraint("agency_id", "period"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    agency_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))  # "2026-11" or "2026-Q4"
    epsilon: Mapped[float] = mapped_column(Float)
    figures: Mapped[dict] = mapped_column(JSON)
    released_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
