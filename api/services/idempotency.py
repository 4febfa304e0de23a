"""Idempotency keys: a repeated creating request gets the first one's answer, once.

The key is claimed by inserting a row (unique per caller and key) in its own transaction,
so two processes racing on one key cannot both run the request. The request's own work and
its response then commit together, in one transaction (`HeldCommits`, `finish`): a crash or
a lost database between the two can lose both, never just the answer, so a retry with the
key runs the request once, never twice. The response is replayed for 30 days.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

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
    claimed_at: datetime | None = None  # when this request took the key (finish checks it)


def claim(scope: str, key: str, fingerprint: str) -> Claim:
    db.session.rollback()  # a clean transaction of our own
    record = IdempotencyRecord(scope=scope, key=key, fingerprint=fingerprint)
    db.session.add(record)
    try:
        db.session.commit()
        return Claim(record.id, None, record.created_at)
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
        return Claim(existing.id, None, now)
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


class HeldCommits:
    """Hold a request's commits until its response is stored with them (`finish`).

    While held, `db.session.commit()` only releases a savepoint and `rollback()` goes back to
    the last one, so the request behaves as it would alone (an audit row committed before a
    refusal stays), yet nothing is durable until `finish` or `release` commits for real.
    `end()` gives the session its own methods back and drops what was left uncommitted.
    """

    def __init__(self):
        self.session = db.session()
        self.session.rollback()
        self.session.begin()
        self._savepoint = self.session.begin_nested()
        self.session.commit = self._commit
        self.session.rollback = self._rollback

    def _commit(self) -> None:
        self._savepoint.commit()
        self._savepoint = self.session.begin_nested()

    def _rollback(self) -> None:
        self._savepoint.rollback()
        self._savepoint = self.session.begin_nested()

    def end(self) -> None:
        vars(self.session).pop("commit", None)
        vars(self.session).pop("rollback", None)
        if self.session.get_nested_transaction() is self._savepoint:
            self._savepoint.rollback()  # whatever the view left open is not ours to commit


def finish(claim: Claim, status_code: int, body: str, headers: dict[str, str]) -> bool:
    """Store the response and commit it with the request's work, at once.

    False when another request took the key over meanwhile (a claim thought abandoned):
    then this request's work is rolled back, and the other's answer stands.
    """
    stored = db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == claim.record_id,
               IdempotencyRecord.status_code.is_(None),
               IdempotencyRecord.created_at == claim.claimed_at)
        .values(status_code=status_code, body=body, headers=headers)
        .execution_options(synchronize_session=False)).rowcount == 1
    if stored:
        db.session.commit()
    else:
        db.session.rollback()
    return stored


def release(record_id: int) -> None:
    """Forget a claim whose request failed, so the client's retry runs it afresh.

    What the request did commit (held, see HeldCommits) is kept, as it would have been.
    """
    db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    db.session.commit()


def lookup(scope: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key))


def purge_expired() -> int:
    result = db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < utcnow() - KEEP_FOR))
    db.session.commit()
    return result.rowcount
