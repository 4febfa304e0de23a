"""`make serve`: Rapport in production. Migrate, load content, then become the WSGI server.

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

Any other setting of api/config.py (LOG_FORMAT, PUBLIC_RATE_LIMIT, PROXY_HOPS...) passes
through. `--no-setup` skips migrations and content (another process did them).

The script replaces itself with the server (exec): the PID that started it is the server's,
so SIGTERM from a supervisor reaches it directly. On SIGTERM or SIGINT the server stops
accepting, lets requests in flight finish (up to GRACEFUL_TIMEOUT), then exits 0.
"""

import argparse
import os
import shutil
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
    args = parser.parse_args(argv)
    env = settings(embedded=args.embedded)
    command = server_command(env)
    if not args.no_setup:
        setup(env)
    fresh_metrics_dir(env)
    print(f"serve: granian on http://{env['HOST']}:{env['PORT']}/ "
          f"({env['WORKERS']} workers x {env['THREADS']} threads)", flush=True)
    os.chdir(ROOT)
    os.execve(command[0], command, env)  # noqa: S606 (our venv's server, fixed arguments)


if __name__ == "__main__":
    main()
