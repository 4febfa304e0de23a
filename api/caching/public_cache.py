"""Public answers served from memory.

A public GET (tips, FAQs, feeds, surveys, crisis lines, the embed) is made once per process
and kept, as the exact bytes sent, with its strong ETag and, once asked for, its brotli and
gzip forms. It is kept per request URL (path and query: paging, `lang`, `agency`), the
language Accept-Language picks, the agency an X-API-Key names and, where a view says so, the
day; and labelled with the content version it was made from (services.content.content_version), so
any change to content makes it stale in every process.

A hit reads nothing from the database; a conditional GET that matches is a 304 built from the
stored ETag. Only 200s are kept, so bad input still meets validation and gets its problem.
The rate limits, CORS and the other rules (api.http.policies) still apply to every answer.
"""

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

import brotli
from flask import Flask, current_app, make_response, request
from werkzeug.wrappers import Response

from api.http import api_keys
from api.http.conditional import body_etag
from api.http.language import negotiate
from api.services.content import content_version

# Set in the WSGI environ when an answer is the same for anyone sending the same request, so
# api.caching.fast_path may keep it: (content version it was made from, route, endpoint, and the
# Response, which after Flask's hooks holds every header and the body even when the status
# line sent was a 304).
SAME_FOR_ANYONE = "rapport.same_for_anyone"
# Headers worked out per request elsewhere, never replayed from memory.
NOT_KEPT = frozenset({"content-length", "etag", "date", "set-cookie", "x-request-id",
                      "content-encoding"})
# Below this the coding costs more than it saves (Flask-Compress draws the same line).
MIN_COMPRESS_BYTES = 500
CODINGS = {"br": lambda body: brotli.compress(body, quality=5),
           "gzip": lambda body: gzip.compress(body, compresslevel=6, mtime=0)}


@dataclass
class Entry:
    version: int
    body: bytes
    headers: list[tuple[str, str]]
    content_type: str
    etag: str
    encoded: dict[str, bytes] = field(default_factory=dict)

    def respond(self, extra_headers: dict[str, str]) -> Response:
        coding = _coding() if len(self.body) >= MIN_COMPRESS_BYTES else None
        if coding:
            if coding not in self.encoded:  # made once, by whichever request asks first
                self.encoded[coding] = CODINGS[coding](self.body)
            body, etag = self.encoded[coding], f"{self.etag}:{coding}"
        else:
            body, etag = self.body, self.etag
        response = Response(body, 200, headers=self.headers, content_type=self.content_type)
        response.headers.update(extra_headers)
        if coding:
            response.headers["Content-Encoding"] = coding
        response.vary.add("Accept-Encoding")
        response.set_etag(etag)
        return response


class PublicCache:
    """A bounded, thread-safe, least-recently-used map of keys to entries that carry the
    content version they were made from (also api.caching.fast_path's store)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, version: int) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def init_app(app: Flask) -> None:
    app.extensions["public_cache"] = PublicCache(app.config["PUBLIC_CACHE_ENTRIES"])


def cached(day: Callable[[], object] | None = None,
           fresh_headers: Callable[[], dict[str, str]] | None = None):
    """Serve a public GET view from memory. `day` adds what else the answer depends on;
    `fresh_headers` are worked out for every answer (a lifetime that ends at midnight)."""

    def decorate(view):
        @wraps(view)
        def serve(*args, **kwargs):
            cache = current_app.extensions["public_cache"]
            key = _key(day() if day else None)
            version = content_version.current()
            entry = cache.get(key, version)
            if entry is None:
                response = make_response(view(*args, **kwargs))
                if response.status_code != 200 or response.is_streamed:
                    return response
                entry = _entry(response, version, keep_lifetime=fresh_headers is None)
                cache.put(key, entry)
            response = entry.respond(fresh_headers() if fresh_headers else {})
            if day is None and fresh_headers is None and key[3] is None:
                # The same answer for anyone sending these headers: the fast path may keep it.
                request.environ[SAME_FOR_ANYONE] = (
                    version, request.url_rule.rule, request.endpoint, response)
            return response

        return serve

    return decorate


def _key(extra) -> tuple:
    key = api_keys.current_key()
    return (request.endpoint, request.url, negotiate(request.args.get("lang")),
            key.agency_id if key else None, extra)


def _entry(response: Response, version: int, keep_lifetime: bool) -> Entry:
    body = response.get_data()
    skip = NOT_KEPT if keep_lifetime else NOT_KEPT | {"cache-control", "expires"}
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in skip and name.lower() != "content-type"]
    return Entry(version=version, body=body, headers=headers,
                 content_type=response.content_type, etag=body_etag(body))


def _coding() -> str | None:
    accepted = request.accept_encodings
    best = max(CODINGS, key=lambda coding: accepted[coding])  # quality; ties keep br first
    return best if accepted[best] > 0 else None
