"""Sending what waits for a device: fold it into one message per kind (or one daily summary),
encrypt it for the device (RFC 8291, aes128gcm), sign it as this server (VAPID, RFC 8292)
and post it to the device's push service (RFC 8030).

Three steps, with a commit between each (api.jobs runs them): `lease` the device so one
process at a time sends to it; `prepare` the messages and `post` them (the network, no
database); `record` what the push service said. A device the push service calls gone (404,
410) is forgotten; a busy or failing one (429, 5xx, no answer) is tried again later, each
wait twice the last, up to MAX_ATTEMPTS.
"""

import base64
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import requests
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush
from sqlalchemy import select, update

from api.extensions import db
from api.lib.clock import utcnow
from api.models import AuthSession, Notification, PushSubscription, User
from api.models.reminders import KINDS
from api.services.reminders import subscriptions, timing, words

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
POST_TIMEOUT_SECONDS = 10
# How long a push service keeps a message for a phone that is off: a due check-in is news
# for a day; the rest for a few days.
TTL_SECONDS = {"checkin_due": 24 * 3600}
DEFAULT_TTL_SECONDS = 4 * 24 * 3600


@dataclass
class Message:
    notification_ids: list[uuid.UUID]
    payload: dict
    ttl: int
    topic: str
    urgency: str = "normal"


@dataclass
class Batch:
    subscription_id: uuid.UUID
    info: dict
    messages: list[Message] = field(default_factory=list)
    postponed_to: datetime | None = None


@dataclass
class Outcome:
    status: int | None  # the push service's HTTP status; None when it could not be reached
    retry_after: timedelta | None = None


@cache
def _signer(pem: str) -> Vapid02:
    return Vapid02.from_pem(pem.encode())


def public_key() -> str:
    """The application server key the browser subscribes with (base64url, uncompressed)."""
    raw = _signer(current_app.config["VAPID_PRIVATE_KEY"]).public_key.public_bytes(
        Encoding.X962, PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def due_devices(now: datetime | None = None, limit: int = 1000) -> list[uuid.UUID]:
    """Devices with something waiting whose time has come."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Notification.subscription_id).where(
            Notification.status == "waiting", Notification.deliver_after <= now,
            Notification.subscription_id.is_not(None))
        .group_by(Notification.subscription_id).limit(limit)))


def lease(subscription_id: uuid.UUID, now: datetime | None = None) -> bool:
    """Take the device for LEASE, unless another process holds it. Commit before posting."""
    now = now or utcnow()
    taken = db.session.execute(
        update(PushSubscription)
        .where(PushSubscription.id == subscription_id,
               (PushSubscription.sending_until.is_(None))
               | (PushSubscription.sending_until < now))
        .values(sending_until=now + LEASE))
    return taken.rowcount == 1


def prepare(subscription_id: uuid.UUID, now: datetime | None = None) -> Batch | None:
    """The messages for what waits now; quiet hours that began since it was written move it
    on to their end."""
    now = now or utcnow()
    device = db.session.get(PushSubscription, subscription_id)
    if device is None:
        return None
    session = _session(device, now)
    if session == "ended":
        subscriptions.remove(None, device)  # as signing out would have (the shared phone)
        return None
    waiting = db.session.scalars(
        select(Notification).where(Notification.subscription_id == device.id,
                                   Notification.status == "waiting",
                                   Notification.deliver_after <= now)
        .order_by(Notification.created_at, Notification.id)).all()
    batch = Batch(device.id, {"endpoint": device.endpoint,
                              "keys": {"p256dh": device.p256dh, "auth": device.auth}})
    if not waiting:
        return batch
    zone = ZoneInfo(device.time_zone)
    if timing.in_quiet_hours(now, zone, device.quiet_start, device.quiet_end):
        batch.postponed_to = timing.quiet_end(now, zone, device.quiet_end)
        for item in waiting:
            item.deliver_after = batch.postponed_to
        return batch
    gap = timedelta(seconds=current_app.config["PUSH_MIN_GAP_SECONDS"])
    if device.last_sent_at is not None and now < device.last_sent_at + gap:
        batch.postponed_to = device.last_sent_at + gap
        for item in waiting:
            item.deliver_after = max(item.deliver_after, batch.postponed_to)
        return batch
    by_kind: dict[str, list[Notification]] = {}
    for item in waiting:
        by_kind.setdefault(item.kind, []).append(item)
    kinds = [kind for kind in KINDS if kind in by_kind]
    if device.daily_summary and len(kinds) > 1:
        items = [item for kind in kinds for item in by_kind[kind]]
        counts = {kind: len(by_kind[kind]) for kind in kinds}
        batch.messages.append(Message(
            [item.id for item in items],
            _payload("summary", words.summary(counts, device.language), len(items), None),
            DEFAULT_TTL_SECONDS, "summary", "low"))
        return batch
    for kind in kinds:
        items = by_kind[kind]
        name = _name(items[0].about_user_id) if (device.detail == "names" and len(items) == 1
                                                  and session == "live") else None
        partnership = {item.partnership_id for item in items}
        body = words.line(kind, len(items), device.language, name)
        batch.messages.append(Message(
            [item.id for item in items],
            _payload(kind, body, len(items),
                     partnership.pop() if len(partnership) == 1 else None),
            TTL_SECONDS.get(kind, DEFAULT_TTL_SECONDS), kind))
    return batch


def _session(device: PushSubscription, now: datetime) -> str:
    """The state of the session that subscribed the device: "live"; "ended" (it expired: the
    phone is signed out, as surely as by hand, and stops hearing about its person); or "idle"
    (unused past SESSION_IDLE). An idle phone still gets its reminders, since someone who has
    not opened the app for a week is who a check-in reminder is for, but never a name: the
    phone may be in other hands by now."""
    if device.session_id is None:
        return "live"  # made outside any request (a script, a test's factory)
    session = db.session.get(AuthSession, device.session_id)
    if session is None or session.expires_at <= now:
        return "ended"
    if session.last_seen_at + current_app.config["SESSION_IDLE"] <= now:
        return "idle"
    return "live"


def _name(user_id: uuid.UUID | None) -> str | None:
    if user_id is None:
        return None
    person = db.session.get(User, user_id)
    return person.display_name if person is not None and person.erased_at is None else None


def _payload(kind: str, body: str, count: int, partnership_id: uuid.UUID | None) -> dict:
    # Where a tap opens. The view loads the details through the API, so reading them is
    # signed in and in the access log; the push itself carries ids and counts only.
    url = f"#/partnerships/{partnership_id}" if partnership_id else "#/"
    return {"title": words.TITLE, "body": body, "kind": kind, "count": count, "url": url,
            "tag": f"rapport-{kind}"}


class _NoRedirects(requests.Session):
    """A push service answers a push itself: a redirect (to anywhere, an internal address
    included) is an answer that refuses it, never a place to post the push to (SSRF)."""

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def post(batch: Batch) -> list[Outcome]:
    """Send each message; no database here (it runs outside any transaction)."""
    with _NoRedirects() as session:
        return _post(batch, session)


def _post(batch: Batch, session: requests.Session) -> list[Outcome]:
    config = current_app.config
    signer = _signer(config["VAPID_PRIVATE_KEY"])
    outcomes = []
    for message in batch.messages:
        try:
            answer = webpush(batch.info, json.dumps(message.payload, separators=(",", ":")),
                             vapid_private_key=signer,
                             vapid_claims={"sub": config["VAPID_SUBJECT"]},
                             ttl=message.ttl, timeout=POST_TIMEOUT_SECONDS,
                             headers={"Urgency": message.urgency, "Topic": message.topic},
                             requests_session=session)
            outcomes.append(Outcome(answer.status_code))
        except WebPushException as error:
            response = error.response
            if response is None:
                outcomes.append(Outcome(None))
                continue
            outcomes.append(Outcome(response.status_code, _retry_after(response)))
        except requests.RequestException:
            outcomes.append(Outcome(None))
        if outcomes[-1].status in (404, 410):
            break  # the device is gone: nothing more will reach it
    return outcomes


def _retry_after(response) -> timedelta | None:
    value = response.headers.get("Retry-After", "")
    return timedelta(seconds=min(int(value), 86400)) if value.isdigit() else None


def backoff(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def record(batch: Batch, outcomes: list[Outcome], now: datetime | None = None) -> dict:
    """Write down what each message's push service said, and let the device go."""
    now = now or utcnow()
    device = db.session.get(PushSubscription, batch.subscription_id)
    tally = {"sent": 0, "retry": 0, "failed": 0, "gone": 0}
    for message, outcome in zip(batch.messages, outcomes, strict=False):
        items = db.session.scalars(select(Notification).where(
            Notification.id.in_(message.notification_ids))).all()
        status = outcome.status
        for item in items:
            item.attempts += 1
            if status is not None and 200 <= status < 300:
                item.status, item.sent_at, item.sent_with = "sent", now, len(items)
                item.outcome = str(status)
            elif status in (404, 410):
                item.status, item.outcome = "failed", f"{status} device gone"
            elif status is None or status == 429 or status >= 500:
                if item.attempts >= MAX_ATTEMPTS:
                    item.status = "failed"
                else:
                    wait = max(backoff(item.attempts), outcome.retry_after or timedelta(0))
                    item.deliver_after = now + wait
                item.outcome = "no answer" if status is None else str(status)
            else:
                item.status, item.outcome = "failed", f"{status} refused"
        key = ("sent" if status is not None and 200 <= status < 300 else
               "gone" if status in (404, 410) else
               "retry" if status is None or status == 429 or status >= 500 else "failed")
        tally[key] += 1
        if key == "sent" and device is not None:
            device.last_sent_at = now
    if device is not None:
        if tally["gone"]:
            subscriptions.remove(None, device)
        else:
            device.sending_until = None
    return tally


def sweep_orphans() -> int:
    """Waiting notifications whose device was removed (its session ended) are dropped."""
    return db.session.execute(update(Notification).where(
        Notification.subscription_id.is_(None), Notification.status == "waiting")
        .values(status="skipped", outcome="device removed")).rowcount
