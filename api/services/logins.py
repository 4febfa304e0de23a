"""Signing in: password check, brute-force limits, and the audit of every attempt."""

from datetime import timedelta

from sqlalchemy import select

from api.extensions import db
from api.models import AuthSession, User
from api.services import audit, passwords, sessions, throttle
from api.services.accounts import normalise_email, normalise_username

FAILURE_RULE = "5 per 15 minutes"


class LoginFailed(Exception):
    """Wrong or unknown credentials: the caller learns nothing more than that."""


class LoginThrottled(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _find(email: str | None, username: str | None) -> tuple[str, User | None]:
    if email is not None:
        key = f"email:{normalise_email(email)}"
        stmt = select(User).where(User.email == normalise_email(email))
    else:
        key = f"username:{normalise_username(username)}"
        stmt = select(User).where(User.username == normalise_username(username))
    return key, db.session.scalar(stmt.where(User.erased_at.is_(None)))


def sign_in(*, password: str, client_ip: str, lifetime: timedelta, email: str | None = None,
            username: str | None = None) -> tuple[User, str, AuthSession]:
    """Return (user, token, session), or raise LoginFailed / LoginThrottled."""
    account_key, user = _find(email, username)
    keys = (f"login:{account_key}", f"login:ip:{client_ip}")
    wait = throttle.retry_after(FAILURE_RULE, *keys)
    if wait:
        audit.record_now(None, "auth.login", object_type="user" if user else None,
                         object_id=user.id if user else None, outcome="throttled")
        raise LoginThrottled(wait)
    # Unknown accounts are verified against a dummy hash: same work, same answer.
    if not passwords.verify(user.password_hash if user else None, password):
        throttle.count_failure(FAILURE_RULE, *keys)
        audit.record_now(None, "auth.login", object_type="user" if user else None,
                         object_id=user.id if user else None, outcome="failed")
        raise LoginFailed
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    token, session = sessions.start(user, lifetime)
    audit.record(user, "auth.login", object_type="user", object_id=user.id)
    db.session.commit()
    return user, token, session
