"""Whether an endpoint is working, and switching it off when it is not.

An endpoint that fails every attempt is switched off when WEBHOOK_DISABLE_AFTER_MESSAGES
messages in a row were given up on, or once it has been failing for
WEBHOOK_DISABLE_AFTER_SECONDS; a 410 Gone switches it off at once. The agency's admins see
`disabled_at` and the reason on the endpoint, and the audit trail keeps when and why. Nothing
is lost: what waited stays pending and goes once an admin switches it back on.
"""

from datetime import datetime, timedelta

from flask import current_app

from api.models import WebhookEndpoint
from api.services import audit

FAILING = "failing"
GONE = "gone"


def succeeded(endpoint: WebhookEndpoint) -> None:
    endpoint.failing_since = None
    endpoint.consecutive_failures = 0


def failed(endpoint: WebhookEndpoint, now: datetime, *, gave_up: bool) -> None:
    config = current_app.config
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    if gave_up:
        endpoint.consecutive_failures += 1
    too_many = endpoint.consecutive_failures >= config["WEBHOOK_DISABLE_AFTER_MESSAGES"]
    too_long = now - endpoint.failing_since >= timedelta(
        seconds=config["WEBHOOK_DISABLE_AFTER_SECONDS"])
    if too_many or too_long:
        switch_off(endpoint, FAILING, now)


def switch_off(endpoint: WebhookEndpoint, reason: str, now: datetime) -> None:
    if endpoint.disabled_at is not None:
        return
    endpoint.disabled_at, endpoint.disabled_reason = now, reason
    audit.record(None, "webhook.disable", object_type="webhook_endpoint",
                 object_id=endpoint.id, outcome=reason)


def switch_on(endpoint: WebhookEndpoint) -> None:
    endpoint.disabled_at = endpoint.disabled_reason = None
    endpoint.failing_since = None
    endpoint.consecutive_failures = 0
