"""Idempotency keys: a repeated creating request gets the first one's answer, once.

The key is claimed by inserting a row (unique per caller and key) in the same transaction
as the request's work and its stored answer, and the three commit together (`claim`,
`HeldCommits`, `finish`): a crash or a lost database anywhere in between loses all of them,
never just the answer, so a retry with the key runs the request once, never twice. The happy
path is one write transaction.

A concurrent request with the same key is stopped before it does any work. On PostgreSQL
the claim also tries the key's advisory lock, in the same statement: while the first
request's transaction holds it, the claim inserts nothing and the request is told the key
is in flight (409 with Retry-After), without waiting on the first. On SQLite the write lock
(BEGIN IMMEDIATE, api.sqlite) queues the whole transaction behind the first, so no writer
ever sees another in flight: it finds the first one's answer and replays it. Either way,
when the first failed and left no row, the key is taken afresh and the request runs.

A row with no answer is only ever seen when it was committed alone by an earlier version of
this code, or by a test: it reads as in flight (409) until it is old enough to be taken for
abandoned. Answers are replayed for 30 days.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, bindparam, delete, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.extensions import db
from api.models import IdempotencyRecord
from api.services.clock import utcnow

KEEP_FOR = timedelta(days=30)
# A claim older than this with no response is taken to be from a crashed request.
ABANDONED_AFTER = timedelta(minutes=2)
RECORDS = IdempotencyRecord.__table__
# Built once: every keyed request runs these two.
_CLAIM = insert(RECORDS).returning(RECORDS.c.id)
_ANSWER = (update(RECORDS)
           .where(RECORDS.c.id == bindparam("record_id"), RECORDS.c.status_code.is_(None),
                  RECORDS.c.created_at == bindparam("claimed_at"))
           .values(status_code=bindparam("status_code"), body=bindparam("body"),
                   headers=bindparam("headers")))
_HELD = "rapport.held_commits"  # Session.info key of the HeldCommits in force
# PostgreSQL: the claim only if this transaction gets the key's lock (held until it ends).
_KEY_LOCK = select(func.pg_try_advisory_xact_lock(
    func.hashtextextended(bindparam("lock_name", type_=String), 0)).label("got")).cte("key_lock")
_CLAIM_IF_FREE = insert(RECORDS).from_select(
    ["scope", "key", "fingerprint", "created_at"],
    select(*(bindparam(name, type_=RECORDS.c[name].type)
             for name in ("scope", "key", "fingerprint", "created_at")))
    .where(_KEY_LOCK.c.got)).returning(RECORDS.c.id)


@dataclass(frozen=True)
class Claim:
    record_id: int
    existing: IdempotencyRecord | None  # None: this request owns the key and must run
    claimed_at: datetime | None = None  # when this request took the key (finish checks it)
    scope: str = ""
    key: str = ""
    fingerprint: str = ""


def claim(scope: str, key: str, fingerprint: str) -> Claim:
    """Take the key in the current transaction, or find who has it. Nothing is committed."""
    now = utcnow()
    values = {"scope": scope, "key": key, "fingerprint": fingerprint, "created_at": now}
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            record_id = db.session.execute(
                _CLAIM_IF_FREE, {**values, "lock_name": f"{scope}\n{key}"}).scalar()
            if record_id is None:  # another transaction holds the key right now
                return Claim(0, IdempotencyRecord(fingerprint=fingerprint))
        else:
            record_id = db.session.execute(_CLAIM, values).scalar_one()
        return Claim(record_id, None, now, scope, key, fingerprint)
    except IntegrityError:
        db.session.rollback()  # the key is taken; on PostgreSQL the transaction is void
    existing = lookup(scope, key)
    if existing is None:  # released between our insert and our read: try once more
        return claim(scope, key, fingerprint)
    stale = (existing.created_at < now - KEEP_FOR or (
        existing.status_code is None and existing.created_at < now - ABANDONED_AFTER))
    if stale and _take_over(existing, fingerprint, now):
        return Claim(existing.id, None, now, scope, key, fingerprint)
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


class HeldCommits:
    """Hold a request's commits until its response is stored with them (`finish`).

    While held, `db.session.commit()` only marks a point to come back to, and `rollback()`
    goes back to the last such point (or, before the first, to the claim: the key is then
    taken again by `finish`). So the request behaves as it would alone (an audit row committed
    before a refusal stays), yet nothing is durable until `finish` or `release` commits for
    real. `end()` gives the session its own methods back and drops what was left uncommitted.

    A point costs nothing until something is written after it: the SAVEPOINT is begun then,
    just before the write (`_before_write`, from the session events below). The usual request
    writes, "commits" once, and returns, so it never pays for one.
    """

    def __init__(self):
        self.session = db.session()
        self.committed = False  # the view reached a commit point: release keeps what it had
        self.claim_lost = False  # a rollback before any commit point undid the claim too
        self._savepoint = None  # begun after the last commit point, before a write
        self._point_due = False  # a commit point that has no savepoint yet
        self._wrote = False  # something was written before the first commit point
        self.session.info[_HELD] = self
        self.session.commit = self._commit
        self.session.rollback = self._rollback

    def _before_write(self) -> None:
        if self._point_due:
            self._point_due = False
            self._savepoint = self.session.begin_nested()
        elif not self.committed:
            self._wrote = True

    def _commit(self) -> None:
        self.session.flush()
        if self._savepoint is not None:
            self._savepoint.commit()
            self._savepoint = None
        self.committed, self._point_due, self._wrote = True, True, False

    def _rollback(self) -> None:
        if not self.committed:
            type(self.session).rollback(self.session)  # the real one: the claim goes too
            self.claim_lost, self._wrote = True, False
            return
        try:
            # Changes not sent yet go into the savepoint the flush begins, undone with it.
            self.session.flush()
        finally:
            if self._savepoint is not None:
                if self._savepoint.is_active:
                    self._savepoint.rollback()
                self._savepoint = None
            self._point_due = True

    def end(self) -> None:
        try:
            if self.committed or self._wrote or self._pending():
                self._rollback()  # no statement at all when nothing was left uncommitted
        finally:
            vars(self.session).pop("commit", None)
            vars(self.session).pop("rollback", None)
            self.session.info.pop(_HELD, None)

    def _pending(self) -> bool:
        return bool(self.session.new or self.session.dirty or self.session.deleted)


@event.listens_for(Session, "before_flush")
def _held_flush(session: Session, _context, _instances) -> None:
    held = session.info.get(_HELD)
    if held is not None:
        held._before_write()


@event.listens_for(Session, "do_orm_execute")
def _held_execute(state) -> None:
    held = state.session.info.get(_HELD)
    if held is not None and (state.is_insert or state.is_update or state.is_delete):
        if held._point_due and held._pending():
            state.session.flush()  # in the savepoint the flush begins
        held._before_write()


def finish(claim: Claim, status_code: int, body: str, headers: dict[str, str]) -> bool:
    """Store the response and commit it with the request's work, at once.

    False when another request holds the key (the claim was undone by a rollback and another
    took it meanwhile): then this request's work is rolled back, and the other's answer stands.
    """
    answer = {"status_code": status_code, "body": body, "headers": headers}
    stored = db.session.execute(_ANSWER, {
        "record_id": claim.record_id, "claimed_at": claim.claimed_at, **answer}).rowcount == 1
    if not stored:
        try:
            db.session.execute(insert(RECORDS).values(
                scope=claim.scope, key=claim.key, fingerprint=claim.fingerprint,
                created_at=claim.claimed_at, **answer))
        except IntegrityError:
            db.session.rollback()
            return False
    db.session.commit()
    return True


def release(claim: Claim, held: HeldCommits) -> None:
    """Forget a claim whose request failed, so the client's retry runs it afresh.

    What the request did commit (held, see HeldCommits) is kept, as it would have been.
    """
    if not held.committed:
        db.session.rollback()  # the claim and nothing else
        return
    db.session.execute(delete(RECORDS).where(RECORDS.c.id == claim.record_id,
                                             RECORDS.c.created_at == claim.claimed_at))
    db.session.commit()


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
    result = db.session.execute(delete(RECORDS).where(RECORDS.c.created_at < utcnow() - KEEP_FOR))
    db.session.commit()
    return result.rowcount
