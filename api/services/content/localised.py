"""Shared query shape for content kept as one item row plus one text row per language."""

import uuid

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from api.lib.languages import FALLBACK
from api.lib.text import like_pattern, search_terms


def visible(item_model, agency_id: uuid.UUID | None):
    """Core items, plus one agency's published items when that agency is asked for.

    Every public read of tips and FAQs filters through here, so a draft, or another
    agency's item, can never slip into a list, a feed or an embed.
    """
    core = item_model.agency_id.is_(None)
    if agency_id is None:
        return core
    return or_(core, and_(item_model.agency_id == agency_id,
                          item_model.status == "published"))


def core_first(item_model, position) -> tuple:
    """Core items in their own order, then the agency's in theirs: which item wins a slug
    both use, and the turns the tip of the day takes."""
    return (item_model.agency_id.is_not(None), position, item_model.id)


def own_first(item_model, position) -> tuple:
    """The order of a list: the named agency's own items first, in its order, then the core
    ones in theirs. Lists naming an agency are read on that agency's site, app or feed
    (an embed shows the first few): its own words are what it came to show. Without an
    agency only core items are visible, so this is the core order."""
    return (item_model.agency_id.is_(None), position, item_model.id)


def localised_select(item_model, text_model, item_key: str, language: str):
    """Rows of (item, text in `language` or None, English text): English is never missing."""
    wanted = aliased(text_model)
    english = aliased(text_model)
    stmt = (
        select(item_model, wanted, english)
        .join(english, and_(getattr(english, item_key) == item_model.id,
                            english.language == FALLBACK))
        .outerjoin(wanted, and_(getattr(wanted, item_key) == item_model.id,
                                wanted.language == language))
    )
    return stmt, wanted, english


def search(stmt: Select, wanted, english, q: str | None) -> Select:
    """Keep rows whose shown text (wanted language, else English) contains every word of q."""
    shown = func.coalesce(wanted.search_text, english.search_text)
    for term in search_terms(q):
        stmt = stmt.where(shown.like(like_pattern(term), escape="\\"))
    return stmt
