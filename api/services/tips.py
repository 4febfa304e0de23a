"""Finding tips in a language, with per-item English fallback."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, selectinload

from api.extensions import db
from api.models import Tip, TipTag, TipTranslation
from api.services.text import like_pattern, search_terms

FALLBACK_LANGUAGE = "en"


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
    language: str
    fallback: bool
    last_reviewed: date
    agency: str | None = None


def _localised_select(language: str):
    """Tips joined to their text in `language` (if any) and in English (always)."""
    wanted = aliased(TipTranslation)
    english = aliased(TipTranslation)
    stmt = (
        select(Tip, wanted, english)
        .join(english, and_(english.tip_id == Tip.id, english.language == FALLBACK_LANGUAGE))
        .outerjoin(wanted, and_(wanted.tip_id == Tip.id, wanted.language == language))
        .options(selectinload(Tip.tags))
    )
    return stmt, wanted, english


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
        language=text.language,
        fallback=wanted is None,
        last_reviewed=text.last_reviewed,
    )


def list_tips(
    language: str, *, q: str | None = None, tag: str | None = None, page: int = 1,
    page_size: int = 20,
) -> tuple[list[LocalisedTip], int]:
    """One page of tips matching every word of `q` and `tag`, in tip order, and the total."""
    stmt, wanted, english = _localised_select(language)
    if tag:
        stmt = stmt.where(Tip.id.in_(select(TipTag.tip_id).where(TipTag.tag == tag)))
    searched = func.coalesce(wanted.search_text, english.search_text)
    for term in search_terms(q):
        stmt = stmt.where(searched.like(like_pattern(term), escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(
        stmt.order_by(Tip.number, Tip.id).limit(page_size).offset((page - 1) * page_size)
    ).all()
    return [_localise(*row) for row in rows], total


def get_tip(slug: str, language: str) -> LocalisedTip | None:
    stmt, _, _ = _localised_select(language)
    row = db.session.execute(stmt.where(Tip.slug == slug)).first()
    return _localise(*row) if row else None


def tip_of_the_day(day: date, language: str) -> LocalisedTip | None:
    """The same tip all day (UTC) for everyone; the tips take turns, in order."""
    count = db.session.scalar(select(func.count()).select_from(Tip))
    if not count:
        return None
    stmt, _, _ = _localised_select(language)
    row = db.session.execute(
        stmt.order_by(Tip.number, Tip.id).offset(day.toordinal() % count).limit(1)
    ).first()
    return _localise(*row) if row else None
