"""Check-in reminders: which partnerships are due, told to each side's devices that want it.

Run by a periodic job over every active partnership at once, so it reads plain rows in a few
flat queries (as the due list does, api.services.support.due) and writes the reminders in
batches that skip what a device already has. A reminder's key names the partnership, the
moment its clock started (the last check-in, or the start) and how many cadences late it is:
each due period is told once, and again once a cadence later if still nobody checked in;
any number of processes running the scan at once make it once.

Before sending, `drop_done` skips reminders whose check-in has happened since, or whose
partnership was paused or ended: nothing is sent for work already done.
"""

import uuid
from datetime import datetime

from sqlalchemy import String, cast, func, select, update

from api.extensions import db
from api.lib.clock import utcnow
from api.models import CheckIn, Notification, Partnership, PartnershipPause, PushSubscription
from api.services.reminders import outbox, timing
from api.services.support.consistency import due

KIND = "checkin_due"
BATCH_ROWS = 2000
DEVICE_COLUMNS = (PushSubscription.id, PushSubscription.user_id, PushSubscription.kinds,
                  PushSubscription.time_zone, PushSubscription.daily_summary,
                  PushSubscription.summary_at, PushSubscription.quiet_start,
                  PushSubscription.quiet_end)


def _key(partnership_key: str, anchor: datetime, cadence: int, now: datetime,
         paused) -> tuple[bool, str]:
    when = due(anchor, anchor, cadence, now, paused=paused)
    periods = when.days_overdue // cadence
    return when.is_due, f"{KIND}:{partnership_key}:{anchor:%Y%m%dT%H%M%S}:{periods}"


def active_partnerships(where=None):
    last_checkin = (select(func.max(CheckIn.created_at))
                    .where(CheckIn.partnership_id == Partnership.id)
                    .correlate(Partnership).scalar_subquery())
    stmt = (select(Partnership.id, Partnership.worker_id, Partnership.peer_id,
                   Partnership.created_at, Partnership.checkin_cadence_days, last_checkin)
            .where(Partnership.status == "active"))
    return stmt.where(where) if where is not None else stmt


def pause_spans(where=None) -> dict:
    stmt = (select(cast(PartnershipPause.partnership_id, String), PartnershipPause.started_at,
                   PartnershipPause.ended_at)
            .join(Partnership, Partnership.id == PartnershipPause.partnership_id)
            .where(Partnership.status == "active"))
    if where is not None:
        stmt = stmt.where(where)
    found: dict = {}
    for key, started, ended in db.session.connection().execute(stmt):
        found.setdefault(key, []).append((started, ended))
    return found


def find_due(now: datetime | None = None) -> int:
    """Write a reminder for each device that wants one, of each side of each partnership
    that is due; answers how many were offered (those already there are skipped)."""
    now = now or utcnow()
    connection = db.session.connection()
    # Plain rows with the columns a reminder needs, not ORM objects: every device is read.
    devices: dict[uuid.UUID, list] = {}
    for device in connection.execute(select(*DEVICE_COLUMNS)):
        if KIND in (device.kinds or ()):
            devices.setdefault(device.user_id, []).append(device)
    if not devices:
        return 0
    when = {}  # each device's deliver_after, the same for all its reminders of this scan
    pauses = pause_spans()
    offered, rows = 0, []
    for rows_part in connection.execute(active_partnerships()).partitions(BATCH_ROWS):
        for pid, worker_id, peer_id, started, cadence, last in rows_part:
            listening = devices.get(worker_id, []) + devices.get(peer_id, [])
            if not listening:
                continue
            key = db_key(pid)
            is_due, dedupe = _key(str(pid), last or started, cadence, now, pauses.get(key, ()))
            if not is_due:
                continue
            for device in listening:
                about = peer_id if device.user_id == worker_id else worker_id
                if device.id not in when:
                    when[device.id] = timing.deliver_after(device, now)
                rows.append(outbox.row(device, KIND, dedupe_key=dedupe, partnership_id=pid,
                                       subject_id=pid, about_user_id=about, now=now,
                                       deliver_after=when[device.id]))
        if len(rows) >= BATCH_ROWS:
            outbox.insert_once(rows)
            offered += len(rows)
            rows = []
    outbox.insert_once(rows)
    return offered + len(rows)


def db_key(partnership_id: uuid.UUID) -> str:
    """The partnership id as the database writes it as text (cast(..., String)), to pair the
    pauses up: dashed on PostgreSQL, 32 hex digits on SQLite."""
    return str(partnership_id) if db.engine.dialect.name == "postgresql" else partnership_id.hex


def drop_done(subscription_id: uuid.UUID, now: datetime | None = None) -> int:
    """Skip this device's waiting reminders that are no longer true."""
    now = now or utcnow()
    waiting = db.session.execute(
        select(Notification.id, Notification.partnership_id, Notification.dedupe_key)
        .where(Notification.subscription_id == subscription_id,
               Notification.status == "waiting", Notification.kind == KIND)).all()
    if not waiting:
        return 0
    ids = {pid for _, pid, _ in waiting}
    pauses = pause_spans(Partnership.id.in_(ids))
    current = {}
    for pid, _, _, started, cadence, last in db.session.execute(
            active_partnerships(Partnership.id.in_(ids))):
        key = db_key(pid)
        is_due, dedupe = _key(str(pid), last or started, cadence, now, pauses.get(key, ()))
        current[pid] = dedupe.rsplit(":", 1)[0] if is_due else None
    done = [nid for nid, pid, dedupe in waiting
            if current.get(pid) is None or not dedupe.startswith(current[pid] + ":")]
    if done:
        db.session.execute(update(Notification).where(Notification.id.in_(done))
                           .values(status="skipped", outcome="already done"))
    return len(done)
