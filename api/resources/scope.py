"""Whose content a public read shows: the core content, plus one agency's when asked for."""

import uuid

from flask import url_for
from flask_smorest import abort

from api.extensions import db
from api.http import api_keys
from api.models import Agency


def scoped_agency(agency_id: uuid.UUID | None) -> Agency | None:
    """The agency named by `?agency=`, else the one whose API key is presented.

    A named agency is checked to exist: a mistyped id is a 404, not a quiet fall back to
    core content that an integrator would never notice. (Public answers vary on the key,
    so a shared cache never hands one agency's list to another's visitors.)
    """
    wanted = agency_id if agency_id is not None else api_keys.current_agency_id()
    if wanted is None:
        return None
    agency = db.session.get(Agency, wanted)
    if agency is None:
        abort(404, message=f"No agency has the id {wanted}.")
    return agency


def agency_scope(agency_id: uuid.UUID | None) -> uuid.UUID | None:
    """The id of `scoped_agency`, for services that filter by it."""
    agency = scoped_agency(agency_id)
    return agency.id if agency else None


def app_links(language: str | None, agency: Agency | None) -> tuple[str, str]:
    """The phone app's address and the query its tip links carry (`?lang=..&agency=..`)."""
    home = url_for("frontend.app_shell", _external=True)
    pairs = [(key, value) for key, value in (("lang", language),
                                             ("agency", agency.id if agency else None)) if value]
    return home, ("?" + "&".join(f"{k}={v}" for k, v in pairs)) if pairs else ""
