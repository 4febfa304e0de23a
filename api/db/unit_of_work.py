"""One unit of work per request, as Pyramid's pyramid_tm or Django's ATOMIC_REQUESTS do.

Services change the session and never commit. The boundary around every view commits once
when the view answers below 400, and rolls back on an error answer or an exception; a
creating POST's stored idempotent answer (api.http.idempotency) is written before the boundary,
so it commits with the work or not at all. CLI commands and tests use the same boundary:
`with unit_of_work(): ...`.

Two things step outside the transaction, on purpose:
- `keep_if_failed(write)`: what must be recorded even when the request fails (the audit row
  of a refusal or a failed sign-in). It is written in the request's transaction, and again,
  in a transaction of its own, after a rollback.
- `after_commit(callback)`: work that may only follow a commit (SQLite's checkpoint after an
  erasure). Dropped on rollback.
"""

from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps

from flask import Flask, current_app

from api.extensions import db

_KEPT = "rapport.keep_if_failed"
_AFTER = "rapport.after_commit"


def keep_if_failed(write: Callable[[], object]) -> None:
    """Run `write` again in a transaction of its own should this unit of work roll back."""
    db.session.info.setdefault(_KEPT, []).append(write)


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once this unit of work has committed."""
    db.session.info.setdefault(_AFTER, []).append(callback)


@contextmanager
def unit_of_work():
    """Commit what the block did, or roll it all back if it raises."""
    try:
        yield
        commit()
    except BaseException:
        roll_back()
        raise


def commit() -> None:
    session = db.session
    session.info.pop(_KEPT, None)
    session.commit()
    for callback in session.info.pop(_AFTER, []):
        try:
            callback()
        except Exception:
            # The work is saved: the caller hears so. What failed after is only logged.
            current_app.logger.exception("A step after the commit failed")


def roll_back() -> None:
    session = db.session
    kept = session.info.pop(_KEPT, [])
    session.info.pop(_AFTER, None)
    try:
        session.rollback()
        if kept:
            for write in kept:
                write()
            session.commit()
    except Exception:
        # The database may be what failed (api.http.outage answers that): the request's own
        # error is the one to report, so this is logged, never raised over it.
        current_app.logger.warning("Could not keep records after a rollback", exc_info=True)
        session.rollback()


def transactional(view):
    """The boundary around one view: commit below 400, roll back otherwise."""

    @wraps(view)
    def boundary(*args, **kwargs):
        try:
            response = current_app.make_response(view(*args, **kwargs))
            if response.status_code >= 400:
                roll_back()
                return response
            commit()
        except BaseException:
            roll_back()
            raise
        return response

    boundary.transactional = True
    return boundary


def init_app(app: Flask) -> None:
    """Put the boundary around every view registered so far (call it after the routes);
    calling it again wraps only the views added since."""
    for endpoint, view in app.view_functions.items():
        if not getattr(view, "transactional", False):
            app.view_functions[endpoint] = transactional(view)
