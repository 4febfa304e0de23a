"""OAuth 2.1: the apps agencies register, what people let them see, and their tokens.

Every secret (client secret, authorization code, access and refresh token) is stored only
as its SHA-256: a copy of the database opens nothing.
"""

import uuid
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.extensions import db
from api.lib.clock import utcnow
from api.models.accounts import Agency, User
from api.models.types import UtcDateTime


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, primary_key=True, default=uuid.uuid4)


class OAuthClient(db.Model):
    """An app an agency admin registered. Public clients (phone and browser apps) hold no
    secret and rely on PKCE alone; confidential ones also authenticate with a secret."""

    __tablename__ = "oauth_clients"

    id: Mapped[uuid.UUID] = _id()
    # The public identifier apps send as client_id (random, so one agency's clients cannot
    # be counted by another).
    client_id: Mapped[str] = mapped_column(String(48), unique=True)
    agency_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # Where the app is from, shown on the consent screen so a person can tell who asks.
    homepage_url: Mapped[str | None] = mapped_column(String(300))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    # The most an app may ask for, space-separated; a person may grant less.
    scope: Mapped[str] = mapped_column(String(300))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    secret_hash: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # A revoked client can sign no one in, and every token it holds stops working.
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    agency: Mapped[Agency] = relationship()


class OAuthGrant(db.Model):
    """A person's "yes" to an app: what it may see and do for them, until they take it back
    (Settings → Connected apps). One per person and app; every token hangs from it."""

    __tablename__ = "oauth_grants"
    __table_args__ = (UniqueConstraint("client_id", "user_id"),)

    id: Mapped[uuid.UUID] = _id()
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    client: Mapped[OAuthClient] = relationship()
    user: Mapped[User] = relationship()


class OAuthCode(db.Model):
    """An authorization code: single use, short-lived, bound to its PKCE challenge."""

    __tablename__ = "oauth_codes"

    id: Mapped[uuid.UUID] = _id()
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    grant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_grants.id", ondelete="CASCADE"), index=True)
    redirect_uri: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(300))
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Kept after use: a code shown a second time means it was stolen, and every token of
    # its grant is revoked (OAuth 2.1 section 4.1.3).
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    grant: Mapped[OAuthGrant] = relationship()


class OAuthToken(db.Model):
    """An access token and the refresh token issued with it. Using the refresh token retires
    both (rotation); showing a retired refresh token again ends the whole grant's tokens,
    since one of the two holders must be a thief."""

    __tablename__ = "oauth_tokens"

    id: Mapped[uuid.UUID] = _id()
    grant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_grants.id", ondelete="CASCADE"), index=True)
    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    access_expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set when rotated (its refresh token was used) or revoked.
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    grant: Mapped[OAuthGrant] = relationship()
