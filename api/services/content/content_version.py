"""The version of public content: one number that changes with any tip, FAQ, survey, crisis
line or agency, in the same transaction as the change.

Processes keep public answers in memory (api.caching.public_cache) labelled with the
version they were made from. A process reads the number at most once per
CONTENT_VERSION_TTL seconds, so a public read costs no database query in the common case;
the process that made a change reads it again at once, and the others within the TTL.

The bump is automatic once `listen` has run (api.caching.init_app): any flush that adds,
changes or deletes a content row, and any ORM bulk UPDATE or DELETE of one, bumps it. A new
write path cannot forget.
"""

import time

from flask import current_app, has_app_context
from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from api.db import outage
from api.extensions import db
from api.models import (
    Agency,
    ContentVersion,
    CrisisResource,
    Faq,
    FaqTranslation,
    SurveyInstrument,
    Tip,
    TipTag,
    TipTranslation,
    Topic,
    TopicTag,
    TopicTranslation,
)

CONTENT_MODELS = (Tip, TipTranslation, TipTag, Faq, FaqTranslation, CrisisResource,
                  SurveyInstrument, Agency, Topic, TopicTranslation, TopicTag)
_CHANGED = "content_changed"
clock = time.monotonic  # a name of its own, so a test can move time for this module only


def current() -> int:
    """The version this process believes current, read again once the TTL has passed.

    With the database out of reach, the last version read stands (and is asked for again
    after the TTL): public answers already in memory, crisis lines above all, keep being
    served through an outage. With none read yet, the outage is the caller's (a 503)."""
    state = current_app.extensions.setdefault("content_version", {"version": None, "at": 0.0})
    now = clock()
    if state["version"] is None or now - state["at"] >= current_app.config["CONTENT_VERSION_TTL"]:
        try:
            state["version"] = db.session.execute(select(ContentVersion.version)).scalar() or 0
        except Exception as error:
            db.session.rollback()
            if state["version"] is None or not outage.is_unavailable(error):
                raise
        state["at"] = now
    return state["version"]


def fresh(app) -> int | None:
    """The version `app` last read, if read within the TTL: no query, no context
    (api.caching.fast_path asks before Flask runs; on None, Flask reads it again)."""
    state = app.extensions.get("content_version")
    if state is None or clock() - state["at"] >= app.config["CONTENT_VERSION_TTL"]:
        return None
    return state["version"]


def forget_local() -> None:
    """Make the next `current()` read the database (this process just changed content)."""
    if has_app_context():
        current_app.extensions.get("content_version", {})["version"] = None


def _bump(session: Session) -> None:
    connection = session.connection()
    bumped = connection.execute(update(ContentVersion).values(version=ContentVersion.version + 1))
    if bumped.rowcount == 0:  # a database made without the migration's first row
        connection.execute(insert(ContentVersion).values(id=1, version=2))
    session.info[_CHANGED] = True


def _after_flush(session: Session, _context) -> None:
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, CONTENT_MODELS) for row in touched):
        _bump(session)


def _after_bulk_write(state) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None \
            and mapper.class_ in CONTENT_MODELS:
        _bump(state.session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        forget_local()


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def listen() -> None:
    """Bump the version with every content change (api.caching.init_app; twice is once)."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _after_bulk_write),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
