"""People's rights over their data: see it all (export) and erase it."""

import logging
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, or_, select, update

from api.db import idempotency_keys as idempotency
from api.db.unit_of_work import after_commit
from api.extensions import db
from api.lib.clock import iso, utcnow
from api.models import (
    AuditEvent,
    AuthSession,
    CalendarFeed,
    Celebration,
    CheckIn,
    Goal,
    Invite,
    Milestone,
    Notification,
    Partnership,
    PartnershipHandover,
    PushSubscription,
    SurveyInstrument,
    SurveyResponse,
    User,
)
from api.services import audit
from api.services.accounts import sessions
from api.services.webhooks import events as webhook_events

EXPORT_FORMAT = 1
# How long the checkpoint after an erasure may wait for readers to move on; other writers
# wait behind it meanwhile.
CHECKPOINT_WAIT_MS = 2_000

log = logging.getLogger(__name__)


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": str(user.id), "role": user.role, "display_name": user.display_name}


def _plain(value):
    """Datetimes as ISO text, recursively, so the export is plain JSON."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def export(user: User) -> dict:
    """Everything held about `user`, as plain JSON data."""
    return _plain(_everything(user))


def _everything(user: User) -> dict:
    partnerships = db.session.scalars(select(Partnership).where(
        or_(Partnership.worker_id == user.id, Partnership.peer_id == user.id))).all()
    invites = db.session.scalars(select(Invite).where(Invite.worker_id == user.id)).all()
    session_rows = db.session.scalars(
        select(AuthSession).where(AuthSession.user_id == user.id)).all()
    partnership_ids = [p.id for p in partnerships]
    goal_rows = db.session.scalars(select(Goal).where(
        Goal.partnership_id.in_(partnership_ids)).order_by(Goal.created_at)).all()
    checkin_rows = db.session.scalars(select(CheckIn).where(
        CheckIn.partnership_id.in_(partnership_ids)).order_by(CheckIn.created_at)).all()
    celebration_rows = db.session.scalars(select(Celebration).where(
        Celebration.partnership_id.in_(partnership_ids)).order_by(Celebration.created_at)).all()
    survey_rows = db.session.execute(
        select(SurveyResponse, SurveyInstrument).join(SurveyInstrument)
        .where(SurveyResponse.user_id == user.id).order_by(SurveyResponse.created_at)).all()
    devices = db.session.scalars(select(PushSubscription).where(
        PushSubscription.user_id == user.id).order_by(PushSubscription.created_at)).all()
    notifications = db.session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.created_at, Notification.id)).all()
    # Handovers they were part of: as either worker, the admin who asked, or the peer.
    handover_rows = db.session.scalars(
        select(PartnershipHandover)
        .join(Partnership, Partnership.id == PartnershipHandover.partnership_id)
        .where(or_(PartnershipHandover.from_worker_id == user.id,
                   PartnershipHandover.to_worker_id == user.id,
                   PartnershipHandover.asked_by == user.id, Partnership.peer_id == user.id))
        .order_by(PartnershipHandover.asked_at, PartnershipHandover.id)).all()
    events = db.session.scalars(
        audit.about(user).order_by(AuditEvent.at, AuditEvent.id)).all()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow(),
        "profile": {
            "id": str(user.id), "role": user.role, "email": user.email,
            "username": user.username, "display_name": user.display_name,
            "agency": ({"id": str(user.agency.id), "name": user.agency.name}
                       if user.agency else None),
            "created_at": user.created_at, "password_changed_at": user.password_changed_at,
        },
        "partnerships": [{
            "id": str(p.id), "status": p.status, "checkin_cadence_days": p.checkin_cadence_days,
            "created_at": p.created_at, "ended_at": p.ended_at,
            "worker": _person(p.worker), "peer": _person(p.peer),
        } for p in partnerships],
        "invites": [{
            "created_at": i.created_at, "expires_at": i.expires_at, "used_at": i.used_at,
            "revoked_at": i.revoked_at,
            "partnership_id": str(i.partnership_id) if i.partnership_id else None,
        } for i in invites],
        "handovers": [{
            "id": str(h.id), "partnership_id": str(h.partnership_id),
            "from_worker_id": str(h.from_worker_id) if h.from_worker_id else None,
            "to_worker_id": str(h.to_worker_id) if h.to_worker_id else None,
            "asked_by": str(h.asked_by) if h.asked_by else None, "status": h.status,
            "asked_at": h.asked_at, "decided_at": h.decided_at,
        } for h in handover_rows],
        "sessions": [{"created_at": s.created_at, "expires_at": s.expires_at}
                     for s in session_rows],
        "goals": [{
            "id": str(g.id), "partnership_id": str(g.partnership_id), "title": g.title,
            "why": g.why, "words_removed": g.words_removed, "status": g.status,
            "target_date": g.target_date and g.target_date.isoformat(),
            "created_at": g.created_at,
            "milestones": [{"title": m.title, "words_removed": m.words_removed,
                            "done": m.done, "done_at": m.done_at} for m in g.milestones],
        } for g in goal_rows],
        "checkins": [{
            "id": str(c.id), "goal_id": str(c.goal_id), "progress": c.progress, "note": c.note,
            "author_id": str(c.author_id), "created_at": c.created_at,
        } for c in checkin_rows],
        "celebrations": [{
            "goal_id": str(c.goal_id), "message": c.message, "emoji": c.emoji,
            "author_id": str(c.author_id), "created_at": c.created_at,
        } for c in celebration_rows],
        "survey_responses": [{
            "id": str(r.id), "survey": i.slug, "version": i.version, "answers": r.answers,
            "total": r.total, "share": r.share,
            "partnership_id": str(r.partnership_id) if r.partnership_id else None,
            "created_at": r.created_at,
        } for r, i in survey_rows],
        # Reminders: each device and its choices (not its push address or keys, which are
        # secrets of the browser), and every reminder or alert made for it.
        "push_devices": [{
            "id": str(d.id), "label": d.label, "push_service": urlsplit(d.endpoint).hostname,
            "language": d.language, "time_zone": d.time_zone, "kinds": d.kinds,
            "detail": d.detail, "quiet_start_minute": d.quiet_start,
            "quiet_end_minute": d.quiet_end, "daily_summary": d.daily_summary,
            "summary_at_minute": d.summary_at, "created_at": d.created_at,
            "last_sent_at": d.last_sent_at,
        } for d in devices],
        "notifications": [{
            "kind": n.kind, "device_id": str(n.subscription_id) if n.subscription_id else None,
            "partnership_id": str(n.partnership_id) if n.partnership_id else None,
            "created_at": n.created_at, "deliver_after": n.deliver_after, "status": n.status,
            "attempts": n.attempts, "sent_at": n.sent_at, "sent_with": n.sent_with,
            "outcome": n.outcome,
        } for n in notifications],
        "access_log": [{
            "at": e.at, "actor_id": str(e.actor_id) if e.actor_id else None,
            "actor_role": e.actor_role, "action": e.action, "object_type": e.object_type,
            "object_id": e.object_id, "outcome": e.outcome,
        } for e in events],
    }


def erase(user: User) -> None:
    """Remove the person's personal data and sign them out everywhere.

    The account row stays as an empty tombstone so shared history (the other member's view
    of a partnership, the audit trail) keeps a pseudonymous id and nothing else.
    """
    sessions.revoke_all(user)
    # Requests that would move a partnership of theirs, or to them, stop waiting; the ones
    # decided stay as history (their ids set to null only if the row itself ever goes).
    db.session.execute(
        update(PartnershipHandover)
        .where(PartnershipHandover.status == "waiting",
               or_(PartnershipHandover.from_worker_id == user.id,
                   PartnershipHandover.to_worker_id == user.id,
                   PartnershipHandover.partnership_id.in_(
                       select(Partnership.id).where(Partnership.peer_id == user.id))))
        .values(status="cancelled", decided_at=utcnow()))
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.execute(delete(Invite).where(Invite.worker_id == user.id,
                                            Invite.used_at.is_(None)))
    for partnership in db.session.scalars(select(Partnership).where(
            or_(Partnership.worker_id == user.id, Partnership.peer_id == user.id),
            Partnership.status != "ended")):
        partnership.status = "ended"
        partnership.ended_at = utcnow()
        webhook_events.partnership_ended(partnership)
    # Words they wrote are theirs: notes and celebration messages go; the shared facts
    # (a check-in happened, its progress number) stay in the other member's history.
    db.session.execute(update(CheckIn).where(CheckIn.author_id == user.id).values(note=None))
    db.session.execute(update(Celebration).where(Celebration.author_id == user.id)
                       .values(message="", emoji=None))
    # So are the titles and whys of goals and milestones they wrote; the items stay, marked,
    # so the other member's history keeps its shape. A new version changes the ETag, so no
    # phone keeps showing its saved copy of the words after a 304.
    # (Who last wrote each title and why is kept: an edit to the other member's goal is
    # the editor's words too.)
    now = utcnow()
    for model, field in ((Goal, "title"), (Goal, "why"), (Milestone, "title")):
        author = f"{field}_by"
        db.session.execute(update(model).where(getattr(model, author) == user.id).values({
            field: "" if field == "title" else None, author: None, "words_removed_at": now,
            "version": model.version + 1}))
    # Their devices and every reminder made for them go; a reminder for someone else that
    # would have named them no longer can.
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(PushSubscription).where(PushSubscription.user_id == user.id))
    db.session.execute(update(Notification).where(Notification.about_user_id == user.id)
                       .values(about_user_id=None))
    # Survey answers are about how the person felt: they go entirely.
    db.session.execute(delete(SurveyResponse).where(SurveyResponse.user_id == user.id))
    # Answers kept for retries hold the same words (a check-in's note): they go too.
    idempotency.forget(idempotency.user_scope(user.id))
    user.email = user.username = user.display_name = user.password_hash = None
    user.erased_at = utcnow()
    audit.record(user, "account.erase", object_type="user", object_id=user.id)
    after_commit(_checkpoint_sqlite)


def _checkpoint_sqlite() -> None:
    """Move SQLite's write-ahead log into the database file and empty it.

    Until then the -wal file holds the pages as they were before the erasure, words and all
    (secure_delete, set on every connection, zeroes what is freed in the database file).
    A checkpoint that readers or a writer keep from finishing is logged, not failed: the erasure
    itself is committed; the old pages leave at the next checkpoint that finishes, or when the
    last connection closes.
    PostgreSQL needs nothing here: the old row versions become dead tuples, which autovacuum
    reclaims and new rows overwrite (it has no secure_delete; until then, disk encryption is
    what hides them).
    """
    if db.engine.dialect.name != "sqlite":
        return
    # A connection of its own, outside any transaction: SQLite cannot checkpoint inside one.
    connection = db.engine.raw_connection()
    cursor = connection.cursor()
    usual_wait = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        # Readers on an older snapshot, or a writer, make it give up: busy, never an error.
        busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        cursor.execute(f"PRAGMA busy_timeout={usual_wait}")
        connection.close()
    if busy:
        log.warning("WAL checkpoint after an erasure could not finish: the database was busy")
