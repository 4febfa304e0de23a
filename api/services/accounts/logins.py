"""Signing in: password check, limits on guessing, and the audit of every attempt.

The limits follow OWASP's device-cookie scheme (services.accounts.devices): a client that signed in
to the account before is checked against its own allowance only; any other client meets the
account's growing delays and its address's limit. So guessing someone's password from
elsewhere cannot lock them out of the phone they use, and one busy office address cannot
lock out everyone behind it.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from api.extensions import db
from api.lib import passwords
from api.models import AuthSession, User
from api.services import audit
from api.services.accounts import devices, sessions, throttle
from api.services.accounts.people import normalise_email, normalise_username


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


def find(email: str | None, username: str | None) -> tuple[str, User | None]:
    """(the account's key for the limits, the live account or None)."""
    if email is not None:
        key = f"email:{normalise_email(email)}"
        stmt = select(User).where(User.email == normalise_email(email))
    else:
        key = f"username:{normalise_username(username)}"
        stmt = select(User).where(User.username == normalise_username(username))
    return key, db.session.scalar(stmt.where(User.erased_at.is_(None)))


def _attempt(account: str, user: User | None, device_token: str | None, address: str):
    """The limits this try falls under: a known device's own allowance, else the account's
    and the address's. Raises LoginThrottled when they are used up."""
    device = devices.recognise(device_token, user.id if user else None)
    if device is not None:
        try:
            return throttle.attempt((throttle.DEVICE, device))
        except throttle.Refused:
            pass  # this device used up its own allowance: it is unknown again
    try:
        return throttle.attempt((throttle.ACCOUNT, account), (throttle.ADDRESS, address))
    except throttle.Refused as refused:
        # Not written to the audit trail: a refusal checked nothing, and a row per refusal
        # would let anyone flood the account's access log.
        raise LoginThrottled(refused.retry_after) from None


def sign_in(*, account: str, user: User | None, password: str, address: str,
            lifetime: timedelta, device_token: str | None = None) -> SignedIn:
    """Sign `user` in (found by `find`; None when no account has that email or username)
    from a client at `address` (see api.lib.addresses), or raise LoginFailed or
    LoginThrottled."""
    with _attempt(account, user, device_token, address) as attempt:
        # Unknown accounts are verified against a dummy hash: same work, same answer.
        if not passwords.verify(user.password_hash if user else None, password):
            attempt.keep(throttle.DEVICE, throttle.ACCOUNT, throttle.ADDRESS)
            audit.record_refusal(None, "auth.login", object_type="user" if user else None,
                                 object_id=user.id if user else None, outcome="failed")
            raise LoginFailed
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    token, session = sessions.start(user, lifetime)
    audit.record(user, "auth.login", object_type="user", object_id=user.id)
    return SignedIn(user, token, session, devices.issue(user.id))
