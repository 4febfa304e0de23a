"""`make worker`: one job consumer (Web Push reminders, api.jobs), for a machine that serves no
requests, or beside a server started with JOB_WORKERS=0 / `--no-worker`.

Same settings as scripts/serve.py, from the environment: DATABASE_URL (default the local
PostgreSQL `rapport`), JOBS_URL (default redis://127.0.0.1:6379/1 on PostgreSQL: every
machine's consumers share that queue), JOB_WORKERS (threads, default 2), GRACEFUL_TIMEOUT.
`--embedded` is the `make run` machine's SQLite database and the queue file beside it.

It runs no migrations (the server's start does) and replaces itself with the consumer (exec):
SIGTERM lets the job in hand finish (up to GRACEFUL_TIMEOUT), then it exits. Any number may
run at once: each job is taken by one consumer, and a device is sent to by one at a time.
"""

import argparse
import os
import sys
from pathlib import Path

# Run as a script, this folder is on the path and the project is not; serve.py is a sibling.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve import ROOT, consumer_command, settings  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedded", action="store_true",
                        help="`make run`'s SQLite database and the queue file beside it")
    args = parser.parse_args(argv)
    env = settings(embedded=args.embedded)
    if int(env["JOB_WORKERS"]) < 1:
        env["JOB_WORKERS"] = "1"  # asked for a worker: JOB_WORKERS=0 is the server's setting
    command = consumer_command(env)
    print(f"worker: job consumer, {env['JOB_WORKERS']} threads", flush=True)
    os.chdir(ROOT)
    os.execve(command[0], command, env)  # noqa: S606 (our venv's python, fixed arguments)


if __name__ == "__main__":
    main()
