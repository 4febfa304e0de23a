"""Signed-in sessions: opaque random tokens; only their SHA-256 is stored."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from api.extensions import db
from api.lib.clock import utcnow
from api.models import AuthSession, User

TOKEN_BYTES = 32  # 256 bits
# How stale last_seen_at may get before a request moves it: a write per request would cost
# more than the idle timeout's precision is worth.
SEEN_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    # A fast hash is enough: the token is 256 random bits, not a guessable password.
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: User, lifetime: timedelta) -> tuple[str, AuthSession]:
    """A new session for `user` (added to the transaction) and its token, shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session = AuthSession(user=user, token_hash=token_hash(token),
                          expires_at=utcnow() + lifetime)
    db.session.add(session)
    return token, session


# Built once: the busiest statement of all (every signed-in request) skips being rebuilt and
# re-keyed for SQLAlchemy's statement cache each time.
_BY_TOKEN = (select(AuthSession).options(joinedload(AuthSession.user))
             .where(AuthSession.token_hash == bindparam("token_hash")))


def resolve(token: str, idle: timedelta) -> AuthSession | None:
    """The live session a token belongs to, or None (unknown, expired, idle too long, or its
    person erased). A live one is marked as seen, with the request's own changes."""
    if not token or len(token) > 200:
        return None
    session = db.session.scalar(_BY_TOKEN, {"token_hash": token_hash(token)})
    now = utcnow()
    if session is None or session.expires_at <= now or session.user.erased_at \
            or session.last_seen_at + idle <= now:
        return None
    if now - session.last_seen_at >= SEEN_EVERY:
        session.last_seen_at = now  # written when the request commits (reads commit too)
    return session


def revoke(session: AuthSession) -> None:
    db.session.delete(session)


def revoke_all(user: User, *, keep: AuthSession | None = None) -> None:
    stmt = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep.id)
    db.session.execute(stmt)
