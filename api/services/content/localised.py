"""Shared query shape for content kept as one item row plus one text row per language."""

import uuid

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from api.extensions import db
from api.lib.languages import FALLBACK
from api.lib.text import like_pattern, search_terms
from api.models import Agency


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


def agency_first(agency_id: uuid.UUID | None) -> bool:
    """Whether the named agency put its own items before the core ones (its choice, kept on
    the agency; true unless it said otherwise). Without an agency, there are none to place."""
    if agency_id is None:
        return True
    # From the session's identity map in the common case: the route has loaded the agency
    # to check that it exists (api.resources.scope).
    agency = db.session.get(Agency, agency_id)
    return agency is None or agency.own_content_first


def list_order(item_model, position, agency_id: uuid.UUID | None) -> tuple:
    """The order of a list: the named agency's own items first, in its order, then the core
    ones in theirs; or the other way round, when the agency chose to put its own after.
    Lists naming an agency are read on that agency's site, app or feed (an embed shows the
    first few): the agency decides which words lead. Without an agency only core items are
    visible, so this is the core order. (The choice is a column of Agency, a content model:
    changing it bumps the content version, so no cached list keeps the old order.)"""
    if agency_first(agency_id):
        return (item_model.agency_id.is_(None), position, item_model.id)
    return core_first(item_model, position)


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
