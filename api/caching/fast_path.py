"""Repeated public reads answered before Flask runs.

A public answer that is the same for anyone sending the same request (the tip and FAQ
lists, a tip, an FAQ, the feeds, the surveys, the crisis lines: every `@cached` view with no
day of its own, asked without an API key) is kept here once Flask has made it: the exact
status line, headers and bytes sent. It is kept per scheme, host, path, query string and
the Accept-Language and Accept-Encoding headers as sent (so every choice Flask made from
them is made again by Flask, never guessed here), and labelled with the content version.

A repeat is then answered from here, doing per request what Flask would have done, with the
same code: the public quota (api.ratelimits, counted before anything is sent), the request
id, a 304 for a matching If-None-Match, the metrics and the access log line, for a fraction
of what the same read costs through Flask.

Everything else goes to Flask, which remains the one place where answers are made: other
methods and HEAD, an X-API-Key (it must be checked), a Range, any request while this
process has not read the content version within CONTENT_VERSION_TTL (Flask reads it, and
the next request is fast again), a client over its quota (Flask makes the 429), and the
first request for each key (its 200 is kept even when a 304 was sent). Nothing that
sets a cookie is kept.
"""

import time
from dataclasses import dataclass

from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.http import http_date, is_resource_modified, remove_entity_headers, unquote_etag

from api import observability, ratelimits
from api.caching.public_cache import SAME_FOR_ANYONE, PublicCache
from api.lib.addresses import client_address
from api.services.content import content_version

# Worked out per request, never replayed.
PER_REQUEST = frozenset({"x-request-id", "ratelimit", "date"})


@dataclass(frozen=True)
class Answer:
    version: int
    body: bytes
    headers: list[tuple[str, str]]  # as sent, less PER_REQUEST
    not_modified_headers: list[tuple[str, str]]  # what Werkzeug keeps on a 304
    etag: str  # as sent in the ETag field, quotes and all
    route: str
    endpoint: str


class FastPath:
    """WSGI middleware in front of Flask's own `wsgi_app`."""

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self._answers = PublicCache(app.config["PUBLIC_CACHE_ENTRIES"])

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or "HTTP_X_API_KEY" in environ \
                or "HTTP_RANGE" in environ:
            return self.wsgi_app(environ, start_response)
        get = environ.get
        key = (get("wsgi.url_scheme"), get("HTTP_HOST"), get("SERVER_NAME"), get("SERVER_PORT"),
               get("SCRIPT_NAME"), get("PATH_INFO"), get("QUERY_STRING"),
               get("HTTP_ACCEPT_LANGUAGE"), get("HTTP_ACCEPT_ENCODING"))
        version = content_version.fresh(self.app)
        answer = self._answers.get(key, version) if version is not None else None
        if answer is not None:
            sent = self._answer(answer, environ, start_response)
            if sent is not None:
                return sent
        return self._through_flask(key, environ, start_response)

    def _answer(self, answer: Answer, environ, start_response):
        started = time.perf_counter()
        verdict = ratelimits.count_anonymous(
            self.app, client_address(environ.get("REMOTE_ADDR")))
        if not verdict.allowed:
            return None  # Flask makes the 429 problem, with the same count
        request_id = observability.request_id_for(
            environ.get("HTTP_X_REQUEST_ID", ""))
        fresh = [("Date", _now_http_date()), ("RateLimit", verdict.limit_field),
                 (observability.REQUEST_ID_HEADER, request_id)]
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        # The common case, a client sending back the ETag it was given, needs no parsing.
        if if_none_match != answer.etag and (if_none_match is None or is_resource_modified(
                environ, etag=unquote_etag(answer.etag)[0])):
            status, headers, body = "200 OK", answer.headers + fresh, answer.body
        else:
            status, headers, body = "304 NOT MODIFIED", answer.not_modified_headers + fresh, b""
        start_response(status, headers)
        observability.record_answer("GET", answer.route, answer.endpoint, int(status[:3]),
                                    time.perf_counter() - started, len(body), request_id)
        return [body]

    def _through_flask(self, key: tuple, environ, start_response):
        sent = {}

        def remember(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        answer_iter = self.wsgi_app(environ, remember)
        made = environ.get(SAME_FOR_ANYONE)
        if made is not None and sent.get("status", "")[:4] in ("200 ", "304 ") \
                and not any(name.lower() == "set-cookie" for name, _ in sent["headers"]):
            version, route, endpoint, response = made
            self._answers.put(key, _answer_from(version, route, endpoint, response.get_data(),
                                                list(response.headers.items())))
        return answer_iter


_date = {"second": 0, "text": ""}


def _now_http_date() -> str:
    """The Date field Werkzeug's make_conditional adds, made once a second, not per answer."""
    second = int(time.time())
    if _date["second"] != second:
        _date["text"] = http_date(second)
        _date["second"] = second
    return _date["text"]


def _answer_from(version: int, route: str, endpoint: str, body: bytes,
                 sent: list[tuple[str, str]]) -> Answer:
    headers = [(name, value) for name, value in sent if name.lower() not in PER_REQUEST]
    not_modified = Headers(headers)
    etag = not_modified["ETag"]
    remove_entity_headers(not_modified)
    return Answer(version=version, body=body, headers=headers,
                  not_modified_headers=list(not_modified.items()), etag=etag,
                  route=route, endpoint=endpoint)


def init_app(app: Flask) -> None:
    """Put the fast path in front of Flask (inside ProxyFix, which must see requests first)."""
    if app.config["PUBLIC_FAST_PATH"]:
        app.wsgi_app = app.extensions["fast_path"] = FastPath(app, app.wsgi_app)
