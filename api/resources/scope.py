"""Whose content a public read shows: the core content, plus one agency's when asked for."""

import uuid

from flask_smorest import abort

from api import api_keys
from api.extensions import db
from api.models import Agency


def agency_scope(agency_id: uuid.UUID | None) -> uuid.UUID | None:
    """The agency named by `?agency=`, else the one whose API key is presented.

    A named agency is checked to exist: a mistyped id is a 404, not a quiet fall back to
    core content that an integrator would never notice. (Public answers vary on the key,
    so a shared cache never hands one agency's list to another's visitors.)
    """
    if agency_id is None:
        return api_keys.current_agency_id()
    if db.session.get(Agency, agency_id) is None:
        abort(404, message=f"No agency has the id {agency_id}.")
    return agency_id
