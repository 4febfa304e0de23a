"""Serve Rapport for a tool (audit, screenshots): on loopback, as `make run` does (scripts/serve.py
--embedded), over a fresh throwaway SQLite database with the content loaded."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The venv's own tools, whichever way the venv python was started.
BIN = Path(sys.executable).parent
# Ports from 32768 up are the kernel's ephemeral range, which fills up under load.
PORT_RANGE = range(20000, 32768)
READY_TIMEOUT_SECONDS = 30


def free_port() -> int:
    """A loopback port nobody listens on, below the ephemeral range."""
    # Apart for two processes at once, and for two calls before the first port is taken.
    start = (os.getpid() * 7919 + time.monotonic_ns()) % len(PORT_RANGE)
    for offset in range(len(PORT_RANGE)):
        port = PORT_RANGE[(start + offset) % len(PORT_RANGE)]
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below 32768")


def wait_until_ready(base_url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited early; see {log_path}")
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:  # not listening yet, still booting (timeout), or 503
            time.sleep(0.2)
    raise RuntimeError(f"/readyz did not answer within {READY_TIMEOUT_SECONDS}s; see {log_path}")


@contextlib.contextmanager
def serve(workdir: Path):
    """Yield the base URL of a running app whose data lives (and dies) in `workdir`."""
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "rapport.db"
    for leftover in (database, workdir / "rapport.db-wal", workdir / "rapport.db-shm"):
        leftover.unlink(missing_ok=True)
    env = {**os.environ, "FLASK_APP": "api", "DATABASE_URL": f"sqlite:///{database}"}
    for task in (["db", "upgrade"], ["content", "load"]):
        subprocess.run([BIN / "flask", *task], env=env, cwd=ROOT, check=True,  # noqa: S603
                       stdout=subprocess.DEVNULL)
    port = free_port()
    # The workers' metrics files go with the rest of this run (serve.py makes the folder).
    env.update(HOST="127.0.0.1", PORT=str(port), WORKERS="2", THREADS="4",
               PROMETHEUS_MULTIPROC_DIR=str(workdir / "metrics"))
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 (fixed command, our own venv)
            [BIN / "python", ROOT / "scripts" / "serve.py", "--embedded", "--no-setup"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base_url, server, log_path)
        yield base_url
    finally:
        # The whole process group: granian stopped while a worker is still starting leaves
        # that worker running.
        os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
