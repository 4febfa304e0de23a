"""Quotas counted in each process and shared in batches (api.shared_quota): never more than
1% of a quota over per process, never a refusal before the quota is really spent, small
quotas exact."""

import threading

from hypothesis import given, settings
from hypothesis import strategies as st
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from api.shared_quota import BATCH_SHARE, SharedQuota


def processes(count: int):
    """`count` processes' quotas sharing one storage, as Redis would be shared."""
    shared = FixedWindowRateLimiter(MemoryStorage())
    run = lambda operation: operation(shared)  # noqa: E731
    return [SharedQuota() for _ in range(count)], run, shared.storage


@settings(max_examples=60, deadline=None)
@given(amount=st.integers(1, 500), hits=st.lists(st.integers(0, 3), max_size=1200))
def test_never_over_by_more_than_what_each_process_holds_back(amount, hits):
    quotas, run, storage = processes(4)
    item = parse(f"{amount} per hour")
    admitted = sum(quotas[who].hit(item, "client", run, storage).allowed for who in hits)
    assert admitted <= amount + len(quotas) * (amount // BATCH_SHARE)
    assert admitted >= min(len(hits), amount), "refused before the quota was spent"


def test_a_small_quota_is_exact_across_processes():
    quotas, run, storage = processes(3)
    item = parse("5 per minute")
    answers = [quotas[n % 3].hit(item, "client", run, storage) for n in range(7)]
    assert [answer.allowed for answer in answers] == [True] * 5 + [False] * 2
    assert [answer.remaining for answer in answers] == [4, 3, 2, 1, 0, 0, 0]


def test_a_big_quota_is_added_in_batches_not_per_hit():
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
    # Every hit is either added to the shared count or still waiting to be.
    last = quotas[0].hit(item, "client", run, storage)
    waiting = quotas[0]._windows[item.key_for("client")].waiting
    assert storage.get(item.key_for("client")) + waiting == 8 * 500 + 1
    assert last.remaining == 1000000 - (8 * 500 + 1)
