"""HTTP rules every route keeps, applied in one place so no route can forget them.

A route is private unless marked public: private responses are `no-store` and carry no
CORS header. Public GETs are shared-cacheable, have a strong ETag, answer 304 to a
matching If-None-Match, and are open to any origin. A request body is at most 64 KiB of
JSON nested at most MAX_JSON_DEPTH deep.
"""

import json
import re

from flask import Flask, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.wrappers import Response

from api.config import MAX_JSON_DEPTH
from api.db import sqlite
from api.http.conditional import body_etag

PUBLIC = "public"
PRIVATE = "private"

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
EXPOSED_HEADERS = ("ETag, Link, X-Pagination, Content-Language, Retry-After, RateLimit, "
                   "RateLimit-Policy, X-Request-ID")
# Endpoints we do not define ourselves but serve publicly (the spec).
PUBLIC_ENDPOINTS = {"api-docs.openapi_json"}

# A JSON API response is data, never a document: nothing in it may run or be framed.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Anything else that does not set its own policy (files, redirects, empty responses).
DEFAULT_CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
HSTS = "max-age=63072000; includeSubDomains"


# A JSON string with its escapes, or the rest of the text after an unterminated one: brackets
# in there do not nest. Possessive quantifiers: no text makes it backtrack.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


def _nested_deeper_than(limit: int, text: str) -> bool:
    if text.count("[") + text.count("{") <= limit:
        return False  # it cannot nest deeper than it has brackets: nearly every body stops here
    depth = 0
    for bracket in _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


_LONE_SURROGATE_HINT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")


def _encodable(value) -> bool:
    """True when every string in the parsed JSON is real Unicode text."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_encodable(key) and _encodable(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_encodable(item) for item in value)
    return True


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing text nested deeper than MAX_JSON_DEPTH before parsing it.

    Python's parser recurses once per level: 32,000 `[` fit in 64 KiB and made it raise
    RecursionError, a 500. Refused as a ValueError, such a body is the malformed-JSON 400 of
    `request.get_json()` wherever it is called, and no schema ever walks a deep tree.
    """

    def loads(self, s: str | bytes, **kwargs):
        text = s.decode(json.detect_encoding(s), "surrogatepass") if isinstance(s, bytes) else s
        if _nested_deeper_than(MAX_JSON_DEPTH, text):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        data = super().loads(text, **kwargs)
        # "\ud800" alone is valid JSON but no Unicode text: it broke argon2 and the database
        # drivers (UnicodeEncodeError, a 500). Looked for only when an escape could make one.
        if _LONE_SURROGATE_HINT.search(text) and not _encodable(data):
            raise ValueError("JSON string holds a lone surrogate")
        return data


def public(view):
    """Mark a view function or MethodView class as public, cacheable content."""
    view.cache_policy = PUBLIC
    return view


def policy_for(endpoint: str | None) -> str:
    if endpoint is None:
        return PRIVATE
    if endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    marker = getattr(getattr(view, "view_class", None), "cache_policy", None)
    return getattr(view, "cache_policy", marker) or PRIVATE


def init_app(app: Flask) -> None:
    app.extensions[sqlite.MAY_WRITE] = may_write
    app.before_request(_check_request_body)
    app.after_request(_apply_response_rules)


def may_write() -> bool:
    """Requests other than public reads may write (private reads write an audit row)."""
    return not (request.method in ("GET", "HEAD") and policy_for(request.endpoint) == PUBLIC)


def _check_request_body():
    # Routing errors (404, 405) speak first; Flask raises them after this hook.
    if request.routing_exception is not None:
        return
    limit = current_app.config["MAX_BODY_BYTES"]
    length = request.content_length
    if length is not None and length > limit:
        abort(413)
    if request.method in BODY_METHODS and (length or request.headers.get("Transfer-Encoding")):
        if len(request.get_data(cache=True)) > limit:  # chunked: no length to trust
            abort(413)
        if not request.is_json and not _accepts_form():
            abort(415)
        # Parse now so malformed JSON is a 400 on every route, not just those that read it.
        if request.is_json:
            request.get_json()


def _accepts_form() -> bool:
    """OAuth's token and revocation endpoints take form bodies, as RFC 6749 says."""
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "accepts_form", False) and request.mimetype == \
        "application/x-www-form-urlencoded"


def _apply_response_rules(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype in ("application/json", "application/problem+json"):
        response.headers.setdefault("Content-Security-Policy", API_CSP)
    response.headers.setdefault("Content-Security-Policy", DEFAULT_CSP)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)

    if policy_for(request.endpoint) == PUBLIC and request.method in SAFE_METHODS:
        _open_to_any_origin(response)
        response.vary.add("X-API-Key")  # a key picks its agency's content and its own limit
        if response.status_code == 200 and request.method != "OPTIONS":
            _make_cacheable(response)
            return response
    if "Cache-Control" not in response.headers or response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
    return response


def _open_to_any_origin(response: Response) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":  # CORS preflight (If-None-Match is not a simple header)
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Accept, Accept-Language, If-None-Match, X-Api-Key"
        )
        response.headers["Access-Control-Max-Age"] = "86400"


def _make_cacheable(response: Response) -> None:
    cache_control = response.cache_control
    cache_control.public = True
    # Keep a view's own lifetime (tip of the day) or a file's `no-cache` (revalidate).
    if cache_control.max_age is None and not cache_control.no_cache:
        cache_control.max_age = current_app.config["PUBLIC_MAX_AGE"]
    if response.get_etag()[0] is None and not response.direct_passthrough \
            and not response.is_streamed:
        # (Answers from api.caching.public_cache bring the one worked out when they were made.)
        response.set_etag(body_etag(response.get_data()))
    response.make_conditional(request)
