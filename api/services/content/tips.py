"""Finding tips in a language, with per-item English fallback.

Without an agency: the core tips. With one: that agency's published tips, then the core tips
(or the other way round, as the agency chose).
Lists and the tip of the day hold one audience's tips (workers' unless peers' are asked for);
one tip found by its slug is shown whoever it is written for.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from api.db.paging import page_of
from api.extensions import db
from api.models import Tip, TipTag, TipTranslation
from api.services.content.localised import (
    agency_first,
    core_first,
    list_order,
    localised_select,
    search,
    visible,
)


@dataclass(frozen=True)
class AgencyRef:
    id: uuid.UUID
    name: str


@dataclass(frozen=True)
class LocalisedTip:
    slug: str
    number: int
    title: str
    summary: str
    body: str
    actions: list[str]
    questions: list[str]
    tags: list[str]
    audience: str
    language: str
    fallback: bool
    last_reviewed: date
    agency: AgencyRef | None = None
    updated_at: datetime | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class TipAdvice:
    """What a low self-check score points to: a tip and its first "try this" action."""

    slug: str
    title: str
    number: int
    action: str


def _localised_select(language: str, agency_id: uuid.UUID | None = None):
    stmt, wanted, english = localised_select(Tip, TipTranslation, "tip_id", language)
    return stmt.where(visible(Tip, agency_id)).options(selectinload(Tip.tags)), wanted, english


def agency_ref(agency) -> AgencyRef | None:
    return AgencyRef(agency.id, agency.name) if agency is not None else None


def _localise(tip: Tip, wanted: TipTranslation | None, english: TipTranslation) -> LocalisedTip:
    text = wanted or english
    return LocalisedTip(
        slug=tip.slug,
        number=tip.number,
        title=text.title,
        summary=text.summary,
        body=text.body,
        actions=list(text.actions),
        questions=list(text.questions),
        tags=[t.tag for t in tip.tags],
        audience=tip.audience,
        language=text.language,
        fallback=wanted is None,
        last_reviewed=text.last_reviewed,
        agency=agency_ref(tip.agency),
        updated_at=tip.updated_at,
        created_at=tip.created_at,
    )


def list_tips(
    language: str, *, q: str | None = None, tag: str | None = None, page: int = 1,
    page_size: int = 20, agency_id: uuid.UUID | None = None, audience: str = "worker",
) -> tuple[list[LocalisedTip], int]:
    """One page of tips matching every word of `q` and `tag`, in tip order, and the total."""
    stmt, wanted, english = _localised_select(language, agency_id)
    stmt = stmt.where(Tip.audience == audience)
    if tag:
        stmt = stmt.where(Tip.id.in_(select(TipTag.tip_id).where(TipTag.tag == tag)))
    stmt = search(stmt, wanted, english, q)
    rows, total = page_of(stmt, list_order(Tip, Tip.number, agency_id), page, page_size)
    return [_localise(*row) for row in rows], total


def get_tip(slug: str, language: str, agency_id: uuid.UUID | None = None) -> LocalisedTip | None:
    stmt, _, _ = _localised_select(language, agency_id)
    # A core tip wins if an agency's tip ever shares its slug.
    row = db.session.execute(
        stmt.where(Tip.slug == slug).order_by(*core_first(Tip, Tip.number)).limit(1)).first()
    return _localise(*row) if row else None


def tip_of_the_day(day: date, language: str, agency_id: uuid.UUID | None = None,
                   audience: str = "worker") -> LocalisedTip | None:
    """The same tip all day (UTC) for everyone it is written for; the tips take turns, in order."""
    count = db.session.scalar(select(func.count()).select_from(Tip)
                              .where(visible(Tip, agency_id), Tip.audience == audience))
    if not count:
        return None
    stmt, _, _ = _localised_select(language, agency_id)
    stmt = stmt.where(Tip.audience == audience)
    row = db.session.execute(
        stmt.order_by(*core_first(Tip, Tip.number)).offset(day.toordinal() % count).limit(1)
    ).first()
    return _localise(*row) if row else None


def for_embed(day: date, language: str, count: int,
              agency_id: uuid.UUID | None = None) -> tuple[list[LocalisedTip], LocalisedTip | None]:
    """The `count` tips an embed shows, and the tip of the day: an agency's embed sits on its
    own site, so its published tips lead (unless it chose to put them after the core ones);
    then the tip of the day, then the core tips in order. Without an agency, or with one
    whose own come after, the tip of the day leads."""
    today = tip_of_the_day(day, language, agency_id)
    # In list_tips' order; one more than needed, for the tip of the day taken out.
    listed, _ = list_tips(language, page=1, page_size=count + 1, agency_id=agency_id)
    own = [tip for tip in listed if tip.agency is not None]
    core = [tip for tip in listed if tip.agency is None]
    if not agency_first(agency_id):
        if today is None:
            return listed[:count], today
        rest = [tip for tip in listed if _key(tip) != _key(today)]
        return [today, *rest][:count], today
    if today is not None and today.agency is None:  # (else it is among the agency's own)
        core = [today, *(tip for tip in core if tip.slug != today.slug)]
    return (own + core)[:count], today


def _key(tip: LocalisedTip) -> tuple:
    """Which tip this is: a core tip and an agency's may share a slug."""
    return tip.slug, tip.agency.id if tip.agency else None


def tip_advice(language: str) -> dict[str, TipAdvice]:
    """Every core tip's title and first "try this" action, by slug: what a low score points to."""
    stmt, _, _ = _localised_select(language)  # core only: surveys map to our own tips
    stmt = stmt.where(Tip.audience == "worker")  # the self-checks are the worker's
    tips = [_localise(*row) for row in db.session.execute(stmt.order_by(Tip.number)).all()]
    return {tip.slug: TipAdvice(slug=tip.slug, title=tip.title, number=tip.number,
                                action=tip.actions[0]) for tip in tips if tip.actions}
