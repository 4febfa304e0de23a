"""Whose content a public read shows: the core content, plus one agency's when asked for."""

import uuid

from flask_smorest import abort

from api.extensions import db
from api.models import Agency


def agency_scope(agency_id: uuid.UUID | None) -> uuid.UUID | None:
    """The agency named by `?agency=`, checked to exist: a mistyped id is a 404, not a
    quiet fall back to core content that an integrator would never notice."""
    if agency_id is not None and db.session.get(Agency, agency_id) is None:
        abort(404, message=f"No agency has the id {agency_id}.")
    return agency_id
