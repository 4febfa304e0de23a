"""Counting failures (logins, invite codes) in Flask-Limiter's storage.

Only failures count, so a person who types their password right is never slowed down. The
storage is in memory by default and shared through Redis when RATELIMIT_STORAGE_URI is set.
"""

import time

from flask import current_app
from limits import parse

from api.extensions import limiter


def _scoped(keys) -> list[str]:
    """Keys carry the deployment's prefix, so apps sharing one Redis keep apart."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return [f"{prefix}:{key}" for key in keys]


def _stats(rule: str, keys: tuple[str, ...]):
    item = parse(rule)
    for key in _scoped(keys):
        if not limiter.limiter.test(item, key):
            yield limiter.limiter.get_window_stats(item, key)


def retry_after(rule: str, *keys: str) -> int | None:
    """Seconds until another try is allowed, or None when no key is over the limit."""
    now = time.time()
    waits = [max(1, int(stats.reset_time - now) + 1) for stats in _stats(rule, keys)]
    return max(waits) if waits else None


def count_failure(rule: str, *keys: str) -> None:
    item = parse(rule)
    for key in _scoped(keys):
        limiter.limiter.hit(item, key)
