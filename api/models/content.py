"""Public content: rapport tips, FAQs and group discussion topics, each with one row of
text per language.

Language-neutral facts (slug, number, tags, related tips) live on the item; words live
on its translations, so a missing translation is visible and can fall back to English.

Core items (ours, from api/content/) have no agency. An agency's own items carry its id and a
status: only "published" ones are ever shown publicly, and only in that agency's lists. A slug
is unique among core items, and unique within each agency.
"""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.sql import func, text

from api.extensions import db

STATUSES = ("draft", "published")
# Whom an item is written for: the peer support worker, or the person they support.
AUDIENCES = ("worker", "peer")


def _owned_by_agency(table: str):
    """Columns and constraints every kind of content shares: whose it is, and its state."""
    return (
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint(f"audience IN {AUDIENCES}", name="audience"),
        CheckConstraint("agency_id IS NOT NULL OR status = 'published'", name="core_published"),
        # Slugs: unique among core items, and unique within each agency.
        Index(f"uq_{table}_core_slug", "slug", unique=True,
              sqlite_where=text("agency_id IS NULL"), postgresql_where=text("agency_id IS NULL")),
        UniqueConstraint("agency_id", "slug"),
    )


class AgencyOwned:
    """Whose an item is (no agency: ours) and whether it may be shown; when it changed."""

    agency_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="published",
                                        server_default="published")
    audience: Mapped[str] = mapped_column(String(10), default="worker",
                                          server_default="worker")
    next_review: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now())

    @declared_attr
    def agency(cls) -> Mapped["Agency | None"]:  # noqa: F821
        # Many-to-one and joined: attribution costs no extra query.
        return relationship(lazy="joined")


class Tip(AgencyOwned, db.Model):
    __tablename__ = "tips"
    __table_args__ = _owned_by_agency("tips")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    # Core tips: the article's order. Agency tips: their place in the agency's own list.
    number: Mapped[int] = mapped_column(Integer, index=True)

    translations: Mapped[list["TipTranslation"]] = relationship(
        back_populates="tip", cascade="all, delete-orphan"
    )
    tags: Mapped[list["TipTag"]] = relationship(
        back_populates="tip", cascade="all, delete-orphan", order_by="TipTag.position"
    )


class TipTranslation(db.Model):
    __tablename__ = "tip_translations"
    __table_args__ = (UniqueConstraint("tip_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int] = mapped_column(ForeignKey("tips.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    actions: Mapped[list[str]] = mapped_column(JSON)
    questions: Mapped[list[str]] = mapped_column(JSON)
    last_reviewed: Mapped[date] = mapped_column(Date)
    # Lower-cased, accent-free copy of the words, so "exito" finds "éxito".
    search_text: Mapped[str] = mapped_column(Text)

    tip: Mapped[Tip] = relationship(back_populates="translations")


class TipTag(db.Model):
    __tablename__ = "tip_tags"

    tip_id: Mapped[int] = mapped_column(
        ForeignKey("tips.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    tip: Mapped[Tip] = relationship(back_populates="tags")


class Faq(AgencyOwned, db.Model):
    __tablename__ = "faqs"
    __table_args__ = _owned_by_agency("faqs")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, index=True)
    # Slugs of the tips that help with this question, in order of relevance.
    related_tip_slugs: Mapped[list[str]] = mapped_column(JSON)

    translations: Mapped[list["FaqTranslation"]] = relationship(
        back_populates="faq", cascade="all, delete-orphan"
    )


class FaqTranslation(db.Model):
    __tablename__ = "faq_translations"
    __table_args__ = (UniqueConstraint("faq_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    faq_id: Mapped[int] = mapped_column(ForeignKey("faqs.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    question: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)
    last_reviewed: Mapped[date] = mapped_column(Date)
    search_text: Mapped[str] = mapped_column(Text)

    faq: Mapped[Faq] = relationship(back_populates="translations")


class Topic(AgencyOwned, db.Model):
    """A group discussion topic: questions for a peer support group, and how to hold them."""

    __tablename__ = "topics"
    __table_args__ = _owned_by_agency("topics")

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, index=True)
    # Slugs of the tips this topic draws on, in order of relevance.
    related_tip_slugs: Mapped[list[str]] = mapped_column(JSON)

    translations: Mapped[list["TopicTranslation"]] = relationship(
        back_populates="topic", cascade="all, delete-orphan"
    )
    tags: Mapped[list["TopicTag"]] = relationship(
        back_populates="topic", cascade="all, delete-orphan", order_by="TopicTag.position"
    )


class TopicTranslation(db.Model):
    __tablename__ = "topic_translations"
    __table_args__ = (UniqueConstraint("topic_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    opening_question: Mapped[str] = mapped_column(String(300))
    deeper_questions: Mapped[list[str]] = mapped_column(JSON)
    # The facilitator's guide, in three parts: how to open, how to keep it safe, and what to
    # do when someone becomes distressed.
    guide_open: Mapped[str] = mapped_column(Text)
    guide_safety: Mapped[str] = mapped_column(Text)
    guide_distress: Mapped[str] = mapped_column(Text)
    last_reviewed: Mapped[date] = mapped_column(Date)
    search_text: Mapped[str] = mapped_column(Text)

    topic: Mapped[Topic] = relationship(back_populates="translations")


class TopicTag(db.Model):
    __tablename__ = "topic_tags"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    topic: Mapped[Topic] = relationship(back_populates="tags")


class ContentVersion(db.Model):
    """One row, bumped in the same transaction as any change to public content, so every
    process can tell that the public answers it keeps in memory are out of date."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=1)
