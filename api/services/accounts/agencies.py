"""What an agency's admin manages from the console: the agency's settings, its join codes
and its workers. Every function takes the admin, already checked to be of this agency."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import Agency, AgencyJoinCode, Partnership, User, WebhookEndpoint
from api.services import audit

# Partnerships a worker still carries: they must be handed over or ended before the worker
# can leave the agency they were made under.
CARRIED = ("active", "paused")
STILL_CARRYING = ("This worker still has active or paused partnerships made under your "
                  "agency. Hand them over or end them first.")


class StillCarrying(Exception):
    """A worker cannot leave the agency while partnerships made under it go on."""


@dataclass(frozen=True, slots=True)
class AgencySettings:
    id: uuid.UUID
    name: str
    own_content_first: bool
    crisis_include_default: bool
    workers: int
    webhooks_switched_off: int


@dataclass(frozen=True, slots=True)
class JoinCodeRow:
    id: uuid.UUID
    label: str | None
    created_at: datetime
    expires_at: datetime
    uses: int
    revoked_at: datetime | None
    status: str  # active | expired | revoked


@dataclass(frozen=True, slots=True)
class Member:
    id: uuid.UUID
    display_name: str | None
    email: str | None
    joined_at: datetime | None
    partnerships: int  # active and paused, made under the agency


def _workers_of(agency_id: uuid.UUID):
    return (User.agency_id == agency_id) & (User.role == "worker") & User.erased_at.is_(None)


def settings(admin: User, agency_id: uuid.UUID) -> AgencySettings:
    agency = db.session.get(Agency, agency_id)
    # One statement for both counts: the console's home reads this on every visit.
    workers, switched_off = db.session.execute(select(
        select(func.count()).select_from(User).where(_workers_of(agency_id))
        .scalar_subquery(),
        select(func.count()).select_from(WebhookEndpoint)
        .where(WebhookEndpoint.agency_id == agency_id, WebhookEndpoint.disabled_at.is_not(None))
        .scalar_subquery())).one()
    return AgencySettings(agency.id, agency.name, agency.own_content_first,
                          agency.crisis_include_default, workers or 0, switched_off or 0)


def update_settings(admin: User, agency_id: uuid.UUID, *, name: str | None = None,
                    own_content_first: bool | None = None) -> AgencySettings:
    """Change the agency's name or where its own items go in its lists, feeds and embeds.

    Agency is a content model (api.services.content.content_version): the change bumps the
    content version, so no cached public list, feed or embed keeps the old name or order.
    """
    agency = db.session.get(Agency, agency_id)
    if name is not None:
        agency.name = name.strip()
    if own_content_first is not None:
        agency.own_content_first = own_content_first
    audit.record(admin, "agency.update", object_type="agency", object_id=agency_id)
    db.session.flush()
    return settings(admin, agency_id)


def _status(code: AgencyJoinCode, now: datetime) -> str:
    if code.revoked_at is not None:
        return "revoked"
    return "active" if code.expires_at > now else "expired"


def join_codes(admin: User, agency_id: uuid.UUID) -> list[JoinCodeRow]:
    """The agency's join codes, newest first, never the code itself (only its hash is kept)."""
    now = utcnow()
    rows = db.session.scalars(
        select(AgencyJoinCode).where(AgencyJoinCode.agency_id == agency_id)
        .order_by(AgencyJoinCode.created_at.desc(), AgencyJoinCode.id.desc())).all()
    audit.record_read(admin, "agency.join_code.list", object_type="agency", object_id=agency_id)
    return [JoinCodeRow(row.id, row.label, row.created_at, row.expires_at, row.uses,
                        row.revoked_at, _status(row, now)) for row in rows]


def join_code(agency_id: uuid.UUID, code_id: uuid.UUID) -> AgencyJoinCode | None:
    """One of the agency's codes; None for another agency's, as for none."""
    return db.session.scalar(select(AgencyJoinCode).where(
        AgencyJoinCode.id == code_id, AgencyJoinCode.agency_id == agency_id))


def revoke_join_code(admin: User, code: AgencyJoinCode) -> None:
    """No one else joins with it from now on; it stays listed. Twice changes nothing."""
    if code.revoked_at is None:
        code.revoked_at = utcnow()
        audit.record(admin, "agency.join_code.revoke", object_type="join_code",
                     object_id=code.id)
        db.session.flush()


def _carried_count(agency_id: uuid.UUID):
    return (select(func.count()).select_from(Partnership)
            .where(Partnership.worker_id == User.id, Partnership.agency_id == agency_id,
                   Partnership.status.in_(CARRIED))
            .correlate(User).scalar_subquery())


def members(admin: User, agency_id: uuid.UUID) -> list[Member]:
    """The agency's workers by name, with how many partnerships made under it they carry."""
    rows = db.session.execute(
        select(User.id, User.display_name, User.email, User.agency_joined_at,
               _carried_count(agency_id))
        .where(_workers_of(agency_id))
        .order_by(func.lower(User.display_name), User.id)).all()
    audit.record_read(admin, "agency.member.list", object_type="agency", object_id=agency_id)
    return [Member(*row) for row in rows]


def member(agency_id: uuid.UUID, user_id: uuid.UUID) -> User | None:
    """A worker of the agency; None for anyone else (an admin, a peer, another's worker)."""
    return db.session.scalar(select(User).where(User.id == user_id, _workers_of(agency_id)))


def remove_member(admin: User, agency_id: uuid.UUID, worker: User) -> None:
    """The worker leaves the agency: its private screens no longer list them, and they read
    core content only. Refused while they carry partnerships made under the agency (their
    peers would be left with a worker the agency no longer knows)."""
    # The worker's row is locked before counting: a peer accepting their invite or agreeing
    # to a handover to them (both lock it to share) either ends first, and is counted, or
    # waits and finds them gone (PostgreSQL; SQLite takes one writer at a time anyway).
    db.session.execute(select(User.id).where(User.id == worker.id).with_for_update())
    carried = db.session.scalar(select(func.count()).select_from(Partnership).where(
        Partnership.worker_id == worker.id, Partnership.agency_id == agency_id,
        Partnership.status.in_(CARRIED)))
    if carried:
        raise StillCarrying(STILL_CARRYING)
    worker.agency_id = None
    worker.agency_joined_at = None
    # Filed under the worker, so it shows in their own access log.
    audit.record(admin, "agency.member.remove", object_type="user", object_id=worker.id)
    db.session.flush()
