"""Rate limits on public content, announced in the IETF RateLimit header fields.

Every route marked public (`api.http.policies.public`) is limited here, in one place, so a new
public route cannot forget: anonymous clients per IP address (`PUBLIC_RATE_LIMIT`), and
clients presenting an agency API key per key, with a higher quota (`API_KEY_RATE_LIMIT`).
Counts are fixed windows in the app's counters (api.counters), shared by every process and
kept across restarts (the database by default, Redis at scale; `memory://` only if asked for). Each
process reserves a client's hits a few at a time (api.counters.shared_quota: never over the quota,
and a read costs no round trip in the common case). The same count serves the app's fast
path for repeated reads (api.caching.fast_path), which asks `count_anonymous` without a
Flask request.

The headers follow draft-ietf-httpapi-ratelimit-headers-11 (May 2026): structured-field
Lists whose items name the policy, sent on every limited response (200, 304 and 429 alike):

    RateLimit-Policy: "default";q=300;w=60      quota q per window of w seconds
    RateLimit: "default";r=297;t=58             r left now; t seconds until room again

A 429 adds Retry-After, never earlier than `t`. Private routes are not limited here and
send neither field (their own guards, such as login throttling, live in services.accounts.throttle).
"""

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_smorest import abort
from limits import RateLimitItem, parse
from werkzeug.wrappers import Response

from api import counters
from api.counters.shared_quota import SharedQuota
from api.http import api_keys
from api.http.policies import PUBLIC, policy_for
from api.lib.addresses import client_address

ANONYMOUS_POLICY = "default"
API_KEY_POLICY = "api-key"


@dataclass(frozen=True)
class Verdict:
    policy: str
    item: RateLimitItem
    remaining: int
    reset_in: int  # seconds until the window ends and the quota is whole again
    allowed: bool

    @property
    def policy_field(self) -> str:
        return f'"{self.policy}";q={self.item.amount};w={self.item.get_expiry()}'

    @property
    def limit_field(self) -> str:
        return f'"{self.policy}";r={self.remaining};t={self.reset_in}'


def init_app(app: Flask) -> None:
    # Parse now: a mistyped limit in the environment stops the app at start, not per request.
    app.extensions["public_rate_limits"] = {
        setting: parse(app.config[setting])
        for setting in ("PUBLIC_RATE_LIMIT", "API_KEY_RATE_LIMIT")}
    app.extensions["public_quota"] = SharedQuota()
    app.before_request(_check)
    app.after_request(_announce)


def _check() -> None:
    # Routing errors (404, 405) speak first; CORS preflights carry no key and cost nothing.
    if request.routing_exception is not None or request.method == "OPTIONS":
        return
    # The app's own files (the PWA shell, the docs) are not API reads: a whole clinic behind
    # one address opening the app at once must not use up its quota on stylesheets.
    if policy_for(request.endpoint) == PUBLIC and request.blueprint != "frontend":
        # Counted before a bad key is refused, so refusals cost the sender quota too.
        verdict = g.rate_limit = _count()
        if not verdict.allowed:
            abort(429, headers={"Retry-After": str(max(1, verdict.reset_in))})
    api_keys.refuse_invalid_key()


def _count() -> Verdict:
    key = api_keys.current_key()
    if key is None:
        return count_anonymous(current_app, client_address(request.remote_addr))
    return _verdict(current_app, API_KEY_POLICY, "API_KEY_RATE_LIMIT", f"key:{key.id}")


def count_anonymous(app: Flask, address: str) -> Verdict:
    """Count one public read by an anonymous client at `address` (see client_address)."""
    return _verdict(app, ANONYMOUS_POLICY, "PUBLIC_RATE_LIMIT", f"ip:{address}")


def _verdict(app: Flask, policy: str, setting: str, who: str) -> Verdict:
    item = app.extensions["public_rate_limits"][setting]
    shared = counters.of(app)
    # Redis out of reach: counted in this process's memory meanwhile (api.counters.fallback).
    counted = app.extensions["public_quota"].hit(item, shared.key("public", who), shared.run,
                                                 storage=shared.in_use())
    return Verdict(policy, item, counted.remaining,
                   max(0, math.ceil(counted.reset_at - time.time())), counted.allowed)


def reset(app: Flask) -> None:
    """Forget every count, shared and local (tests start each case from nothing)."""
    counters.of(app).reset()
    app.extensions["public_quota"].clear()


def _announce(response: Response) -> Response:
    verdict = g.get("rate_limit")
    if verdict is not None:
        response.headers["RateLimit-Policy"] = verdict.policy_field
        response.headers["RateLimit"] = verdict.limit_field
    return response
