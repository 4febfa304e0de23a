"""Rate-limit counters, and what happens while their shared storage is out of reach.

Chosen behaviour: keep serving and keep limiting, per process. When the shared storage
(Redis, or the counters' database) fails, counting moves to this process's memory with the
same limits (public reads keep their quota and RateLimit fields; failed sign-ins and invite
codes are still throttled). The storage is tried again after 1, 2, 4 ... 32 s (then every 32
s), with a write, since a storage may answer reads and still refuse writes (a Redis replica
after a failover, a full disk); counting moves back as soon as one succeeds. A storage that
fails again soon after keeps the longer wait, so one that flaps is not retried every second.
Only the sharing is lost meanwhile: with N processes a client may get up to N times a quota,
which beats both alternatives, unlimited guessing (failing open) or refusing every public
read and sign-in (failing closed). Counts made in memory are not carried back. Redis is
never waited on for more than a second (RATELIMIT_STORAGE_OPTIONS in api.config).
"""

import functools
import hashlib
import hmac
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
KEYS_KEPT = 50_000


class Counters:
    """Fixed windows (the one strategy every storage counts the same way) in the shared
    storage, or in memory while it is away."""

    def __init__(self, uri: str, options: dict, prefix: str, secret: str,
                 logger: logging.Logger):
        self.prefix = prefix
        self._secret = secret.encode()
        self.shared: RateLimiter = FixedWindowRateLimiter(storage_from_string(uri, **options))
        self.memory: RateLimiter = FixedWindowRateLimiter(MemoryStorage())
        self._logger = logger
        self._lock = threading.Lock()
        self._ping_at: float | None = None  # set while the shared storage is away
        self._ping_every = FIRST_PING_SECONDS
        self._up_since = float("-inf")
        # The same clients come back: their keys are worked out once, not on every request.
        self.key = functools.lru_cache(maxsize=KEYS_KEPT)(self._key)

    def _key(self, kind: str, who: str) -> str:
        """The storage key for counting `who` (an address, an email, a key id) under `kind`:
        the deployment's prefix (apps sharing one Redis keep apart) and a keyed hash of who,
        so the counter storage names no one and every key has the same short length."""
        digest = hmac.new(self._secret, who.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{self.prefix}:{kind}:{digest}"

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
                now = time.monotonic()
                flapping = now - self._up_since < LAST_PING_SECONDS
                self._ping_every = (min(self._ping_every * 2, LAST_PING_SECONDS) if flapping
                                    else FIRST_PING_SECONDS)
                self._ping_at = now + self._ping_every

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
            if self._takes_writes():
                self._ping_at = None
                self._up_since = time.monotonic()
                self._logger.warning("Rate-limit storage reachable again: counting there")
                return True
            self._ping_every = min(self._ping_every * 2, LAST_PING_SECONDS)
            self._ping_at = time.monotonic() + self._ping_every
            return False
        finally:
            self._lock.release()

    def _takes_writes(self) -> bool:
        try:
            self.shared.storage.incr(f"{self.prefix}:probe", 60)
        except Exception:  # noqa: BLE001 (whatever it raises, it is not back)
            return False
        return True
