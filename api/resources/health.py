"""Liveness and readiness probes for load balancers and orchestrators."""

import shutil
import sqlite3
from pathlib import Path

import marshmallow as ma
import psycopg
from flask import current_app
from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.db.outage import is_unavailable
from api.extensions import db
from api.http import access, outage
from api.http.errors import problem
from api.http.openapi import Blueprint
from api.schemas.common import NoArgsSchema

blp = Blueprint("health", __name__, description="Is the service up, and ready for traffic?")

# A write that deletes nothing: refused wherever writes are (a read-only file, PRAGMA
# query_only, a read-only transaction, a standby), yet it writes nothing to disk, and it is
# rolled back at once.
WRITE_PROBE = text("DELETE FROM content_version WHERE 1 = 0")
# The database answers but cannot take writes, or soon will not: `checks` says which.
CANNOT_WRITE = "The service can't save anything right now. Try again in a moment."


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(HealthSchema):
    checks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True,
        metadata={"description": "Each check and its state, all `ok` here: `database` "
                  "(it takes writes) and, on SQLite, `disk` (room where its file lives).",
                  "example": {"database": "ok", "disk": "ok"}},
    )


@blp.route("/healthz")
class Health(MethodView):
    @access.anyone
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, HealthSchema)
    @blp.errors(422)
    @blp.without_database
    def get(self, _args):
        """Say the process is alive (touches nothing else)."""
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @access.anyone
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, ReadinessSchema)
    @blp.alt_response(503, response="NOT_READY")
    @blp.errors(422)
    def get(self, _args):
        """Say whether the service can serve: the database takes writes, its disk has room."""
        checks = {"database": _database_state()}
        if (disk := _disk_state(current_app.config["READY_MIN_FREE_MB"] * 2**20)) is not None:
            checks["disk"] = disk
        if all(state == "ok" for state in checks.values()):
            return {"status": "ready", "checks": checks}
        detail = outage.DETAIL if checks["database"] == "unreachable" else CANNOT_WRITE
        return problem(503, detail, headers={"Retry-After": str(outage.RETRY_AFTER_SECONDS)},
                       members={"checks": checks})


def _database_state() -> str:
    try:
        db.session.execute(WRITE_PROBE)
        state = "ok"
    except SQLAlchemyError as error:
        if _refuses_writes(getattr(error, "orig", None)):
            state = "read_only"
        elif is_unavailable(error):
            state = "unreachable"
        else:
            raise
    db.session.rollback()
    return state


def _refuses_writes(cause) -> bool:
    if isinstance(cause, psycopg.errors.ReadOnlySqlTransaction):
        return True
    return isinstance(cause, sqlite3.Error) and \
        (cause.sqlite_errorname or "").startswith("SQLITE_READONLY")


def _disk_state(min_free_bytes: int) -> str | None:
    """How the disk holding the SQLite file is doing; None on a database server."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    try:
        free = shutil.disk_usage(Path(url.database).resolve().parent).free
    except OSError:  # its folder is gone (an unmounted volume)
        return "unreachable"
    # Writes would soon fail: WAL growth, checkpoints and rate-limit counts all need room.
    return "ok" if free >= min_free_bytes else "full"
