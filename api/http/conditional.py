"""ETags from versions, and If-Match on edits (RFC 9110): 428 without it, 412 when stale."""

import hashlib
import re

from flask import make_response, request
from flask_smorest import abort

# "v3", or "v3:br" as a compressed answer carried it (api.config COMPRESS_*).
_VERSION_TAG = re.compile(r"v(\d{1,9})(?::[a-z]+)?")


# In the spec, on every answer that carries an item's version.
VERSION_HEADER = {"ETag": {"description": 'The version to send back in If-Match: `"v<version>"`.',
                           "schema": {"type": "string"}}}


def etag(version: int) -> str:
    return f"v{version}"


def body_etag(body: bytes) -> str:
    """A strong ETag from the exact bytes sent: any change in content or language changes it."""
    return hashlib.sha256(body).hexdigest()[:32]


def versioned(body: dict, version: int, status: int = 200, headers: dict | None = None):
    """A JSON response whose ETag is the item's version, ready for the next If-Match."""
    response = make_response(body, status)
    response.set_etag(etag(version))
    response.headers.extend(headers or {})
    return response


def expected_versions() -> set[int] | None:
    """The versions If-Match names (None for `*`: any current version will do)."""
    if "If-Match" not in request.headers:
        abort(428, message="Send If-Match with the ETag you last saw, so no edit is lost.")
    if request.if_match.star_tag:
        return None
    versions = {int(m.group(1)) for tag in request.if_match.as_set()
                if (m := _VERSION_TAG.fullmatch(tag))}
    if not versions:
        abort(412)
    return versions
