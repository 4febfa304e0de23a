"""Web Push from the served app, sent by the job consumer that scripts/serve.py starts.

The server as `make run` starts it (scripts/serve.py --embedded: granian and, beside it, one
`huey_consumer api.worker.queue`) over a throwaway database (SQLite with its queue file beside
it; PostgreSQL with a throwaway Redis queue when TEST_DATABASE_URL points at one). A worker
and peers join through the HTTP API, each peer's "browser" subscribes, and the worker's
changes reach the test's push service, sent by the consumer process, not by the test.

Then the consumer gets SIGKILL: a change made meanwhile waits in the database, and a consumer
started again (scripts/worker.py, as `make worker`) sends it. With two consumers at once,
every notification reaches its device exactly once.
"""

import contextlib
import os
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from api.config import database_url
from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.languages import LANGUAGES
from api.models import Notification
from api.services.loading import load_content
from tests.conftest import build_app, temporary_database
from tests.factories import PASSWORD
from tests.failure.harness import (
    BIN,
    ROOT,
    MakeRun,
    RedisServer,
    call,
    expect,
    free_port,
    server_url,
)
from tests.reminders.push_service import Browser, PushService

pytestmark = pytest.mark.failure

NEW_GOAL = "There is a new shared goal in Rapport."
ARRIVES_SECONDS = 10
MAX_ROUNDS = 12
# A device busy with another consumer's batch is looked at again within seconds
# (api.jobs.tasks.BUSY_RETRY_SECONDS); the minute's sweep is the backstop.
ALL_ARRIVE_SECONDS = 75
ON_POSTGRESQL = database_url(os.environ.get("TEST_DATABASE_URL", "")).startswith("postgresql")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not ON_POSTGRESQL, reason="TEST_DATABASE_URL does not point at PostgreSQL"))]


@pytest.fixture(scope="module")
def push_service():
    service = PushService()
    yield service
    service.close()


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    """(backend's env for the server, the test's app on the same database)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rapport.db'}"
        yield {"DATABASE_URL": url}, prepare((url, {}))
        return
    redis = RedisServer(free_port()).start()
    try:
        with temporary_database(tmp_path) as database:
            yield ({"DATABASE_URL": server_url(database), "JOBS_URL": redis.url},
                   prepare(database))
    finally:
        redis.kill()


def prepare(database):
    app = build_app(database=database)
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_content(LANGUAGES)
    return app


@pytest.fixture
def served(store, tmp_path):
    settings, app = store
    env = {**os.environ, **settings, "FLASK_APP": "api",
           "SECRET_KEY_FILE": str(tmp_path / "secret-key"),
           "VAPID_KEY_FILE": str(tmp_path / "vapid.pem"),
           "PUSH_SERVICES": "127.0.0.1", "PUSH_ALLOW_HTTP": "1",
           # The one-push-a-minute gap is tested in tests/attacks/test_push_attacks.py; here
           # it would hold rounds back until a single consumer had taken them all.
           "PUSH_MIN_GAP_SECONDS": "1"}
    # The app's own defaults, as `make run` has them (JOBS_URL: the file beside the database).
    for name in ("RATELIMIT_STORAGE_URI", "SECRET_KEY", "VAPID_PRIVATE_KEY", "JOB_WORKERS",
                 *(() if "JOBS_URL" in settings else ("JOBS_URL",))):
        env.pop(name, None)
    server = MakeRun(env, free_port(), tmp_path / "server.log").start()
    consumers = Consumers(server.env, tmp_path)
    yield server, app, consumers
    consumers.kill()
    server.kill()


class Consumers:
    """Consumers the test starts as `make worker` does (scripts/worker.py), killed by PID."""

    def __init__(self, env: dict, folder: Path):
        self.env, self.folder, self.processes, self.logs = env, folder, [], []

    @staticmethod
    def sent(log: Path, since: int = 0) -> bool:
        """Whether the consumer writing `log` ran a send-at-once job (past byte `since`)."""
        return b"Executing api.jobs.tasks.send_to_devices" in log.read_bytes()[since:]

    def start(self) -> subprocess.Popen:
        log = self.folder / f"worker-{len(self.processes)}.log"
        self.logs.append(log)
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 (our own venv, fixed arguments)
                [str(BIN / "python"), str(ROOT / "scripts" / "worker.py"), "--embedded"],
                env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.processes.append(process)
        return process

    def kill(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# --- processes ------------------------------------------------------------------------------

def children(pid: int) -> dict[int, str]:
    """The live (not zombie) children of `pid`: {pid: command line}."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def consumer_of(server: MakeRun) -> int:
    [pid] = [pid for pid, cmd in children(server.process.pid).items()
             if "huey.bin.huey_consumer api.worker.queue" in cmd]
    return pid


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


# --- people ---------------------------------------------------------------------------------

def sign_up_worker(api: str) -> str:
    email = f"push-{uuid.uuid4().hex[:10]}@example.org"
    expect(call(api, "POST", "/auth/register",
                {"email": email, "password": PASSWORD, "display_name": "Rosa Worker"}), 201)
    return expect(call(api, "POST", "/auth/token",
                       {"email": email, "password": PASSWORD}), 201)[0]["token"]


def peer_with_phone(api: str, worker: str, service: PushService) -> tuple[str, Browser]:
    """A peer who joined by the worker's invite, with a subscribed browser: (partnership,
    browser)."""
    code = expect(call(api, "POST", "/invites", {}, worker), 201)[0]["code"]
    joined = expect(call(api, "POST", f"/invites/{code}/accept", {
        "display_name": "Tomas Peer", "username": f"peer{uuid.uuid4().hex[:10]}",
        "password": PASSWORD}), 201)[0]
    phone = Browser(service)
    expect(call(api, "POST", "/me/push-subscriptions", phone.subscription(time_zone="UTC"),
                joined["token"]), 201)
    return joined["partnership_id"], phone


def new_goal(api: str, worker: str, partnership: str) -> None:
    expect(call(api, "POST", f"/partnerships/{partnership}/goals",
                {"title": f"Walk every morning {uuid.uuid4().hex[:6]}"}, worker), 201)


def opened(key: str, service: PushService, phone: Browser) -> list[dict]:
    """Each push to `phone`, its VAPID signature (by `key`) checked, decrypted."""
    return [phone.open(push, key, service.origin) for push in service.to(phone.name)]


def notifications(app, **where) -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).filter_by(**where)).all()
        db.session.expunge_all()
        return rows


# --- the test -------------------------------------------------------------------------------

def test_pushes_are_sent_by_the_consumer_wait_while_it_is_down_and_go_once(
        served, push_service):
    server, app, consumers = served
    api = server.base + "/api/v1"
    worker = sign_up_worker(api)
    phones = [peer_with_phone(api, worker, push_service) for _ in range(3)]
    partnership, phone = phones[0]
    key = expect(call(api, "GET", "/push/key"), 200)[0]["public_key"]

    # The consumer serve.py started sends the push: the test runs no job itself.
    consumer = consumer_of(server)
    new_goal(api, worker, partnership)
    wait_for(lambda: push_service.to(phone.name), ARRIVES_SECONDS, "the first push")
    [message] = opened(key, push_service, phone)
    assert message["body"] == NEW_GOAL
    assert message["kind"] == "new_goal" and message["count"] == 1
    assert message["url"] == f"#/partnerships/{partnership}"
    # Killed between the push and its record, the consumer would send it again after the lease
    # (at-least-once): kill it only once the first push is recorded.
    wait_for(lambda: notifications(app, status="waiting") == [], 10, "the first push recorded")

    # The consumer dies outright; the server goes on, and a change still saves.
    os.kill(consumer, signal.SIGKILL)
    wait_for(lambda: consumer not in children(server.process.pid), 5, "the consumer dead")
    assert call(server.base, "GET", "/readyz")[0] == 200
    new_goal(api, worker, partnership)
    time.sleep(3)
    assert len(push_service.to(phone.name)) == 1  # nothing sent: no one to send it
    [waiting] = notifications(app, status="waiting")
    assert waiting.kind == "new_goal" and waiting.attempts == 0

    # A consumer started again (`make worker`) sends what waited, once.
    consumers.start()
    # Its job waited in the queue; the minute's sweep is the backstop.
    wait_for(lambda: len(push_service.to(phone.name)) == 2, ARRIVES_SECONDS + 75,
             "the push that waited")
    assert [m["body"] for m in opened(key, push_service, phone)] == [NEW_GOAL, NEW_GOAL]
    # The sender records "sent" after the push service has answered: wait for the record.
    wait_for(lambda: notifications(app, status="waiting") == [], 10, "the push recorded")

    # Two consumers at once, changes for three phones made side by side, round after round
    # until each consumer has sent some: each notification arrives exactly once.
    consumers.start()
    wait_for(lambda: all("Huey consumer started" in log.read_text()
                         for log in consumers.logs), 30, "the consumers started")
    since = {log: log.stat().st_size for log in consumers.logs}
    rounds = 0
    with ThreadPoolExecutor(len(phones)) as pool:
        while rounds < 3 or not all(consumers.sent(log, at) for log, at in since.items()):
            assert rounds < MAX_ROUNDS, "one consumer took all the work"
            list(pool.map(lambda each: new_goal(api, worker, each), [p for p, _ in phones]))
            rounds += 1
            # Idle, both consumers back off to polling once a second (serve.consumer_command):
            # then either may take the next round's jobs.
            time.sleep(2.5)
    expected = {p.name: rounds + (2 if p is phone else 0) for _, p in phones}

    def told():  # notifications each phone has heard of, one push may carry several
        return {p.name: sum(m["count"] for m in opened(key, push_service, p))
                for _, p in phones}

    try:
        wait_for(lambda: told() == expected, ALL_ARRIVE_SECONDS, f"{expected} heard")
    except AssertionError as error:
        raise AssertionError(f"{error}; heard {told()}") from None
    assert told() == expected
    time.sleep(3)  # nothing more comes: no second copy from the other consumer
    assert told() == expected
    wait_for(lambda: {n.status for n in notifications(app)} == {"sent"}, 10,
             "every push recorded")
    sent = notifications(app)
    assert len(sent) == sum(expected.values())
    assert {(n.status, n.attempts) for n in sent} == {("sent", 1)}
    for _, p in phones:
        pushes = push_service.to(p.name)
        assert len(pushes) <= expected[p.name]
        for m in opened(key, push_service, p):
            assert m["body"] == (NEW_GOAL if m["count"] == 1 else
                                 f"There are {m['count']} new shared goals in Rapport.")
    assert all(process.poll() is None for process in consumers.processes)
