"""When the database cannot be reached: a 503 problem with Retry-After, never a 500.

A refused or dropped connection, a connect that times out, a pool with no connection to
give, SQLite unable to open its file or read its disk: every route that needs the database
answers `503 application/problem+json` with `Retry-After`, after rolling its session back.
Nothing half-done is kept: a creating POST's effect and its stored idempotent answer commit
together (api.idempotency), so a retry with the same key is safe.

Recovery needs no restart. `pool_pre_ping` tests each pooled connection before lending it
out, a connection that broke mid-use is discarded by SQLAlchemy (with every connection
pooled before it), and the next request simply connects again.
"""

import sqlite3

import psycopg
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from api.extensions import db
from api.http.errors import problem

RETRY_AFTER_SECONDS = 5
DETAIL = ("The service can't reach its database right now. Nothing was saved. "
          "Try again in a moment.")
# Without it a PostgreSQL server whose packets vanish (not refused) holds a request for the
# kernel's TCP retry time, minutes; libpq's own default is to wait forever.
CONNECT_TIMEOUT_SECONDS = 5

# OperationalError: refused, dropped, timed out, "unable to open database file", disk I/O,
# a lock not granted in time. InterfaceError: a connection already closed. TimeoutError: the
# pool had no connection to lend in time. The raw driver errors, should one escape unwrapped.
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError,
               psycopg.OperationalError, psycopg.InterfaceError, sqlite3.OperationalError)


def is_unavailable(error: BaseException) -> bool:
    if isinstance(error, UNAVAILABLE):
        return True
    # Any other driver error that cost the connection (SQLAlchemy marks it) is an outage too.
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)


def unavailable():
    """The 503 problem every route gives while the database is out of reach."""
    return problem(503, DETAIL, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def init_app(app: Flask) -> None:
    for error_class in (*UNAVAILABLE, sa_exc.DBAPIError):
        app.register_error_handler(error_class, _handle)


def _handle(error: Exception):
    if not is_unavailable(error):
        raise error  # an IntegrityError and the like is a bug: the 500 handler takes it
    # Type and frames only reach the log (api.observability): messages can hold data.
    current_app.logger.error("Database unavailable", exc_info=error)
    try:
        db.session.rollback()  # discards the broken connection; nothing half-done is kept
    except Exception:  # the connection may be past rolling back: log it, answer anyway
        current_app.logger.warning("Rollback failed after a database error", exc_info=True)
    return unavailable()


def _connect_timeout(dialect, _record, _cargs, cparams):
    if dialect.name == "postgresql":
        cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)


def listen() -> None:
    """Give PostgreSQL connects a deadline (called by api.db.init_app; twice is once)."""
    for name, listener in (
        ("do_connect", _connect_timeout),
    ):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)
