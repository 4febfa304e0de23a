"""The due-reminder job (`api.jobs.tasks.scan`) over a big caseload: time and peak memory.

    .venv/bin/python bench/reminders_profile.py [sqlite|postgresql ...] [--workers 2000]
        [--peers 50] [--no-write]

For each database: a fresh one (a SQLite file in a temp folder, or a new PostgreSQL database
on BENCH_PG's server, dropped at the end), migrated, then seeded straight to the tables with
bulk inserts: WORKERS workers with PEERS peers each (one partnership per peer), one goal and
one check-in per partnership at ages spread over two cadences (about half are due), a few
ended pauses, a few paused partnerships, and one push subscription (all kinds, UTC) for
every worker and every peer. Then, each in a fresh process (`--scan URL`), `scan()` as the
quarter-hour job runs it, twice in a row: the first writes the reminders, the second finds
them all there already (ON CONFLICT DO NOTHING). Each scan's process reports its wall time,
CPU time and peak RSS (getrusage, the whole process: interpreter, app and scan); the
notifications table is counted after each. `sweep()` (sending) is not part of it.

The figures go between the `reminders:start` / `reminders:end` markers of BENCHMARKS.md and
are appended to bench/results.md (`--no-write`: printed only). Exit 1 if a step fails; a
missed target is reported, not failed.
"""

import argparse
import json
import logging
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
NOTE = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results.md"
TARGET_SECONDS, TARGET_MB = 60.0, 300.0
CHUNK = 5000
LOAD_BEFORE = " ".join(Path("/proc/loadavg").read_text().split()[:3])


def app_for(url: str):
    from api import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING",
                       "RATELIMIT_STORAGE_URI": "memory://", "JOBS_URL": "memory://"})


def pg_url(name: str) -> str:
    base = sa.engine.make_url(PG_ADMIN)
    return base.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False)


@contextmanager
def database(kind: str):
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="rapport-reminders-"))
        try:
            yield f"sqlite:///{folder / 'reminders.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"rapport_reminders_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(pg_url(sa.engine.make_url(PG_ADMIN).database or "postgres"),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(workers: int, peers: int) -> dict:
    """Rows straight into the tables, in chunks of core inserts (no ORM objects)."""
    from api.extensions import db
    from api.lib.clock import utcnow
    from api.models import (
        CheckIn,
        Goal,
        Partnership,
        PartnershipPause,
        PushSubscription,
        User,
    )
    from api.models.reminders import KINDS

    now = utcnow()
    conn = db.session.connection()

    def put(model, rows):
        for start in range(0, len(rows), CHUNK):
            conn.execute(sa.insert(model), rows[start:start + CHUNK])

    def device(user_id):
        token = uuid.uuid4().hex
        return {"id": uuid.uuid4(), "user_id": user_id,
                "endpoint": f"https://fcm.googleapis.com/fcm/send/{token}",
                "p256dh": "B" + (token * 3)[:86], "auth": token[:22], "time_zone": "UTC",
                "kinds": list(KINDS), "created_at": now, "updated_at": now}

    counts = {"partnerships": 0, "active": 0, "paused": 0, "pauses": 0, "devices": 0}
    for w in range(workers):
        worker_id = uuid.uuid4()
        users = [{"id": worker_id, "role": "worker", "email": f"w{worker_id.hex}@example.org",
                  "username": None, "display_name": f"Worker {w}", "password_hash": "!",
                  "created_at": now, "password_changed_at": now}]
        links, goals, checkins, pauses = [], [], [], []
        for p in range(peers):
            n = w * peers + p
            peer_id, link_id, goal_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            started = now - timedelta(days=30 + n % 60)
            users.append({"id": peer_id, "role": "peer", "email": None,
                          "username": f"p{peer_id.hex[:30]}",
                          "display_name": f"Peer {n}", "password_hash": "!",
                          "created_at": started, "password_changed_at": started})
            status = "paused" if n % 97 == 0 else "active"
            links.append({"id": link_id, "worker_id": worker_id, "peer_id": peer_id,
                          "status": status, "checkin_cadence_days": 7, "created_at": started,
                          "updated_at": started})
            goals.append({"id": goal_id, "partnership_id": link_id, "title": "Walk daily",
                          "status": "active", "created_by": worker_id, "created_at": started,
                          "updated_at": started, "version": 1})
            # The last check-in 0 to 13 days and some hours ago; one in 25 never checked in.
            if n % 25:
                checkins.append({"id": uuid.uuid4(), "goal_id": goal_id,
                                 "partnership_id": link_id, "progress": n % 11,
                                 "author_id": peer_id,
                                 "created_at": now - timedelta(days=n % 14, hours=n % 24)})
            if n % 10 == 0:  # a pause since the last check-in: its days do not count
                pauses.append({"partnership_id": link_id,
                               "started_at": now - timedelta(days=n % 14, hours=n % 24 - 1),
                               "ended_at": now - timedelta(days=max(0, n % 14 - 3))})
            if status == "paused":
                pauses.append({"partnership_id": link_id,
                               "started_at": now - timedelta(days=2), "ended_at": None})
            counts["active" if status == "active" else "paused"] += 1
        put(User, users)
        put(Partnership, links)
        put(Goal, goals)
        put(CheckIn, checkins)
        if pauses:
            put(PartnershipPause, pauses)
        put(PushSubscription, [device(row["id"]) for row in users])
        counts["partnerships"] += len(links)
        counts["pauses"] += len(pauses)
        counts["devices"] += len(users)
        if w % 200 == 199:
            db.session.commit()
            conn = db.session.connection()
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return counts


def scan_once(url: str) -> None:
    """The child: one scan as the job runs it; JSON on the last line of stdout."""
    logging.disable(logging.INFO)
    app = app_for(url)
    from api.extensions import db
    from api.jobs import tasks
    from api.models import Notification

    with app.app_context():
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cpu, start = time.process_time(), time.perf_counter()
        offered = tasks.scan()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
        db.session.rollback()
        db.engine.dispose()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "offered": offered, "stored": stored,
                      "rss_before_mb": before_kb / 1024, "rss_peak_mb": peak_kb / 1024}))


def run_scan(url: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--scan", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode:
        raise SystemExit(f"the scan failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["children_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def measure(kind: str, workers: int, peers: int) -> dict:
    from flask_migrate import upgrade

    from api.extensions import db

    with database(kind) as url:
        app = app_for(url)
        with app.app_context():
            logging.disable(logging.INFO)  # Alembic's line per migration
            upgrade()
            logging.disable(logging.NOTSET)
            start = time.perf_counter()
            counts = seed(workers, peers)
            counts["seed_seconds"] = time.perf_counter() - start
            db.engine.dispose()
        print(f"{kind}: seeded {counts} ", flush=True)
        first = run_scan(url)
        print(f"{kind}: first scan {first}", flush=True)
        second = run_scan(url)
        print(f"{kind}: second scan {second}", flush=True)
    return {"kind": kind, "counts": counts, "first": first, "second": second}


def postgres_version() -> str:
    try:
        engine = sa.create_engine(PG_ADMIN)
        with engine.connect() as conn:
            found = conn.scalar(sa.text("SHOW server_version")).split()[0]
        engine.dispose()
        return found
    except Exception:  # noqa: BLE001  (a fact for the report, not a failure)
        return "?"


def machine() -> list[str]:
    def sh(*args):
        return subprocess.run(args, capture_output=True, text=True).stdout.strip()

    lscpu = dict(line.split(":", 1) for line in sh("lscpu").splitlines() if ":" in line)
    mem = next(line.split() for line in sh("free", "-h").splitlines() if line.startswith("Mem:"))
    from importlib.metadata import version
    return [f"- CPU: {lscpu.get('Model name', '?').strip()}, `nproc` {sh('nproc')}",
            f"- Memory: {mem[1]} total, {mem[-1]} available (free -h); kernel "
            f"{platform.release()}",
            f"- Python {platform.python_version()}, SQLAlchemy {version('sqlalchemy')}, "
            f"psycopg {version('psycopg')}, SQLite {sqlite3.sqlite_version}, PostgreSQL "
            f"{postgres_version()} (same machine, loopback)",
            f"- Load average before (1, 5, 15 min): {LOAD_BEFORE}; after: "
            + " ".join(Path("/proc/loadavg").read_text().split()[:3])]


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**not met**"


def report(runs: list[dict], command: str, took: float) -> str:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    c = runs[0]["counts"]
    lines = [f"### Run of {stamp} ({took / 60:.1f} min)", "", *machine(), "",
             f"Command: `{command}`. Seeded with bulk inserts: {c['partnerships']:,} "
             f"partnerships ({c['active']:,} active, {c['paused']:,} paused), one goal and at "
             f"most one check-in each, {c['pauses']:,} pauses, {c['devices']:,} push "
             "subscriptions (one per person, every kind, UTC). Each scan runs "
             "`api.jobs.tasks.scan()` in a fresh process; peak RSS is that whole process's "
             "(getrusage `ru_maxrss`), with what it held before the scan began in brackets.",
             "", "| database | scan | wall s | CPU s | peak RSS MB (before) | rows offered | "
             "notifications stored | target < 60 s, < 300 MB |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for run in runs:
        for label, scan in (("first", run["first"]), ("second (all duplicates)",
                                                       run["second"])):
            ok = scan["seconds"] < TARGET_SECONDS and scan["rss_peak_mb"] < TARGET_MB
            lines.append(f"| {names[run['kind']]} | {label} | {scan['seconds']:.1f} | "
                         f"{scan['cpu']:.1f} | {scan['rss_peak_mb']:.0f} "
                         f"({scan['rss_before_mb']:.0f}) | {scan['offered']:,} | "
                         f"{scan['stored']:,} | {verdict(ok)} |")
    seeds = ", ".join(f"{names[r['kind']]} {r['counts']['seed_seconds']:.0f} s" for r in runs)
    lines += ["", f"Seeding (not measured against the target): {seeds}."]
    return "\n".join(lines) + "\n"


def write_note(text: str) -> None:
    start, end = "<!-- reminders:start -->", "<!-- reminders:end -->"
    note = NOTE.read_text()
    if start in note:
        head, rest = note.split(start, 1)
        note = head + start + "\n" + text + end + rest.split(end, 1)[1]
    else:
        note += f"\n## The due-reminder job\n\n{start}\n{text}{end}\n"
    NOTE.write_text(note)
    with RESULTS.open("a") as out:
        out.write(f"\n## Due-reminder job\n\n{text}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kinds", nargs="*", choices=("sqlite", "postgresql", []),
                        default=None)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--peers", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--scan", metavar="URL", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.scan:
        scan_once(options.scan)
        return 0
    kinds = options.kinds or ["sqlite", "postgresql"]
    started = time.perf_counter()
    runs = [measure(kind, options.workers, options.peers) for kind in kinds]
    command = ".venv/bin/python bench/reminders_profile.py " + " ".join(sys.argv[1:])
    text = report(runs, command.strip(), time.perf_counter() - started)
    print(text)
    if not options.no_write:
        write_note(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
