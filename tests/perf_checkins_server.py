"""Check-in writes through a real server, 32 clients, for a few seconds (not a test).

    .venv/bin/python -m tests.perf_checkins_server [sqlite|postgresql] [SECONDS] [ROOT]

Indicative only: on a shared 2-core machine the figure moves with whatever else runs; the
in-process cost per write (tests/perf_checkins.py) is the one to compare. Starts granian as
`make serve` does (2 workers x 4 threads; rate-limit counters in memory) from ROOT (default:
this checkout), on a throwaway database (a SQLite file, or a PostgreSQL schema dropped at the
end); makes a worker, a peer and a goal through the API; then `wrk -t2 -c32` posts check-ins
with bench/checkins.lua (a key of its own each) and prints writes/s and the answers' statuses.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).resolve().parent.parent
BIN = HERE / ".venv" / "bin"
PASSWORD = "blue kettle morning walk"
PORT = 18791


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def world(base):
    email = f"perf-{uuid.uuid4().hex[:10]}@example.org"
    call(base, "POST", "/auth/register",
         {"email": email, "password": PASSWORD, "display_name": "Perf Worker"})
    token = call(base, "POST", "/auth/token", {"email": email, "password": PASSWORD})["token"]
    code = call(base, "POST", "/invites", {}, token)["code"]
    partnership = call(base, "POST", f"/invites/{code}/accept", {
        "display_name": "Perf Peer", "username": f"peer{uuid.uuid4().hex[:10]}",
        "password": PASSWORD})["partnership_id"]
    goal = call(base, "POST", f"/partnerships/{partnership}/goals", {"title": "Walk"}, token)
    return token, goal["id"]


def run(url: str, seconds: int, root: Path, workdir: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "RATELIMIT_STORAGE_URI": "memory://",
           "PYTHONPATH": str(root), "FLASK_APP": "api", "LOG_LEVEL": "WARNING"}
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], env=env, cwd=root, check=True,
                   capture_output=True, timeout=300)
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "granian"), "--interface", "wsgi", "--factory", "--host", "127.0.0.1",
         "--port", str(PORT), "--workers", "2", "--blocking-threads", "4", "--http", "1",
         "--no-ws", "--backlog", "2048", "api:create_app"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        token, goal = world(base + "/api/v1")
        pending = workdir / "pending"
        wrk_env = {**os.environ, "BENCH_TOKEN": token, "BENCH_GOAL": goal,
                   "BENCH_RUN": f"p{uuid.uuid4().hex[:8]}", "BENCH_PENDING": str(pending)}
        out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "--timeout", "10s",
                              "-s", str(HERE / "bench" / "checkins.lua"), base],
                             env=wrk_env, capture_output=True, text=True, timeout=seconds + 60)
        text = out.stdout + out.stderr
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
        result = re.search(r"^RESULT (.*)$", text, re.M)
        errors = re.search(r"Socket errors:.*", text)
        return {"writes_per_s": rate, "result": result.group(1) if result else text[-500:],
                "socket_errors": errors.group(0) if errors else "none"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    root = Path(sys.argv[3]).resolve() if len(sys.argv) > 3 else HERE
    with tempfile.TemporaryDirectory() as tmp:
        if backend == "sqlite":
            result = run(f"sqlite:///{Path(tmp) / 'perf.db'}", seconds, root, Path(tmp))
        else:
            admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
            schema = f"rapport_perf_{uuid.uuid4().hex[:12]}"
            admin = sa.create_engine(admin_url)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            try:
                url = f"{admin_url}?options=-csearch_path%3D{schema}"
                result = run(url, seconds, root, Path(tmp))
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    print(json.dumps({"backend": backend, "root": str(root), **result}))


if __name__ == "__main__":
    main()
