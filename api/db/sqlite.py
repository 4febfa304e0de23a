"""Make the embedded SQLite database safe with many threads and processes.

- WAL lets readers go on while one writer writes; busy_timeout makes a writer wait its turn.
- Requests that may write start their transactions with BEGIN IMMEDIATE: taking the write
  lock up front means a reader never has to upgrade mid-transaction, which SQLite can only
  refuse ("database is locked") rather than wait for. Public content reads stay deferred.
- One read may come first, outside the lock: finding the caller's session (`read_first`).
  It runs on its own (autocommit), and the request's transaction, with the write lock, begins
  just before its next statement; so the one writer at a time is not also waiting on the
  others' sign-in lookups. Everything after that read is in one transaction.
- Durability: `synchronous` stays at SQLite's default, FULL: each commit is on disk before
  it is acknowledged. NORMAL (in WAL mode) would skip that fsync and be faster; a commit
  would still survive the process being killed (-9), but the last ones could be lost with
  the power. Not worth a lost 201.
- secure_delete: what is deleted or overwritten is zeroed in the file, not just marked free,
  so an erased person's words cannot be read back from the database file's bytes. Some
  builds of SQLite turn it on by default, others do not: it is set, not assumed.
"""

import sqlite3
from contextlib import contextmanager

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 15_000
# On a pooled connection: BEGIN IMMEDIATE is owed before the next statement.
_BEGIN_OWED = "rapport.sqlite.begin_owed"
# app.extensions key: a function saying whether this request may write. The HTTP layer
# knows (api.http.policies: all but public reads), and hands it down at start.
MAY_WRITE = "sqlite.may_write"


def _may_write() -> bool:
    """Whether this request may write (then its transaction takes the write lock at once).

    Outside a request (CLI, tests) transactions stay deferred: a long-lived session there
    must not hold the write lock while it only reads.
    """
    if has_app_context() and g.get("sqlite_writes"):
        return True
    if not has_request_context():
        return False
    return current_app.extensions.get(MAY_WRITE, lambda: True)()


@contextmanager
def writing():
    """Transactions begun inside take the write lock at once, as a request that may write
    does: for jobs, whose reads are followed by writes (see the module's docstring)."""
    before = g.get("sqlite_writes", False)
    g.sqlite_writes = True
    try:
        yield
    finally:
        g.sqlite_writes = before


@contextmanager
def read_first():
    """Run the statement inside outside the write lock, when it opens the transaction."""
    g.sqlite_read_first = True
    try:
        yield
    finally:
        g.sqlite_read_first = False


def _on_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below decide how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _on_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    if not _may_write():
        connection.exec_driver_sql("BEGIN")
    elif g.get("sqlite_read_first"):
        connection.info[_BEGIN_OWED] = True  # no BEGIN: the read runs on its own
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_owed(connection, cursor, _statement, _parameters, _context, _executemany):
    if connection.dialect.name != "sqlite":
        return
    if _BEGIN_OWED in connection.info and not g.get("sqlite_read_first"):
        del connection.info[_BEGIN_OWED]
        cursor.execute("BEGIN IMMEDIATE")


def _end(connection):
    # Ended before anything followed the read. (A connection found broken has no info to
    # clear: its record starts afresh when it reconnects.)
    if connection.dialect.name == "sqlite" and not connection.invalidated:
        connection.info.pop(_BEGIN_OWED, None)


def listen(engine: Engine) -> None:
    """Watch the app's engine's SQLite connections (called by api.db.init_app; twice is once).
    Only the app's: the rate-limit counters' own file (api.counters) keeps its own settings."""
    for name, listener in (
        ("connect", _on_connect),
        ("begin", _on_begin),
        ("before_cursor_execute", _begin_owed),
        ("commit", _end),
        ("rollback", _end),
    ):
        if not event.contains(engine, name, listener):
            event.listen(engine, name, listener)
