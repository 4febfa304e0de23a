"""OAuth 2.1 for apps: the clients agencies register, people's grants, and the tokens.

Only the authorization code grant with PKCE (S256) and refresh tokens exist: no implicit,
no password grant, no client credentials. Tokens are opaque and random, stored as their
SHA-256; an access token starts with ACCESS_PREFIX so the access rules know which store to
ask, and secret scanners can spot a leaked one. The grant and endpoint classes below are
Authlib's, given our storage; the HTTP side lives in api.http.oauth and api.web.oauth.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749 import ClientMixin, TokenMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from api.db.paging import page_of
from api.db.unit_of_work import keep_if_failed
from api.extensions import db
from api.lib.clock import utcnow
from api.lib.oauth_scopes import is_loopback
from api.models import OAuthClient, OAuthCode, OAuthGrant, OAuthToken, User
from api.services import audit
from api.services.integrations import scopes

ACCESS_PREFIX = "rpa_"
REFRESH_PREFIX = "rpr_"
CLIENT_PREFIX = "rpapp_"
SECRET_PREFIX = "rps_"  # noqa: S105 (a prefix, not a secret)
TOKEN_BYTES = 32  # 256 bits
CODE_LIFETIME = timedelta(minutes=5)
ACCESS_LIFETIME = timedelta(hours=1)
REFRESH_LIFETIME = timedelta(days=30)
MAX_TOKEN_LENGTH = 200
# Who may act for people: workers and peers. An admin's account reads no one's goals.
GRANTING_ROLES = ("worker", "peer")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def is_access_token(token: str) -> bool:
    return token.startswith(ACCESS_PREFIX)


# --- the registered apps (agency admins) ---------------------------------------------------

def register_client(admin: User, *, name: str, redirect_uris: list[str], scope: str,
                    confidential: bool, homepage_url: str | None = None
                    ) -> tuple[OAuthClient, str | None]:
    """A new app for the admin's agency, and its secret (confidential apps only), shown once."""
    secret = new_secret(SECRET_PREFIX) if confidential else None
    client = OAuthClient(client_id=new_secret(CLIENT_PREFIX)[:40], agency_id=admin.agency_id,
                         name=name, homepage_url=homepage_url, redirect_uris=redirect_uris,
                         scope=" ".join(scopes.parse(scope)), confidential=confidential,
                         secret_hash=digest(secret) if secret else None, created_by=admin.id)
    db.session.add(client)
    db.session.flush()
    audit.record(admin, "agency.oauth_client.create", object_type="oauth_client",
                 object_id=client.id)
    return client, secret


def clients_for_agency(admin: User, page: int, page_size: int) -> tuple[list[OAuthClient], int]:
    stmt = select(OAuthClient).where(OAuthClient.agency_id == admin.agency_id)
    rows, total = page_of(stmt, (OAuthClient.created_at.desc(), OAuthClient.id.desc()),
                          page, page_size)
    audit.record_read(admin, "agency.oauth_client.list", object_type="agency",
                      object_id=admin.agency_id)
    return [row[0] for row in rows], total


def agency_client(admin: User, client_id: uuid.UUID) -> OAuthClient | None:
    """One of the admin's agency's apps; None for another agency's, as for none."""
    return db.session.scalar(select(OAuthClient).where(
        OAuthClient.id == client_id, OAuthClient.agency_id == admin.agency_id))


def update_client(admin: User, client: OAuthClient, changes: dict) -> None:
    for field in ("name", "homepage_url", "redirect_uris"):
        if field in changes:
            setattr(client, field, changes[field])
    if "scope" in changes:
        client.scope = " ".join(scopes.parse(changes["scope"]))
        # People granted what the app may ask for: tokens wider than that end now.
        _end_tokens_beyond(client)
    audit.record(admin, "agency.oauth_client.update", object_type="oauth_client",
                 object_id=client.id)
    db.session.flush()


def _end_tokens_beyond(client: OAuthClient) -> None:
    allowed = set(client.scope.split())
    tokens = db.session.scalars(
        select(OAuthToken).join(OAuthGrant).where(OAuthGrant.client_id == client.id,
                                                  OAuthToken.revoked_at.is_(None)))
    now = utcnow()
    for token in tokens:
        if not set(token.scope.split()) <= allowed:
            token.revoked_at = now


def revoke_client(admin: User, client: OAuthClient) -> None:
    """The app signs no one in again, and every token it holds stops at once."""
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        audit.record(admin, "agency.oauth_client.revoke", object_type="oauth_client",
                     object_id=client.id)
        db.session.flush()


# --- people's grants (Connected apps) ------------------------------------------------------

def grants_of(user: User) -> list[OAuthGrant]:
    """The apps this person has let in and not taken back, most recently granted first."""
    return list(db.session.scalars(
        select(OAuthGrant).options(joinedload(OAuthGrant.client))
        .join(OAuthClient)
        .where(OAuthGrant.user_id == user.id, OAuthGrant.revoked_at.is_(None),
               OAuthClient.revoked_at.is_(None))
        .order_by(OAuthGrant.updated_at.desc(), OAuthGrant.id)))


def grant_of(user: User, grant_id: uuid.UUID) -> OAuthGrant | None:
    return db.session.scalar(select(OAuthGrant).where(
        OAuthGrant.id == grant_id, OAuthGrant.user_id == user.id,
        OAuthGrant.revoked_at.is_(None)))


def take_back(user: User, grant: OAuthGrant) -> None:
    """The person takes their "yes" back: every token of the grant stops at once."""
    now = utcnow()
    grant.revoked_at = now
    _revoke_tokens_of(grant.id, now)
    audit.record(user, "oauth.grant.revoke", object_type="oauth_grant", object_id=grant.id)
    db.session.flush()


def _revoke_tokens_of(grant_id: uuid.UUID, now) -> None:
    db.session.execute(update(OAuthToken)
                       .where(OAuthToken.grant_id == grant_id, OAuthToken.revoked_at.is_(None))
                       .values(revoked_at=now))


def approve(user: User, client: OAuthClient, scope: str) -> OAuthGrant:
    """Record the person's "yes" to `scope` for `client` (widening an earlier one)."""
    grant = db.session.scalar(select(OAuthGrant).where(
        OAuthGrant.client_id == client.id, OAuthGrant.user_id == user.id))
    now = utcnow()
    if grant is None:
        grant = OAuthGrant(client_id=client.id, user_id=user.id, scope="", created_at=now)
        db.session.add(grant)
    elif grant.revoked_at is not None:  # granted again after taking it back: start afresh
        grant.scope, grant.revoked_at, grant.created_at = "", None, now
    grant.scope = " ".join(scopes.parse(f"{grant.scope} {scope}"))
    grant.updated_at = now
    db.session.flush()
    audit.record(user, "oauth.grant.approve", object_type="oauth_grant", object_id=grant.id)
    return grant


# --- tokens --------------------------------------------------------------------------------

_BY_ACCESS = (select(OAuthToken)
              .options(joinedload(OAuthToken.grant).joinedload(OAuthGrant.user),
                       joinedload(OAuthToken.grant).joinedload(OAuthGrant.client)))


def _live(token: OAuthToken | None) -> bool:
    if token is None or token.revoked_at or token.retired_at:
        return False
    grant = token.grant
    return not (grant.revoked_at or grant.client.revoked_at or grant.user.erased_at)


def resolve_access_token(token: str) -> OAuthToken | None:
    """The live token a bearer holds, or None: unknown, expired, retired, revoked, its grant
    taken back, its app revoked, or its person erased."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    found = db.session.scalar(_BY_ACCESS.where(OAuthToken.access_hash == digest(token)))
    if not _live(found) or found.access_expires_at <= utcnow():
        return None
    if found.grant.last_used_at is None or utcnow() - found.grant.last_used_at > timedelta(
            minutes=5):
        found.grant.last_used_at = utcnow()  # "last used" in Connected apps, to the minute
    return found


def client_by_public_id(client_id: str | None) -> OAuthClient | None:
    if not client_id or len(client_id) > 48:
        return None
    return db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id,
                                                       OAuthClient.revoked_at.is_(None)))


def _save_token(token: dict, grant: OAuthGrant) -> None:
    now = utcnow()
    refresh = token.get("refresh_token")
    db.session.add(OAuthToken(
        grant_id=grant.id, access_hash=digest(token["access_token"]),
        refresh_hash=digest(refresh) if refresh else None, scope=token["scope"],
        issued_at=now, access_expires_at=now + timedelta(seconds=token["expires_in"]),
        refresh_expires_at=now + REFRESH_LIFETIME if refresh else None))
    grant.last_used_at = now
    db.session.flush()


def _revoke_grant_tokens_for_good(grant_id: uuid.UUID, why: str) -> None:
    """A stolen code or refresh token was shown: end the grant's tokens, and keep that even
    though this request answers with an error (its unit of work rolls back)."""
    def revoke():
        _revoke_tokens_of(grant_id, utcnow())
        audit.record(None, f"oauth.token.revoke_all:{why}", object_type="oauth_grant",
                     object_id=grant_id)
    revoke()
    keep_if_failed(revoke)


# --- Authlib, given our storage --------------------------------------------------------------

class Client(ClientMixin):
    """An OAuthClient as Authlib asks about it."""

    def __init__(self, row: OAuthClient):
        self.row = row
        self.client_id = row.client_id

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return None  # OAuth 2.1: the redirect_uri is always sent, and matched exactly

    def get_allowed_scope(self, scope):
        asked = scopes.parse(scope)
        if not scope or not asked or scopes.unknown(scope):
            return None
        allowed = set(self.row.scope.split())
        return " ".join(name for name in asked if name in allowed) or None

    def check_redirect_uri(self, redirect_uri):
        return any(_same_redirect(redirect_uri, registered)
                   for registered in self.row.redirect_uris)

    def check_client_secret(self, client_secret):
        return bool(self.row.secret_hash) and hmac.compare_digest(
            digest(client_secret), self.row.secret_hash)

    def check_endpoint_auth_method(self, method, endpoint):
        if self.row.confidential:
            return method in ("client_secret_basic", "client_secret_post")
        return method == "none"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


def _same_redirect(sent: str, registered: str) -> bool:
    """Exact string match; for a loopback http URI any port (RFC 8252 7.3: the app picks a
    free port each time)."""
    if sent == registered:
        return True
    try:
        a, b = urlsplit(sent), urlsplit(registered)
    except ValueError:
        return False
    return (a.scheme == b.scheme == "http" and is_loopback(a.hostname)
            and a.hostname == b.hostname and a.path == b.path and a.query == b.query
            and not a.fragment)


def query_client(client_id: str) -> Client | None:
    row = client_by_public_id(client_id)
    return Client(row) if row is not None else None


def save_token(token: dict, request) -> None:
    """Authlib's hook after issuing: the grant is found through the code or refresh token."""
    if getattr(request, "authorization_code", None) is not None:
        grant = request.authorization_code.row.grant
    else:
        grant = request.refresh_token.row.grant
    _save_token(token, grant)


class Code:
    def __init__(self, row: OAuthCode):
        self.row = row
        self.code_challenge = row.code_challenge
        self.code_challenge_method = row.code_challenge_method

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope


class StoredToken(TokenMixin):
    def __init__(self, row: OAuthToken):
        self.row = row

    def check_client(self, client):
        return self.row.grant.client_id == client.row.id

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return int((self.row.access_expires_at - self.row.issued_at).total_seconds())

    def is_expired(self):
        return self.row.access_expires_at <= utcnow()

    def is_revoked(self):
        return bool(self.row.revoked_at or self.row.retired_at)

    def get_user(self):
        return self.row.grant.user

    def get_client(self):
        return Client(self.row.grant.client)


class PkceS256(CodeChallenge):
    """PKCE for every client, S256 only (OAuth 2.1 section 4.1.1: `plain` adds nothing when
    the challenge itself can leak)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE (S256) is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, request):
        user, client = request.user, request.client
        grant = approve(user, client.row, request.scope)
        db.session.add(OAuthCode(
            code_hash=digest(code), grant_id=grant.id, redirect_uri=request.payload.redirect_uri,
            scope=request.scope, code_challenge=request.payload.data["code_challenge"],
            code_challenge_method=request.payload.data["code_challenge_method"],
            expires_at=utcnow() + CODE_LIFETIME))
        db.session.flush()

    def query_authorization_code(self, code, client):
        if not code or len(code) > MAX_TOKEN_LENGTH:
            return None
        # Locked: two exchanges of one code at once must not both see it unused (PostgreSQL;
        # SQLite's write lock already puts them in line).
        row = db.session.scalar(select(OAuthCode).options(joinedload(OAuthCode.grant))
                                .where(OAuthCode.code_hash == digest(code))
                                .with_for_update(of=OAuthCode))
        if row is None or row.grant.client_id != client.row.id:
            return None
        if row.used_at is not None:
            _revoke_grant_tokens_for_good(row.grant_id, "code_reused")
            return None
        if row.expires_at <= utcnow() or row.grant.revoked_at is not None:
            return None
        return Code(row)

    def delete_authorization_code(self, authorization_code):
        authorization_code.row.used_at = utcnow()

    def authenticate_user(self, authorization_code):
        user = authorization_code.row.grant.user
        return None if user.erased_at else user


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: every refresh token works once

    def authenticate_refresh_token(self, refresh_token):
        if not refresh_token or len(refresh_token) > MAX_TOKEN_LENGTH:
            return None
        # Locked, so two refreshes with one token cannot both rotate it.
        row = db.session.scalar(_BY_ACCESS.where(OAuthToken.refresh_hash == digest(refresh_token))
                                .with_for_update(of=OAuthToken))
        if row is None:
            return None
        if row.retired_at is not None and row.revoked_at is None:
            # Rotated already: the app and a thief both hold it. End the grant's tokens.
            _revoke_grant_tokens_for_good(row.grant_id, "refresh_reused")
            return None
        if not _live(row) or row.refresh_expires_at is None \
                or row.refresh_expires_at <= utcnow():
            return None
        return StoredToken(row)

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token):
        refresh_token.row.retired_at = utcnow()


class Revocation(RevocationEndpoint):
    """RFC 7009. Revoking a refresh token ends every token of its grant (the app is signing
    out); revoking an access token ends it and the refresh token issued with it."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string, token_type_hint):
        if not token_string or len(token_string) > MAX_TOKEN_LENGTH:
            return None
        hashed = digest(token_string)
        row = db.session.scalar(_BY_ACCESS.where(
            (OAuthToken.access_hash == hashed) | (OAuthToken.refresh_hash == hashed)))
        return StoredToken(row) if row is not None else None

    def revoke_token(self, token, request):
        now = utcnow()
        row = token.row
        if row.refresh_hash == digest(request.form["token"]):
            _revoke_tokens_of(row.grant_id, now)
        else:
            row.revoked_at = now
        audit.acting_client.set(row.grant.client_id)  # the app signed itself out
        audit.record(row.grant.user, "oauth.token.revoke", object_type="oauth_grant",
                     object_id=row.grant_id)


def token_generator(prefix: str):
    def generate(*_args, **_kwargs):
        return new_secret(prefix)
    return generate


def expires_in(_client, _grant_type) -> int:
    return int(ACCESS_LIFETIME.total_seconds())
