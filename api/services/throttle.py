"""Counting failures (logins, invite codes) in Flask-Limiter's storage.

Only failures count, so a person who types their password right is never slowed down. The
storage is in memory by default and shared through Redis when RATELIMIT_STORAGE_URI is set;
while Redis is out of reach, each process counts in its own memory (api.limit_storage).
"""

import time

from flask import current_app
from limits import parse

from api import limit_storage


def _scoped(keys) -> list[str]:
    """Keys carry the deployment's prefix, so apps sharing one Redis keep apart."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return [f"{prefix}:{key}" for key in keys]


def _stats(rule: str, keys: tuple[str, ...]):
    item = parse(rule)
    for key in _scoped(keys):
        # Redis out of reach: counted in this process's memory meanwhile (api.limit_storage).
        stats = limit_storage.run(lambda strategy, key=key: None if strategy.test(item, key)
                                  else strategy.get_window_stats(item, key))
        if stats is not None:
            yield stats


def retry_after(rule: str, *keys: str) -> int | None:
    """Seconds until another try is allowed, or None when no key is over the limit."""
    now = time.time()
    waits = [max(1, int(stats.reset_time - now) + 1) for stats in _stats(rule, keys)]
    return max(waits) if waits else None


def count_failure(rule: str, *keys: str) -> None:
    item = parse(rule)
    for key in _scoped(keys):
        limit_storage.run(lambda strategy, key=key: strategy.hit(item, key))
