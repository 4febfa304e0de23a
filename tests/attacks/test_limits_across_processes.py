"""The attack: with `make run`'s two worker processes counting in their own memory, every
documented limit doubled (10 failed sign-ins before a 429 instead of 5, 20 duplicate sign-ups
instead of 10, 20 bad invite codes, 600 public reads a minute instead of 300), and a restart
forgot every lockout.

Replayed against the served app as `make run` serves it (scripts/serve.py --embedded, two
granian workers each): two such servers on one database, requests alternating between them,
so that no two requests in a row can be counted by the same process; then both are killed
and started again, and every lockout must still hold. On SQLite the counters are in the
default place (a file beside the database); with TEST_DATABASE_URL and
TEST_RATELIMIT_STORAGE_URI (CI's second run), in PostgreSQL's database and in Redis.
"""

import itertools
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask_migrate import upgrade

from api.config import database_url
from api.db.unit_of_work import unit_of_work
from api.lib.languages import LANGUAGES
from api.services.loading import load_content
from scripts._serve import free_port
from tests.conftest import build_app, temporary_database
from tests.factories import PASSWORD
from tests.failure.harness import MakeRun, call, expect, server_url

ON_POSTGRESQL = database_url(os.environ.get("TEST_DATABASE_URL", "")).startswith("postgresql")
REDIS = os.environ.get("TEST_RATELIMIT_STORAGE_URI", "")
NEW_PEER = {"display_name": "P", "username": "someone.new", "password": PASSWORD}


@pytest.fixture
def store(tmp_path):
    """A fresh database, migrated and with content, the way `make run` prepares one."""
    with temporary_database(tmp_path) as database:
        app = build_app(database=database)
        with app.app_context():
            upgrade()
            with unit_of_work():
                load_content(LANGUAGES)
        yield database


@pytest.fixture
def servers(store, tmp_path):
    env = {**os.environ, "DATABASE_URL": server_url(store), "FLASK_APP": "api",
           "SECRET_KEY_FILE": str(tmp_path / "secret-key"),
           "RATELIMIT_KEY_PREFIX": f"attack-{uuid.uuid4().hex[:8]}"}
    env.pop("RATELIMIT_STORAGE_URI", None)  # the app's own default: beside the database
    if ON_POSTGRESQL and REDIS.startswith("redis"):
        env["RATELIMIT_STORAGE_URI"] = REDIS
    made = [MakeRun(env, free_port(), tmp_path / f"server-{n}.log") for n in range(2)]
    start_all(made)
    yield made
    for server in made:
        server.kill()


def start_all(servers) -> None:
    """Start the servers side by side (each start waits until it answers /readyz)."""
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda server: server.start(), servers))


def at_once(count, send, bases):
    """`count` calls of send(n, base) at the same time, spread over the servers."""
    targets = [next(bases) for _ in range(count)]
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count), targets))


def alternating(servers):
    """Each call goes to the other server: no two in a row are counted by one process."""
    return itertools.cycle([f"{server.base}/api/v1" for server in servers])


def test_every_documented_limit_holds_across_processes_and_restarts(servers):
    bases = alternating(servers)
    email, target = (f"{who}-{uuid.uuid4().hex[:8]}@example.org" for who in ("victim", "burst"))
    for address in (email, target):
        expect(call(next(bases), "POST", "/auth/register",
                    {"email": address, "password": PASSWORD, "display_name": "Victim"}), 201)

    # 5 failed sign-ins for one account from an unknown client: the 6th waits.
    for _ in range(5):
        expect(call(next(bases), "POST", "/auth/token",
                    {"email": email, "password": "not my password"}), 401)
    expect(call(next(bases), "POST", "/auth/token", {"email": email, "password": PASSWORD}),
           429)

    # 10 invite codes that do not exist: the 11th waits.
    for n in range(10):
        expect(call(next(bases), "POST", f"/invites/ZZZZ-{n:04d}/accept", NEW_PEER), 404)
    expect(call(next(bases), "POST", "/invites/ZZZZ-9999/accept", NEW_PEER), 429)

    # 10 sign-ups with emails already taken: the 11th waits.
    for _ in range(10):
        expect(call(next(bases), "POST", "/auth/register",
                    {"email": email, "password": PASSWORD, "display_name": "Again"}), 409)
    expect(call(next(bases), "POST", "/auth/register",
                {"email": f"new-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD,
                 "display_name": "New"}), 429)

    # 300 public reads a minute: never one more, whichever process answers.
    answered = [call(next(bases), "GET", "/tips?page_size=1")[0] for _ in range(310)]
    assert set(answered) <= {200, 429}
    assert 300 - 6 <= answered.count(200) <= 300, answered.count(200)
    assert answered[-1] == 429

    # Bursts: 40 at once cannot slip past a limit between its check and its count.
    guesses = at_once(40, lambda n, base: call(base, "POST", "/auth/token", {
        "email": target, "password": f"wrong guess {n}"})[0], bases)
    assert sorted(guesses) == [401] * 5 + [429] * 35, sorted(guesses)

    # Both servers killed (kill -9) and started again: nothing is forgotten.
    for server in servers:
        server.kill()
    start_all(servers)
    bases = alternating(servers)
    expect(call(next(bases), "POST", "/auth/token", {"email": email, "password": PASSWORD}),
           429)
    expect(call(next(bases), "POST", "/invites/ZZZZ-9999/accept", NEW_PEER), 429)
    assert call(next(bases), "GET", "/tips?page_size=1")[0] == 429
