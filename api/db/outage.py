"""When the database cannot be reached: which errors mean that, and a deadline to connect.

A refused or dropped connection, a connect that times out, a pool with no connection to
give, SQLite unable to open its file or read its disk: `is_unavailable` says so, and every
route then answers 503 (api.http.outage). Recovery needs no restart: `pool_pre_ping`
tests each pooled connection before lending it out, a connection that broke mid-use is
discarded by SQLAlchemy (with every connection pooled before it), and the next request
simply connects again.
"""

import sqlite3

import psycopg
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

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


def _connect_timeout(dialect, _record, _cargs, cparams):
    if dialect.name == "postgresql":
        cparams.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)


def listen() -> None:
    """Give PostgreSQL connects a deadline (called by api.db.init_app; twice is once)."""
    if not event.contains(Engine, "do_connect", _connect_timeout):
        event.listen(Engine, "do_connect", _connect_timeout)
