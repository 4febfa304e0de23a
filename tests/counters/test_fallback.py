"""The counters' stand-in while the shared storage is away: counting moves to memory, the
storage is pinged after 1, 2, 4 ... 32 s (never more than one ping at a time, never on every
request), and counting moves back when it answers."""

import logging
import threading

import pytest
from limits import parse
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from api.counters import fallback
from api.counters.fallback import Counters

ITEM = parse("3 per minute")


class Flaky(MemoryStorage):
    """Memory that fails while `away`, counting how often it was asked whether it is back."""

    def __init__(self):
        super().__init__()
        self.away = False
        self.pings = 0

    def incr(self, key, expiry, amount=1):
        if self.away:
            raise StorageError(ConnectionError("refused"))
        return super().incr(key, expiry, amount)

    def check(self):
        self.pings += 1
        return not self.away


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(fallback.time, "monotonic", clock)
    return clock


@pytest.fixture
def counters():
    counters = Counters("memory://", {}, "test", logging.getLogger("test"))
    counters.shared = FixedWindowRateLimiter(Flaky())
    return counters


def hit(counters, client="someone"):
    return counters.run(lambda strategy: strategy.hit(ITEM, client))


def test_counts_move_to_memory_and_keep_their_limit(counters, clock):
    assert hit(counters) and not counters.down
    counters.shared.storage.away = True
    assert [hit(counters) for _ in range(4)] == [True, True, True, False]
    assert counters.down
    assert counters.in_use() is counters.memory.storage


def test_pings_come_after_1_2_4_up_to_32_seconds(counters, clock):
    storage = counters.shared.storage
    storage.away = True
    hit(counters, "a")
    waits, last = [], clock.now
    for _ in range(300):  # ten minutes of requests, one every two seconds
        clock.now += 2
        before = storage.pings
        hit(counters, "a")
        if storage.pings > before:
            waits.append(clock.now - last)
            last = clock.now
    assert waits[:6] == [2, 2, 4, 8, 16, 32]  # requests come every 2 s: 1 s waits round up
    assert set(waits[6:]) == {32}


def test_the_first_request_after_it_answers_counts_there_again(counters, clock):
    storage = counters.shared.storage
    storage.away = True
    hit(counters, "b")
    storage.away = False
    assert hit(counters, "b") and counters.down  # no ping due yet: still in memory
    clock.now += 1
    assert counters.in_use() is storage and not counters.down
    assert hit(counters, "b")
    assert storage.get(ITEM.key_for("b")) == 1  # memory's counts are not carried back


def test_one_ping_at_a_time(counters, clock):
    storage = counters.shared.storage
    storage.away = True
    hit(counters)
    clock.now += 1
    started, release = threading.Event(), threading.Event()

    def slow_check():
        storage.pings += 1
        started.set()
        release.wait(5)
        return False

    storage.check = slow_check
    pinger = threading.Thread(target=hit, args=(counters,))
    pinger.start()
    assert started.wait(5)
    assert hit(counters, "other")  # answered from memory at once, no second ping
    release.set()
    pinger.join(5)
    assert storage.pings == 1


def test_keys_carry_the_deployments_prefix(counters):
    assert counters.key("public", "ip:203.0.113.9") == "test:public:ip:203.0.113.9"
