"""Finding FAQs in a language, with per-item English fallback and linked tips.

Lists hold one audience's FAQs (workers' unless peers' are asked for)."""

import uuid
from dataclasses import dataclass
from datetime import date

from api.db.paging import page_of
from api.extensions import db
from api.models import Faq, FaqTranslation
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


def _localise_all(rows, language: str, agency_id=None) -> list[LocalisedFaq]:
    wanted_slugs = {slug for faq, _, _ in rows for slug in faq.related_tip_slugs}
    titles = tip_titles(wanted_slugs, language, agency_id)
    result = []
    for faq, wanted, english in rows:
        text = wanted or english
        result.append(
            LocalisedFaq(
                slug=faq.slug,
                position=faq.position,
                question=text.question,
                answer=text.answer,
                related_tips=tip_refs(faq.related_tip_slugs, titles),
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
    rows, total = page_of(stmt, list_order(Faq, Faq.position, agency_id), page, page_size)
    return _localise_all(rows, language, agency_id), total


def get_faq(slug: str, language: str, agency_id: uuid.UUID | None = None) -> LocalisedFaq | None:
    stmt, _, _ = _localised_select(language, agency_id)
    row = db.session.execute(
        stmt.where(Faq.slug == slug).order_by(*core_first(Faq, Faq.position)).limit(1)).first()
    return _localise_all([row], language, agency_id)[0] if row else None
