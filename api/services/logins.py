"""Signing in: password check, limits on guessing, and the audit of every attempt.

The limits follow OWASP's device-cookie scheme (services.devices): a client that signed in
to the account before is checked against its own allowance only; any other client meets the
account's growing delays and its address's limit. So guessing someone's password from
elsewhere cannot lock them out of the phone they use, and one busy office address cannot
lock out everyone behind it.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from api.extensions import db
from api.models import AuthSession, User
from api.services import audit, devices, passwords, sessions, throttle
from api.services.accounts import normalise_email, normalise_username


class LoginFailed(Exception):
    """Wrong or unknown credentials: the caller learns nothing more than that."""


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class SignedIn:
    user: User
    token: str
    session: AuthSession
    device_token: str


def _find(email: str | None, username: str | None) -> tuple[str, User | None]:
    if email is not None:
        key = f"email:{normalise_email(email)}"
        stmt = select(User).where(User.email == normalise_email(email))
    else:
        key = f"username:{normalise_username(username)}"
        stmt = select(User).where(User.username == normalise_username(username))
    return key, db.session.scalar(stmt.where(User.erased_at.is_(None)))


def sign_in(*, password: str, address: str, lifetime: timedelta, email: str | None = None,
            username: str | None = None, device_token: str | None = None) -> SignedIn:
    """Sign in from a client at `address` (see ratelimits.client_address), or raise
    LoginFailed / LoginThrottled."""
    account, user = _find(email, username)
    device = devices.recognise(device_token, user.id if user else None)
    if device is not None and throttle.retry_after(throttle.DEVICE, device):
        device = None  # this device used up its own allowance: it is unknown again
    if device is None:
        wait = throttle.longest_wait((throttle.ACCOUNT, account), (throttle.ADDRESS, address))
        if wait:
            # Not written to the audit trail: a refusal here checked nothing, and a row per
            # refusal would let anyone flood the account's access log.
            raise LoginThrottled(wait)
    # Unknown accounts are verified against a dummy hash: same work, same answer.
    if not passwords.verify(user.password_hash if user else None, password):
        if device is not None:
            throttle.count(throttle.DEVICE, device)
        else:
            throttle.count(throttle.ACCOUNT, account)
            throttle.count(throttle.ADDRESS, address)
        audit.record_now(None, "auth.login", object_type="user" if user else None,
                         object_id=user.id if user else None, outcome="failed")
        raise LoginFailed
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    token, session = sessions.start(user, lifetime)
    audit.record(user, "auth.login", object_type="user", object_id=user.id)
    db.session.commit()
    return SignedIn(user, token, session, devices.issue(user.id))
