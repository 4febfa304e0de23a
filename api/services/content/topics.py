"""Finding group discussion topics in a language, with per-item English fallback and the
tips each draws on.

Without an agency: the core topics. With one: that agency's published topics first, then
the core ones, or after them if the agency chose so (the same rules as tips and FAQs)."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.db.paging import page_of
from api.extensions import db
from api.models import Topic, TopicTag, TopicTranslation
from api.services.content.localised import (
    core_first,
    list_order,
    localised_select,
    search,
    visible,
)
from api.services.content.tip_links import TipRef, tip_refs, tip_titles
from api.services.content.tips import AgencyRef, agency_ref


@dataclass(frozen=True)
class FacilitatorGuide:
    how_to_open: str
    keep_it_safe: str
    if_someone_is_distressed: str


@dataclass(frozen=True)
class LocalisedTopic:
    slug: str
    position: int
    title: str
    opening_question: str
    deeper_questions: list[str]
    guide: FacilitatorGuide
    related_tips: list[TipRef]
    tags: list[str]
    language: str
    fallback: bool
    last_reviewed: date
    agency: AgencyRef | None = None
    updated_at: datetime | None = None
    created_at: datetime | None = None


def _localised_select(language: str, agency_id: uuid.UUID | None = None):
    stmt, wanted, english = localised_select(Topic, TopicTranslation, "topic_id", language)
    return (stmt.where(visible(Topic, agency_id)).options(selectinload(Topic.tags)),
            wanted, english)


def _localise_all(rows, language: str, agency_id=None) -> list[LocalisedTopic]:
    titles = tip_titles({slug for topic, _, _ in rows for slug in topic.related_tip_slugs},
                        language, agency_id)
    result = []
    for topic, wanted, english in rows:
        text = wanted or english
        result.append(LocalisedTopic(
            slug=topic.slug,
            position=topic.position,
            title=text.title,
            opening_question=text.opening_question,
            deeper_questions=list(text.deeper_questions),
            guide=FacilitatorGuide(text.guide_open, text.guide_safety, text.guide_distress),
            related_tips=tip_refs(topic.related_tip_slugs, titles),
            tags=[t.tag for t in topic.tags],
            language=text.language,
            fallback=wanted is None,
            last_reviewed=text.last_reviewed,
            agency=agency_ref(topic.agency),
            updated_at=topic.updated_at,
            created_at=topic.created_at,
        ))
    return result


def list_topics(
    language: str, *, q: str | None = None, tag: str | None = None, page: int = 1,
    page_size: int = 20, agency_id: uuid.UUID | None = None,
) -> tuple[list[LocalisedTopic], int]:
    """One page of topics matching every word of `q` and `tag`, in order, and the total."""
    stmt, wanted, english = _localised_select(language, agency_id)
    if tag:
        stmt = stmt.where(Topic.id.in_(select(TopicTag.topic_id).where(TopicTag.tag == tag)))
    stmt = search(stmt, wanted, english, q)
    rows, total = page_of(stmt, list_order(Topic, Topic.position, agency_id), page, page_size)
    return _localise_all(rows, language, agency_id), total


def get_topic(slug: str, language: str,
              agency_id: uuid.UUID | None = None) -> LocalisedTopic | None:
    stmt, _, _ = _localised_select(language, agency_id)
    # A core topic wins if an agency's topic ever shares its slug.
    row = db.session.execute(
        stmt.where(Topic.slug == slug).order_by(*core_first(Topic, Topic.position)).limit(1)
    ).first()
    return _localise_all([row], language, agency_id)[0] if row else None
