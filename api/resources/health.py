"""Liveness and readiness probes for load balancers and orchestrators."""

import marshmallow as ma
from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api import access, outage
from api.extensions import db
from api.openapi import Blueprint
from api.schemas.common import NoArgsSchema

blp = Blueprint("health", __name__, description="Is the service up, and ready for traffic?")


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"example": "ok"})


class ReadinessSchema(HealthSchema):
    checks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True,
        metadata={"example": {"database": "ok"}},
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
    @blp.errors(422, 503)
    def get(self, _args):
        """Say whether the service can serve: the database answers."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            db.session.rollback()
            return outage.unavailable()
        return {"status": "ready", "checks": {"database": "ok"}}
