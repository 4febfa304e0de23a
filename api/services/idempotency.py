"""Idempotency keys: a repeated creating request gets the first one's answer, once.

The key is claimed by inserting a row (unique per caller and key) in its own transaction,
so two processes racing on one key cannot both run the request. The response is stored when
the request is done and replayed for 30 days.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from api.extensions import db
from api.models import IdempotencyRecord
from api.services.clock import utcnow

KEEP_FOR = timedelta(days=30)
# A claim older than this with no response is taken to be from a crashed request.
ABANDONED_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Claim:
    record_id: int
    existing: IdempotencyRecord | None  # None: this request owns the key and must run


def claim(scope: str, key: str, fingerprint: str) -> Claim:
    db.session.rollback()  # a clean transaction of our own
    record = IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint)
    db.session.add(record)
    try:
        db.session.commit()
        return Claim(record.id, None)
    except IntegrityError:
        db.session.rollback()
    existing = db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key))
    if existing is None:  # released between our insert and our read: try once more
        return claim(scope, key, fingerprint)
    now = utcnow()
    stale = (existing.created_at < now - KEEP_FOR or (
        existing.status_code is None and existing.created_at < now - ABANDONED_AFTER))
    if stale and _take_over(existing, fingerprint, now):
        return Claim(existing.id, None)
    return Claim(existing.id, existing)


def _take_over(record: IdempotencyRecord, fingerprint: str, now) -> bool:
    """Reuse an expired or abandoned key; of two requests trying, exactly one wins."""
    won = db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record.id,
               IdempotencyRecord.created_at == record.created_at)
        .values(fingerprint=fingerprint, status_code=None, body=None, headers=None,
                created_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.commit()
    return won


def finish(record_id: int, status_code: int, body: str, headers: dict[str, str]) -> None:
    db.session.rollback()  # whatever the view left open is not ours to commit
    db.session.execute(
        update(IdempotencyRecord).where(IdempotencyRecord.id == record_id)
        .values(status_code=status_code, body=body, headers=headers)
        .execution_options(synchronize_session=False))
    db.session.commit()


def release(record_id: int) -> None:
    """Forget a claim whose request failed, so the client's retry runs it afresh."""
    db.session.rollback()
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    db.session.commit()


def purge_expired() -> int:
    result = db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP_FOR))
    db.session.commit()
    return result.rowcount
