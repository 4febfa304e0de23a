"""checkin.overdue for apps: each partnership whose check-in is a whole day or more late, told
once per overdue period to the app endpoints that may hear about it (a member granted the
app goals:read; api.services.webhooks.events).

Run by the quarter-hourly scan beside the check-in reminders, with the same clock: the
period's key names the partnership, the moment its clock started and how many cadences late
it is, so a later scan (or two at once) adds nothing, and a new period is a new message.
"""

from datetime import datetime

from sqlalchemy import select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import OAuthGrant, Partnership, WebhookEndpoint
from api.services.support.consistency import due
from api.services.support.reminders import active_partnerships, db_key, pause_spans
from api.services.webhooks import events


def tell_apps(now: datetime | None = None) -> int:
    """Queue checkin.overdue for every overdue partnership some app may hear about."""
    now = now or utcnow()
    endpoints = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.client_id.is_not(None), WebhookEndpoint.disabled_at.is_(None))).all()
    if not any(events.CHECKIN_OVERDUE in (e.event_types or ()) for e in endpoints):
        return 0
    granted = select(OAuthGrant.user_id).where(OAuthGrant.revoked_at.is_(None))
    where = Partnership.worker_id.in_(granted) | Partnership.peer_id.in_(granted)
    rows = db.session.connection().execute(active_partnerships(where)).all()
    if not rows:
        return 0
    pauses = pause_spans(where)
    late = []
    for pid, worker_id, peer_id, started, cadence, last in rows:
        anchor = last or started
        when = due(anchor, anchor, cadence, now, paused=pauses.get(db_key(pid), ()))
        if when.is_due and when.days_overdue >= 1:
            late.append((pid, worker_id, peer_id,
                         f"{pid}:{anchor:%Y%m%dT%H%M%S}:{when.days_overdue // cadence}"))
    if not late:
        return 0
    listeners = events.app_listeners({person for _, w, p, _ in late for person in (w, p)},
                                     events.CHECKIN_OVERDUE)
    found = [(pid, period, listeners.get(worker_id, set()) | listeners.get(peer_id, set()))
             for pid, worker_id, peer_id, period in late]
    return events.checkin_overdue([item for item in found if item[2]], now)
