"""`make bench`: Rapport's production server against nginx, check-in writes, and private reads.

One command, everything on loopback, every figure from this one run on this one machine:

1. `make run` against `make serve` (SQLite, both granian as `scripts/serve.py` starts it):
   rate-limit counters in the SQLite file beside the data against Redis, on the cached tip
   list and on check-in writes (and counters in process memory, to show what sharing them
   costs).
2. Reads (SQLite): `GET /api/v1/tips` through the production server (`make serve`'s
   command: granian, Redis rate-limit counters) against nginx serving a file holding exactly
   the bytes of that answer, from its own config, pid file and temp folders; then the same
   for a conditional GET answered 304 (`If-None-Match` with each server's own ETag).
3. Check-in writes with 32 concurrent clients, SQLite and PostgreSQL: each request with its
   own Idempotency-Key; afterwards every request sent must be stored exactly once (below).
4. Private reads, one client: a worker with 200 partnerships and 4,000 goals (written
   straight to the tables by bench/seed.py), then p50/p99 of `GET /api/v1/checkins/due`, a
   partnership's goal list and the worker's partnership list; SQLite and PostgreSQL.
5. Profiles (py-spy, sampling every worker while the same loads run again, after the
   measured runs so they do not slow them): where the CPU goes, by package and function.

The results, the machine and the command are written into BENCHMARKS.md (between its
`bench:start`/`bench:end` markers) and appended to bench/results.md; the raw profiles go to
var/bench/. Targets missed are reported, not failed; the exit status is 1 only when a figure
cannot be trusted: an error answer, a lost or duplicated check-in, a failed step.

Verification of writes: wrk stops with up to one request in flight per connection, which the
server may or may not have stored. Those are replayed with their own key, as the PWA outbox
would, and then the stored check-ins are read back through the API: their count must equal
the 201 answers plus the replayed requests, each key exactly once.

Settings: BENCH_DURATION (10s), BENCH_WARMUP (3s), BENCH_COMPARE_DURATION (5s),
BENCH_LATENCY_DURATION (5s), BENCH_ONLY (sqlite or postgresql), BENCH_COMPARE=0,
BENCH_PROFILE=0, BENCH_PG (admin URL of the PostgreSQL server).
"""

import contextlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
SCRIPT = HERE / "checkins.lua"
RESULTS = HERE / "results.md"
NOTE = ROOT / "BENCHMARKS.md"
PROFILES = ROOT / "var" / "bench"
sys.path.insert(0, str(ROOT / "scripts"))
import serve  # noqa: E402  (scripts/serve.py: `make serve`'s settings and server command)

THREADS, CONNECTIONS = 2, 32
DURATION = os.environ.get("BENCH_DURATION", "10s")
WARMUP = os.environ.get("BENCH_WARMUP", "3s")
COMPARE_DURATION = os.environ.get("BENCH_COMPARE_DURATION", "5s")
LATENCY_DURATION = os.environ.get("BENCH_LATENCY_DURATION", "5s")
COMPARE = os.environ.get("BENCH_COMPARE", "1") != "0"
COMPARE_ROUNDS = int(os.environ.get("BENCH_COMPARE_ROUNDS", "2"))
PROFILE = os.environ.get("BENCH_PROFILE", "1") != "0"
# wrk's default 2 s counts any slower answer as a socket "timeout" error and leaves it out of
# the latency figures, even when it is a 201 that arrived: on a busy 2-core machine that is a
# slow request, not a failed one, and it belongs in p99. Lost requests are caught by the check.
TIMEOUT = os.environ.get("BENCH_TIMEOUT", "10s")
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
# Below the ephemeral range (32768+), which heavy load fills with TIME_WAIT sockets.
FIRST_PORT, NGINX_PORT = 18431, 18631
LOAD_BEFORE = " ".join(Path("/proc/loadavg").read_text().split()[:3])
RUN = uuid.uuid4().hex[:8]
# One load generator is not a crowd: without this the production limit (300 a minute per
# address) would refuse it after a second. The counting itself still runs on every request
# (reserved from Redis in blocks of 1% of the quota: api.counters.shared_quota), and a one-second
# window makes each process start a new window, and ask Redis, every second.
BENCH_SETTINGS = {"PUBLIC_RATE_LIMIT": "1000000 per second",
                  "RATELIMIT_KEY_PREFIX": f"rapport-bench-{RUN}"}
# The comparison of set-ups: label, settings on top of `make serve`'s, embedded (`make run`:
# no Redis, the app's own counters beside its data).
CONFIGS = [
    ("make serve: counters in Redis", {}, False),
    ("make run: counters in SQLite", {}, True),
    ("counters in process memory", {"RATELIMIT_STORAGE_URI": "memory://"}, False),
]
# What the issue asks for. A ratio is app/nginx within this run.
TARGETS = {"tips_200": 0.15, "tips_304": 0.20, "writes": 1500.0, "p99_ms": 25.0}


class BenchError(Exception):
    """Something that makes the figures worthless: say so and stop."""


def log(message: str) -> None:
    print(f"== {message}", flush=True)


# --- HTTP -----------------------------------------------------------------------------------

def call(base, method, path, body=None, token=None, headers=None, expect=(200, 201)):
    """One JSON request; returns (status, json, headers). Unexpected statuses raise."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    if status not in expect:
        raise BenchError(f"{method} {path} answered {status}: {raw[:500]!r}")
    return status, json.loads(raw or b"null"), got



def fetch(url: str, headers: dict | None = None):
    """A plain GET (no compression asked for): status, body and the headers (any case)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity",
                                                   **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


# --- servers --------------------------------------------------------------------------------

def free_port(start: int) -> int:
    for port in range(start, start + 200):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise BenchError(f"no free port in {start}..{start + 199}")



def bench_env(url: str, *, embedded: bool = False, **overrides: str) -> dict:
    """`make serve`'s settings (scripts/serve.py) on this database, plus the bench's own;
    `embedded`: `make run`'s, which leave the rate-limit counters to the app."""
    environ = {**os.environ, "DATABASE_URL": url, **BENCH_SETTINGS, **overrides}
    if embedded:
        environ.pop("RATELIMIT_STORAGE_URI", None)
    return serve.settings(environ, embedded=embedded)


def prepare(env: dict) -> None:
    """What `make serve` does before it starts the server: database, migrations, content."""
    serve.ensure_database(env["DATABASE_URL"])
    for step in (["db", "upgrade"], ["content", "load"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "api", *step], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise BenchError(f"flask {' '.join(step)} failed:\n{done.stdout}{done.stderr}")


def shown(command: list[str]) -> str:
    """A command line as a reader would type it: venv paths short, the port a word."""
    text = shlex.join(command).replace(str(BIN) + "/", ".venv/bin/")
    return re.sub(r"(--port |127\.0\.0\.1:)\d+", r"\1PORT", text)


class Server:
    """`scripts/serve.py --no-setup` (it execs the server, so its PID is the server's), in
    its own process group; stopped gracefully (SIGTERM) on every exit path."""

    def __init__(self, env: dict, log_path: Path):
        self.port = free_port(FIRST_PORT)
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.log_path = log_path
        self.command = serve.server_command(self.env)
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen([str(PYTHON), str(ROOT / "scripts" / "serve.py"),
                                         "--no-setup"], env=self.env, cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.log_path.with_suffix(".pid").write_text(f"{self.process.pid}\n")
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the server exited with {self.process.returncode}:\n"
                                 + self.log_tail())
            try:
                urllib.request.urlopen(f"{self.base}/readyz", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise BenchError("the server did not become ready in 90 s:\n" + self.log_tail())

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()  # graceful: requests in flight finish, then it exits
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.closed:
            self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


class Nginx:
    """nginx from its own config, pid file, logs and temp folders in `folder`, on loopback,
    serving `body` at `path` as a static file (it sets ETag and Last-Modified itself)."""

    def __init__(self, folder: Path, path: str, body: bytes, content_type: str):
        self.folder, self.port = folder, free_port(NGINX_PORT)
        www = folder / "www"
        target = www / path.lstrip("/")
        target.parent.mkdir(parents=True)
        target.write_bytes(body)
        # Started as root, nginx's workers run as nobody: they must reach the file.
        for part in (folder.parent, *reversed(target.relative_to(folder.parent).parents)):
            (folder.parent / part).chmod(0o755)
        target.chmod(0o644)
        (folder / "temp").mkdir()
        self.conf = folder / "nginx.conf"
        temps = "\n".join(f"  {kind}_temp_path {folder}/temp/{kind};"
                          for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # The same two cores as the app's two workers; the access log on, as the app's is.
        self.conf.write_text(f"""worker_processes 2;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  access_log {folder}/access.log;
{temps}
  sendfile on;
  tcp_nopush on;
  server {{
    listen 127.0.0.1:{self.port};
    root {www};
    default_type {content_type};
  }}
}}
""")
        self.url = f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self):
        self.process = subprocess.Popen(["nginx", "-p", str(self.folder), "-e",
                                         str(self.folder / "error.log"), "-c", str(self.conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError("nginx exited:\n"
                                 + (self.folder / "error.log").read_text(errors="replace"))
            try:
                urllib.request.urlopen(self.url, timeout=2)
                return self
            except urllib.error.HTTPError as error:
                self.__exit__()
                raise BenchError(f"nginx answered {error.code}:\n"
                                 + (self.folder / "error.log").read_text(errors="replace")
                                 ) from error
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise BenchError("nginx did not answer in 20 s")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


# --- wrk ------------------------------------------------------------------------------------

def wrk_command(url: str, duration: str, script: Path | None = None, *, threads=THREADS,
                connections=CONNECTIONS, headers: dict | None = None) -> list[str]:
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}", f"--timeout={TIMEOUT}",
            "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    return args + (["-s", str(script)] if script else []) + [url]


def run_wrk(command: list[str], env: dict | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode:
        raise BenchError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(out: str) -> dict:
    """Rate, latency percentiles (ms) and error counts from wrk's own report."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not rate:
        raise BenchError(f"could not read wrk's report:\n{out}")
    result = {"rate": float(rate.group(1)), "non2xx": 0, "socket_errors": 0}
    for pct in (50, 99):
        found = re.search(rf"^\s+{pct}(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        result[f"p{pct}_ms"] = float(found.group(1)) * UNITS[found.group(2)] if found else None
    if found := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        result["non2xx"] = int(found.group(1))
    if found := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                          r"timeout (\d+)", out):
        result["socket_errors"] = sum(map(int, found.groups()))
        result["socket_detail"] = found.group(0).strip()
    if found := re.search(r"(\d+) requests in", out):
        result["answered"] = int(found.group(1))
    return result



def reads(url: str, duration: str, *, headers: dict | None = None, connections=CONNECTIONS,
          threads=THREADS, what: str = "") -> dict:
    """wrk on one URL; any error answer or socket error makes the figure worthless."""
    command = wrk_command(url, duration, headers=headers, connections=connections,
                          threads=threads)
    result = parse_wrk(run_wrk(command))
    result["command"] = command
    if result["non2xx"] or result["socket_errors"]:
        raise BenchError(f"{what or url}: {result['non2xx']} error answers, "
                         f"{result.get('socket_detail', '0 socket errors')}")
    return result


def load_checkins(port, goal, token, duration, workdir: Path) -> dict:
    run_id = f"b{uuid.uuid4().hex[:10]}"
    pending_file = workdir / f"{run_id}.pending"
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_GOAL": goal, "BENCH_RUN": run_id,
           "BENCH_PENDING": str(pending_file)}
    command = wrk_command(f"http://127.0.0.1:{port}", duration, SCRIPT)
    out = run_wrk(command, env)
    line = re.search(r"^RESULT (.*)$", out, re.M)
    if not line:
        raise BenchError(f"the Lua script printed no RESULT line:\n{out}")
    books = dict(field.split("=", 1) for field in line.group(1).split())
    result = parse_wrk(out)
    result.update({name: int(value) for name, value in books.items() if name != "statuses"})
    result["statuses"] = books["statuses"]
    result["p50_ms"], result["p99_ms"] = result["p50_us"] / 1000, result["p99_us"] / 1000
    result["sent_keys"] = {f"{run_id}-t{tid}-{n}"
                           for tid, sent in re.findall(r"^THREAD id=(\d+) sent=(\d+)$", out, re.M)
                           for n in range(1, int(sent) + 1)}
    result["pending"] = [line.split("\t", 1)
                         for line in pending_file.read_text().splitlines() if line]
    result["output"], result["command"] = out, command
    return result



# --- verification ---------------------------------------------------------------------------

def replay_unanswered(base, goal, token, pending) -> tuple[int, int]:
    """Send each request wrk left unanswered again, with its own key and body.

    A replay of one the server stored answers its stored 201 (Idempotent-Replayed); one the
    server never saw is created now. Either way it ends stored exactly once.
    """
    already, late = 0, 0
    for key, body in pending:
        for _ in range(20):
            status, _, headers = call(base, "POST", f"/goals/{goal}/checkins", json.loads(body),
                                      token, {"Idempotency-Key": key}, expect=(201, 409))
            if status == 201:
                break
            time.sleep(float(headers.get("Retry-After", "1")))  # 409: first one still running
        else:
            raise BenchError(f"key {key} stayed in flight (409) for 20 tries")
        if headers.get("Idempotent-Replayed") == "true":
            already += 1
        else:
            late += 1
    return already, late


def stored_notes(base, goal, token) -> tuple[int, list[str]]:
    notes, page, total = [], 1, None
    while True:
        _, items, headers = call(base, "GET", f"/goals/{goal}/checkins?page={page}&page_size=100",
                                 token=token)
        paging = json.loads(headers["X-Pagination"])
        total = paging["total"]
        notes += [item["note"] for item in items]
        if len(items) < 100 or page >= paging.get("total_pages", page):
            return total, notes
        page += 1


def verify(base, goal, token, load: dict) -> dict:
    time.sleep(1)  # let the server finish what wrk abandoned before asking about it
    already, late = replay_unanswered(base, goal, token, load["pending"])
    total, notes = stored_notes(base, goal, token)
    expected = load["created"] + len(load["pending"])
    problems = []
    if load["non2xx"] or load["socket_errors"]:
        problems.append(f"{load['non2xx']} non-2xx answers (by status: {load['statuses']}), "
                        f"{load['socket_errors']} socket errors")
    if load["replayed"] or load["unmatched"]:
        problems.append(f"{load['replayed']} answers were replays and {load['unmatched']} "
                        "matched no request sent: keys were not unique")
    if total != expected:
        problems.append(f"{total} check-ins stored, expected {expected} "
                        f"({load['created']} answered 201 + {len(load['pending'])} replayed)")
    if len(notes) != total:
        problems.append(f"X-Pagination says {total} but the pages held {len(notes)}")
    if len(set(notes)) != len(notes):
        problems.append(f"{len(notes) - len(set(notes))} check-ins stored twice")
    if set(notes) != load["sent_keys"]:
        problems.append(f"{len(load['sent_keys'] - set(notes))} requests sent but not stored, "
                        f"{len(set(notes) - load['sent_keys'])} stored but never sent")
    return {"stored": total, "in_flight_stored": already, "in_flight_late": late,
            "problems": problems}



# --- set-up ---------------------------------------------------------------------------------

def setup_data(base) -> tuple[str, str, str]:
    """A worker, a peer who accepted the worker's invite, and two goals (warm-up, measure)."""
    email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
    password = "steady bench morning walk"
    call(base, "POST", "/auth/register",
         {"email": email, "password": password, "display_name": "Bench Worker"})
    token = call(base, "POST", "/auth/token", {"email": email, "password": password})[1]["token"]
    code = call(base, "POST", "/invites", {}, token)[1]["code"]
    partnership = call(base, "POST", f"/invites/{code}/accept", {
        "display_name": "Bench Peer", "username": f"peer{uuid.uuid4().hex[:8]}",
        "password": password})[1]["partnership_id"]
    goals = [call(base, "POST", f"/partnerships/{partnership}/goals",
                  {"title": "Walk every morning"}, token)[1]["id"] for _ in range(2)]
    return token, goals[0], goals[1]



def fresh_goal(base: str, token: str) -> str:
    """Another goal in the caller's first partnership: a clean count for the next load."""
    partnership = call(base, "GET", "/partnerships", token=token)[1][0]["id"]
    return call(base, "POST", f"/partnerships/{partnership}/goals", {"title": "Walk again"},
                token)[1]["id"]


def write_load(server: Server, token: str, warm_goal: str, goal: str, workdir: Path,
               duration: str, warmup: str) -> dict:
    """A warm-up and a measured run of check-in writes, each verified."""
    base = f"{server.base}/api/v1"
    warm = load_checkins(server.port, warm_goal, token, warmup, workdir)
    problems = [f"warm-up: {p}" for p in verify(base, warm_goal, token, warm)["problems"]]
    writes = load_checkins(server.port, goal, token, duration, workdir)
    check = verify(base, goal, token, writes)
    problems += check["problems"]
    if problems:
        print(f"server log, last lines:\n{server.log_tail()}", file=sys.stderr)
    return {"writes": writes, "check": check, "problems": problems}


# --- 1. make run against make serve ---------------------------------------------------------

def compare_setups(url: str, workdir: Path) -> list[dict]:
    """Every configuration up at once, measured in turn, round after round: other work on
    the machine then falls on all of them alike. Each keeps its best round."""
    with contextlib.ExitStack() as stack:
        rows = []
        for n, (label, overrides, embedded) in enumerate(CONFIGS):
            server = stack.enter_context(Server(bench_env(url, embedded=embedded, **overrides),
                                                workdir / f"compare-{n}.log"))
            log(f"set-ups: {label}, pid {server.process.pid}, port {server.port}")
            token, warm_goal, goal = setup_data(f"{server.base}/api/v1")
            reads(f"{server.base}/api/v1/tips", "2s", what="warm-up")
            warm = load_checkins(server.port, warm_goal, token, "2s", workdir)
            problems = [f"warm-up: {p}" for p in
                        verify(f"{server.base}/api/v1", warm_goal, token, warm)["problems"]]
            rows.append({"label": label, "command": shown(server.command), "server": server,
                         "token": token, "goal": goal, "problems": problems,
                         "reads": None, "writes": None})
        for round_ in range(1, COMPARE_ROUNDS + 1):
            for row in rows:
                server = row["server"]
                figure = reads(f"{server.base}/api/v1/tips", COMPARE_DURATION,
                               what=f"{row['label']}: tips")
                if row["reads"] is None or figure["rate"] > row["reads"]["rate"]:
                    row["reads"] = figure
            for row in rows:
                server, base = row["server"], f"{row['server'].base}/api/v1"
                goal = row["goal"] if round_ == 1 else fresh_goal(base, row["token"])
                load = load_checkins(server.port, goal, row["token"], COMPARE_DURATION,
                                     workdir)
                row["problems"] += verify(base, goal, row["token"], load)["problems"]
                if row["writes"] is None or load["rate"] > row["writes"]["rate"]:
                    row["writes"] = load
            print(f"   round {round_}: " + "; ".join(
                f"{row['label'].split(',')[0]} tips {row['reads']['rate']:.0f}/s, writes "
                f"{row['writes']['rate']:.0f}/s (best so far)" for row in rows), flush=True)
    for row in rows:
        del row["server"], row["token"]
    return rows


# --- 2. the tip list against nginx ----------------------------------------------------------

def against_nginx(server: Server, workdir: Path) -> dict:
    url = f"{server.base}/api/v1/tips"
    status, body, headers = fetch(url)
    if status != 200 or headers.get("Content-Encoding"):
        raise BenchError(f"GET /api/v1/tips answered {status} {headers}")
    with Nginx(workdir / "nginx", "/api/v1/tips", body, headers["Content-Type"]) as nginx:
        _, same, nginx_headers = fetch(nginx.url)
        if sha256(same).digest() != sha256(body).digest():
            raise BenchError("nginx does not serve the same bytes as the app")
        tags = {"app": headers["ETag"], "nginx": nginx_headers["ETag"]}
        for name, target in (("app", url), ("nginx", nginx.url)):
            answered = fetch(target, {"If-None-Match": tags[name]})
            if answered[0] != 304 or answered[1]:
                raise BenchError(f"{name}: If-None-Match got {answered[0]}, not an empty 304")
        log(f"tips: {len(body)} bytes, the same from both; nginx pid {nginx.process.pid}")
        reads(url, WARMUP, what="warm-up")
        reads(nginx.url, WARMUP, what="nginx warm-up")
        result = {"bytes": len(body), "content_type": headers["Content-Type"]}
        for kind in ("200", "304"):
            for name, target in (("app", url), ("nginx", nginx.url)):
                extra = {"If-None-Match": tags[name]} if kind == "304" else None
                figure = reads(target, DURATION, headers=extra, what=f"{name} {kind}")
                result[f"{name}_{kind}"] = figure
                print(f"   {name} {kind}: {figure['rate']:.0f}/s", flush=True)
            app, ngx = result[f"app_{kind}"], result[f"nginx_{kind}"]
            result[f"ratio_{kind}"] = app["rate"] / ngx["rate"]
    return result


# --- 4. a big caseload, one client ----------------------------------------------------------

def caseload(server: Server) -> dict:
    """A new worker with 200 partnerships and 4,000 goals; p50/p99 of three private reads."""
    base = f"{server.base}/api/v1"
    email = f"bench-caseload-{uuid.uuid4().hex[:8]}@example.org"
    password = "steady bench morning walk"
    call(base, "POST", "/auth/register",
         {"email": email, "password": password, "display_name": "Busy Worker"})
    token = call(base, "POST", "/auth/token", {"email": email, "password": password})[1]["token"]
    started = time.monotonic()
    done = subprocess.run([str(PYTHON), str(HERE / "seed.py"), email], env=server.env, cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise BenchError(f"bench/seed.py failed:\n{done.stdout}{done.stderr}")
    seeded = json.loads(done.stdout.strip().splitlines()[-1])
    seconds = time.monotonic() - started
    auth = {"Authorization": f"Bearer {token}"}
    due = call(base, "GET", "/checkins/due", token=token)[1]
    first = seeded["partnerships"][0]
    goals = call(base, "GET", f"/partnerships/{first}/goals", token=token)[1]
    log(f"caseload: {len(seeded['partnerships'])} partnerships, {seeded['goals']} goals, "
        f"{seeded['checkins']} check-ins written in {seconds:.1f} s; {len(due)} due")
    urls = {"due": ("GET /api/v1/checkins/due", f"{base}/checkins/due", len(due)),
            "goals": ("GET /api/v1/partnerships/{id}/goals", f"{base}/partnerships/{first}/goals",
                      len(goals)),
            "partnerships": ("GET /api/v1/partnerships?page_size=100",
                             f"{base}/partnerships?page_size=100", 100)}
    result = {"seeded": seeded, "seconds": seconds, "token": token, "reads": {}}
    for key, (label, url, items) in urls.items():
        reads(url, "1s", headers=auth, connections=1, threads=1, what=f"{label} warm-up")
        figure = reads(url, LATENCY_DURATION, headers=auth, connections=1, threads=1,
                       what=label)
        figure.update(label=label, items=items, url=url)
        result["reads"][key] = figure
        print(f"   {label}: p50 {figure['p50_ms']:.1f} ms, p99 {figure['p99_ms']:.1f} ms "
              f"({items} items)", flush=True)
    return result


# --- 5. profiles ----------------------------------------------------------------------------

def profile(server: Server, name: str, load: list[str], env: dict | None = None,
            seconds: int = 6) -> dict | None:
    """py-spy samples every worker while `load` runs; collapsed stacks to var/bench/."""
    spy = BIN / "py-spy"
    if not spy.exists():
        return None
    PROFILES.mkdir(parents=True, exist_ok=True)
    out = PROFILES / f"profile-{name}.txt"
    recorder = subprocess.Popen([str(spy), "record", "--pid", str(server.process.pid),
                                 "--subprocesses", "--rate", "250", "--duration", str(seconds),
                                 "--format", "raw", "--output", str(out), "--nonblocking"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(1)  # py-spy attaches first
    subprocess.run(load, env=env, capture_output=True, timeout=120)
    _, err = recorder.communicate(timeout=60)
    if recorder.returncode or not out.exists():
        print(f"   py-spy failed ({recorder.returncode}): {err.strip()[-300:]}", flush=True)
        return None
    return summarise(out)


def _package(frame: str) -> str:
    """`function (redis/connection.py:12)` -> `redis`; the app's modules by name (`api/x`);
    a module of the standard library by its own name (`socket`, `logging`)."""
    found = re.search(r"\(([^()]*):\d+\)$", frame)
    parts = (found.group(1) if found else frame).split("/")
    if parts[0] == "api" and len(parts) > 1:
        return "api/" + parts[1].removesuffix(".py")
    return parts[0].removesuffix(".py")


def summarise(raw: Path) -> dict:
    """Self time by package (where the workers are when sampled), and the app's own
    functions by inclusive time (everything they call counts towards them)."""
    leaf, inclusive, total = Counter(), Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        # py-spy names the processes first (`process 123:"..."`), then the Python frames.
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        if not frames:
            continue
        total += n
        leaf[_package(frames[-1])] += n
        seen = set()
        for frame in frames:
            if found := re.match(r"(\S+) \(api/(?:\w+/)*(\w+)\.py:\d+\)$", frame):
                name = f"{found.group(2)}.{found.group(1)}"  # ratelimits._count
                if name not in seen:
                    seen.add(name)
                    inclusive[name] += n
    return {"file": str(raw.relative_to(ROOT)), "samples": total,
            "self": [(name, n / total) for name, n in leaf.most_common(10)] if total else [],
            "app": [(name, n / total) for name, n in inclusive.most_common(12)] if total else []}


def profile_writes(server: Server, workdir: Path, name: str) -> dict | None:
    token, _, goal = setup_data(f"{server.base}/api/v1")
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_GOAL": goal, "BENCH_RUN": f"p{RUN}",
           "BENCH_PENDING": str(workdir / f"profile-{name}.pending")}
    return profile(server, f"writes-{name}", wrk_command(server.base, "5s", SCRIPT), env)


def profiles(server: Server, workdir: Path, caseload_result: dict | None) -> dict:
    """The same loads as measured, once more, under py-spy."""
    url = f"{server.base}/api/v1/tips"
    _, _, headers = fetch(url)
    found = {}
    load = wrk_command(url, "5s")
    log("profiles: py-spy on every worker while the loads run again")
    if summary := profile(server, "tips-200", load):
        found["tips 200"] = summary
    load = wrk_command(url, "5s", headers={"If-None-Match": headers["ETag"]})
    if summary := profile(server, "tips-304", load):
        found["tips 304"] = summary
    if summary := profile_writes(server, workdir, "sqlite"):
        found["check-in writes, SQLite"] = summary
    if caseload_result:
        due = caseload_result["reads"]["due"]["url"]
        auth = {"Authorization": f"Bearer {caseload_result['token']}"}
        load = wrk_command(due, "5s", headers=auth, connections=1, threads=1)
        if summary := profile(server, "due", load):
            found["checkins/due, one client"] = summary
    return found


# --- PostgreSQL ---------------------------------------------------------------------------

def postgres_schema() -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    base = PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_version() -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]



# --- report ---------------------------------------------------------------------------------

def machine() -> list[str]:
    def sh(*args):
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        except OSError:
            return ""
        return (done.stdout + done.stderr).strip()

    lscpu = dict(line.split(":", 1) for line in sh("lscpu").splitlines() if ":" in line)
    cpu = lscpu.get("Model name", platform.processor() or "unknown").strip()
    mem = next((line.split() for line in sh("free", "-h").splitlines()
                if line.startswith("Mem:")), ["", "?", "?", "?", "?", "?", "?"])
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])

    def version_of(package):
        from importlib.metadata import PackageNotFoundError, version
        try:
            return version(package)
        except PackageNotFoundError:
            return "not installed"

    nginx = sh("nginx", "-v").replace("nginx version: ", "")
    wrk = (sh("wrk", "-v") or "wrk ?").splitlines()[0].split(" [")[0]
    redis = re.search(r"v=(\S+)", sh("redis-server", "--version"))
    return [f"- CPU: {cpu}, {sh('nproc')} cores (lscpu: {lscpu.get('CPU(s)', '?').strip()} "
            f"CPUs, {lscpu.get('Thread(s) per core', '?').strip()} thread per core)",
            f"- Memory: {mem[1]} total, {mem[-1]} available (free -h); kernel "
            f"{platform.release()}",
            f"- Python {platform.python_version()}, granian {version_of('granian')}, Flask "
            f"{version_of('flask')}, SQLAlchemy {version_of('sqlalchemy')}",
            f"- {nginx}, {wrk}, SQLite {sqlite3.sqlite_version}, PostgreSQL "
            f"{postgres_version()}, Redis {redis.group(1) if redis else '?'} (all on this "
            "machine, loopback)",
            f"- Load average before the run (1, 5, 15 min): {LOAD_BEFORE}; after: {load}. "
            "The machine is shared: compare figures within this run, as ratios."]


def fmt(value, spec=".0f"):
    return "n/a" if value is None else format(value, spec)


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def report(r: dict, started: datetime, seconds: float) -> str:
    lines = [f"### Run of {started:%Y-%m-%d %H:%M} UTC ({seconds / 60:.1f} min)", "",
             *machine(), "",
             "Command: `make bench` (installs wrk and nginx if missing, then "
             "`.venv/bin/python bench/run.py`). wrk: 2 threads, 32 connections, "
             f"{DURATION} per figure after a {WARMUP} warm-up (server comparison: "
             f"{COMPARE_DURATION}; one-client reads: 1 thread, 1 connection, "
             f"{LATENCY_DURATION}), `--timeout {TIMEOUT}`.", ""]
    if r.get("production"):
        lines += [f"Production server, as `make serve` runs it: `{r['production']}` "
                  "(`RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0`, "
                  f"`PUBLIC_RATE_LIMIT={BENCH_SETTINGS['PUBLIC_RATE_LIMIT']}`).", ""]
    targets = []
    if r.get("nginx"):
        n = r["nginx"]
        lines += [f"**Tip list against nginx** (`GET /api/v1/tips`, {n['bytes']} bytes of "
                  f"`{n['content_type']}`, no compression asked; nginx serves the same bytes "
                  "from a file):", "",
                  "| request | app req/s | app p50 / p99 ms | nginx req/s | nginx p50 / p99 ms "
                  "| app / nginx | target |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for kind, label in (("200", "200, full body"), ("304", "304, `If-None-Match`")):
            app, ngx, ratio = n[f"app_{kind}"], n[f"nginx_{kind}"], n[f"ratio_{kind}"]
            goal = TARGETS[f"tips_{kind}"]
            targets.append((f"tip list {kind}: app/nginx ≥ {goal}", ratio >= goal,
                            f"{ratio:.3f}"))
            lines.append(f"| {label} | {app['rate']:.0f} | {fmt(app['p50_ms'], '.1f')} / "
                         f"{fmt(app['p99_ms'], '.1f')} | {ngx['rate']:.0f} | "
                         f"{fmt(ngx['p50_ms'], '.2f')} / {fmt(ngx['p99_ms'], '.2f')} | "
                         f"**{ratio:.3f}** | ≥ {goal} {verdict(ratio >= goal)} |")
        lines.append("")
    writes = [(name, w) for name, w in (("SQLite", r.get("sqlite_writes")),
                                        ("PostgreSQL", r.get("postgresql_writes"))) if w]
    if writes:
        lines += ["**Check-in writes**, 32 clients, `POST /api/v1/goals/{id}/checkins` with a "
                  "Bearer token and a unique Idempotency-Key each, every one verified stored "
                  "exactly once:", "",
                  "| database | writes/s | p50 ms | p99 ms | error answers | socket errors "
                  "| rows verified | target |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for name, result in writes:
            w, c = result["writes"], result["check"]
            clean = not result["problems"]
            ok = clean and w["rate"] >= TARGETS["writes"]
            targets.append((f"{name} check-in writes ≥ {TARGETS['writes']:.0f}/s, no errors",
                            ok, f"{w['rate']:.0f}/s" + ("" if clean else ", ERRORS")))
            lines.append(f"| {name} | {w['rate']:.0f} | {fmt(w['p50_ms'], '.1f')} | "
                         f"{fmt(w['p99_ms'], '.1f')} | {w['non2xx']} | {w['socket_errors']} | "
                         f"{c['stored']} = {w['created']} + {len(w['pending'])} in flight | "
                         f"≥ {TARGETS['writes']:.0f} {verdict(ok)} |")
        lines += ["", "Rows verified: check-ins read back through the API = 201 answers + "
                  "requests still in flight when wrk stopped, replayed with their own key; "
                  "each key exactly once.", ""]
    cases = [(name, c) for name, c in (("SQLite", r.get("sqlite_caseload")),
                                       ("PostgreSQL", r.get("postgresql_caseload"))) if c]
    if cases:
        lines += ["**One worker's big caseload**, one client (200 partnerships, 4,000 goals, "
                  "800 check-ins over 8 weeks, written straight to the tables):", "",
                  "| database | request | items | req/s | p50 ms | p99 ms | target p99 |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for name, c in cases:
            for key, figure in c["reads"].items():
                if key == "partnerships":
                    mark = "(no target)"
                else:
                    ok = figure["p99_ms"] is not None and figure["p99_ms"] < TARGETS["p99_ms"]
                    mark = f"< {TARGETS['p99_ms']:.0f} ms {verdict(ok)}"
                    targets.append((f"{name} {figure['label']} p99 < 25 ms", ok,
                                    f"{fmt(figure['p99_ms'], '.1f')} ms"))
                lines.append(f"| {name} | `{figure['label']}` | {figure['items']} | "
                             f"{figure['rate']:.0f} | {fmt(figure['p50_ms'], '.1f')} | "
                             f"{fmt(figure['p99_ms'], '.1f')} | {mark} |")
        lines.append("")
    if r.get("setups"):
        base = r["setups"][0]
        lines += ["**`make run` against `make serve`** (SQLite, granian 2 workers x 4 "
                  "threads; tips: cached `GET /api/v1/tips`; writes verified as above; "
                  f"{COMPARE_DURATION} each):", "",
                  "| set-up | tips req/s | tips p99 ms | writes/s | writes p99 ms | errors | "
                  "tips vs first row | writes vs first row |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row in r["setups"]:
            t, w = row["reads"], row["writes"]
            lines.append(f"| {row['label']} | {t['rate']:.0f} | {fmt(t['p99_ms'], '.1f')} | "
                         f"{w['rate']:.0f} | {fmt(w['p99_ms'], '.1f')} | "
                         f"{'none' if not row['problems'] else '; '.join(row['problems'])} | "
                         f"{t['rate'] / base['reads']['rate']:.2f} | "
                         f"{w['rate'] / base['writes']['rate']:.2f} |")
        lines += ["", f"Command: `{r['setups'][0]['command']}`", ""]
    if r.get("profiles"):
        lines += ["**Where the time goes** (py-spy, 250 samples a second of every worker's "
                  "busy threads while the same load runs again; collapsed stacks in "
                  "var/bench/):", ""]
        for name, p in r["profiles"].items():
            top = ", ".join(f"{pkg} {share:.0%}" for pkg, share in p["self"][:8])
            app = ", ".join(f"`{fn}` {share:.0%}" for fn, share in p["app"][:10])
            lines += [f"- {name} ({p['samples']} samples): self time by package: {top}.",
                      f"  Inclusive, the app's own functions: {app}."]
        lines.append("")
    if targets:
        lines += ["**Targets**: " + "; ".join(f"{what}: {got} {verdict(ok)}"
                                              for what, ok, got in targets) + ".", ""]
    problems = r.get("problems", [])
    if problems:
        lines += ["**FAILED**: " + "; ".join(problems), ""]
    return "\n".join(lines)


def write_note(text: str) -> None:
    """Replace the run between the markers in BENCHMARKS.md (the rest is written by hand)."""
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    note = NOTE.read_text() if NOTE.exists() else "# Benchmarks\n\n" + start + "\n" + end + "\n"
    if start not in note or end not in note:
        note = note.rstrip() + "\n\n" + start + "\n" + end + "\n"
    head, rest = note.split(start, 1)
    _, tail = rest.split(end, 1)
    NOTE.write_text(f"{head}{start}\n{text.rstrip()}\n{end}{tail}")


def clean_redis() -> None:
    """The run's rate-limit counters (their prefix is the run's own)."""
    try:
        import redis

        client = redis.Redis.from_url(serve.DEFAULTS["RATELIMIT_STORAGE_URI"])
        keys = list(client.scan_iter(match=f"*{BENCH_SETTINGS['RATELIMIT_KEY_PREFIX']}*"))
        if keys:
            client.delete(*keys)
    except Exception as error:  # noqa: BLE001  (tidying up must not hide the results)
        print(f"could not remove the run's Redis keys: {error}", file=sys.stderr)


# --- main -----------------------------------------------------------------------------------

def check_services() -> None:
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise BenchError(f"{tool} is not installed (make bench installs it with apt-get)")
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=5).close()
    except Exception as error:  # noqa: BLE001
        raise BenchError(f"PostgreSQL at {PG_ADMIN} (BENCH_PG) does not answer: {error}") \
            from error
    try:
        import redis

        redis.Redis.from_url(serve.DEFAULTS["RATELIMIT_STORAGE_URI"]).ping()
    except Exception as error:  # noqa: BLE001
        raise BenchError(f"Redis at {serve.DEFAULTS['RATELIMIT_STORAGE_URI']} (make serve's "
                         f"rate-limit store) does not answer: {error}") from error


def bench_sqlite(workdir: Path, r: dict) -> None:
    url = f"sqlite:///{workdir}/bench.db"
    log("SQLite: migrate and load content")
    prepare(bench_env(url))
    if COMPARE:
        r["setups"] = compare_setups(url, workdir)
    with Server(bench_env(url), workdir / "server-sqlite.log") as server:
        r["production"] = shown(server.command)
        log(f"SQLite: production server pid {server.process.pid} on port {server.port}")
        r["nginx"] = against_nginx(server, workdir)
        log("SQLite: check-in writes")
        token, warm_goal, goal = setup_data(f"{server.base}/api/v1")
        r["sqlite_writes"] = write_load(server, token, warm_goal, goal, workdir, DURATION,
                                        WARMUP)
        print(f"   {r['sqlite_writes']['writes']['rate']:.0f} writes/s", flush=True)
        log("SQLite: one worker's big caseload")
        r["sqlite_caseload"] = caseload(server)
        if PROFILE:
            r["profiles"] = profiles(server, workdir, r["sqlite_caseload"])


def bench_postgresql(workdir: Path, r: dict) -> None:
    url, schema = postgres_schema()
    try:
        log(f"PostgreSQL: schema {schema}, migrate and load content")
        prepare(bench_env(url))
        with Server(bench_env(url), workdir / "server-postgresql.log") as server:
            log(f"PostgreSQL: production server pid {server.process.pid}")
            token, warm_goal, goal = setup_data(f"{server.base}/api/v1")
            r["postgresql_writes"] = write_load(server, token, warm_goal, goal, workdir,
                                                DURATION, WARMUP)
            print(f"   {r['postgresql_writes']['writes']['rate']:.0f} writes/s", flush=True)
            log("PostgreSQL: one worker's big caseload")
            r["postgresql_caseload"] = caseload(server)
            if PROFILE and (summary := profile_writes(server, workdir, "postgresql")):
                r.setdefault("profiles", {})["check-in writes, PostgreSQL"] = summary
    finally:
        drop_schema(schema)


def main() -> int:
    started, clock = datetime.now(UTC), time.monotonic()
    only = os.environ.get("BENCH_ONLY", "").lower()
    r: dict = {}
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        workdir = Path(tmp)
        try:
            check_services()
            if only in ("", "sqlite"):
                bench_sqlite(workdir, r)
            if only in ("", "postgresql"):
                bench_postgresql(workdir, r)
        except BenchError as error:
            print(f"\nBENCH FAILED: {error}", file=sys.stderr)
            return 1
        finally:
            clean_redis()
    r["problems"] = [f"{name}: {p}" for name in ("sqlite_writes", "postgresql_writes")
                     for p in (r.get(name) or {}).get("problems", [])]
    r["problems"] += [f"{row['label']}: {p}" for row in r.get("setups", [])
                      for p in row["problems"]]
    text = report(r, started, time.monotonic() - clock)
    print("\n" + text)
    write_note(text)
    with RESULTS.open("a") as out:
        out.write("\n" + text.replace("### Run of", "## Run of", 1) + "\n")
    if r["problems"]:
        print("BENCH FAILED: errors, or stored check-ins differ from requests sent:\n  "
              + "\n  ".join(r["problems"]), file=sys.stderr)
        return 1
    print(f"Written to {NOTE.relative_to(ROOT)} and appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
