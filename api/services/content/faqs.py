"""Finding FAQs in a language, with per-item English fallback and linked tips.

Lists hold one audience's FAQs (workers' unless peers' are asked for)."""

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from api.db.paging import page_of
from api.extensions import db
from api.lib.languages import FALLBACK
from api.models import Faq, FaqTranslation, Tip, TipTranslation
from api.services.content.localised import (
    core_first,
    localised_select,
    own_first,
    search,
    visible,
)
from api.services.content.tips import AgencyRef, agency_ref


@dataclass(frozen=True)
class TipRef:
    slug: str
    title: str


@dataclass(frozen=True)
class LocalisedFaq:
    slug: str
    position: int
    question: str
    answer: str
    related_tips: list[TipRef]
    audience: str
    language: str
    fallback: bool
    last_reviewed: date
    agency: AgencyRef | None = None


def _localised_select(language: str, agency_id: uuid.UUID | None = None):
    stmt, wanted, english = localised_select(Faq, FaqTranslation, "faq_id", language)
    return stmt.where(visible(Faq, agency_id)), wanted, english


def _tip_titles(slugs: set[str], language: str, agency_id: uuid.UUID | None) -> dict[str, str]:
    """Titles of the given tips in `language`, English where that is missing (one query).

    Only tips the reader may see: a link never names another agency's tip or a draft."""
    if not slugs:
        return {}
    rows = db.session.execute(
        select(Tip.slug, TipTranslation.language, TipTranslation.title)
        .join(TipTranslation, TipTranslation.tip_id == Tip.id)
        .where(Tip.slug.in_(slugs), TipTranslation.language.in_({language, FALLBACK}),
               visible(Tip, agency_id))
        .order_by(Tip.agency_id.is_(None))  # core last, so a core tip wins a shared slug
    ).all()
    titles: dict[str, str] = {}
    for slug, lang, title in rows:
        if lang == language or slug not in titles:
            titles[slug] = title
    return titles


def _localise_all(rows, language: str, agency_id=None) -> list[LocalisedFaq]:
    wanted_slugs = {slug for faq, _, _ in rows for slug in faq.related_tip_slugs}
    titles = _tip_titles(wanted_slugs, language, agency_id)
    result = []
    for faq, wanted, english in rows:
        text = wanted or english
        related = [TipRef(s, titles[s]) for s in faq.related_tip_slugs if s in titles]
        result.append(
            LocalisedFaq(
                slug=faq.slug,
                position=faq.position,
                question=text.question,
                answer=text.answer,
                related_tips=related,
                audience=faq.audience,
                language=text.language,
                fallback=wanted is None,
                last_reviewed=text.last_reviewed,
                agency=agency_ref(faq.agency),
            )
        )
    return result


def list_faqs(
    language: str, *, q: str | None = None, page: int = 1, page_size: int = 20,
    agency_id: uuid.UUID | None = None, audience: str = "worker",
) -> tuple[list[LocalisedFaq], int]:
    stmt, wanted, english = _localised_select(language, agency_id)
    stmt = stmt.where(Faq.audience == audience)
    stmt = search(stmt, wanted, english, q)
    rows, total = page_of(stmt, own_first(Faq, Faq.position), page, page_size)
    return _localise_all(rows, language, agency_id), total


def get_faq(slug: str, language: str, agency_id: uuid.UUID | None = None) -> LocalisedFaq | None:
    stmt, _, _ = _localised_select(language, agency_id)
    row = db.session.execute(
        stmt.where(Faq.slug == slug).order_by(*core_first(Faq, Faq.position)).limit(1)).first()
    return _localise_all([row], language, agency_id)[0] if row else None
