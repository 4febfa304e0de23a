"""Rate-limit counters while their shared storage (Redis) is out of reach.

Chosen behaviour: keep serving and keep limiting, per process. Flask-Limiter's own in-memory
fallback is on (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED): when Redis fails, counting moves to
each process's memory with the same limits (public reads keep their quota and RateLimit
fields; failed sign-ins and invite codes are still throttled), and Flask-Limiter pings Redis
again on later requests (after 1, 2, 4 ... 32 s) and moves back as soon as it answers. Only
the sharing is lost meanwhile: with N processes a client may get up to N times a quota,
which beats both alternatives, unlimited guessing (failing open) or refusing every public
read and sign-in (failing closed). Counts made in memory are not carried back to Redis.

Flask-Limiter switches by itself only for limits it checks; this app counts by hand
(api.ratelimits, services.throttle), so those calls go through `run`, which makes the same
switch when Redis fails under them. Redis is never waited on for more than a second
(RATELIMIT_STORAGE_OPTIONS in api.config).
"""

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app
from limits.errors import StorageError
from limits.strategies import RateLimiter

from api.extensions import limiter

T = TypeVar("T")


def run(operation: Callable[[RateLimiter], T], app: Flask | None = None) -> T:
    """`operation(strategy)` on the shared storage, or in memory while it is out of reach.
    `app` is for callers outside an app context (api.caching.fast_path)."""
    try:
        return operation(limiter.limiter)
    except StorageError:
        if not fallback_available():
            raise
        if not storage_down():
            # Flask-Limiter's own switch (the one its checks make): `limiter.limiter` is the
            # in-memory one from now on, until its backoff ping finds the storage again.
            logger = (app or current_app).logger
            logger.warning("Rate-limit storage unreachable: counting in memory")
            limiter._storage_dead = True
        return operation(limiter.limiter)


def fallback_available() -> bool:
    return limiter._fallback_limiter is not None


def storage_down() -> bool:
    """True while counts are kept in this process's memory instead of the shared storage."""
    return bool(limiter._storage_dead)
