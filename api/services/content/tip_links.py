"""Links from other content (FAQs, group topics) to the tips it draws on."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from api.extensions import db
from api.lib.languages import FALLBACK
from api.models import Tip, TipTranslation
from api.services.content.localised import visible


@dataclass(frozen=True)
class TipRef:
    slug: str
    title: str


def tip_titles(slugs: set[str], language: str, agency_id: uuid.UUID | None) -> dict[str, str]:
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


def tip_refs(slugs: list[str], titles: dict[str, str]) -> list[TipRef]:
    """The linked tips the reader may see, in the item's order."""
    return [TipRef(slug, titles[slug]) for slug in slugs if slug in titles]
