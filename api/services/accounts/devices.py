"""Device tokens: proof that a browser or app has signed in to an account before.

OWASP's "device cookies" against online guessing: after a good sign-in the client gets a
token signed for that account. A client that shows one is never held back by guesses made
elsewhere, so no one can lock a person out by guessing their password on purpose; it has an
allowance of its own (throttle.DEVICE), after which it counts as unknown. Unknown clients
meet growing delays per account (throttle.ACCOUNT) and a per-address limit (throttle.ADDRESS).

The token is `<user id>.<random device id>.<time>.<signature>` (itsdangerous, keyed with
SECRET_KEY): nothing is stored, nothing personal is in it, and it is worthless for any other
account or once a year old.
"""

import secrets
import uuid
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, TimestampSigner

LIFETIME = timedelta(days=365)
_SALT = "rapport.device-token"


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=_SALT)


def issue(user_id: uuid.UUID) -> str:
    """A new device token for this account."""
    return _signer().sign(f"{user_id.hex}.{secrets.token_urlsafe(16)}").decode()


def recognise(token: str | None, user_id: uuid.UUID | None) -> str | None:
    """The device id in `token` if it is genuine, current and for this account, else None."""
    if not token or user_id is None or len(token) > 200:
        return None
    try:
        value = _signer().unsign(token, max_age=LIFETIME.total_seconds()).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    owner, _, device = value.partition(".")
    return device if owner == user_id.hex and device else None
