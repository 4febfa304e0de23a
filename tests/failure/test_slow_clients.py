"""Clients that trickle their request headers cannot take `make run`'s server offline.

`make run` serves as scripts/serve.py --embedded does here: 2 workers x 4 threads. 64
connections each send a request one byte a second, and never finish it. A threaded server
that reads headers in its worker threads (gunicorn gthread, `make run`'s server before
granian) gives each a thread until its headers are complete, so 8 of them (4 per worker)
leave nobody to answer; granian reads headers in its async runtime, and every other caller
is answered at once.
"""

import contextlib
import os
import socket
import threading
import time

import pytest
from flask_migrate import upgrade

from api.db.unit_of_work import unit_of_work
from api.lib.languages import LANGUAGES
from api.services.loading import load_content
from scripts import serve
from tests.conftest import build_app
from tests.failure.harness import MakeRun, call, free_port

pytestmark = pytest.mark.failure

SLOW_CLIENTS = 64
BYTE_EVERY_SECONDS = 1.0
# Long enough that no slow client finishes its request while the test runs.
SLOW_REQUEST = (b"GET /api/v1/tips HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
                + b"x" * 200 + b"\r\n\r\n")
ANSWER_SECONDS = 2
# Fresh connections, so each can land on either worker.
ROUNDS = 4


def test_make_run_needs_no_services():
    env = serve.settings({}, embedded=True)
    # The app's own defaults: SQLite in var/, rate-limit counts beside it (never per process).
    assert "DATABASE_URL" not in env and "RATELIMIT_STORAGE_URI" not in env
    assert (env["WORKERS"], env["THREADS"]) == ("2", "4")
    assert serve.server_command(env)[0].endswith("/granian")


@pytest.fixture
def make_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'rapport.db'}"
    app = build_app(database=(url, {}))
    with app.app_context():
        upgrade()
        with unit_of_work():
            load_content(LANGUAGES)
    server = MakeRun({**os.environ, "DATABASE_URL": url}, free_port(),
                     tmp_path / "server.log").start()
    yield server
    server.kill()


@contextlib.contextmanager
def trickling_clients(port: int):
    """SLOW_CLIENTS connections, each sending SLOW_REQUEST a byte at a time until the end."""
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5)
               for _ in range(SLOW_CLIENTS)]
    stop = threading.Event()

    def trickle():
        for byte in SLOW_REQUEST:
            for connection in sockets:
                with contextlib.suppress(OSError):  # dropped by the server: fine
                    connection.sendall(bytes([byte]))
            if stop.wait(BYTE_EVERY_SECONDS):
                return

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        yield
    finally:
        stop.set()
        sender.join(timeout=5)
        for connection in sockets:
            connection.close()


def test_clients_that_trickle_headers_leave_the_server_answering(make_run):
    with trickling_clients(make_run.port):
        time.sleep(2 * BYTE_EVERY_SECONDS)  # every slow client has begun its request
        for _ in range(ROUNDS):
            for path in ("/healthz", "/api/v1/tips"):
                started = time.monotonic()
                try:
                    status = call(make_run.base, "GET", path, timeout=ANSWER_SECONDS)[0]
                except OSError as error:  # timed out
                    pytest.fail(f"{path} got no answer in {ANSWER_SECONDS} s: {error!r}")
                assert status == 200
                assert time.monotonic() - started < ANSWER_SECONDS
