"""Signing secrets: `whsec_` + 32 random bytes in base64 (what Standard Webhooks libraries
take), sealed at rest (api.lib.sealing) and bound to their endpoint."""

import base64
import os
from datetime import datetime

from flask import current_app

from api.lib import sealing
from api.models import WebhookEndpoint

PREFIX = "whsec_"
SECRET_BYTES = 32


def new() -> str:
    return PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def seal(endpoint: WebhookEndpoint, secret: str) -> str:
    return sealing.seal(current_app.config["SECRET_KEY"], secret, f"webhook:{endpoint.id}")


def open_(endpoint: WebhookEndpoint, sealed: str) -> str:
    return sealing.open_sealed(current_app.config["SECRET_KEY"], sealed,
                               f"webhook:{endpoint.id}")


def in_use(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while a rotation's overlap lasts."""
    found = [open_(endpoint, endpoint.secret_sealed)]
    if (endpoint.previous_secret_sealed and endpoint.previous_secret_until is not None
            and now < endpoint.previous_secret_until):
        found.append(open_(endpoint, endpoint.previous_secret_sealed))
    return found
