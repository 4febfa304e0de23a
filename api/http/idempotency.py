"""The Idempotency-Key header (IETF draft) on creating POSTs.

A replay returns the stored status and body with `Idempotent-Replayed: true`; the same key
with another request is 422; a key whose first request is still running is 409. Keys are
scoped to the caller and kept 30 days, in the database, so every process sees them. Only
answers below 400 are kept: an error answer changed nothing, so a retry simply runs again.
"""

import hashlib
import json
import re
from functools import wraps

from flask import Response, make_response, request
from flask_smorest import abort

from api.db import idempotency_keys as idempotency
from api.http import access
from api.http.openapi import IDEMPOTENCY_KEY_PATTERN

HEADER = "Idempotency-Key"
_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
# Only these survive into a replay; nothing that could carry a session.
_REPLAYED_HEADERS = ("Content-Type", "Location", "ETag", "Content-Language")


def _fingerprint() -> str:
    body = request.get_json(silent=True)
    canonical = (json.dumps(body, sort_keys=True, separators=(",", ":")) if body is not None
                 else request.get_data(as_text=True))
    return hashlib.sha256(f"{request.method} {request.path}\n{canonical}".encode()).hexdigest()


def _scope() -> str:
    user = access.caller()
    return idempotency.user_scope(user.id) if user else f"anon:{request.remote_addr}"


def idempotent(func):
    """Honour Idempotency-Key on a creating POST. Place it under the access decorator."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return func(*args, **kwargs)
        match = _KEY.match(raw.strip())
        if not match:
            abort(422, errors={HEADER: ["Use 1 to 255 visible characters, e.g. a UUID."]})
        fingerprint = _fingerprint()
        # The claim, the view's work and its stored answer share the request's one
        # transaction (api.db.unit_of_work): an error answer or a crash undoes all three.
        claim = idempotency.claim(_scope(), raw.strip().strip('"'), fingerprint)
        if claim.existing is not None:
            return _answer_repeat(claim.existing, fingerprint)
        response = make_response(func(*args, **kwargs))
        if response.status_code < 400:
            headers = {k: response.headers[k] for k in _REPLAYED_HEADERS
                       if k in response.headers}
            idempotency.store(claim, response.status_code, response.get_data(as_text=True),
                              headers)
        return response

    wrapper._apidoc = {**getattr(func, "_apidoc", {}), "idempotent": True}
    return wrapper


def _answer_repeat(record, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        abort(422, errors={HEADER: ["This key was already used for a different request."]})
    if record.status_code is None:
        abort(409, message="A request with this Idempotency-Key is still being handled.",
              headers={"Retry-After": "1"})
    response = Response(record.body, status=record.status_code, headers=record.headers or {})
    response.headers["Idempotent-Replayed"] = "true"
    return response
