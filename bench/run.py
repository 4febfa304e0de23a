"""`make bench`: check-in writes per second under 32 concurrent clients, SQLite and PostgreSQL.

Each database gets a fresh store, the app runs under gunicorn exactly as `make run` starts it,
and wrk (2 threads, 32 connections) posts check-ins with unique Idempotency-Keys. Afterwards
the stored check-ins are counted through the API and must equal the 201 answers, with no
errors. A public read (GET /api/v1/tips) runs in the same session, so figures are compared as
ratios rather than against another day's numbers. Results go to bench/results.md.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = 32
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def call(base, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or "null"), response.headers


def wrk(url, script=None, env=None):
    args = [shutil.which("wrk"), "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    if script:
        args += ["-s", str(script)]
    out = subprocess.run(args + [url], capture_output=True, text=True, env=env, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rate, out


def prepare(url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "api",
           "RATELIMIT_STORAGE_URI": "memory://"}
    for step in (["db", "upgrade"], ["content", "load"]):
        subprocess.run([BIN / "flask", *step], env=env, check=True, cwd=ROOT,
                       capture_output=True)
    return env


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
         "--worker-class", "gthread", "api:create_app()"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not become ready")


def bench_database(name: str, url: str, port: int) -> dict:
    env = prepare(url)
    server = serve(env, port)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.org"
        password = "steady bench morning walk"
        call(base, "POST", "/auth/register",
             {"email": email, "password": password, "display_name": "Sam"})
        token = call(base, "POST", "/auth/token", {"email": email, "password": password})[0][
            "token"]
        code = call(base, "POST", "/invites", {}, token)[0]["code"]
        partnership = call(base, "POST", f"/invites/{code}/accept", {
            "display_name": "Peer", "username": f"p{uuid.uuid4().hex[:8]}",
            "password": password})[0]["partnership_id"]
        goal = call(base, "POST", f"/partnerships/{partnership}/goals",
                    {"title": "Walk every morning"}, token)[0]["id"]
        load_env = {**os.environ, "TOKEN": token, "GOAL": goal}
        writes, out = wrk(f"http://127.0.0.1:{port}", Path(__file__).parent / "checkins.lua",
                          load_env)
        found = dict(re.findall(r"(\w+)=([\d.]+)", out.split("RESULT", 1)[1]))
        _, headers = call(base, "GET", f"/goals/{goal}/checkins?page_size=1", token=token)
        stored = json.loads(headers["X-Pagination"])["total"]
        reads, _ = wrk(f"http://127.0.0.1:{port}/api/v1/tips")
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"database": name, "writes_per_s": writes, "reads_per_s": reads,
            "created": int(found["created"]), "errors": int(found["failed"]),
            "other": int(found["other"]), "stored": stored,
            "p50_ms": float(found["p50_ms"]), "p99_ms": float(found["p99_ms"])}


def postgres_schema_url() -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{PG_URL}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.split("\n")[1]
    return (f"{os.cpu_count()} cores ({cpu}); memory: {memory.split()[1]} total; "
            f"Python {platform.python_version()}")


def main() -> int:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(bench_database("SQLite", f"sqlite:///{tmp}/bench.db", 18431))
    url, schema = postgres_schema_url()
    try:
        results.append(bench_database("PostgreSQL", url, 18432))
    finally:
        drop_schema(schema)

    lines = [f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "",
             f"Machine: {machine()}.",
             f"Command: `make bench` (wrk -t2 -c{CONNECTIONS} -d{DURATION}; gunicorn 2 workers "
             "x 4 threads, as `make run`).", "",
             "| database | check-in writes/s | p50 ms | p99 ms | 201s | 5xx | other 4xx | "
             "rows stored (≥ 201s; + in flight at stop) | tips reads/s | writes/reads |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    ok = True
    for r in results:
        lines.append(f"| {r['database']} | {r['writes_per_s']:.0f} | {r['p50_ms']:.1f} | "
                     f"{r['p99_ms']:.1f} | {r['created']} | {r['errors']} | {r['other']} | "
                     f"{r['stored']} | {r['reads_per_s']:.0f} | "
                     f"{r['writes_per_s'] / r['reads_per_s']:.2f} |")
        # wrk stops with up to one request in flight per connection: the server may store
        # those without wrk reading the answer. Lost rows would show as stored < created.
        ok &= (r["errors"] == 0 and r["other"] == 0
               and r["created"] <= r["stored"] <= r["created"] + CONNECTIONS)
    report = "\n".join(lines) + "\n"
    print(report)
    with (Path(__file__).parent / "results.md").open("a") as out:
        out.write(report + "\n")
    if not ok:
        print("FAILED: errors, or stored rows differ from 201 answers", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
