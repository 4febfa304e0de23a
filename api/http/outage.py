"""When the database cannot be reached: a 503 problem with Retry-After, never a 500.

Every route that needs the database answers `503 application/problem+json` with
`Retry-After` once api.db.outage says the error means the database is away, after rolling
its session back. Nothing half-done is kept: a creating POST's effect and its stored
idempotent answer commit together (api.http.idempotency), so a retry with the same key is
safe.
"""

from flask import Flask, current_app
from sqlalchemy import exc as sa_exc

from api.db.outage import UNAVAILABLE, is_unavailable
from api.extensions import db
from api.http.errors import problem

RETRY_AFTER_SECONDS = 5
DETAIL = ("The service can't reach its database right now. Nothing was saved. "
          "Try again in a moment.")


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
