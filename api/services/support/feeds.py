"""Private calendar feed links: a random token in the URL, stored only as a hash."""

import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from api.extensions import db
from api.lib.clock import utcnow
from api.models import CalendarFeed, CheckIn, Partnership, PartnershipPause, User
from api.services import audit
from api.services.accounts.sessions import token_hash
from api.services.support.calendar import checkin_calendar
from api.services.support.consistency import due


def create(user: User, partnership: Partnership) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(CalendarFeed(partnership_id=partnership.id, user_id=user.id,
                                token_hash=token_hash(token)))
    audit.record(user, "calendar_feed.create", object_type="partnership",
                 object_id=partnership.id, partnership_id=partnership.id)
    db.session.flush()
    return token


def revoke_all(user: User, partnership: Partnership) -> None:
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.partnership_id == partnership.id,
                                                  CalendarFeed.user_id == user.id))
    audit.record(user, "calendar_feed.revoke", object_type="partnership",
                 object_id=partnership.id, partnership_id=partnership.id)
    db.session.flush()


def calendar(partnership_id, token: str, language: str) -> bytes | None:
    """The feed for a live token of a current member; None for anything else."""
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.partnership_id == partnership_id,
                                   CalendarFeed.token_hash == token_hash(token)))
    if feed is None:
        return None
    partnership = db.session.scalar(
        select(Partnership).options(joinedload(Partnership.worker), joinedload(Partnership.peer))
        .where(Partnership.id == partnership_id))
    # Erasure deletes a person's links; this keeps any left over from ever answering.
    if feed.user_id == partnership.worker_id:
        user, other = partnership.worker, partnership.peer
    else:
        user, other = partnership.peer, partnership.worker
    if user.erased_at:
        return None
    last = db.session.scalar(select(func.max(CheckIn.created_at))
                             .where(CheckIn.partnership_id == partnership.id))
    now = utcnow()
    count = 0 if partnership.status != "active" else 6
    paused = db.session.execute(
        select(PartnershipPause.started_at, PartnershipPause.ended_at)
        .where(PartnershipPause.partnership_id == partnership.id)).all()
    next_due = due(last, partnership.created_at, partnership.checkin_cadence_days, now,
                   paused=paused).due_at
    audit.record_read(user, "calendar_feed.read", object_type="partnership",
                     object_id=partnership.id, partnership_id=partnership.id)
    return checkin_calendar(partnership_id=str(partnership.id),
                            title=other.display_name or "", language=language,
                            cadence_days=partnership.checkin_cadence_days,
                            next_due=max(next_due, now), count=count, now=now)
