"""OAuth 2.1 for apps: the person's grants, the tokens issued under them, and their checks.

Only the authorization code grant with PKCE (S256) and refresh tokens exist: no implicit,
no password grant, no client credentials. Tokens are opaque and random, stored as their
SHA-256; an access token starts with ACCESS_PREFIX so the access rules know which store to
ask, and secret scanners can spot a leaked one.
"""

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from api.extensions import db
from api.lib.clock import utcnow
from api.models import OAuthClient, OAuthGrant, OAuthToken

ACCESS_PREFIX = "rpa_"
REFRESH_PREFIX = "rpr_"
CODE_PREFIX = "rpc_"
CLIENT_PREFIX = "rpapp_"
SECRET_PREFIX = "rps_"  # noqa: S105 (a prefix, not a secret)
TOKEN_BYTES = 32  # 256 bits


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def is_access_token(token: str) -> bool:
    return token.startswith(ACCESS_PREFIX)


_BY_ACCESS = (select(OAuthToken)
              .options(joinedload(OAuthToken.grant).joinedload(OAuthGrant.user),
                       joinedload(OAuthToken.grant).joinedload(OAuthGrant.client)))


def resolve_access_token(token: str) -> OAuthToken | None:
    """The live token a bearer holds, or None: unknown, expired, retired, revoked, its grant
    taken back, its app revoked, or its person erased."""
    if len(token) > 200:
        return None
    found = db.session.scalar(_BY_ACCESS.where(OAuthToken.access_hash == digest(token)))
    now = utcnow()
    if found is None or found.revoked_at or found.retired_at or found.access_expires_at <= now:
        return None
    grant = found.grant
    if grant.revoked_at or grant.client.revoked_at or grant.user.erased_at:
        return None
    return found


def client_by_public_id(client_id: str) -> OAuthClient | None:
    if not client_id or len(client_id) > 48:
        return None
    return db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id,
                                                       OAuthClient.revoked_at.is_(None)))
