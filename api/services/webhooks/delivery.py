"""Sending a webhook: sign it (Standard Webhooks, HMAC-SHA256 over id, time and body) and
post it, then write down what the receiver said.

Three steps, with a commit between each (api.jobs runs them): `lease` the delivery so one
process at a time sends it; `prepare` and `post` it (the network, no database); `record` the
answer. 2xx is delivered. 410 Gone switches the endpoint off at once. Anything else (another
status, a timeout, a refused address, a redirect, which is never followed) is tried again
after the next wait in WEBHOOK_RETRY_SCHEDULE, then given up. An endpoint that keeps failing
is switched off (api.services.webhooks.health).
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from api.extensions import db
from api.lib.clock import utcnow
from api.models import WebhookDelivery, WebhookEndpoint
from api.services.webhooks import health, signing, urls

LEASE = timedelta(minutes=2)
# The start of an answer kept in the log: enough to tell "which error", never the whole body.
SNIPPET_BYTES = 200
SNIPPET_CHARS = 120


@dataclass
class Attempt:
    delivery_id: uuid.UUID
    url: str
    msg_id: str
    body: str
    signing_secrets: list[str]


@dataclass
class Outcome:
    status: int | None  # the receiver's HTTP status; None when it was not reached
    error: str | None = None


def due(now: datetime | None = None, limit: int = 500) -> list[uuid.UUID]:
    """Deliveries whose time has come, for endpoints that are switched on."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(WebhookDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
               (WebhookDelivery.leased_until.is_(None)) | (WebhookDelivery.leased_until < now),
               WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))


def lease(delivery_id: uuid.UUID, now: datetime | None = None) -> bool:
    """Take the delivery for LEASE, unless another process holds it or it is not yet due.
    The condition sits in the UPDATE itself, so of two processes exactly one wins."""
    now = now or utcnow()
    taken = db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
               WebhookDelivery.next_attempt_at <= now,
               (WebhookDelivery.leased_until.is_(None)) | (WebhookDelivery.leased_until < now))
        .values(leased_until=now + LEASE).execution_options(synchronize_session=False))
    return taken.rowcount == 1


def prepare(delivery_id: uuid.UUID, now: datetime | None = None) -> Attempt | None:
    """What to send, signed with every secret in use; None for a switched-off endpoint."""
    now = now or utcnow()
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return None
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint.disabled_at is not None:
        delivery.leased_until = None  # it waits for the endpoint to be switched back on
        return None
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    return Attempt(delivery.id, endpoint.url, delivery.msg_id, body,
                   signing.in_use(endpoint, now))


def headers(attempt: Attempt, at: datetime | None = None) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature: one `v1,` signature per secret
    in use, space-separated, so a receiver holding either during a rotation can verify."""
    at = (at or datetime.now(UTC)).replace(microsecond=0)
    signatures = " ".join(Webhook(secret).sign(attempt.msg_id, at, attempt.body)
                          for secret in attempt.signing_secrets)
    return {"webhook-id": attempt.msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signatures, "Content-Type": "application/json",
            "User-Agent": "Rapport-Webhooks/1"}


def post(attempt: Attempt) -> Outcome:
    """Send it once; no database here (it runs outside any transaction)."""
    try:
        urls.check(attempt.url)  # again: the name may point elsewhere since it was saved
    except urls.UnsafeUrl:
        return Outcome(None, "address refused (not public)")
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    try:
        with requests.post(attempt.url, data=attempt.body.encode(), headers=headers(attempt),
                           timeout=(timeout, timeout), allow_redirects=False,
                           stream=True) as answer:
            status = answer.status_code
            start = answer.raw.read(SNIPPET_BYTES, decode_content=False) or b""
    except requests.Timeout:
        return Outcome(None, "no answer in time")
    except requests.RequestException:
        return Outcome(None, "could not connect")
    if 200 <= status < 300:
        return Outcome(status)
    if 300 <= status < 400:
        return Outcome(status, "redirect not followed")
    snippet = "".join(ch for ch in start.decode("utf-8", "replace") if ch.isprintable())
    return Outcome(status, snippet[:SNIPPET_CHARS] or None)


def retry_wait(attempts: int) -> timedelta | None:
    """The wait before the next attempt after `attempts` failed ones; None: give up."""
    schedule = current_app.config["WEBHOOK_RETRY_SCHEDULE"]
    if attempts > len(schedule):
        return None
    return timedelta(seconds=schedule[attempts - 1])


def record(attempt: Attempt, outcome: Outcome, now: datetime | None = None) -> str:
    """Write down what the receiver said, and let the delivery go. Answers its status."""
    now = now or utcnow()
    delivery = db.session.get(WebhookDelivery, attempt.delivery_id)
    if delivery is None:
        return "gone"
    endpoint = db.session.get(WebhookEndpoint, delivery.endpoint_id)
    delivery.attempts += 1
    delivery.leased_until = None
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status
    delivery.last_error = outcome.error
    if outcome.status is not None and 200 <= outcome.status < 300:
        delivery.status, delivery.delivered_at = "delivered", now
        health.succeeded(endpoint)
        return "delivered"
    if outcome.status == 410:
        delivery.status = "failed"
        health.switch_off(endpoint, "gone", now)
        return "failed"
    wait = retry_wait(delivery.attempts)
    if wait is None:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = now + wait
    health.failed(endpoint, now, gave_up=wait is None)
    return delivery.status
