"""Quotas shared by every process, counted here and added to the shared storage in batches.

Asking Redis on every public read cost two round trips a request and most of the time a
cached read took (BENCHMARKS.md). So each process counts a client's hits in memory and adds
them to the shared count (a fixed window in the limit storage, `limits`' own keys) when
either:

- more than `quota // 100` hits are waiting (a quota under 100 is added at every hit, so
  small quotas stay exact across processes), or
- SYNC_SECONDS have passed since this process last added (a slow client is counted at once).

A client may so get past its quota by at most 1% of it per process, the hits each one holds
back. Once the shared count says the window is spent, the process refuses locally until the
window ends, without asking again: a client hammering past its quota costs no round trips.

One add is in flight per client and process at a time; other threads meanwhile count in
memory, so no request waits for another's round trip.
"""

import functools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from limits import RateLimitItem
from limits.strategies import RateLimiter

SYNC_SECONDS = 0.5
BATCH_SHARE = 100  # hits held back per process: at most 1/BATCH_SHARE of the quota
MAX_CLIENTS = 50_000  # windows kept in memory per process; the oldest go first


@dataclass(frozen=True)
class Count:
    allowed: bool
    remaining: int
    reset_at: float  # epoch seconds at which the window ends


@dataclass
class _Window:
    shared: int = 0  # the shared count as this process last saw it (its own hits included)
    waiting: int = 0  # hits counted here and not yet added to the shared count
    reset_at: float = 0.0  # epoch seconds; 0 until the first add
    added_at: float = -math.inf  # monotonic seconds of the last add
    adding: bool = False
    storage: int = 0  # which storage the counts are in: Redis, or memory while it is down


# `run(operation)` calls operation(strategy) on the shared storage (api.limit_storage.run).
Runner = Callable[[Callable[[RateLimiter], object]], object]


@functools.lru_cache(maxsize=MAX_CLIENTS)
def _key_for(item: RateLimitItem, client: str) -> str:
    return item.key_for(client)


class SharedQuota:
    def __init__(self) -> None:
        self._windows: OrderedDict[str, _Window] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, item: RateLimitItem, client: str, run: Runner, storage: object) -> Count:
        """Count one hit of `client` against `item`; whether it is within the quota.
        `storage` is the one `run` will use now: counts made in another are not carried over
        (Redis died, or came back: see api.limit_storage)."""
        key = _key_for(item, client)
        now = time.time()
        with self._lock:
            window = self._window(key, now, id(storage))
            if window.reset_at and window.shared + window.waiting >= item.amount:
                return Count(False, 0, window.reset_at)  # spent: nothing to ask until it ends
            window.waiting += 1
            sending = 0
            if not window.adding and (window.waiting > item.amount // BATCH_SHARE
                                      or time.monotonic() - window.added_at >= SYNC_SECONDS):
                sending, window.waiting, window.adding = window.waiting, 0, True
        if sending:
            self._add(window, item, key, sending, now, run)
        with self._lock:
            used = window.shared + window.waiting
            reset_at = window.reset_at or now + item.get_expiry()
        return Count(used <= item.amount, max(0, item.amount - used), reset_at)

    def _add(self, window: _Window, item: RateLimitItem, key: str, amount: int, now: float,
             run: Runner) -> None:
        known_reset = window.reset_at if window.reset_at > now else 0.0

        def add(strategy: RateLimiter) -> tuple[int, float]:
            total = strategy.storage.incr(key, item.get_expiry(), amount=amount)
            return total, known_reset or strategy.storage.get_expiry(key)

        try:
            total, reset_at = run(add)
        except BaseException:
            with self._lock:  # not counted anywhere yet: keep them for the next add
                window.waiting += amount
                window.adding = False
            raise
        with self._lock:
            window.shared, window.reset_at = total, reset_at
            window.added_at, window.adding = time.monotonic(), False

    def _window(self, key: str, now: float, storage: int) -> _Window:
        window = self._windows.get(key)
        if window is None or (window.reset_at and now >= window.reset_at) \
                or window.storage != storage:
            # A window that ended takes its unsent hits with it: they counted for it alone.
            window = self._windows[key] = _Window(storage=storage)
            while len(self._windows) > MAX_CLIENTS:
                self._windows.popitem(last=False)
        self._windows.move_to_end(key)
        return window

    def clear(self) -> None:
        """Forget every window (tests reset the shared storage between cases)."""
        with self._lock:
            self._windows.clear()
