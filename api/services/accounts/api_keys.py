"""Agency API keys: issued once, kept only as a SHA-256 hash, revocable at once.

A key reads `rk_<8 visible characters>_<43 random characters>`. The visible part is the
stored `prefix`, so people can tell keys apart (or spot one in a log) without the secret;
the random part carries 256 bits from `secrets`.
"""

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update

from api.db.paging import page_of
from api.extensions import db
from api.lib.clock import utcnow
from api.models import ApiKey, User
from api.services import audit
from api.services.accounts.sessions import TOKEN_BYTES, token_hash

KEY_MARK = "rk_"
PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # lower case, nothing that looks alike
PREFIX_CHARS = 8
MAX_KEY_LENGTH = 100
# Recording every use would turn each keyed read into a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)


def _new_key() -> tuple[str, str]:
    prefix = KEY_MARK + "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_CHARS))
    return prefix, f"{prefix}_{secrets.token_urlsafe(TOKEN_BYTES)}"


def create(admin: User, name: str) -> tuple[str, ApiKey]:
    """A new key for the admin's agency and its full text, which is never shown again."""
    while True:  # 40 bits of prefix: a clash is rare, but the column is unique
        prefix, key = _new_key()
        if db.session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            break
    api_key = ApiKey(agency_id=admin.agency_id, name=name, prefix=prefix,
                     key_hash=token_hash(key), created_by=admin.id)
    db.session.add(api_key)
    db.session.flush()
    audit.record(admin, "agency.api_key.create", object_type="api_key", object_id=api_key.id)
    return key, api_key


def for_agency(admin: User, page: int, page_size: int) -> tuple[list[ApiKey], int]:
    """The agency's keys, revoked ones included, newest first."""
    stmt = select(ApiKey).where(ApiKey.agency_id == admin.agency_id)
    rows, total = page_of(stmt, (ApiKey.created_at.desc(), ApiKey.id.desc()), page, page_size)
    audit.record_read(admin, "agency.api_key.list", object_type="agency",
                     object_id=admin.agency_id)
    return [row[0] for row in rows], total


def get(admin: User, key_id: uuid.UUID) -> ApiKey | None:
    """One of the admin's agency's keys; None for another agency's key, as for no key."""
    return db.session.scalar(select(ApiKey).where(
        ApiKey.id == key_id, ApiKey.agency_id == admin.agency_id))


def revoke(admin: User, api_key: ApiKey) -> None:
    """Stop the key working from the next request on; revoking twice changes nothing."""
    if api_key.revoked_at is None:
        api_key.revoked_at = utcnow()
        audit.record(admin, "agency.api_key.revoke", object_type="api_key",
                     object_id=api_key.id)
        db.session.flush()


def resolve(key: str) -> ApiKey | None:
    """The live key this text is, or None (malformed, unknown or revoked)."""
    if not key.startswith(KEY_MARK) or len(key) > MAX_KEY_LENGTH:
        return None
    api_key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == token_hash(key)))
    if api_key is None or api_key.revoked_at is not None:
        return None
    return api_key


def note_use(api_key: ApiKey) -> None:
    """Record that the key was used, at most about once a minute.

    The condition sits in the UPDATE itself, so processes racing on one key write once.
    """
    now = utcnow()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_PRECISION:
        return
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == api_key.id,
               or_(ApiKey.last_used_at.is_(None),
                   ApiKey.last_used_at <= now - LAST_USED_PRECISION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False))
