"""What the failure tests share: free ports, the server as `make run` starts it, a throwaway
redis-server, a TCP proxy that can be cut, and small JSON-over-HTTP calls.

Every process started here is started in its own session and stopped by its own PID (or
process group), never by name. Every wait has a deadline.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

from scripts._serve import free_port
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
READY_SECONDS = 60  # generous: four workers importing the app at once on a busy machine


def server_url(database: tuple[str, dict]) -> str:
    """A DATABASE_URL for a (url, engine options) pair from tests.conftest."""
    url, options = database
    search_path = options.get("connect_args", {}).get("options")
    if not search_path:
        return url
    return f"{url}{'&' if '?' in url else '?'}options={quote(search_path, safe='')}"


# --- HTTP -----------------------------------------------------------------------------------

def call(base: str, method: str, path: str, body=None, token: str | None = None,
         headers: dict | None = None, timeout: float = 10):
    """One JSON request: (status, parsed body, headers). Network failures raise OSError."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw
    return status, parsed, got


def expect(status_body_headers, *statuses: int):
    status, body, headers = status_body_headers
    assert status in statuses, f"answered {status}: {body!r}"[:800]
    return body, headers


def make_partnership_goal(base: str) -> tuple[str, str]:
    """A worker (token), a peer who joined by invite, and a goal: (token, goal id)."""
    email = f"failure-{uuid.uuid4().hex[:10]}@example.org"
    expect(call(base, "POST", "/auth/register",
                {"email": email, "password": PASSWORD, "display_name": "Crash Worker"}), 201)
    token = expect(call(base, "POST", "/auth/token",
                        {"email": email, "password": PASSWORD}), 201)[0]["token"]
    code = expect(call(base, "POST", "/invites", {}, token), 201)[0]["code"]
    partnership = expect(call(base, "POST", f"/invites/{code}/accept", {
        "display_name": "Crash Peer", "username": f"peer{uuid.uuid4().hex[:10]}",
        "password": PASSWORD}), 201)[0]["partnership_id"]
    goal = expect(call(base, "POST", f"/partnerships/{partnership}/goals",
                       {"title": "Walk every morning"}, token), 201)[0]["id"]
    return token, goal


# --- processes ------------------------------------------------------------------------------

class ServerProcess:
    """The app served by `command` in a process group of its own, ready once /readyz is 200."""

    name = "the server"

    def __init__(self, command: list[str], env: dict, port: int, log: Path):
        self.command, self.env, self.port, self.log_path = command, env, port, log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServerProcess":
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own venv, fixed arguments)
                self.command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            try:
                if call(self.base, "GET", "/readyz", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"{self.name} was not ready in {READY_SECONDS} s:\n"
                           + self.log_tail())

    def kill(self) -> None:
        """SIGKILL to the server and every worker at once: the crash test's crash."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class MakeRun(ServerProcess):
    """The app as `make run` serves it: scripts/serve.py --embedded, granian with 2 workers x 4
    threads. The database must be migrated already (`--no-setup`). Its workers' metrics files
    go beside its log, not into var/."""

    name = "scripts/serve.py"

    def __init__(self, env: dict, port: int, log: Path):
        command = [str(BIN / "python"), str(ROOT / "scripts" / "serve.py"), "--embedded",
                   "--no-setup"]
        super().__init__(command, {
            **env, "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "2", "THREADS": "4",
            "PROMETHEUS_MULTIPROC_DIR": str(log.with_name(f"metrics-{port}"))}, port, log)


class RedisServer:
    """A throwaway redis-server (no persistence) on its own port, killed by its own PID."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(  # noqa: S603, S607 (fixed arguments)
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()  # a stopped process still dies of SIGKILL; this keeps it tidy
            self.process.kill()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, as with a hung server."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


class CuttableProxy:
    """A TCP proxy on a loopback port to a real server; `cut()` closes every connection and
    refuses new ones (the network is gone), `restore()` lets them through again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._open = threading.Event()
        self._stopped = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._listener.settimeout(0.05)
        self._open.set()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._open.is_set():
                client.close()  # refused: as if nothing listened
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            self._drop(source, sink)

    def _drop(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._sockets.discard(sock)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        self._open.clear()
        with self._lock:
            live = list(self._sockets)
        self._drop(*live)

    def restore(self) -> None:
        self._open.set()

    def close(self) -> None:
        self._stopped.set()
        self.cut()
        self._listener.close()
        self._thread.join(timeout=5)
