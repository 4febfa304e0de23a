"""Rate limits on public content, announced in the IETF RateLimit header fields.

Every route marked public (`api.policies.public`) is limited here, in one place, so a new
public route cannot forget: anonymous clients per IP address (`PUBLIC_RATE_LIMIT`), and
clients presenting an agency API key per key, with a higher quota (`API_KEY_RATE_LIMIT`).
Counters live in Flask-Limiter's storage, moving window: per process with `memory://`,
shared by every process through Redis.

The headers follow draft-ietf-httpapi-ratelimit-headers-11 (May 2026): structured-field
Lists whose items name the policy, sent on every limited response (200, 304 and 429 alike):

    RateLimit-Policy: "default";q=300;w=60      quota q per window of w seconds
    RateLimit: "default";r=297;t=58             r left now; t seconds until room again

A 429 adds Retry-After, never earlier than `t`. Private routes are not limited here and
send neither field (their own guards, such as login throttling, live in services.throttle).
"""

import ipaddress
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, g, request
from flask_smorest import abort
from limits import RateLimitItem, parse
from werkzeug.wrappers import Response

from api import api_keys, limit_storage
from api.policies import PUBLIC, policy_for

ANONYMOUS_POLICY = "default"
API_KEY_POLICY = "api-key"


@dataclass(frozen=True)
class Verdict:
    policy: str
    item: RateLimitItem
    remaining: int
    reset_in: int  # seconds until the moving window has room for one more request
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
        policy, setting, who = ANONYMOUS_POLICY, "PUBLIC_RATE_LIMIT", f"ip:{_client()}"
    else:
        policy, setting, who = API_KEY_POLICY, "API_KEY_RATE_LIMIT", f"key:{key.id}"
    item = current_app.extensions["public_rate_limits"][setting]
    # The deployment's prefix keeps apps that share one Redis apart (as services.throttle).
    scoped = f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}:public:{who}"
    # Redis out of reach: counted in this process's memory meanwhile (api.limit_storage).
    allowed, (reset_at, remaining) = limit_storage.run(
        lambda strategy: (strategy.hit(item, scoped), strategy.get_window_stats(item, scoped)))
    return Verdict(policy, item, max(0, remaining),
                   max(0, math.ceil(reset_at - time.time())), allowed)


def _client() -> str:
    """The caller's address; IPv6 by /64, the block one subscriber usually holds."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _announce(response: Response) -> Response:
    verdict = g.get("rate_limit")
    if verdict is not None:
        response.headers["RateLimit-Policy"] = verdict.policy_field
        response.headers["RateLimit"] = verdict.limit_field
    return response
