"""Time `GET /api/v1/checkins/due` in process over bench/seed.py's caseload, and check it.

    .venv/bin/python bench/due_profile.py [sqlite|postgresql] [--requests 200]
        [--compare REF] [--freeze] [--profile SECONDS]

Builds the app on a throwaway database (a SQLite file, or a PostgreSQL schema of its own on
BENCH_PG, dropped afterwards), migrates it, registers a worker through the API, seeds 200
partnerships / 4,000 goals / 800 check-ins (bench/seed.py), then times the due list with
Flask's test client: no network, no server, so only the app's own cost is measured. Each
request's wall-clock time and its thread's CPU time are reported (on a busy machine the
wall clock also counts waiting for a core or the disk), with the garbage collector's passes.

--compare REF answers the due list as git revision REF wrote it too (its due.py,
consistency.py and DueCheckInSchema loaded beside the current ones, dumped with jsonify) at
the same instant, and fails unless the JSON bytes are identical: on the seeded caseload,
then again after adding pauses (past, open, overlapping), a paused, an ended and a 3-day
partnership. Timings alternate REF's and the current request, so a busy machine slows both
alike (REF's skips flask-smorest's argument and response wrappers: it is slightly flattered).
--freeze calls gc.freeze() after the warm-up, as a server could once started, to show what
the collector's full passes cost. --profile keeps requesting for that many seconds after
the figures, for py-spy to attach to (the pid is printed); or run the whole script under
`py-spy record -- .venv/bin/python bench/due_profile.py ...`.
"""

import argparse
import gc
import importlib.util
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sqlalchemy as sa  # noqa: E402
from flask import jsonify  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from seed import seed  # noqa: E402

from api import create_app  # noqa: E402
from api.extensions import db  # noqa: E402
from api.http import access  # noqa: E402
from api.lib.clock import utcnow  # noqa: E402
from api.models import Partnership, PartnershipPause  # noqa: E402
from api.resources.checkins import DueCheckIns  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
URL = "/api/v1/checkins/due"


@contextmanager
def database(kind: str):
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="rapport-due-"))
        try:
            yield f"sqlite:///{folder / 'due.db'}", {}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    schema = f"due_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield PG_ADMIN, {"connect_args": {"options": f"-c search_path={schema}"}}
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def legacy_view(ref: str):
    """The due list's view as revision `ref` wrote it: its due_for (with its own consistency
    module), dumped by its DueCheckInSchema and sent by jsonify, as flask-smorest does."""
    folder = Path(tempfile.mkdtemp(prefix="rapport-legacy-"))
    modules = {}
    for name, path in (("consistency", "api/services/support/consistency.py"),
                       ("due", "api/services/support/due.py"), ("schemas", "api/schemas/goals.py")):
        source = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
        source = source.replace("from api.services.support.consistency import",
                                "from legacy_consistency import")
        file = folder / f"legacy_{name}.py"
        file.write_text(source)
        spec = importlib.util.spec_from_file_location(f"legacy_{name}", file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[f"legacy_{name}"] = module
        spec.loader.exec_module(module)
        modules[name] = module
    shutil.rmtree(folder, ignore_errors=True)
    schema = modules["schemas"].DueCheckInSchema(many=True)

    @access.signed_in("worker")
    def get(self, *args, **kwargs):
        return jsonify(schema.dump(modules["due"].due_for(access.caller())))

    return get


def add_pauses(partnership_ids: list[str]) -> None:
    """Some pauses over the seeded caseload: ended, still open, overlapping, before the start."""
    now = utcnow()
    rows = []
    for n, raw in enumerate(partnership_ids[:60]):
        pid = uuid.UUID(raw)
        kind = n % 5
        if kind == 0:
            rows.append((pid, now - timedelta(days=20), now - timedelta(days=12)))
        elif kind == 1:
            rows.append((pid, now - timedelta(days=3, hours=n), now - timedelta(days=1)))
        elif kind == 2:
            rows += [(pid, now - timedelta(days=40), now - timedelta(days=30)),
                     (pid, now - timedelta(days=35), now - timedelta(days=25))]
        elif kind == 3:
            rows.append((pid, now - timedelta(days=200), now - timedelta(days=150)))
        else:
            rows.append((pid, now - timedelta(days=9, hours=n), now - timedelta(days=4)))
    db.session.execute(sa.insert(PartnershipPause), [
        {"partnership_id": p, "started_at": s, "ended_at": e} for p, s, e in rows])
    # A few paused right now (an open pause), and so left out of the list.
    for raw in partnership_ids[60:64]:
        db.session.execute(sa.insert(PartnershipPause), [
            {"partnership_id": uuid.UUID(raw), "started_at": now - timedelta(days=2),
             "ended_at": None}])
        db.session.execute(sa.update(Partnership).where(
            Partnership.id == uuid.UUID(raw)).values(status="paused"))
    # One ended partnership, and one with a different cadence.
    db.session.execute(sa.update(Partnership).where(
        Partnership.id == uuid.UUID(partnership_ids[64])).values(status="ended"))
    db.session.execute(sa.update(Partnership).where(
        Partnership.id == uuid.UUID(partnership_ids[65])).values(checkin_cadence_days=3))
    db.session.commit()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):6.1f} ms  p99 {p99:6.1f} ms  (n={len(ordered)})"


def timed(client, headers, cpu: list | None = None) -> float:
    """Wall-clock milliseconds of one request; its CPU time (this thread's) goes to `cpu`:
    on a busy machine the wall clock also counts waiting for a core."""
    start, start_cpu = time.perf_counter(), time.thread_time()
    response = client.get(URL, headers=headers)
    took = (time.perf_counter() - start) * 1000
    if cpu is not None:
        cpu.append((time.thread_time() - start_cpu) * 1000)
    assert response.status_code == 200, response.get_data(as_text=True)
    return took


class GcPauses:
    """Time the garbage collector's passes take, by generation."""

    def __init__(self):
        self.pauses = {0: [], 1: [], 2: []}
        self._start = 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._start) * 1000)

    def report(self, requests: int) -> str:
        return (f"heap {len(gc.get_objects())} tracked objects; "
                f"over {requests} requests: ") + ", ".join(
            f"gen{g} {len(p)} times, max {max(p, default=0):.1f} ms"
            for g, p in self.pauses.items())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", nargs="?", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--compare", metavar="REF")
    parser.add_argument("--profile", type=float, default=0)
    parser.add_argument("--freeze", action="store_true",
                        help="gc.freeze() after the warm-up, as a server could after start")
    options = parser.parse_args()
    with database(options.kind) as (url, engine_options):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING",
                          "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
                          "RATELIMIT_STORAGE_URI": "memory://"})
        try:
            return run(app, options)
        finally:
            with app.app_context():
                db.engine.dispose()


def run(app, options) -> int:
    with app.app_context():
        logging.disable(logging.INFO)  # Alembic's line per migration
        upgrade()
        logging.disable(logging.NOTSET)
    client = app.test_client()
    email, password = f"due-{uuid.uuid4().hex[:8]}@example.org", "steady bench morning walk"
    made = client.post("/api/v1/auth/register", json={
        "email": email, "password": password, "display_name": "Busy Worker"})
    assert made.status_code == 201, made.get_data(as_text=True)
    token = client.post("/api/v1/auth/token", json={"email": email, "password": password}
                        ).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        seeded = seed(email, 200, 4000)
    print(f"{options.kind}: seeded {len(seeded['partnerships'])} partnerships, "
          f"{seeded['goals']} goals, {seeded['checkins']} check-ins; "
          f"{len(client.get(URL, headers=headers).get_json())} due")

    old = legacy_view(options.compare) if options.compare else None
    if old and not same_answer(client, headers, old, "seeded"):
        return 1

    for _ in range(10):  # warm-up: statement caches, first connections
        timed(client, headers)
    if options.freeze:
        gc.collect()
        gc.freeze()  # what is alive now is never scanned again: gen2 passes stay short
    new_times, old_times, new_cpu, old_cpu = [], [], [], []
    collector = GcPauses()
    gc.callbacks.append(collector)
    for _ in range(options.requests):
        new_times.append(timed(client, headers, new_cpu))
        if old:
            with mock.patch.object(DueCheckIns, "get", old):
                old_times.append(timed(client, headers, old_cpu))
    gc.callbacks.remove(collector)
    if old:
        print(f"{options.kind} {options.compare:>8}: wall {percentiles(old_times)}")
        print(f"{'':>{len(options.kind)}} {'':>8}   cpu {percentiles(old_cpu)}")
    print(f"{options.kind}  current: wall {percentiles(new_times)}")
    print(f"{'':>{len(options.kind)}}           cpu {percentiles(new_cpu)}")
    slowest = sorted(zip(new_times, new_cpu, strict=True), reverse=True)[:4]
    print("slowest (wall/cpu ms): " + ", ".join(f"{w:.1f}/{c:.1f}" for w, c in slowest))
    print(collector.report(options.requests * (2 if old else 1)))

    if old:
        with app.app_context():
            add_pauses(seeded["partnerships"])
        if not same_answer(client, headers, old, "with pauses"):
            return 1
    if options.profile:
        print(f"profiling: pid {os.getpid()} for {options.profile:.0f} s", flush=True)
        end = time.monotonic() + options.profile
        while time.monotonic() < end:
            timed(client, headers)
    return 0


def same_answer(client, headers, old, label: str) -> bool:
    """The same bytes from the current code and from `old`, at one frozen instant."""
    frozen = utcnow()
    with mock.patch("api.services.support.due.utcnow", lambda: frozen), \
            mock.patch("legacy_due.utcnow", lambda: frozen):
        new_body = client.get(URL, headers=headers).get_data()
        with mock.patch.object(DueCheckIns, "get", old):
            old_body = client.get(URL, headers=headers).get_data()
    same = new_body == old_body
    print(f"{label}: {new_body.count(b'partnership_id')} items, {len(new_body)} bytes, "
          + ("identical bytes" if same else
             f"ANSWERS DIFFER\nold {old_body[:800]!r}\nnew {new_body[:800]!r}"))
    return same


if __name__ == "__main__":
    raise SystemExit(main())
