"""Invites and partnerships: how a worker and a peer come to share a private space."""

import uuid
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import joinedload

from api.db.paging import page_of
from api.extensions import db
from api.lib import codes, passwords
from api.lib.clock import utcnow
from api.models import Invite, Partnership, PartnershipPause, User
from api.services import audit
from api.services.accounts.people import (
    AccountError,
    add_account,
    check_new_password,
    normalise_username,
)
from api.services.webhooks import events as webhook_events

INVITE_LIFETIME = timedelta(days=7)
USERNAME_TAKEN = "This username is taken. Try another."


def create_invite(worker: User) -> tuple[str, Invite]:
    code = codes.new_code()
    invite = Invite(code_hash=codes.code_hash(code), worker_id=worker.id,
                    expires_at=utcnow() + INVITE_LIFETIME)
    db.session.add(invite)
    db.session.flush()
    audit.record(worker, "invite.create", object_type="invite", object_id=invite.id)
    return code, invite


class InviteUsed(Exception):
    """Someone else accepted this invite a moment earlier."""


def _pending():
    """Invites that can still be accepted: unused, uncancelled, unexpired."""
    return (Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > utcnow())


def open_invite(code: str) -> Invite | None:
    """The invite a code names, if it can still be accepted (locked for update)."""
    return db.session.scalar(
        select(Invite).where(Invite.code_hash == codes.code_hash(code), *_pending())
        .with_for_update())


def pending_invites(worker: User, page: int, page_size: int):
    """The worker's own invites that can still be accepted, newest first."""
    stmt = select(Invite).where(Invite.worker_id == worker.id, *_pending())
    rows, total = page_of(stmt, (Invite.created_at.desc(), Invite.id), page, page_size)
    return [row[0] for row in rows], total


def own_pending_invite(worker: User, invite_id: uuid.UUID) -> Invite | None:
    """The invite, only if `worker` made it and it can still be accepted."""
    return db.session.scalar(select(Invite).where(
        Invite.id == invite_id, Invite.worker_id == worker.id, *_pending()))


def revoke_invite(worker: User, invite: Invite) -> None:
    """Cancel an invite: from now on its code opens nothing, like an unknown one. A
    conditional UPDATE, so a peer accepting at the same moment either wins or finds it gone."""
    db.session.execute(
        sql_update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None),
                                 Invite.revoked_at.is_(None))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False))
    audit.record(worker, "invite.revoke", object_type="invite", object_id=invite.id)


def accept_invite(invite: Invite, peer: User | None, *, display_name: str | None = None,
                  username: str | None = None, password: str | None = None) -> Partnership:
    """Create the partnership, and the peer's account when they do not have one yet."""
    if peer is None:
        username = normalise_username(username)
        check_new_password(password, username, display_name)
        if db.session.scalar(select(User.id).where(User.username == username)):
            raise AccountError("username", USERNAME_TAKEN, status=409)
        peer = User(role="peer", username=username, display_name=display_name.strip(),
                    password_hash=passwords.hash_password(password))
        add_account(peer, "username", USERNAME_TAKEN)
        audit.record(peer, "account.register", object_type="user", object_id=peer.id)
    elif db.session.scalar(select(Partnership.id).where(
            Partnership.worker_id == invite.worker_id, Partnership.peer_id == peer.id,
            Partnership.status != "ended")):
        raise AccountError("code", "You already have a partnership with this worker.",
                           status=409)
    # Locked to share: an agency removing this worker at this moment either ends first (the
    # partnership is then made under no agency) or waits for it and counts it.
    worker = db.session.get(User, invite.worker_id, with_for_update={"read": True},
                            populate_existing=True)
    partnership = Partnership(worker_id=worker.id, peer_id=peer.id, agency_id=worker.agency_id)
    db.session.add(partnership)
    db.session.flush()
    # Claim the invite with a conditional UPDATE: of two phones racing, exactly one wins,
    # on SQLite too (which ignores FOR UPDATE).
    claimed = db.session.execute(
        sql_update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None),
                                 Invite.revoked_at.is_(None))
        .values(used_at=utcnow(), partnership_id=partnership.id)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise InviteUsed  # the boundary rolls the partnership (and account) back
    audit.record(peer, "invite.accept", object_type="invite", object_id=invite.id,
                 partnership_id=partnership.id)
    webhook_events.partnership_created(partnership)
    db.session.flush()
    return partnership


def mine(user: User, page: int, page_size: int):
    stmt = select(Partnership).options(
        joinedload(Partnership.worker), joinedload(Partnership.peer)).where(
        or_(Partnership.worker_id == user.id, Partnership.peer_id == user.id))
    rows, total = page_of(stmt, (Partnership.created_at.desc(), Partnership.id), page, page_size)
    return [row[0] for row in rows], total


def for_member(user: User, partnership_id: uuid.UUID) -> Partnership | None:
    """The partnership, only if `user` is one of its two members."""
    partnership = db.session.get(Partnership, partnership_id)
    if partnership is None or user.id not in partnership.member_ids():
        return None
    return partnership


def _record_pause(partnership: Partnership, new_status: str) -> None:
    """Keep pauses as time ranges, so a consistency score never counts them as missed."""
    if new_status == "paused":
        db.session.add(PartnershipPause(partnership_id=partnership.id))
    elif partnership.status == "paused":
        db.session.execute(
            sql_update(PartnershipPause)
            .where(PartnershipPause.partnership_id == partnership.id,
                   PartnershipPause.ended_at.is_(None))
            .values(ended_at=utcnow()).execution_options(synchronize_session=False))


class Ended(Exception):
    """An ended partnership is history: it can be read, not changed."""

    message = "This partnership has ended. Its history is read-only."


def update(user: User, partnership: Partnership, *, status: str | None = None,
           checkin_cadence_days: int | None = None) -> Partnership:
    if partnership.status == "ended":
        raise Ended
    if checkin_cadence_days is not None:
        partnership.checkin_cadence_days = checkin_cadence_days
    if status is not None and status != partnership.status:
        _record_pause(partnership, status)
        partnership.status = status
        if status == "ended":
            partnership.ended_at = utcnow()
            webhook_events.partnership_ended(partnership)
    audit.record(user, "partnership.update", object_type="partnership",
                 object_id=partnership.id, partnership_id=partnership.id)
    db.session.flush()
    return partnership
