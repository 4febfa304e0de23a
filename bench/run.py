"""`make bench`: check-in writes per second under 32 concurrent clients, SQLite and PostgreSQL.

For each database: a fresh store (a temp SQLite file; a new PostgreSQL schema, dropped at the
end), migrated and loaded with `flask db upgrade` and `flask content load`; the app under
gunicorn as `make run` starts it; a worker, a peer and a goal made through the HTTP API; a
short warm-up; then wrk posting check-ins, each with its own Idempotency-Key, and, in the same
session, wrk reading the public tip list for comparison. Figures are meant as ratios within
one run, not against another day's numbers.

Afterwards every request sent must be stored exactly once: wrk stops with up to one request
in flight per connection, which the server may or may not have stored. Those are replayed with
their own key, as the PWA outbox would, and then the stored check-ins are read back through
the API: their count must equal the 201 answers plus the replayed requests, each key exactly
once. Any error, loss or duplicate is reported loudly and the exit status is 1.

Results are printed and appended to bench/results.md. Settings: BENCH_DURATION (10s),
BENCH_WARMUP (3s), BENCH_ONLY (sqlite or postgresql), BENCH_PG (admin URL of the server).
"""

import json
import os
import platform
import re
import shlex
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
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
SCRIPT = HERE / "checkins.lua"
RESULTS = HERE / "results.md"

THREADS, CONNECTIONS = 2, 32
DURATION = os.environ.get("BENCH_DURATION", "10s")
WARMUP = os.environ.get("BENCH_WARMUP", "3s")
# wrk's default 2 s counts any slower answer as a socket "timeout" error and leaves it out of
# the latency figures, even when it is a 201 that arrived: on a busy 2-core machine that is a
# slow request, not a failed one, and it belongs in p99. Lost requests are caught by the check.
TIMEOUT = os.environ.get("BENCH_TIMEOUT", "10s")
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
# Below the ephemeral range (32768+), which heavy load fills with TIME_WAIT sockets.
FIRST_PORT = 18431
LOAD_BEFORE = " ".join(Path("/proc/loadavg").read_text().split()[:3])
SERVER_CMD = [".venv/bin/gunicorn", "--bind", "127.0.0.1:{port}", "--workers", "2",
              "--threads", "4", "--worker-class", "gthread", "api:create_app()"]


class BenchError(Exception):
    """Something that makes the figures worthless: say so and stop."""


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


# --- server ---------------------------------------------------------------------------------

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


def app_env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "FLASK_APP": "api",
            "RATELIMIT_STORAGE_URI": "memory://"}


def prepare(env: dict) -> None:
    for step in (["db", "upgrade"], ["content", "load"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "api", *step], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise BenchError(f"flask {' '.join(step)} failed:\n{done.stdout}{done.stderr}")


class Server:
    """gunicorn in its own process group; always stopped, by its own PID, on exit."""

    def __init__(self, env: dict, port: int, log: Path):
        self.port, self.log_path = port, log
        self.command = [part.format(port=port) for part in SERVER_CMD]
        self.env = env

    def __enter__(self):
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        # Popen knows the PID of the process it launched: no shell in between to get it wrong.
        self.log_path.with_suffix(".pid").write_text(f"{self.process.pid}\n")
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.process.returncode}:\n"
                                 + self.log_tail())
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise BenchError("the server did not become ready in 60 s:\n" + self.log_tail())

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful stop: workers finish and exit
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.closed:
            self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# --- wrk ------------------------------------------------------------------------------------

def wrk_command(url: str, duration: str, script: Path | None = None) -> list[str]:
    args = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}", f"--timeout={TIMEOUT}",
            "--latency"]
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


# --- one database ---------------------------------------------------------------------------

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


def bench_database(name: str, url: str, workdir: Path) -> dict:
    print(f"== {name}: migrate and load content", flush=True)
    env = app_env(url)
    prepare(env)
    port = free_port(FIRST_PORT)
    base = f"http://127.0.0.1:{port}/api/v1"
    with Server(env, port, workdir / f"gunicorn-{name.lower()}.log") as server:
        print(f"== {name}: gunicorn pid {server.process.pid} on port {port}", flush=True)
        token, warm_goal, goal = setup_data(base)

        print(f"== {name}: warm-up, {WARMUP} of writes and of reads", flush=True)
        warm = load_checkins(port, warm_goal, token, WARMUP, workdir)
        warm_check = verify(base, warm_goal, token, warm)
        warm_reads = parse_wrk(run_wrk(wrk_command(f"{base}/tips", WARMUP)))
        problems = [f"warm-up: {p}" for p in warm_check["problems"]]
        if warm_reads["non2xx"] or warm_reads["socket_errors"]:
            problems.append(f"warm-up reads: {warm_reads['non2xx']} non-2xx, "
                            f"{warm_reads['socket_errors']} socket errors")

        print(f"== {name}: {DURATION} of check-in writes", flush=True)
        writes = load_checkins(port, goal, token, DURATION, workdir)
        print(writes["output"], flush=True)
        check = verify(base, goal, token, writes)
        problems += check["problems"]

        print(f"== {name}: {DURATION} of GET /api/v1/tips", flush=True)
        read_out = run_wrk(wrk_command(f"{base}/tips", DURATION))
        print(read_out, flush=True)
        reads = parse_wrk(read_out)
        if reads["non2xx"] or reads["socket_errors"]:
            problems.append(f"tips reads: {reads['non2xx']} non-2xx, "
                            f"{reads['socket_errors']} socket errors")
        if problems:
            print(f"server log, last lines:\n{server.log_tail()}", file=sys.stderr)
    return {"database": name, "writes": writes, "check": check, "reads": reads,
            "problems": problems, "port": port}


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
        return subprocess.run(args, capture_output=True, text=True).stdout.strip()

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    mem = next((line.split() for line in sh("free", "-h").splitlines()
                if line.startswith("Mem:")), ["", "?", "?", "?", "?", "?", "?"])
    wrk_version = (sh("wrk", "-v") or "wrk ?").splitlines()[0].split(" [")[0]
    # Other work on the machine skews absolute figures; ratios within the run hold better.
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return [f"- CPU: {sh('nproc')} cores (nproc), {cpu}",
            f"- Memory: {mem[1]} total, {mem[-1]} available (free -h)",
            f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"PostgreSQL {postgres_version()} (same machine), {wrk_version}, "
            f"kernel {platform.release()}",
            f"- Load average before the run (1, 5, 15 min): {LOAD_BEFORE}; after: {load}"]


def fmt(value, spec=".0f"):
    return "n/a" if value is None else format(value, spec)


def report(results: list[dict], started: datetime) -> str:
    writes = shlex.join(wrk_command("http://127.0.0.1:PORT", DURATION, Path("bench/checkins.lua")))
    reads = shlex.join(wrk_command("http://127.0.0.1:PORT/api/v1/tips", DURATION))
    lines = [f"## {started:%Y-%m-%d %H:%M} UTC", "", *machine(), "",
             "Command: `make bench` → `.venv/bin/python bench/run.py`, which runs, per database,",
             f"after a {WARMUP} warm-up of each kind:", "",
             f"- writes: `{writes}`"
             " (POST /api/v1/goals/{id}/checkins, a unique Idempotency-Key each)",
             f"- reads: `{reads}`",
             f"- server: `{shlex.join(SERVER_CMD).replace('{port}', 'PORT')}`, "
             "RATELIMIT_STORAGE_URI=memory://", "",
             "| database | check-in writes/s | p50 ms | p99 ms | non-2xx | socket errors | "
             "rows verified | tips reads/s | p50 ms | write/read |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in results:
        w, c, t = r["writes"], r["check"], r["reads"]
        lines.append(
            f"| {r['database']} | {fmt(w['rate'])} | {fmt(w['p50_ms'], '.1f')} | "
            f"{fmt(w['p99_ms'], '.1f')} | {w['non2xx']} | {w['socket_errors']} | "
            f"{c['stored']} = {w['created']} + {len(w['pending'])} | {fmt(t['rate'])} | "
            f"{fmt(t['p50_ms'], '.1f')} | {w['rate'] / t['rate']:.2f} |")
    lines += ["", "Rows verified: check-ins read back through the API = 201 answers + requests "
              "still in flight when wrk stopped, replayed with their own key "
              + "; ".join(f"({r['database']}: {r['check']['in_flight_stored']} had been stored, "
                          f"replay answered 201 Idempotent-Replayed; "
                          f"{r['check']['in_flight_late']} stored by the replay)"
                          for r in results)
              + ". Each key exactly once."]
    problems = [f"{r['database']}: {p}" for r in results for p in r["problems"]]
    lines += ["", "**FAILED**: " + "; ".join(problems)] if problems else []
    return "\n".join(lines) + "\n"


def main() -> int:
    started = datetime.now(UTC)
    only = os.environ.get("BENCH_ONLY", "").lower()
    results = []
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        workdir = Path(tmp)
        try:
            if only in ("", "sqlite"):
                results.append(bench_database("SQLite", f"sqlite:///{workdir}/bench.db",
                                              workdir))
            if only in ("", "postgresql"):
                url, schema = postgres_schema()
                try:
                    results.append(bench_database("PostgreSQL", url, workdir))
                finally:
                    drop_schema(schema)
        except BenchError as error:
            print(f"\nBENCH FAILED: {error}", file=sys.stderr)
            return 1
    text = report(results, started)
    print("\n" + text)
    with RESULTS.open("a") as out:
        out.write("\n" + text)
    failed = [p for r in results for p in r["problems"]]
    if failed:
        print("BENCH FAILED: errors, or stored check-ins differ from requests sent:\n  "
              + "\n  ".join(failed), file=sys.stderr)
        return 1
    print(f"Appended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
