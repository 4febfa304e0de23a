"""An agency admin's webhook endpoints: register, change, switch back on, rotate the secret,
read the delivery log, replay a message or send a test one.

Only the agency's own admins reach these (api.resources.webhooks); an endpoint of another
agency is as absent as one that never was.
"""

import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from api.db.paging import page_of
from api.extensions import db
from api.lib.clock import utcnow
from api.models import OAuthClient, User, WebhookDelivery, WebhookEndpoint
from api.services import audit
from api.services.webhooks import events, health, signing, urls

AGENCY_ONLY = ("An endpoint of your agency (with no app) can receive content.published, "
               "partnership.created and partnership.ended only.")
APP_ONLY = ("An app's endpoint can receive partnership.created, partnership.ended, "
            "goal.achieved and checkin.overdue only.")
NO_SUCH_APP = "Your agency has no app with this id."


class WebhookError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _check_url(url: str) -> None:
    try:
        urls.check(url)
    except urls.UnsafeUrl as error:
        raise WebhookError("url", error.message) from None


def _check_events(event_types: list[str], client_id: uuid.UUID | None) -> list[str]:
    allowed = events.APP_EVENTS if client_id else events.AGENCY_EVENTS
    if any(kind not in allowed for kind in event_types):
        raise WebhookError("event_types", APP_ONLY if client_id else AGENCY_ONLY)
    return sorted(set(event_types), key=events.EVENT_TYPES.index)


def create(admin: User, *, url: str, event_types: list[str], description: str | None = None,
           client_id: uuid.UUID | None = None) -> tuple[str, WebhookEndpoint]:
    """A new endpoint and its signing secret, which is never shown again."""
    if client_id is not None and db.session.scalar(select(OAuthClient.id).where(
            OAuthClient.id == client_id, OAuthClient.agency_id == admin.agency_id,
            OAuthClient.revoked_at.is_(None))) is None:
        raise WebhookError("client_id", NO_SUCH_APP)
    chosen = _check_events(event_types, client_id)
    _check_url(url)
    endpoint = WebhookEndpoint(id=uuid.uuid4(), agency_id=admin.agency_id, client_id=client_id,
                               url=url, description=description, event_types=chosen,
                               created_by=admin.id, consecutive_failures=0)
    secret = signing.new()
    endpoint.secret_sealed = signing.seal(endpoint, secret)
    db.session.add(endpoint)
    db.session.flush()
    audit.record(admin, "webhook.create", object_type="webhook_endpoint", object_id=endpoint.id)
    return secret, endpoint


def for_agency(admin: User, page: int, page_size: int) -> tuple[list[WebhookEndpoint], int]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.agency_id == admin.agency_id)
    rows, total = page_of(stmt, (WebhookEndpoint.created_at.desc(), WebhookEndpoint.id),
                          page, page_size)
    return [row[0] for row in rows], total


def get(admin: User, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    return db.session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.agency_id == admin.agency_id))


def change(admin: User, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change the URL, description or events; `enabled: true` switches it back on (and what
    waited goes), `enabled: false` switches it off."""
    if "url" in changes:
        _check_url(changes["url"])
        endpoint.url = changes["url"]
    if "event_types" in changes:
        endpoint.event_types = _check_events(changes["event_types"], endpoint.client_id)
    if "description" in changes:
        endpoint.description = changes["description"]
    enabled = changes.get("enabled")
    if enabled is True and endpoint.disabled_at is not None:
        health.switch_on(endpoint)
        # What waited goes now, not after the back-off it had reached.
        db.session.execute(update(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
            .values(next_attempt_at=utcnow()).execution_options(synchronize_session=False))
        db.session.info.setdefault(events.NEW, set()).update(db.session.scalars(
            select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id,
                                             WebhookDelivery.status == "pending")))
    elif enabled is False and endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = utcnow(), "by_admin"
    endpoint.updated_at = utcnow()
    audit.record(admin, "webhook.update", object_type="webhook_endpoint", object_id=endpoint.id)
    db.session.flush()
    return endpoint


def delete(admin: User, endpoint: WebhookEndpoint) -> None:
    audit.record(admin, "webhook.delete", object_type="webhook_endpoint", object_id=endpoint.id)
    db.session.delete(endpoint)
    db.session.flush()


def rotate(admin: User, endpoint: WebhookEndpoint) -> str:
    """A new secret, shown once; the current one keeps signing beside it for the overlap.
    Rotating again during an overlap retires the oldest at once (two secrets at most)."""
    secret = signing.new()
    overlap = timedelta(seconds=current_app.config["WEBHOOK_SECRET_OVERLAP_SECONDS"])
    endpoint.previous_secret_sealed = endpoint.secret_sealed
    endpoint.previous_secret_until = utcnow() + overlap
    endpoint.secret_sealed = signing.seal(endpoint, secret)
    endpoint.updated_at = utcnow()
    audit.record(admin, "webhook.rotate_secret", object_type="webhook_endpoint",
                 object_id=endpoint.id)
    db.session.flush()
    return secret


def deliveries(admin: User, endpoint: WebhookEndpoint, page: int, page_size: int):
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
    rows, total = page_of(stmt, (WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
                          page, page_size)
    return [row[0] for row in rows], total


def delivery(endpoint: WebhookEndpoint, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    return db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id))


def replay(admin: User, endpoint: WebhookEndpoint, item: WebhookDelivery) -> WebhookDelivery:
    """Send the message again, with the same msg id (receivers dedupe on it), from a fresh
    set of attempts."""
    item.status, item.attempts, item.next_attempt_at = "pending", 0, utcnow()
    audit.record(admin, "webhook.replay", object_type="webhook_delivery", object_id=item.id)
    db.session.info.setdefault(events.NEW, set()).add(item.id)
    db.session.flush()
    return item


def send_test(admin: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    message = events.test_message(endpoint)
    audit.record(admin, "webhook.test", object_type="webhook_endpoint", object_id=endpoint.id)
    return db.session.get(WebhookDelivery, message["id"])
