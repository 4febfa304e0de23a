"""Signed-in sessions: opaque random tokens; only their SHA-256 is stored."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from api.extensions import db
from api.models import AuthSession, User
from api.services.clock import utcnow

TOKEN_BYTES = 32  # 256 bits


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


def resolve(token: str) -> AuthSession | None:
    """The live session a token belongs to, or None (unknown, expired or erased)."""
    if not token or len(token) > 200:
        return None
    session = db.session.scalar(_BY_TOKEN, {"token_hash": token_hash(token)})
    if session is None or session.expires_at <= utcnow() or session.user.erased_at:
        return None
    return session


def revoke(session: AuthSession) -> None:
    db.session.delete(session)


def revoke_all(user: User, *, keep: AuthSession | None = None) -> None:
    stmt = delete(AuthSession).where(AuthSession.user_id == user.id)
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep.id)
    db.session.execute(stmt)
