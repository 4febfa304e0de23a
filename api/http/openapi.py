"""flask-smorest, adapted to this API's contract.

- Errors are RFC 9457 problems (`application/problem+json`), rendered and documented.
- No catch-all `default` response: each operation lists the errors it really returns.
- Paging is bounded (page and page_size) and sends RFC 8288 `Link` next to `X-Pagination`.
"""

import http
import json
from urllib.parse import urlencode

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from flask import request
from flask_smorest.pagination import PaginationMixin
from webargs.flaskparser import FlaskParser

from api.http.errors import PROBLEM_MIMETYPE, ProblemSchema, problem_from_exception
from api.http.policies import BODY_METHODS
from api.services.integrations import scopes

# Idempotency-Key values: a quoted structured-field string ("...") or a bare token.
IDEMPOTENCY_KEY_PATTERN = (
    r'^(?:"[\u0021\u0023-\u007e]{1,255}"|[\u0021\u0023-\u007e]{1,255})$')

# Highest page number accepted: big enough for any real list, small enough that
# OFFSET never overflows a 64-bit integer in SQLite or PostgreSQL.

CONTENT_HEADERS = {
    "ETag": {"description": "Strong validator; send it back in If-None-Match.",
             "schema": {"type": "string"}},
    "Cache-Control": {"description": "How long shared caches may keep this answer.",
                      "schema": {"type": "string"}},
    "Content-Language": {"description": "Languages of the text in the body, asked-for first.",
                         "schema": {"type": "string"}},
}

PAGING_HEADERS = {
    "X-Pagination": {
        "description": "Paging metadata as a JSON string: `total`, `total_pages`, "
        "`first_page`, `last_page`, `page`, `previous_page`, `next_page`.",
        "schema": {"type": "string"},
    },
    "Link": {
        "description": "RFC 8288 links to the `first`, `prev`, `next` and `last` pages.",
        "schema": {"type": "string"},
    },
}

# Sent by api.http.access.end_browser_session when a session ends.
SIGN_OUT_HEADERS = {
    "Clear-Site-Data": {
        "description": "Only when the session came from the web app's cookie: "
        '`"cache", "cookies", "storage"`, so the browser drops what it kept for this site '
        "(cached answers, cookies, IndexedDB, the service worker). Never sent to Bearer "
        "callers.",
        "schema": {"type": "string"},
    },
}


# IETF draft-ietf-httpapi-ratelimit-headers-11, as sent by api.ratelimits on public content.
RATE_LIMIT_HEADERS = {
    "RateLimit-Policy": {
        "description": "The quota this request counts against: `\"default\";q=300;w=60` "
        "(300 requests a minute per client IP, by default) or, with an API key, "
        "`\"api-key\";q=3000;w=60` (per key).",
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": "What is left of it: `\"default\";r=297;t=58` means 297 more "
        "requests, and room again within 58 seconds.",
        "schema": {"type": "string"},
    },
}


# Sent by api.db.outage whenever the database cannot be reached (and by /readyz).
UNAVAILABLE_EXTRAS = {
    "description": "Service Unavailable: the database cannot be reached right now and nothing "
    "was saved. Try again after the seconds in Retry-After.",
    "headers": {"Retry-After": {"description": "Seconds to wait.",
                                "schema": {"type": "string", "pattern": "^[0-9]+$"}}},
}


class NotReadySchema(ProblemSchema):
    """The problem /readyz answers when the instance should get no traffic."""

    checks = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), required=True,
        metadata={"description": "Each check and its state. `database`: `ok`, `read_only` "
                  "(it refuses writes: a read-only file or a standby) or `unreachable`. "
                  "`disk` (SQLite only: room where its file lives): `ok`, `full` or "
                  "`unreachable`.", "example": {"database": "ok", "disk": "full"}},
    )


class SchemaExtrasPlugin(BasePlugin):
    """Adds JSON Schema keywords marshmallow cannot express (`JSON_SCHEMA_EXTRA` on a schema)."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        return getattr(schema_class, "JSON_SCHEMA_EXTRA", None)


class RapportApi(flask_smorest.Api):
    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None

    def handle_http_exception(self, error):
        return problem_from_exception(error)

    def _register_responses(self):
        """Register a problem+json response component for every error status."""
        self.spec.components.schema("Problem", schema=ProblemSchema)
        self.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer",
                           "description": "The token from `POST /api/v1/auth/token`."})
        self.spec.components.security_scheme(
            "cookieAuth", {"type": "apiKey", "in": "cookie", "name": "__Host-rapport_session",
                           "description": "The web app's HttpOnly, SameSite=Strict session "
                           "cookie (`use_cookie: true` at sign-in)."})
        self.spec.components.security_scheme(
            "oauth2", {"type": "oauth2",
                       "description": "For apps acting for a person who said yes to them: "
                       "OAuth 2.1 authorization code with PKCE (`code_challenge_method=S256` "
                       "is required; no implicit or password grant). An app's token opens "
                       "only the operations that list one of its scopes here; every other "
                       "private operation answers 403 with `WWW-Authenticate: Bearer "
                       "error=\"insufficient_scope\"` naming the scope it needs.",
                       "flows": {"authorizationCode": {
                           "authorizationUrl": "/oauth/authorize",
                           "tokenUrl": "/oauth/token",
                           "refreshUrl": "/oauth/token",
                           "scopes": {name: words["en"]
                                      for name, words in scopes.SCOPES.items()}}}})
        self.spec.components.security_scheme(
            "apiKeyAuth", {"type": "apiKey", "in": "header", "name": "X-API-Key",
                           "description": "An agency API key (`POST /api/v1/agencies/"
                           "{agency_id}/api-keys`). Optional on public content, where it "
                           "earns a higher rate limit of its own; a key that is not valid "
                           "(unknown or revoked) is refused with 401 on every route."})
        self.spec.components.response(
            "RATE_LIMITED",
            {"description": "Too Many Requests: wait for the seconds in Retry-After.",
             "headers": {"Retry-After": {"description": "Seconds to wait.",
                                         "schema": {"type": "string", "pattern": "^[0-9]+$"}},
                         **RATE_LIMIT_HEADERS},
             "content": {PROBLEM_MIMETYPE: {"schema": "Problem"}}},
            lazy=True,
        )
        self.spec.components.parameter(
            "IDEMPOTENCY_KEY", "header",
            {"name": "Idempotency-Key",
             "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
             "description": "Makes a retry safe: a repeat with the same key and body gets "
             "the first answer (with `Idempotent-Replayed: true`); the same key with another "
             "body is 422; while the first is still running, 409. Keys are per caller and "
             "kept 30 days. Quoted (`\"uuid\"`) or bare."},
        )
        self.spec.components.parameter(
            "ACCEPT_LANGUAGE", "header",
            {"name": "Accept-Language", "schema": {"type": "string"},
             "description": "Preferred languages (RFC 9110); used when `lang` is not given."},
        )
        self.spec.components.response(
            "NOT_READY",
            {"description": "Service Unavailable: take this instance out of rotation. Its "
             "database is out of reach or refuses writes, or its disk is nearly full; "
             "`checks` says which. Try again after the seconds in Retry-After.",
             "headers": UNAVAILABLE_EXTRAS["headers"],
             "content": {PROBLEM_MIMETYPE: {"schema": NotReadySchema}}},
            lazy=True,
        )
        for status in http.HTTPStatus:
            if status < 400:
                continue
            self.spec.components.response(
                status.name,
                {
                    "description": status.phrase,
                    "content": {PROBLEM_MIMETYPE: {"schema": "Problem"}},
                    **(UNAVAILABLE_EXTRAS if status == 503 else {}),
                },
                lazy=True,
            )


def paging_headers(page: int, page_size: int, total: int) -> dict[str, str]:
    """X-Pagination (flask-smorest's format) and an RFC 8288 Link header for one page."""
    metadata = PaginationMixin._make_pagination_metadata(page, page_size, total)
    links = []
    targets = {
        "first": metadata.get("first_page"),
        "prev": metadata.get("previous_page"),
        "next": metadata.get("next_page"),
        "last": metadata.get("last_page"),
    }
    for rel, number in targets.items():
        if number is not None:
            args = request.args.to_dict(flat=False)
            args["page"] = [str(number)]
            args["page_size"] = [str(page_size)]
            links.append(f'<{request.base_url}?{urlencode(args, doseq=True)}>; rel="{rel}"')
    headers = {"X-Pagination": json.dumps(metadata)}
    if links:
        headers["Link"] = ", ".join(links)
    return headers


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint that documents errors as problem+json responses."""

    # Let each schema's `unknown = RAISE` speak for every location: webargs would
    # otherwise silently drop unknown query parameters.
    ARGUMENTS_PARSER = FlaskParser(unknown=None)

    def errors(self, *statuses: int):
        """Document the errors an operation really returns."""

        def decorator(func):
            for status in statuses:
                func = self.alt_response(status, response=http.HTTPStatus(status).name)(func)
            return func

        return decorator

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_rapport_doc)

    def cacheable(self, func):
        """Document conditional GET: If-None-Match in, 304 Not Modified out."""
        func = self.alt_response(
            304, description="Not Modified: the copy named in If-None-Match is current.",
            headers={"ETag": CONTENT_HEADERS["ETag"]},
        )(func)
        func._apidoc = {**func._apidoc, "cacheable": True}
        return func

    def conditional_write(self, func):
        """Document If-Match on an edit: 428 without it, 412 when it names an old version."""
        func._apidoc = {**getattr(func, "_apidoc", {}), "conditional_write": True}
        return func

    def localised(self, func):
        """Document that Accept-Language picks the language when `lang` is not given."""
        func._apidoc = {**getattr(func, "_apidoc", {}), "localised": True}
        return func

    def without_database(self, func):
        """Document that an operation never touches the database, so never answers 503."""
        func._apidoc = {**getattr(func, "_apidoc", {}), "without_database": True}
        return func

    @staticmethod
    def _prepare_rapport_doc(doc, doc_info, *, method, **kwargs):
        # Rules enforced for every route (api.http.policies) are documented for every operation.
        responses = doc.setdefault("responses", {})
        statuses = [413] + ([400, 415] if method.upper() in BODY_METHODS else [])
        for status in statuses:
            responses.setdefault(status, http.HTTPStatus(status).name)
        if not doc_info.get("without_database"):  # api.db.outage: the database out of reach
            responses.setdefault(503, http.HTTPStatus(503).name)
        access = doc_info.get("access")
        if access is not None and access.signed_in:
            doc["security"] = [{"bearerAuth": []}, {"cookieAuth": []}]
            if access.scope is not None:  # the one scope an app's token needs here
                doc["security"].append({"oauth2": [access.scope]})
            responses.setdefault(401, http.HTTPStatus(401).name)
            # Requests refused for want of a session are limited per address (api.http.access).
            responses.setdefault(429, http.HTTPStatus(429).name)
            # Role checks, cookie writes that are neither JSON nor X-Requested-With, and an
            # app's token on any operation its scopes do not open (insufficient_scope).
            responses.setdefault(403, http.HTTPStatus(403).name)
        if doc_info.get("conditional_write"):
            doc.setdefault("parameters", []).append("IF_MATCH")
            responses.setdefault(412, http.HTTPStatus(412).name)
            responses.setdefault(428, http.HTTPStatus(428).name)
        if doc_info.get("idempotent"):
            doc.setdefault("parameters", []).append("IDEMPOTENCY_KEY")
            responses.setdefault(409, http.HTTPStatus(409).name)
            responses.setdefault(422, http.HTTPStatus(422).name)
        if doc_info.get("cacheable"):
            doc.setdefault("parameters", []).append("IF_NONE_MATCH")
            # Public content, which alone is cacheable, is rate limited (api.ratelimits);
            # an API key is optional there, and one that is not valid is a 401.
            doc["security"] = [{}, {"apiKeyAuth": []}]
            responses.setdefault(401, http.HTTPStatus(401).name)
            responses.setdefault(429, "RATE_LIMITED")
            for code, response in responses.items():
                if str(code) in ("200", "304") and isinstance(response, dict):
                    response["headers"] = {**response.get("headers", {}), **RATE_LIMIT_HEADERS}
        if doc_info.get("localised"):
            doc.setdefault("parameters", []).append("ACCEPT_LANGUAGE")
        return doc


# The one API object: resources register their blueprints on it, api.http.init_app binds it.
api = RapportApi(spec_kwargs={"extra_plugins": [SchemaExtrasPlugin()]})
