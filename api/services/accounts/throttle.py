"""Limits on guessing: attempts counted per account, device or address, in shared storage.

An attempt is taken from every limit it falls under before the work is done, each with one
atomic increment, and refused when any is already used up: so many requests at once cannot
slip past a limit between its check and its count. What is then kept depends on how it went:
a failure keeps its count, a success gives it back (a person who gets it right is never
slowed down), and so does anything that checked nothing.

Counts are fixed windows in the app's counters (api.counters: the database by default, Redis where
configured), so every process sees them and a restart forgets none; while that storage is out
of reach, each process counts in its own memory (api.counters.fallback). Keys hold no email,
username or address: only a keyed hash of it, so the counter storage names no one.

A guard may have several windows ("5 per 15 minutes", "10 per hour", "20 per day"): each
one filled makes the wait longer, the growing delays OWASP advises for sign-ins.
"""

import functools
import math
import time
from dataclasses import dataclass, field

from flask import current_app
from limits import RateLimitItem, parse_many

from api import counters


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
# (An agency's onboarding day from one office stays within it.)
NEW_ACCOUNTS = Guard("new-accounts", "30 per hour; 100 per day")


def denials() -> Guard:
    """Requests refused by the access rules, per account or, without one, per address."""
    return Guard("denials", current_app.config["DENIAL_LIMIT"])


class Refused(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class Attempt:
    """Hits taken by `attempt`; on leaving the `with` block, those not kept are given back."""

    taken: list[tuple[Guard, RateLimitItem, str]] = field(default_factory=list)

    def keep(self, *guards: Guard) -> None:
        """These guards' hits stay counted (a failure, or for NEW_ACCOUNTS an account made)."""
        self._give_back(lambda guard: guard not in guards)

    def _give_back(self, which) -> None:
        for _guard, item, key in [hit for hit in self.taken if which(hit[0])]:
            _add(item, key, -1)
        self.taken = []

    def __enter__(self) -> "Attempt":
        return self

    def __exit__(self, *_exc) -> None:
        self._give_back(lambda guard: True)


def attempt(*checks: tuple[Guard, str]) -> Attempt:
    """Take one attempt from each (guard, key); raise Refused, taking nothing, when any
    window is already full."""
    taken = Attempt()
    for guard, key in checks:
        scoped = _scoped(guard, key)
        for item in guard.items:
            taken.taken.append((guard, item, scoped))
            if _add(item, scoped, 1) > item.amount:
                wait = _wait(item, scoped)
                taken._give_back(lambda guard: True)
                raise Refused(wait)
    return taken


def _add(item: RateLimitItem, scoped: str, amount: int) -> int:
    # Redis out of reach: counted in this process's memory meanwhile (api.counters.fallback).
    return counters.of().run(lambda strategy: strategy.storage.incr(
        item.key_for(scoped), item.get_expiry(), amount=amount))


def _wait(item: RateLimitItem, scoped: str) -> int:
    stats = counters.of().run(lambda strategy: strategy.get_window_stats(item, scoped))
    # The clock read after the storage's: Redis gives whole seconds left from then.
    return max(1, math.ceil(stats.reset_time - time.time()))


@functools.lru_cache(maxsize=32)
def _parsed(rules: str) -> list[RateLimitItem]:
    return parse_many(rules)


def _scoped(guard: Guard, key: str) -> str:
    """The storage key: the guard, and a keyed hash of what is counted (an email, a
    username, an address)."""
    return counters.of().key(guard.name, key)


def retry_after(guard: Guard, key: str) -> int | None:
    """Seconds until `key` may try again, or None while it is within every window."""
    scoped = _scoped(guard, key)
    waits = [_wait(item, scoped) for item in guard.items
             if not counters.of().run(lambda strategy, item=item: strategy.test(item, scoped))]
    return max(waits) if waits else None


def count(guard: Guard, key: str) -> None:
    """Count one attempt against `key` and keep it, full or not."""
    scoped = _scoped(guard, key)
    for item in guard.items:
        _add(item, scoped, 1)
