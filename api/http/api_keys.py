"""The agency API key a request presents in `X-API-Key`, found once per request.

A key only identifies an integrator's agency (for its own rate limit); it signs no one in.
A key that is sent but is not valid (unknown, malformed or revoked) is refused with 401 on
every route, never read as "no key": an integrator must learn at once that a key stopped
working, not from slowly hitting the anonymous limit.
"""

import uuid

from flask import g, request
from flask_smorest import abort

from api.db.unit_of_work import unit_of_work
from api.models import ApiKey
from api.services import audit
from api.services.accounts import api_keys

HEADER = "X-API-Key"
_UNSET = object()


def current_key() -> ApiKey | None:
    """The live key this request presents, or None (none sent, or not valid)."""
    if g.get("api_key", _UNSET) is _UNSET:
        g.api_key, g.bad_api_key = None, False
        presented = request.headers.get(HEADER)
        if presented is not None:
            key = api_keys.resolve(presented.strip())
            if key is None:
                g.bad_api_key = True
            else:
                # Before any view's boundary: the key's "last used" is a unit of its own.
                with unit_of_work():
                    api_keys.note_use(key)
                g.api_key = key
    return g.api_key


def current_agency_id() -> uuid.UUID | None:
    """The agency whose valid key this request presents, if any."""
    key = current_key()
    return key.agency_id if key is not None else None


def refuse_invalid_key() -> None:
    """Stop the request with a 401 problem if it presents a key that does not work."""
    current_key()
    if g.bad_api_key:
        audit.count_denial(401, None)  # counted, never a row: anyone can send a bad key
        # No registered scheme names API keys; the challenge says where the key goes.
        abort(401, message="This API key is not valid or has been revoked. Send a live "
              "key in X-API-Key, or none to be served as an anonymous client.",
              headers={"WWW-Authenticate": f'ApiKey realm="rapport", header="{HEADER}"'})
