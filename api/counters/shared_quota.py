"""Quotas shared by every process, taken from the shared count a few hits at a time.

Asking the shared storage (Redis, or the database) on every public read would cost two round
trips a request, more than the cached read itself. So a process reserves a small block of a
client's quota at once (one `incr` of the shared fixed-window count, `limits`' own keys) and
hands the hits out from memory:

- A block is at most 1% of the quota (one hit for quotas under 200), and shrinks to single
  hits as the quota runs out, so little is ever reserved and unused.
- A hit is allowed only out of a reservation, and a reservation only out of what the shared
  count says is left: all processes together never allow more than the quota.
- Hits one process reserved and has not used yet stay counted: a client whose requests go
  to another process may be refused up to that many hits early, never late.
- Once the shared count says the window is spent, the process refuses locally until the
  window ends, without asking again: a client hammering past its quota costs no round trips.
"""

import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem
from limits.strategies import RateLimiter

BATCH_SHARE = 100  # a reservation is at most 1/BATCH_SHARE of the quota
MAX_CLIENTS = 50_000  # windows kept in memory per process; the oldest go first


@dataclass(frozen=True)
class Count:
    allowed: bool
    remaining: int
    reset_at: float  # epoch seconds at which the window ends


@dataclass
class _Window:
    shared: int = 0  # the shared count as this process last saw it (its reservations included)
    granted: int = 0  # hits reserved by this process and not used yet
    reset_at: float = 0.0  # epoch seconds; 0 until the first reservation
    storage: int = 0  # which storage the counts are in: Redis, or memory while it is down


# `run(operation)` calls operation(strategy) on the shared storage (api.counters.Counters.run).
Runner = Callable[[Callable[[RateLimiter], object]], object]


@functools.lru_cache(maxsize=MAX_CLIENTS)
def _key_for(item: RateLimitItem, client: str) -> str:
    return item.key_for(client)


def block_size(amount: int, shared: int) -> int:
    """Hits to reserve at once: 1% of the quota, down to one as the quota runs out."""
    return max(1, min(amount // BATCH_SHARE, (amount - shared) // 8))


class SharedQuota:
    def __init__(self) -> None:
        self._windows: OrderedDict[str, _Window] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, item: RateLimitItem, client: str, run: Runner, storage: object) -> Count:
        """Count one hit of `client` against `item`; whether it is within the quota.
        `storage` is the one `run` will use now: counts made in another are not carried over
        (Redis died, or came back: see api.counters.fallback)."""
        key = _key_for(item, client)
        now = time.time()
        with self._lock:
            window = self._window(key, now, id(storage))
            if window.granted:
                window.granted -= 1
                return self._count(True, item, window, now)
            if window.reset_at and window.shared >= item.amount:
                return Count(False, 0, window.reset_at)  # spent: nothing to ask until it ends
            block = block_size(item.amount, window.shared)
        total, reset_at = self._reserve(item, key, block, window.reset_at, now, run)
        usable = max(0, min(block, item.amount - (total - block)))
        with self._lock:
            window.shared = max(window.shared, total)
            window.reset_at = reset_at
            if usable:
                window.granted += usable - 1
            return self._count(bool(usable), item, window, now)

    @staticmethod
    def _reserve(item: RateLimitItem, key: str, block: int, known_reset: float, now: float,
                 run: Runner) -> tuple[int, float]:
        known_reset = known_reset if known_reset > now else 0.0

        def add(strategy: RateLimiter) -> tuple[int, float]:
            total = strategy.storage.incr(key, item.get_expiry(), amount=block)
            return total, known_reset or strategy.storage.get_expiry(key)

        return run(add)

    @staticmethod
    def _count(allowed: bool, item: RateLimitItem, window: _Window, now: float) -> Count:
        left = max(0, item.amount - window.shared) + window.granted
        return Count(allowed, left, window.reset_at or now + item.get_expiry())

    def _window(self, key: str, now: float, storage: int) -> _Window:
        window = self._windows.get(key)
        if window is None or (window.reset_at and now >= window.reset_at) \
                or window.storage != storage:
            # A window that ended takes its unused reservations with it.
            window = self._windows[key] = _Window(storage=storage)
            while len(self._windows) > MAX_CLIENTS:
                self._windows.popitem(last=False)
        self._windows.move_to_end(key)
        return window

    def clear(self) -> None:
        """Forget every window (tests reset the shared storage between cases)."""
        with self._lock:
            self._windows.clear()
