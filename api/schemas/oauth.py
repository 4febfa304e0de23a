"""OAuth apps as the API shows them: an agency's registered apps, the consent screen's
question and answer, and a person's Connected apps."""

import marshmallow as ma

from api.lib import oauth_scopes as scopes
from api.schemas.common import BaseSchema, Name, Text, Timestamp

_CLIENT_ID = "^rpapp_[A-Za-z0-9_-]{1,42}$"
_CHALLENGE = "^[A-Za-z0-9._~-]{43,128}$"
_SCOPE_PATTERN = "^(" + "|".join(scopes.ALL) + ")( (" + "|".join(scopes.ALL) + "))*$"


def _redirect_uri(value: str) -> None:
    if not scopes.is_allowed_redirect_uri(value):
        raise ma.ValidationError(
            "Use an https address, http on 127.0.0.1 or localhost, or the app's own scheme "
            "(like org.example.app:/callback), with no #fragment.")


def _known_scopes(value: str) -> None:
    if scopes.unknown(value) or not scopes.parse(value):
        raise ma.ValidationError(
            "Name one or more scopes this server has, separated by spaces.")


_scope = dict(validate=[ma.validate.Length(min=1, max=300), _known_scopes],
              metadata={"description": "Space-separated scopes: " + ", ".join(scopes.ALL) + ".",
                        "pattern": _SCOPE_PATTERN, "example": "goals:read checkins:write"})
_uris = dict(validate=ma.validate.Length(min=1, max=10),
             metadata={"description": "Where the app may be sent back after sign-in: matched "
                       "exactly (http loopback addresses on any port, RFC 8252)."})
_uri = Text(validate=[ma.validate.Length(min=1, max=300), _redirect_uri],
            metadata={"example": "https://app.example.org/callback"})
_homepage = dict(validate=[ma.validate.Length(max=300),
                           ma.validate.URL(schemes={"https"}, require_tld=True)],
                 metadata={"description": "Shown on the consent screen: who makes the app.",
                           "example": "https://app.example.org"})


class OAuthClientCreateSchema(BaseSchema):
    name = Name(required=True, validate=ma.validate.Length(min=1, max=80),
                metadata={"example": "Recovery Journal"})
    homepage_url = ma.fields.String(load_default=None, allow_none=True, **_homepage)
    redirect_uris = ma.fields.List(_uri, required=True, **_uris)
    scope = ma.fields.String(required=True, **_scope)
    confidential = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "true for an app with a server that can keep a secret; "
                  "false (default) for phone and browser apps, which rely on PKCE alone."})


class OAuthClientUpdateSchema(BaseSchema):
    name = Name(validate=ma.validate.Length(min=1, max=80))
    homepage_url = ma.fields.String(allow_none=True, **_homepage)
    redirect_uris = ma.fields.List(_uri, **_uris)
    scope = ma.fields.String(**_scope)


class OAuthClientSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    client_id = ma.fields.String(required=True, metadata={
        "description": "What the app sends as client_id.", "example": "rpapp_4kq2..."})
    name = ma.fields.String(required=True)
    homepage_url = ma.fields.String(required=True, allow_none=True)
    redirect_uris = ma.fields.List(ma.fields.String(), required=True)
    scope = ma.fields.String(required=True)
    confidential = ma.fields.Boolean(required=True)
    created_at = Timestamp(required=True)
    revoked_at = Timestamp(required=True, allow_none=True)


class NewOAuthClientSchema(OAuthClientSchema):
    client_secret = ma.fields.String(
        required=True, allow_none=True,
        metadata={"description": "Confidential apps only, and shown only now: the app sends "
                  "it to /oauth/token (HTTP Basic or client_secret_post)."})


class AuthorizationArgsSchema(BaseSchema):
    """The app's authorization request, as the consent screen received it."""

    response_type = ma.fields.String(required=True, validate=ma.validate.OneOf(["code"]))
    client_id = ma.fields.String(required=True, validate=[
        ma.validate.Length(min=1, max=48), ma.validate.Regexp(_CLIENT_ID)],
        metadata={"pattern": _CLIENT_ID})
    redirect_uri = Text(required=True, validate=ma.validate.Length(min=1, max=300))
    scope = ma.fields.String(required=True, **_scope)
    state = Text(load_default=None, validate=ma.validate.Length(max=500), metadata={
        "description": "Sent back to the app unchanged."})
    code_challenge = ma.fields.String(required=True, validate=ma.validate.Regexp(_CHALLENGE),
                                      metadata={"pattern": _CHALLENGE,
                                                "description": "PKCE: BASE64URL(SHA-256("
                                                "code_verifier)), RFC 7636."})
    code_challenge_method = ma.fields.String(required=True,
                                             validate=ma.validate.OneOf(["S256"]))


class AuthorizationDecisionSchema(AuthorizationArgsSchema):
    approve = ma.fields.Boolean(required=True, metadata={
        "description": "true: let the app in with these scopes; false: say no."})


class ScopeSchema(ma.Schema):
    scope = ma.fields.String(required=True, metadata={"example": "goals:read"})
    description = ma.fields.String(required=True, metadata={
        "description": "What the app will see or do, in the caller's language."})


class AppSchema(ma.Schema):
    name = ma.fields.String(required=True)
    homepage_url = ma.fields.String(required=True, allow_none=True)
    agency = ma.fields.String(required=True, metadata={
        "description": "The agency that registered the app."})


class AuthorizationRequestSchema(ma.Schema):
    app = ma.fields.Nested(AppSchema, required=True)
    scopes = ma.fields.List(ma.fields.Nested(ScopeSchema), required=True)
    redirect_host = ma.fields.String(required=True, metadata={
        "description": "Where the person will be sent back, to show them."})
    already_granted = ma.fields.Boolean(required=True, metadata={
        "description": "true when the person already let this app in with all these scopes."})


class AuthorizationAnswerSchema(ma.Schema):
    redirect_to = ma.fields.String(required=True, metadata={
        "description": "Send the browser here: the app's address with the code (or "
                       "error=access_denied), state and iss."})


class ConnectedAppSchema(ma.Schema):
    id = ma.fields.UUID(required=True, metadata={"description": "The grant's id."})
    app = ma.fields.Nested(AppSchema, required=True)
    scopes = ma.fields.List(ma.fields.Nested(ScopeSchema), required=True)
    granted_at = Timestamp(required=True)
    last_used_at = Timestamp(required=True, allow_none=True)
