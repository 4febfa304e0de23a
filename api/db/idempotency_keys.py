"""Idempotency keys: a repeated creating request gets the first one's answer, once.

The key is claimed by inserting a row (unique per caller and key) in the request's own
transaction; the request's work follows, and its answer is stored in the row (`store`), all
before the request's boundary commits once (api.db.unit_of_work). A crash, an error answer or a
lost database anywhere in between loses all three together, never just the answer, so a
retry with the key runs the request once, never twice.

A concurrent request with the same key is stopped before it does any work. On PostgreSQL
the claim also tries the key's advisory lock, in the same statement: while the first
request's transaction holds it, the claim inserts nothing and the request is told the key
is in flight (409 with Retry-After), without waiting on the first. On SQLite the write lock
(BEGIN IMMEDIATE, api.db.sqlite) queues the whole transaction behind the first, so no writer
ever sees another in flight: it finds the first one's answer and replays it. Either way,
when the first failed and left no row, the key is taken afresh and the request runs.

A row with no answer is only ever seen when it was committed alone by an earlier version of
this code, or by a test: it reads as in flight (409) until it is old enough to be taken for
abandoned. Answers are replayed for 30 days.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import String, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api.extensions import db
from api.lib.clock import utcnow
from api.models import IdempotencyRecord

KEEP_FOR = timedelta(days=30)
# A claim older than this with no response is taken to be from a crashed request.
ABANDONED_AFTER = timedelta(minutes=2)
RECORDS = IdempotencyRecord.__table__
_COLUMNS = ("scope", "key", "fingerprint", "created_at")
# Built once: every keyed request runs these. A key already taken inserts nothing (no error,
# so nothing else in the transaction is lost).
_CLAIM = (sqlite_insert(RECORDS).on_conflict_do_nothing(index_elements=["scope", "key"])
          .returning(RECORDS.c.id))
# PostgreSQL: the claim only if this transaction gets the key's lock (held until it ends).
_KEY_LOCK = select(func.pg_try_advisory_xact_lock(
    func.hashtextextended(bindparam("lock_name", type_=String), 0)).label("got")).cte("key_lock")
_CLAIM_IF_FREE = (postgresql_insert(RECORDS).from_select(
    list(_COLUMNS),
    select(*(bindparam(name, type_=RECORDS.c[name].type) for name in _COLUMNS))
    .where(_KEY_LOCK.c.got))
    .on_conflict_do_nothing(index_elements=["scope", "key"]).returning(RECORDS.c.id))
_ANSWER = (update(RECORDS).where(RECORDS.c.id == bindparam("record_id"))
           .values(status_code=bindparam("status_code"), body=bindparam("body"),
                   headers=bindparam("headers")))


@dataclass(frozen=True)
class Claim:
    record_id: int
    existing: IdempotencyRecord | None  # None: this request owns the key and must run


def claim(scope: str, key: str, fingerprint: str) -> Claim:
    """Take the key in the current transaction, or find who has it. Nothing is committed."""
    now = utcnow()
    values = {"scope": scope, "key": key, "fingerprint": fingerprint, "created_at": now}
    if db.session.get_bind().dialect.name == "postgresql":
        record_id = db.session.execute(
            _CLAIM_IF_FREE, {**values, "lock_name": f"{scope}\n{key}"}).scalar()
    else:
        record_id = db.session.execute(_CLAIM, values).scalar()
    if record_id is not None:
        return Claim(record_id, None)
    existing = lookup(scope, key)
    if existing is None:  # PostgreSQL: another transaction holds the key right now
        return Claim(0, IdempotencyRecord(fingerprint=fingerprint))
    stale = (existing.created_at < now - KEEP_FOR or (
        existing.status_code is None and existing.created_at < now - ABANDONED_AFTER))
    if stale and _take_over(existing, fingerprint, now):
        return Claim(existing.id, None)
    return Claim(existing.id, existing)


def _take_over(record: IdempotencyRecord, fingerprint: str, now) -> bool:
    """Reuse an expired or abandoned key; of two requests trying, exactly one wins.

    Like a fresh claim, the takeover commits with the request's work and answer.
    """
    return db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record.id,
               IdempotencyRecord.created_at == record.created_at)
        .values(fingerprint=fingerprint, status_code=None, body=None, headers=None,
                created_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1


def store(claim: Claim, status_code: int, body: str, headers: dict[str, str]) -> None:
    """Keep the answer with the claim, in the same transaction as the request's work."""
    db.session.execute(_ANSWER, {"record_id": claim.record_id, "status_code": status_code,
                                 "body": body, "headers": headers})


def lookup(scope: str, key: str) -> IdempotencyRecord | None:
    return db.session.scalar(select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key))


def user_scope(user_id) -> str:
    """The scope of a signed-in caller's keys."""
    return f"user:{user_id}"


def forget(scope: str) -> None:
    """Drop a scope's keys and the answers kept with them (an erased account's: the answers
    hold what the person wrote). Committed by the caller."""
    db.session.execute(delete(RECORDS).where(RECORDS.c.scope == scope))


def purge_expired() -> int:
    """Drop keys older than KEEP_FOR (`flask idempotency purge`); how many went."""
    return db.session.execute(
        delete(RECORDS).where(RECORDS.c.created_at < utcnow() - KEEP_FOR)).rowcount
