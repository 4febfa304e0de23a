"""Rate-limit counters in an SQL database: a storage backend for the `limits` library.

`limits` keeps counters in memory, Redis, Memcached or MongoDB. Memory
is per process and forgotten at a restart, so with two worker processes every limit doubled
and a restart lifted every lockout. With no Redis at hand, the counters live here instead:
shared by every process, kept across restarts.

- `RATELIMIT_STORAGE_URI=sqlite:///path/limits.db`: its own SQLite file. Never the app's
  database file: a request holds that file's one write lock for its whole transaction, and a
  counter written from a second connection inside it would wait for itself.
- `RATELIMIT_STORAGE_URI=postgresql+psycopg://...`: a table in PostgreSQL (row locks only,
  so the app's own database is fine).

Fixed windows only (what `incr`/`get`/`get_expiry` give): a window opens at a key's first
hit and lasts `expiry` seconds. Each hit is one upsert, atomic on both databases. The table
is this storage's own, like Redis keys: made on first use, not part of the app's migrations.
"""

import threading
import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

SWEEP_SECONDS = 60  # how often a process deletes windows that ended
BUSY_TIMEOUT_MS = 5000

# Its own metadata: this table is the storage's, not the app's (no migrations, no models).
COUNTERS = sa.Table(
    "rate_limit_counters", sa.MetaData(),
    sa.Column("name", sa.String(255), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),  # epoch seconds
)
_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


def _hit_statement(dialect: str):
    """One atomic upsert: a window that ended starts again at this hit, else the hit adds.
    Built once per storage with bound parameters (:name, :amount, :now, :expiry)."""
    amount, now = sa.bindparam("amount", type_=sa.BigInteger), sa.bindparam("now", type_=sa.Float)
    ends = now + sa.bindparam("expiry", type_=sa.Float)
    ended = COUNTERS.c.expires_at <= now
    insert = _INSERTS[dialect](COUNTERS).values(name=sa.bindparam("name"), count=amount,
                                                expires_at=ends)
    return insert.on_conflict_do_update(index_elements=[COUNTERS.c.name], set_={
        "count": sa.case((ended, amount), else_=COUNTERS.c.count + amount),
        "expires_at": sa.case((ended, ends), else_=COUNTERS.c.expires_at),
    }).returning(COUNTERS.c.count)


_CURRENT = sa.select(COUNTERS.c.count, COUNTERS.c.expires_at).where(
    COUNTERS.c.name == sa.bindparam("name"), COUNTERS.c.expires_at > sa.bindparam("now"))


class SqlStorage(Storage):
    STORAGE_SCHEME = ["sqlite", "postgresql", "postgresql+psycopg"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **_options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.engine = sa.create_engine(uri, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _counters_file)
        self._hit = _hit_statement(self.engine.dialect.name)
        self._ready = False
        self._lock = threading.Lock()
        self._swept_at = time.monotonic()

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _run(self, statement, params=None, read=lambda result: result.rowcount):
        """One statement in a transaction of its own; `read` takes what it returns."""
        if not self._ready:
            with self._lock:
                COUNTERS.create(self.engine, checkfirst=True)
            self._ready = True
        with self.engine.begin() as conn:
            return read(conn.execute(statement, params))

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        if time.monotonic() - self._swept_at > SWEEP_SECONDS:
            self._swept_at = time.monotonic()
            self._run(sa.delete(COUNTERS).where(COUNTERS.c.expires_at <= now))
        return self._run(self._hit, {"name": key, "amount": amount, "now": now,
                                     "expiry": expiry}, lambda result: result.scalar_one())

    def _row(self, key: str):
        now = time.time()
        return self._run(_CURRENT, {"name": key, "now": now}, lambda result: result.first()), now

    def get(self, key: str) -> int:
        row, _ = self._row(key)
        return row.count if row else 0

    def get_expiry(self, key: str) -> float:
        row, now = self._row(key)
        return row.expires_at if row else now

    def check(self) -> bool:
        try:
            self._row("check")
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        return self._run(sa.delete(COUNTERS))

    def clear(self, key: str) -> None:
        self._run(sa.delete(COUNTERS).where(COUNTERS.c.name == key))


def _counters_file(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    # Every process counts here at once: readers never wait for the writer.
    cursor.execute("PRAGMA journal_mode=WAL")
    # Each hit holds the lock for one short statement: only a stuck process holds it for
    # long, and after this wait counting moves to memory (api.counters.fallback).
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # A counter lost with the power is harmless; an fsync on every hit is not free.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
