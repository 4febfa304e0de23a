"""Redis, the shared rate-limit storage, dies or hangs while the app serves.

The chosen behaviour (api.counters.fallback): public reads keep working and keep their limits,
counted in each process's memory; failed sign-ins are still throttled, per process; a good
sign-in still works; when Redis answers again the counts are shared through it again, with
no restart. A throwaway redis-server of the test's own is killed, never the shared one.
"""

import shutil
import time
import uuid

import pytest
import redis
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api import counters
from tests.factories import make_worker
from tests.failure.harness import RedisServer, free_port
from tests.helpers import assert_problem

pytestmark = [pytest.mark.failure, pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis)")]

QUOTA = 4
RECOVERY_SECONDS = 40  # a dead storage is pinged after 1, 2, 4 ... 32 s
ADDRESS = "127.0.0.1"  # the test client's address


@pytest.fixture
def redis_server():
    server = RedisServer(free_port()).start()
    yield server
    server.kill()


@pytest.fixture
def redis_app(app, make_app, redis_server):
    """An app counting in the throwaway Redis, with a small public quota."""
    prefix = f"redis-down-{uuid.uuid4().hex[:8]}"
    limited = make_app(RATELIMIT_STORAGE_URI=redis_server.url, RATELIMIT_KEY_PREFIX=prefix,
                       PUBLIC_RATE_LIMIT=f"{QUOTA} per minute")
    limited.prefix = prefix
    return limited


def remaining(response) -> int:
    assert response.headers["RateLimit-Policy"] == f'"default";q={QUOTA};w=60'
    return int(response.headers["RateLimit"].split(";r=")[1].split(";")[0])


def sign_in(client, email, password, address=ADDRESS):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def keys_in(server: RedisServer, prefix: str) -> list[bytes]:
    with redis.Redis.from_url(server.url) as connection:
        return connection.keys(f"*{prefix}*")


def wait_for_recovery(app, client) -> float:
    """Counted requests go on until one finds Redis again; seconds it took."""
    started = time.monotonic()
    while counters.of(app).down:
        assert time.monotonic() - started < RECOVERY_SECONDS, "Redis never used again"
        # A counted request pings the storage when a ping is due; from an address of its own,
        # so the counts the test reads stay as they were.
        client.get("/api/v1/faqs", environ_base={"REMOTE_ADDR": "10.1.1.1"})
        time.sleep(0.2)
    return time.monotonic() - started


def test_redis_killed_reads_and_sign_ins_go_on_limited_per_process(redis_app, redis_server):
    client = redis_app.test_client()
    with redis_app.app_context():
        good, guessed = make_worker("good"), make_worker("guessed")

    first = client.get("/api/v1/tips")
    assert first.status_code == 200 and remaining(first) == QUOTA - 1
    assert keys_in(redis_server, redis_app.prefix), "counted in Redis while it is up"

    redis_server.kill()  # SIGKILL: connections refused from now on

    # Public reads: still 200 with the RateLimit fields, counted afresh in memory.
    started = time.monotonic()
    counts = [remaining(client.get("/api/v1/tips")) for _ in range(QUOTA)]
    per_read = (time.monotonic() - started) / QUOTA
    assert counts == list(range(QUOTA - 1, -1, -1))
    assert counters.of(redis_app).down
    # ...and still limited: the quota holds in this process.
    refused = client.get("/api/v1/tips")
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1

    # Sign-ins: a right password works; wrong ones are still throttled (5 per 15 minutes).
    assert sign_in(client, good.email, good.password).status_code == 201
    statuses = [sign_in(client, guessed.email, "not the password", "10.9.8.7").status_code
                for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert sign_in(client, guessed.email, guessed.password, "10.9.8.6").status_code == 429

    # Redis comes back on the same port, empty: counts are shared through it again.
    redis_server.start()
    recovered_in = wait_for_recovery(redis_app, client)
    another_process = FixedWindowRateLimiter(storage_from_string(redis_server.url))
    shared_key = counters.of(redis_app).key("public", f"ip:{ADDRESS}")
    assert another_process.hit(parse(f"{QUOTA} per minute"), shared_key)
    back = client.get("/api/v1/tips")
    assert back.status_code == 200
    assert remaining(back) == QUOTA - 2, "a hit by another process counts here too"
    assert keys_in(redis_server, f"{redis_app.prefix}:public:")
    assert sign_in(client, good.email, good.password).status_code == 201
    print(f"\nRedis killed: {per_read * 1000:.1f} ms a read in memory; "
          f"back on Redis {recovered_in:.1f} s after it restarted")


def test_a_hung_redis_is_waited_on_for_a_second_at_a_time(redis_app, redis_server):
    client = redis_app.test_client()
    assert client.get("/api/v1/faqs").status_code == 200
    redis_server.pause()  # SIGSTOP: connections open, nothing answers
    try:
        waits = []
        for _ in range(QUOTA):
            started = time.monotonic()
            assert client.get("/api/v1/faqs").status_code == 200
            waits.append(time.monotonic() - started)
        # The request that finds Redis hung waits out its 1 s timeout; the next ping is a
        # second later, and meanwhile every request counts in memory at once.
        assert max(waits) < 2, waits
        assert all(wait < 0.5 for wait in waits[1:]), waits
        assert_problem(client.get("/api/v1/faqs"), 429)  # the quota holds meanwhile
    finally:
        redis_server.resume()
    wait_for_recovery(redis_app, client)
    assert client.get("/api/v1/faqs").status_code == 200
    print(f"\nRedis hung: requests waited {', '.join(f'{w:.2f}' for w in waits)} s")
