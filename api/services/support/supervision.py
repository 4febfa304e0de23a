"""Supervision without content: for an agency's admins, each worker's process numbers only.

Per worker of the agency, over their partnerships made under it (earlier ones stay outside,
as they do for insights): how many are active and paused, how many are overdue a check-in,
the median consistency of the active ones, and whole days since the last check-in on any of
them. Never a goal, a note, an answer or a peer's name: numbers about how steadily the work
happens, which is what a supervisor can help with.

Each read is written into every listed worker's access log ("an agency admin read your
supervision numbers"), so workers can see how often they are looked at.
"""

import statistics
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import CheckIn, Partnership, PartnershipPause, User
from api.services import audit
from api.services.support.consistency import DEFAULT_WEEKS, Lookback, due

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WorkerProcess:
    worker_id: uuid.UUID
    display_name: str | None
    joined_at: datetime
    partnerships: int  # active
    paused: int
    overdue: int  # active partnerships a day or more past their check-in
    median_consistency: float | None  # of active partnerships that have a score
    days_since_last_checkin: int | None  # on any of them; None: never


def _sort_key(item: WorkerProcess):
    # Lowest first, so whoever may need support is at the top; no number yet goes last.
    return (item.median_consistency is None, item.median_consistency or 0.0,
            -item.overdue, item.display_name or "", str(item.worker_id))


def for_agency(admin: User, agency_id: uuid.UUID, now: datetime | None = None
               ) -> list[WorkerProcess]:
    now = now or utcnow()
    workers = db.session.execute(
        select(User.id, User.display_name, User.created_at)
        .where(User.agency_id == agency_id, User.role == "worker", User.erased_at.is_(None))
        .order_by(User.created_at, User.id)).all()
    if not workers:
        return []
    ids = [worker_id for worker_id, _, _ in workers]
    in_agency = (Partnership.agency_id == agency_id) & Partnership.worker_id.in_(ids) & (
        Partnership.status != "ended")
    last_checkin = (select(func.max(CheckIn.created_at))
                    .where(CheckIn.partnership_id == Partnership.id)
                    .correlate(Partnership).scalar_subquery())
    partnerships = db.session.execute(
        select(cast(Partnership.id, String), Partnership.worker_id, Partnership.status,
               Partnership.created_at, Partnership.checkin_cadence_days, last_checkin)
        .where(in_agency)).all()
    pauses: dict = {}
    for key, started, ended in db.session.execute(
            select(cast(PartnershipPause.partnership_id, String), PartnershipPause.started_at,
                   PartnershipPause.ended_at)
            .join(Partnership, Partnership.id == PartnershipPause.partnership_id)
            .where(in_agency)):
        pauses.setdefault(key, []).append((started, ended))
    longest = max((row.checkin_cadence_days for row in partnerships), default=7)
    since = now - timedelta(weeks=DEFAULT_WEEKS, days=longest)
    recent: dict = {}
    for key, at in db.session.execute(
            select(cast(CheckIn.partnership_id, String), CheckIn.created_at)
            .join(Partnership, Partnership.id == CheckIn.partnership_id)
            .where(in_agency, CheckIn.created_at >= since)):
        recent.setdefault(key, []).append(at)

    lookbacks: dict[int, Lookback] = {}
    per_worker: dict = {worker_id: {"active": 0, "paused": 0, "overdue": 0, "scores": [],
                                    "last": None} for worker_id in ids}
    for key, worker_id, status, created_at, cadence, last in partnerships:
        tally = per_worker[worker_id]
        if last is not None and (tally["last"] is None or last > tally["last"]):
            tally["last"] = last
        if status == "paused":
            tally["paused"] += 1
            continue
        tally["active"] += 1
        when = due(last, created_at, cadence, now, paused=pauses.get(key, ()))
        if when.days_overdue >= 1:
            tally["overdue"] += 1
        lookback = lookbacks.get(cadence) or lookbacks.setdefault(cadence, Lookback(now, cadence))
        score = lookback.score(recent.get(key, ()), created_at, pauses.get(key, ()))
        if score is not None:
            tally["scores"].append(score)

    found = []
    for worker_id, name, joined in workers:
        tally = per_worker[worker_id]
        found.append(WorkerProcess(
            worker_id, name, joined, tally["active"], tally["paused"], tally["overdue"],
            round(statistics.median(tally["scores"]), 3) if tally["scores"] else None,
            (now - tally["last"]) // ONE_DAY if tally["last"] is not None else None))
        audit.record_read(admin, "supervision.read", object_type="user", object_id=worker_id)
    return sorted(found, key=_sort_key)
