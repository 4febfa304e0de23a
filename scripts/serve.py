"""`make serve`: Rapport in production. Migrate, load content, start the job consumer, then
become the WSGI server.

`--embedded` (`make run`) needs no services: DATABASE_URL and RATELIMIT_STORAGE_URI get no
defaults here, so the app's own apply (SQLite in var/rapport.db, rate-limit counts beside it).

Settings come from the environment (defaults for this machine's local services):

    DATABASE_URL            postgresql+psycopg://postgres@127.0.0.1:5432/rapport
                            (a PostgreSQL database that does not exist yet is created)
    RATELIMIT_STORAGE_URI   redis://127.0.0.1:6379/0   (counters shared by every process)
    HOST, PORT              127.0.0.1, 8000
    WORKERS, THREADS        2 processes (one per core), 4 threads each
    GRACEFUL_TIMEOUT        30: seconds a stop waits for requests in flight before it kills
    PROMETHEUS_MULTIPROC_DIR  made fresh under var/ when unset and WORKERS > 1, so /metrics
                            adds up every worker; emptied at start when set
    JOB_WORKERS             2: threads of the job consumer started beside the server (Web
                            Push reminders, api.jobs); 0 starts none, for setups that run
                            `make worker` (scripts/worker.py) on their own
    JOBS_URL                the job queue: var/rapport-jobs.db beside the embedded database,
                            else redis://127.0.0.1:6379/1 (api.config.jobs_url)

Any other setting of api/config.py (LOG_FORMAT, PUBLIC_RATE_LIMIT, PROXY_HOPS...) passes
through. `--no-setup` skips migrations and content (another process did them); the consumer
still starts. `--no-worker` (or JOB_WORKERS=0) starts no consumer.

The job consumer (`huey_consumer api.worker.queue`) is a child started after the set-up (it
never meets an unmigrated database), in the same environment. The kernel sends it SIGTERM
when the server dies, however it dies (PR_SET_PDEATHSIG), and SIGTERM lets the job in hand
finish (up to GRACEFUL_TIMEOUT) before it exits. A consumer killed outright loses nothing:
what it had to send waits in the database, and the next consumer's sweep sends it.

The script then replaces itself with the server (exec): the PID that started it is the
server's, so SIGTERM from a supervisor reaches it directly. On SIGTERM or SIGINT the server
stops accepting, lets requests in flight finish (up to GRACEFUL_TIMEOUT), then exits 0.
"""

import argparse
import ctypes
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's own tools, however its python was started
DEFAULTS = {
    "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/rapport",
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "HOST": "127.0.0.1",
    "PORT": "8000",
    "WORKERS": "2",
    "THREADS": "4",
    "GRACEFUL_TIMEOUT": "30",
    "JOB_WORKERS": "2",
}
# The services `make serve` expects on this machine; `--embedded` leaves them to the app.
SERVICES = ("DATABASE_URL", "RATELIMIT_STORAGE_URI")
APP = "api:create_app"
# A request's headers must all arrive within this (granian's default is 30 s): a client that
# trickles them holds a connection no longer. A phone on a poor network sends them far faster.
HEADER_READ_TIMEOUT_MS = "10000"


def settings(environ=os.environ, *, embedded: bool = False) -> dict[str, str]:
    """The process environment with the defaults filled in where a setting is unset or empty."""
    env = dict(environ)
    for name, value in DEFAULTS.items():
        if not env.get(name) and not (embedded and name in SERVICES):
            env[name] = value
    env["FLASK_APP"] = "api"
    return env


def server_command(env: dict[str, str]) -> list[str]:
    """The server's command line for these settings; `make bench` measures exactly this."""
    host, port = env["HOST"], env["PORT"]
    workers, threads, grace = env["WORKERS"], env["THREADS"], env["GRACEFUL_TIMEOUT"]
    # HTTP/1.1 only and no websockets: what a proxy in front speaks, and less to detect.
    # The app writes its own access line (api.observability), so granian's is off.
    return [str(BIN / "granian"), "--interface", "wsgi", "--factory",
            "--host", host, "--port", port, "--workers", workers,
            "--blocking-threads", threads, "--http", "1", "--no-ws",
            "--http1-header-read-timeout", HEADER_READ_TIMEOUT_MS,
            "--backlog", "2048", "--respawn-failed-workers",
            "--workers-kill-timeout", grace, APP]


def consumer_command(env: dict[str, str]) -> list[str]:
    """The job consumer's command line (scripts/worker.py runs the same)."""
    # `python -m` puts the working directory (ROOT) first on the path, so the consumer loads
    # this checkout's app, as granian does; the huey_consumer script would not.
    # --flush-locks: a consumer killed mid-sweep leaves its lock behind, and the periodic jobs
    # would never run again; they are safe to run twice at once (api.jobs), so a start frees
    # them. SIGTERM is the graceful signal: the job in hand finishes (a push sent is recorded
    # as sent), up to GRACEFUL_TIMEOUT. An idle consumer looks at the queue each second (Huey's
    # default backs off to 10 s): a push after a change leaves within a second or so.
    return [str(BIN / "python"), "-m", "huey.bin.huey_consumer", "api.worker.queue",
            "--workers", env["JOB_WORKERS"], "--worker-type", "thread", "--max-delay", "1",
            "--graceful-signal", "TERM", "--shutdown-timeout", env["GRACEFUL_TIMEOUT"],
            "--flush-locks"]


PR_SET_PDEATHSIG = 1


def _dies_with(parent: int):
    """A preexec_fn: the child gets SIGTERM when `parent` dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork, not in the child

    def arrange() -> None:
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent died before prctl took hold
            os.kill(os.getpid(), signal.SIGTERM)

    return arrange


def start_consumer(env: dict[str, str]) -> subprocess.Popen | None:
    """The job consumer as a child of this process, which is about to become the server."""
    if int(env["JOB_WORKERS"]) < 1:
        return None
    consumer = subprocess.Popen(  # noqa: S603 (our venv's python, fixed arguments)
        consumer_command(env), env=env, cwd=ROOT, preexec_fn=_dies_with(os.getpid()))
    print(f"serve: job consumer pid {consumer.pid} ({env['JOB_WORKERS']} threads, "
          f"queue {env.get('JOBS_URL') or 'beside the database'})", flush=True)
    return consumer


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if the server does not have it yet; with
    no `url` (embedded), the folder of the app's default SQLite file."""
    if not url:
        (ROOT / "var").mkdir(exist_ok=True)
        return
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    # Ask the server's maintenance database; psycopg wants a plain postgresql:// URL.
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"serve: created database {name}", flush=True)


def fresh_metrics_dir(env: dict[str, str]) -> None:
    """Workers are processes: Prometheus' multiprocess mode adds up their numbers, from files
    that must not outlive the server that wrote them (a dead worker's gauges would count)."""
    if not env.get("PROMETHEUS_MULTIPROC_DIR"):
        if int(env["WORKERS"]) < 2:
            return
        env["PROMETHEUS_MULTIPROC_DIR"] = str(ROOT / "var" / f"prometheus-{env['PORT']}")
    folder = Path(env["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def setup(env: dict[str, str]) -> None:
    ensure_database(env.get("DATABASE_URL", ""))
    # Expired idempotency keys go at each start too (a daily job should run the same).
    for task in (["db", "upgrade"], ["content", "load"], ["idempotency", "purge"]):
        subprocess.run([str(BIN / "flask"), *task], env=env, cwd=ROOT, check=True)  # noqa: S603


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-setup", action="store_true",
                        help="skip migrations and content loading")
    parser.add_argument("--embedded", action="store_true",
                        help="`make run`: the app's own SQLite database, no PostgreSQL or Redis")
    parser.add_argument("--no-worker", action="store_true",
                        help="start no job consumer (as JOB_WORKERS=0): workers run elsewhere")
    args = parser.parse_args(argv)
    env = settings(embedded=args.embedded)
    if args.no_worker:
        env["JOB_WORKERS"] = "0"
    command = server_command(env)
    if args.no_setup:
        # The set-up's folder for the embedded database (and the queue beside it) may be all
        # that is missing.
        if args.embedded and not env.get("DATABASE_URL"):
            (ROOT / "var").mkdir(exist_ok=True)
    else:
        setup(env)
    fresh_metrics_dir(env)
    start_consumer(env)
    print(f"serve: granian on http://{env['HOST']}:{env['PORT']}/ "
          f"({env['WORKERS']} workers x {env['THREADS']} threads)", flush=True)
    os.chdir(ROOT)
    os.execve(command[0], command, env)  # noqa: S606 (our venv's server, fixed arguments)


if __name__ == "__main__":
    main()
