"""Limits on guessing: failures counted per account, device or address, in shared storage.

Only failures count, so a person who gets it right is never slowed down. Counts are fixed
windows in Flask-Limiter's storage (the database by default, Redis where configured), so
every process sees them and a restart forgets none; while that storage is out of reach,
each process counts in its own memory (api.limit_storage).

A guard may have several windows ("5 per 15 minutes", "10 per hour", "20 per day"): each
one filled makes the wait longer, the growing delays OWASP advises for sign-ins.
"""

import functools
import math
import time
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItem, parse_many

from api import limit_storage


@dataclass(frozen=True)
class Guard:
    """A named limit on failures; `rules` are `limits` strings such as "5 per 15 minutes"."""

    name: str
    rules: str

    @property
    def items(self) -> list[RateLimitItem]:
        return _parsed(self.rules)


# Passwords of one account tried from clients it has never signed in on (no device token).
ACCOUNT = Guard("login-account", "5 per 15 minutes; 10 per hour; 20 per day")
# Passwords tried from one device that did sign in before: its own allowance, then it is
# treated like any unknown client.
DEVICE = Guard("login-device", "5 per 15 minutes")
# Failed sign-ins from one address, any account, unknown clients only: high enough for an
# agency office or a phone carrier's shared address, low enough to stop mass guessing.
ADDRESS = Guard("login-address", "100 per hour")
# The current password asked again by a signed-in session (changing the password).
REAUTH = Guard("reauth", "5 per 15 minutes; 10 per hour; 20 per day")
# Invite and agency join codes that do not exist, per address.
CODES = Guard("codes", "10 per hour")
# Emails and usernames found taken, per address: each answer tells whether an account exists.
TAKEN_NAMES = Guard("taken-names", "10 per hour")
# New accounts made from one address (workers and peers alike): fake accounts are not free.
NEW_ACCOUNTS = Guard("new-accounts", "20 per hour; 50 per day")


def anonymous_denials() -> Guard:
    """Requests refused for want of a valid session, per address (api.access)."""
    return Guard("anonymous-denials", current_app.config["ANONYMOUS_DENIAL_LIMIT"])


@functools.lru_cache(maxsize=32)
def _parsed(rules: str) -> list[RateLimitItem]:
    return parse_many(rules)


def _scoped(guard: Guard, key: str) -> str:
    """Keys carry the deployment's prefix, so apps sharing one Redis keep apart."""
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX', '')}:{guard.name}:{key}"


def retry_after(guard: Guard, key: str) -> int | None:
    """Seconds until `key` may try again, or None while it is within every window."""
    scoped = _scoped(guard, key)
    waits = []
    for item in guard.items:
        # Redis out of reach: counted in this process's memory meanwhile (api.limit_storage).
        stats = limit_storage.run(lambda strategy, item=item: None
                                  if strategy.test(item, scoped)
                                  else strategy.get_window_stats(item, scoped))
        if stats is not None:
            # The clock read after the storage's: Redis gives whole seconds left from then.
            waits.append(max(1, math.ceil(stats.reset_time - time.time())))
    return max(waits) if waits else None


def count(guard: Guard, key: str) -> None:
    """Count one failure (or, for NEW_ACCOUNTS, one account made) against `key`."""
    scoped = _scoped(guard, key)
    for item in guard.items:
        limit_storage.run(lambda strategy, item=item: strategy.hit(item, scoped))


def longest_wait(*checks: tuple[Guard, str]) -> int | None:
    """The longest wait of several (guard, key) checks, or None when all are clear."""
    waits = [wait for guard, key in checks if (wait := retry_after(guard, key))]
    return max(waits) if waits else None
