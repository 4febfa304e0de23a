"""CPU cost of one authenticated, idempotent check-in write, in process (not a test).

    .venv/bin/python bench/checkin_profile.py [sqlite|postgresql] [WRITES]

Builds the app on a throwaway database (a SQLite file, or a PostgreSQL schema dropped at the
end; TEST_DATABASE_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test), makes a worker,
a peer and a goal through the API, warms up, then posts WRITES check-ins (default 2,000) one
after another with the Flask test client, each with its own Idempotency-Key. Prints one JSON
line: CPU and wall ms per write, writes/s of CPU, and per write: SQL statements (transaction
control apart), transactions begun, and transactions that wrote something.

Single-threaded on purpose: on a busy machine the CPU time of the process is the figure that
holds still; the server-level rate is bench/run.py's job.
"""

import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from api import create_app
from api.extensions import db

PASSWORD = "blue kettle morning walk"
WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


class Counter:
    def __init__(self, engine):
        self.statements = self.begins = self.writing_commits = self.commits = 0
        self.rollbacks = self.checkouts = 0
        self.texts: list[str] = []
        self._wrote: dict[int, bool] = {}
        self.keep = False
        sa.event.listen(engine, "before_cursor_execute", self._execute)
        sa.event.listen(engine, "begin", self._begin)
        sa.event.listen(engine, "commit", self._commit)
        sa.event.listen(engine, "rollback", self._rollback)
        sa.event.listen(engine.pool, "checkout", self._checkout)

    def _rollback(self, conn):
        self.rollbacks += 1
        self._wrote.pop(id(conn.connection.dbapi_connection), None)

    def _checkout(self, *args):
        self.checkouts += 1

    def totals(self):
        return (self.statements, self.begins, self.writing_commits, self.commits,
                self.rollbacks, self.checkouts)

    def _execute(self, conn, cursor, statement, *args):
        words = statement.split(None, 2)
        verb = words[0].upper()
        # Transaction control is counted by the events below; ROLLBACK TO SAVEPOINT is not.
        if verb in ("BEGIN", "COMMIT") or (verb == "ROLLBACK" and len(words) == 1):
            return
        self.statements += 1
        if self.keep:
            self.texts.append(" ".join(statement.split())[:160])
        if verb in WRITE_VERBS:
            self._wrote[id(conn.connection.dbapi_connection)] = True

    def _begin(self, conn):
        self.begins += 1
        self._wrote[id(conn.connection.dbapi_connection)] = False

    def _commit(self, conn):
        self.commits += 1
        if self._wrote.pop(id(conn.connection.dbapi_connection), False):
            self.writing_commits += 1


def call(client, method, path, body=None, token=None, headers=None, expect=(200, 201)):
    headers = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
    response = client.open(path, method=method, json=body, headers=headers)
    assert response.status_code in expect, (response.status_code, response.get_data())
    return response.get_json()


def world(client):
    email = f"perf-{uuid.uuid4().hex[:10]}@example.org"
    call(client, "POST", "/api/v1/auth/register",
         {"email": email, "password": PASSWORD, "display_name": "Perf Worker"})
    token = call(client, "POST", "/api/v1/auth/token",
                 {"email": email, "password": PASSWORD})["token"]
    code = call(client, "POST", "/api/v1/invites", {}, token)["code"]
    partnership = call(client, "POST", f"/api/v1/invites/{code}/accept", {
        "display_name": "Perf Peer", "username": f"peer{uuid.uuid4().hex[:10]}",
        "password": PASSWORD})["partnership_id"]
    goal = call(client, "POST", f"/api/v1/partnerships/{partnership}/goals",
                {"title": "Walk"}, token)["id"]
    return token, goal


def measure(url: str, options: dict, writes: int, show: bool) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **options},
                      "RATELIMIT_STORAGE_URI": "memory://", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        engine = db.engine
    client = app.test_client()
    token, goal = world(client)
    path = f"/api/v1/goals/{goal}/checkins"

    def post(n):
        call(client, "POST", path, {"progress": n % 11, "note": f"n{n}"}, token,
             {"Idempotency-Key": str(uuid.uuid4())}, expect=(201,))

    for n in range(200):  # warm-up: caches, pools, JIT-less Python's first paths
        post(n)
    counter = Counter(engine)
    counter.keep = True
    post(0)
    texts = counter.texts
    counter.keep = False
    base = counter.totals()
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(writes):
        post(n)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    per = [(now - before) / writes for now, before in zip(counter.totals(), base, strict=True)]
    with app.app_context():
        db.engine.dispose()
    result = {"writes": writes, "cpu_ms_per_write": round(1000 * cpu / writes, 3),
              "wall_ms_per_write": round(1000 * wall / writes, 3),
              "cpu_writes_per_s": round(writes / cpu), "statements": per[0],
              "transactions": per[1], "write_transactions": per[2], "commits": per[3],
              "rollbacks": per[4], "pool_checkouts": per[5]}
    if show:
        result["one_write"] = texts
    return result


def main() -> None:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    writes = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    show = os.environ.get("PERF_SHOW") == "1"
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            result = measure(f"sqlite:///{Path(tmp) / 'perf.db'}", {}, writes, show)
    else:
        url = os.environ.get("TEST_DATABASE_URL",
                             "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        schema = f"rapport_perf_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(url)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        try:
            result = measure(url, {"connect_args": {"options": f"-c search_path={schema}"}},
                             writes, show)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    print(json.dumps({"backend": backend, **result}))


if __name__ == "__main__":
    main()
