"""The counters' stand-in while the shared storage is away: counting moves to memory, the
storage is tried after 1, 2, 4 ... 32 s (never more than one try at a time, never on every
request), with a write, and counting moves back when one succeeds."""

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
    """Memory that refuses writes while `away` (and still answers a ping, as a read-only
    Redis replica does), counting the writes tried while it was away."""

    def __init__(self):
        super().__init__()
        self.away = False
        self.pings = 0

    def incr(self, key, expiry, amount=1):
        if self.away:
            self.pings += 1
            raise StorageError(ConnectionError("READONLY"))
        return super().incr(key, expiry, amount)

    def check(self):
        return True


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
    counters = Counters("memory://", {}, "test", "secret", logging.getLogger("test"))
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
    # Requests come every 2 s, so a 1 s wait shows as 2. (The first try is the write that
    # failed, not a ping.)
    assert waits[:6] == [2, 2, 4, 8, 16, 32]
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
    storage.pings = 0
    started, release = threading.Event(), threading.Event()

    def slow_write(*_args, **_kwargs):
        storage.pings += 1
        started.set()
        release.wait(5)
        raise StorageError(TimeoutError("hung"))

    storage.incr = slow_write
    pinger = threading.Thread(target=hit, args=(counters,))
    pinger.start()
    assert started.wait(5)
    assert hit(counters, "other")  # answered from memory at once, no second ping
    release.set()
    pinger.join(5)
    assert storage.pings == 1


def test_a_storage_that_fails_again_soon_keeps_the_longer_wait(counters, clock):
    storage = counters.shared.storage
    storage.away = True
    hit(counters)
    for wait in (1, 2, 4):  # three failed tries: the next wait is 8 s
        clock.now += wait
        hit(counters)
    clock.now += 8
    storage.away = False
    hit(counters)
    assert not counters.down
    storage.away = True  # it fails again ten seconds later
    clock.now += 10
    hit(counters)
    clock.now += 15
    pings = storage.pings
    hit(counters)
    assert storage.pings == pings, "tried again before the wait it had reached"
    clock.now += 1
    hit(counters)
    assert storage.pings == pings + 1


def test_keys_name_no_one_and_carry_the_deployments_prefix(counters):
    key = counters.key("public", "ip:203.0.113.9")
    assert key.startswith("test:public:") and "203.0.113" not in key
    assert len(key) == len("test:public:") + 32
    assert key == counters.key("public", "ip:203.0.113.9")
    assert key != counters.key("public", "ip:203.0.113.10")
    long_address = counters.key("public", "ip:" + "x" * 5000)  # a forged REMOTE_ADDR
    assert len(long_address) == len(key)
