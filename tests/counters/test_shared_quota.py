"""Quotas shared by every process and reserved a few hits at a time (api.counters.shared_quota):
never a hit over the quota, a refusal early only by what other processes hold unused, small
quotas exact."""

import threading

from hypothesis import given, settings
from hypothesis import strategies as st
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from api.counters.shared_quota import BATCH_SHARE, SharedQuota


def processes(count: int):
    """`count` processes' quotas sharing one storage, as Redis would be shared."""
    shared = FixedWindowRateLimiter(MemoryStorage())
    run = lambda operation: operation(shared)  # noqa: E731
    return [SharedQuota() for _ in range(count)], run, shared.storage


@settings(max_examples=60, deadline=None)
@given(amount=st.integers(1, 500), hits=st.lists(st.integers(0, 3), max_size=1200))
def test_never_over_and_early_only_by_what_other_processes_hold(amount, hits):
    quotas, run, storage = processes(4)
    item = parse(f"{amount} per hour")
    admitted = sum(quotas[who].hit(item, "client", run, storage).allowed for who in hits)
    assert admitted <= amount
    held_elsewhere = (len(quotas) - 1) * (max(1, amount // BATCH_SHARE) - 1)
    assert admitted >= min(len(hits), amount - held_elsewhere), "refused too early"


@settings(max_examples=40, deadline=None)
@given(amount=st.integers(1, 2000), hits=st.integers(0, 2500))
def test_one_process_is_exact(amount, hits):
    quotas, run, storage = processes(1)
    item = parse(f"{amount} per hour")
    answers = [quotas[0].hit(item, "client", run, storage) for _ in range(hits)]
    assert sum(answer.allowed for answer in answers) == min(hits, amount)
    assert [answer.remaining for answer in answers] == [
        max(0, amount - n) for n in range(1, hits + 1)]


def test_a_small_quota_is_exact_across_processes():
    quotas, run, storage = processes(3)
    item = parse("5 per minute")
    answers = [quotas[n % 3].hit(item, "client", run, storage) for n in range(7)]
    assert [answer.allowed for answer in answers] == [True] * 5 + [False] * 2
    assert [answer.remaining for answer in answers] == [4, 3, 2, 1, 0, 0, 0]


def test_a_big_quota_is_reserved_in_blocks_not_per_hit():
    quotas, _, storage = processes(1)
    adds = []

    def run(operation):
        adds.append(1)
        return operation(FixedWindowRateLimiter(storage))

    item = parse("100000 per hour")
    for _ in range(2000):
        assert quotas[0].hit(item, "client", run, storage).allowed
    assert len(adds) <= 2000 // (100000 // BATCH_SHARE) + 2  # plus the first, plus the clock


def test_a_spent_window_is_refused_without_asking_again():
    quotas, run, storage = processes(1)
    item = parse("2 per minute")
    for _ in range(3):
        quotas[0].hit(item, "client", run, storage)
    asked = []
    refused = quotas[0].hit(item, "client", lambda op: asked.append(1) or run(op), storage)
    assert not refused.allowed and asked == []


def test_threads_in_one_process_lose_no_hit():
    quotas, run, storage = processes(1)
    item = parse("1000000 per hour")

    def hammer():
        for _ in range(500):
            quotas[0].hit(item, "client", run, storage)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # The shared count holds every hit made, plus what is reserved and not used yet.
    last = quotas[0].hit(item, "client", run, storage)
    unused = quotas[0]._windows[item.key_for("client")].granted
    assert storage.get(item.key_for("client")) - unused == 8 * 500 + 1
    assert last.remaining == 1000000 - (8 * 500 + 1)
