"""The job queue (Huey): work that runs beside the requests, in worker processes.

- Storage by JOBS_URL: an SQLite file beside the app's SQLite database under `make run`,
  Redis where several machines share the queue, `memory://` in tests.
- `make run` starts one consumer next to the server (scripts/serve.py); `make worker` starts
  one on any machine of a larger setup. Each runs the periodic jobs too: they are safe to run
  twice at once (api.services.support.reminders and api.services.reminders.sending say why),
  and a lock in the shared storage keeps a second copy from doing the work for nothing.
- Every job runs in the app, inside one unit of work per step, as a request does.
- After a commit that wrote notifications, the devices they are for are sent to at once; a
  nudge lost on the way (the queue away) costs at most a minute: the sweep sends it then.
  Webhook deliveries go the same way (api.services.webhooks).
"""

import logging
from urllib.parse import urlsplit

from flask import Flask
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.services.reminders import outbox
from api.services.webhooks import events as webhook_events

log = logging.getLogger(__name__)

# Tasks are declared on this one queue at import (api.jobs.tasks); its storage is chosen by
# init_app, before any task is enqueued or any consumer starts.
queue = Huey("rapport", results=False, storage_class=MemoryStorage)
_state: dict = {"app": None}
DEVICES_PER_JOB = 50
DELIVERIES_PER_JOB = 20


def storage_for(url: str):
    parts = urlsplit(url)
    if parts.scheme == "memory":
        return MemoryStorage("rapport")
    if parts.scheme == "sqlite":
        return SqliteStorage("rapport", filename=url.removeprefix("sqlite:///"))
    if parts.scheme in ("redis", "rediss", "unix"):
        return RedisStorage("rapport", url=url)
    raise ValueError(f"JOBS_URL must be memory://, sqlite:///PATH or redis://..., not {url!r}")


def init_app(app: Flask) -> None:
    queue.storage = storage_for(app.config["JOBS_URL"])
    _state["app"] = app
    if not event.contains(Session, "after_commit", _send_new):
        event.listen(Session, "after_commit", _send_new)
    if not event.contains(Session, "after_commit", _deliver_new):
        event.listen(Session, "after_commit", _deliver_new)
    if not event.contains(Session, "after_rollback", _forget_new):
        event.listen(Session, "after_rollback", _forget_new)
    from api.jobs import tasks  # noqa: F401  (declares the tasks on the queue)


def app() -> Flask:
    """The app a job runs in: the one the worker process (or the test) made."""
    return _state["app"]


def _send_new(session) -> None:
    devices = outbox.take_new(session)
    if not devices:
        return
    from api.jobs.tasks import send_to_devices

    ids = sorted(str(device) for device in devices)
    try:
        # In small jobs, so that every consumer thread shares a big batch (a due-reminder
        # scan touches every device at once) and one slow push service holds up few others.
        for start in range(0, len(ids), DEVICES_PER_JOB):
            send_to_devices(ids[start:start + DEVICES_PER_JOB])
    except Exception:
        # Saved all the same: the minute's sweep (tasks.send_waiting) sends them.
        log.warning("Could not queue a push; the sweep will send it", exc_info=True)


def _deliver_new(session) -> None:
    deliveries = webhook_events.take_new(session)
    if not deliveries:
        return
    from api.jobs.tasks import deliver_webhooks

    ids = sorted(str(delivery) for delivery in deliveries)
    try:
        for start in range(0, len(ids), DELIVERIES_PER_JOB):
            deliver_webhooks(ids[start:start + DELIVERIES_PER_JOB])
    except Exception:
        log.warning("Could not queue a webhook; the sweep will send it", exc_info=True)


def _forget_new(session) -> None:
    # Rolled back: those deliveries never were.
    webhook_events.take_new(session)
