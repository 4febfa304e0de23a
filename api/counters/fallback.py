"""Rate-limit counters, and what happens while their shared storage is out of reach.

Chosen behaviour: keep serving and keep limiting, per process. When the shared storage (Redis,
or the counters' database) fails, counting moves to this process's memory with the same
limits (public reads keep their quota and RateLimit fields; failed sign-ins and invite codes
are still throttled). The storage is pinged again after 1, 2, 4 ... 32 s (then every 32 s),
and counting moves back as soon as it answers. Only the sharing is lost meanwhile: with N
processes a client may get up to N times a quota, which beats both alternatives, unlimited
guessing (failing open) or refusing every public read and sign-in (failing closed). Counts
made in memory are not carried back. Redis is never waited on for more than a second
(RATELIMIT_STORAGE_OPTIONS in api.config).
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, RateLimiter

T = TypeVar("T")
FIRST_PING_SECONDS = 1
LAST_PING_SECONDS = 32


class Counters:
    """Fixed windows (the one strategy every storage counts the same way) in the shared
    storage, or in memory while it is away."""

    def __init__(self, uri: str, options: dict, prefix: str, logger: logging.Logger):
        self.prefix = prefix
        self.shared: RateLimiter = FixedWindowRateLimiter(storage_from_string(uri, **options))
        self.memory: RateLimiter = FixedWindowRateLimiter(MemoryStorage())
        self._logger = logger
        self._lock = threading.Lock()
        self._ping_at: float | None = None  # set while the shared storage is away
        self._ping_every = FIRST_PING_SECONDS

    def key(self, *parts: str) -> str:
        """A storage key under this deployment's prefix."""
        return ":".join((self.prefix, *parts))

    @property
    def down(self) -> bool:
        """True while counts are kept in this process's memory instead of the shared storage."""
        return self._ping_at is not None

    def in_use(self) -> Storage:
        """The storage counts go to now (the shared one again if a due ping finds it back)."""
        return self.memory.storage if self.down and not self._back_up() else self.shared.storage

    def run(self, operation: Callable[[RateLimiter], T]) -> T:
        """`operation(strategy)` on the shared storage, or in memory while it is away."""
        if self.down and not self._back_up():
            return operation(self.memory)
        try:
            return operation(self.shared)
        except StorageError:
            self._went_down()
            return operation(self.memory)

    def reset(self) -> None:
        """Forget every count, shared and in memory (tests start each case from nothing)."""
        self.shared.storage.reset()
        self.memory.storage.reset()

    def _went_down(self) -> None:
        with self._lock:
            if self._ping_at is None:
                self._logger.warning("Rate-limit storage unreachable: counting in memory")
                self._ping_every = FIRST_PING_SECONDS
                self._ping_at = time.monotonic() + self._ping_every

    def _back_up(self) -> bool:
        """Whether the shared storage answers again; asked by one request at a time, once the
        wait since the last ask is over."""
        ping_at = self._ping_at
        if ping_at is None:
            return True  # another request found it back meanwhile
        if time.monotonic() < ping_at or not self._lock.acquire(blocking=False):
            return False
        try:
            if self._ping_at is None:
                return True
            if time.monotonic() < self._ping_at:
                return False
            if self.shared.storage.check():
                self._ping_at = None
                self._logger.warning("Rate-limit storage reachable again: counting there")
                return True
            self._ping_every = min(self._ping_every * 2, LAST_PING_SECONDS)
            self._ping_at = time.monotonic() + self._ping_every
            return False
        finally:
            self._lock.release()
