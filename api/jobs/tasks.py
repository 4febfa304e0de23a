"""The jobs: find due check-in reminders, send what waits, and send at once after a change;
the same for webhooks."""

import uuid
from contextlib import contextmanager
from datetime import datetime

from huey import crontab

from api.db.sqlite import writing
from api.db.unit_of_work import unit_of_work
from api.jobs import app, queue
from api.services.reminders import sending
from api.services.support import overdue, reminders
from api.services.webhooks import delivery

SWEEP_LOCK = "rapport-send-waiting"
SCAN_LOCK = "rapport-find-due"
WEBHOOK_SWEEP_LOCK = "rapport-deliver-webhooks"
# A device another consumer is sending to may have had its batch built before this news
# committed: look again shortly, a few times, rather than leave it to the minute's sweep.
BUSY = "busy"
BUSY_RETRY_SECONDS = 2
BUSY_RETRIES = 3


@contextmanager
def _step():
    """One unit of work of a job. Each reads, then writes: on SQLite it takes the write lock
    when it begins, or a write after another process's commit could only be refused
    ("database is locked"), never made to wait its turn (api.db.sqlite)."""
    with writing(), unit_of_work():
        yield


def send_to(subscription_id: uuid.UUID, now: datetime | None = None) -> dict | str | None:
    """Send what waits for one device now: lease it, build, post outside any transaction,
    then record what the push service said. BUSY when another process holds the device."""
    with _step():
        if not sending.lease(subscription_id, now):
            return BUSY
        reminders.drop_done(subscription_id, now)
    with _step():
        batch = sending.prepare(subscription_id, now)
    if batch is None:
        return None
    outcomes = sending.post(batch) if batch.messages else []
    with _step():
        return sending.record(batch, outcomes, now)


def sweep(now: datetime | None = None) -> int:
    with _step():
        sending.sweep_orphans()
        devices = sending.due_devices(now)
    for device in devices:
        send_to(device, now)
    return len(devices)


def scan(now: datetime | None = None) -> int:
    with _step():
        found = reminders.find_due(now)
    with _step():
        overdue.tell_apps(now)
    return found


def deliver(delivery_id: uuid.UUID, now: datetime | None = None) -> str | None:
    """Send one webhook delivery now: lease it, sign and post outside any transaction, then
    record the answer. None when another process holds it or it is not (yet) due."""
    with _step():
        if not delivery.lease(delivery_id, now):
            return None
        attempt = delivery.prepare(delivery_id, now)
    if attempt is None:
        return None
    outcome = delivery.post(attempt)
    with _step():
        return delivery.record(attempt, outcome, now)


def sweep_webhooks(now: datetime | None = None) -> int:
    with _step():
        waiting = delivery.due(now)
    for delivery_id in waiting:
        deliver(delivery_id, now)
    return len(waiting)


@queue.task()
def send_to_devices(subscription_ids: list[str], tries_left: int = BUSY_RETRIES) -> None:
    with app().app_context():
        busy = [subscription_id for subscription_id in subscription_ids
                if send_to(uuid.UUID(subscription_id)) == BUSY]
    if busy and tries_left > 0:
        send_to_devices.schedule(args=(busy, tries_left - 1), delay=BUSY_RETRY_SECONDS)


@queue.periodic_task(crontab(minute="*"))
@queue.lock_task(SWEEP_LOCK)
def send_waiting() -> int:
    """Every minute: whatever waits and may go now (after quiet hours, a summary's time, a
    retry's wait, or a nudge that was lost)."""
    with app().app_context():
        return sweep()


@queue.periodic_task(crontab(minute="*/15"))
@queue.lock_task(SCAN_LOCK)
def find_due_reminders() -> int:
    """Every quarter hour: a reminder for each side of each partnership that is due."""
    with app().app_context():
        return scan()


@queue.task()
def deliver_webhooks(delivery_ids: list[str]) -> None:
    with app().app_context():
        for delivery_id in delivery_ids:
            deliver(uuid.UUID(delivery_id))


@queue.periodic_task(crontab(minute="*"))
@queue.lock_task(WEBHOOK_SWEEP_LOCK)
def deliver_waiting_webhooks() -> int:
    """Every minute: webhook retries whose wait is over, and any nudge that was lost."""
    with app().app_context():
        return sweep_webhooks()
