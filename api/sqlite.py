"""Make the embedded SQLite database safe with many threads and processes.

- WAL lets readers go on while one writer writes; busy_timeout makes a writer wait its turn.
- Requests that may write start their transactions with BEGIN IMMEDIATE: taking the write
  lock up front means a reader never has to upgrade mid-transaction, which SQLite can only
  refuse ("database is locked") rather than wait for. Public content reads stay deferred.
"""

import sqlite3

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.policies import PUBLIC, policy_for

BUSY_TIMEOUT_MS = 15_000


def _may_write() -> bool:
    """Requests other than public reads may write (private reads write an audit row).

    Outside a request (CLI, tests) transactions stay deferred: a long-lived session there
    must not hold the write lock while it only reads.
    """
    if not has_request_context():
        return False
    return not (request.method in ("GET", "HEAD") and policy_for(request.endpoint) == PUBLIC)


@event.listens_for(Engine, "connect")
def _on_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event below decide how each transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@event.listens_for(Engine, "begin")
def _on_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")
