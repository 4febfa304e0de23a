"""OAuth apps: agency admins register them; people let them in (the consent screen) and
take them back (Connected apps). The token endpoints apps call are in api.web.oauth."""

from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask.views import MethodView
from flask_smorest import abort

from api.http import access
from api.http.language import negotiate
from api.http.oauth import server
from api.http.openapi import PAGING_HEADERS, Blueprint, paging_headers
from api.resources.agencies import own_agency
from api.schemas.common import NoArgsSchema, PagedArgsSchema
from api.schemas.oauth import (
    AuthorizationAnswerSchema,
    AuthorizationArgsSchema,
    AuthorizationDecisionSchema,
    AuthorizationRequestSchema,
    ConnectedAppSchema,
    NewOAuthClientSchema,
    OAuthClientCreateSchema,
    OAuthClientSchema,
    OAuthClientUpdateSchema,
)
from api.services import audit
from api.services.integrations import oauth, scopes

blp = Blueprint("oauth_apps", __name__, url_prefix="/api/v1",
                description="OAuth 2.1 apps: agency admins register them, people let them in "
                "on the consent screen and take them back in Connected apps. Apps get tokens "
                "at /oauth/token (authorization code with PKCE S256 only); server metadata is "
                "at /.well-known/oauth-authorization-server.")

NO_SUCH_APP = "No app is registered with this client_id, or its agency revoked it."
INVALID_REQUEST = ("This app's sign-in request is not valid. Go back to the app and try "
                   "again.")


def _client_or_404(admin, client_id):
    client = oauth.agency_client(admin, client_id)
    if client is None:
        access.deny(404, admin, object_type="oauth_client", object_id=client_id)
    return client


@blp.route("/agencies/<uuid:agency_id>/oauth-clients")
class AgencyOAuthClients(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(PagedArgsSchema, location="query", as_kwargs=True)
    @blp.response(200, OAuthClientSchema(many=True), headers=PAGING_HEADERS)
    @blp.errors(404, 422)
    def get(self, agency_id, page, page_size):
        """List your agency's OAuth apps, newest first (revoked ones too)."""
        admin = own_agency(agency_id)
        items, total = oauth.clients_for_agency(admin, page, page_size)
        return items, 200, paging_headers(page, page_size, total)

    # No Idempotency-Key: a replay would mean keeping a confidential app's secret.
    @access.signed_in("agency_admin")
    @blp.arguments(OAuthClientCreateSchema)
    @blp.response(201, NewOAuthClientSchema)
    @blp.errors(404, 422)
    def post(self, data, agency_id):
        """Register an OAuth app; a confidential app's secret is shown in this answer only."""
        admin = own_agency(agency_id)
        client, secret = oauth.register_client(admin, **data)
        fields = OAuthClientSchema().fields
        return {**{name: getattr(client, name) for name in fields},
                "client_secret": secret}, 201


@blp.route("/agencies/<uuid:agency_id>/oauth-clients/<uuid:client_id>")
class AgencyOAuthClientById(MethodView):
    @access.signed_in("agency_admin")
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, OAuthClientSchema)
    @blp.errors(404, 422)
    def get(self, _args, agency_id, client_id):
        """See one of your agency's OAuth apps."""
        admin = own_agency(agency_id)
        client = _client_or_404(admin, client_id)
        audit.record_read(admin, "agency.oauth_client.read", object_type="oauth_client",
                          object_id=client.id)
        return client

    @access.signed_in("agency_admin")
    @blp.arguments(OAuthClientUpdateSchema)
    @blp.response(200, OAuthClientSchema)
    @blp.errors(404, 409, 422)
    def patch(self, data, agency_id, client_id):
        """Change an app's name, homepage, redirect URIs or scopes (narrower scopes end the
        tokens that had more)."""
        admin = own_agency(agency_id)
        client = _client_or_404(admin, client_id)
        if client.revoked_at is not None:
            access.deny(409, admin, "This app was revoked; register a new one.")
        oauth.update_client(admin, client, data)
        return client

    @access.signed_in("agency_admin")
    @blp.response(204)
    @blp.errors(404)
    def delete(self, agency_id, client_id):
        """Revoke an app: it signs no one in again, and its tokens stop at once."""
        admin = own_agency(agency_id)
        oauth.revoke_client(admin, _client_or_404(admin, client_id))
        return "", 204


def _validated(user, params: dict):  # noqa: ARG001 (the user is Authlib's end_user)
    """Authlib's checks of the app's request (client, redirect URI, scopes, PKCE)."""
    try:
        return server.get_consent_grant(params, end_user=user)
    except OAuth2Error as error:
        if error.error == "invalid_client":  # no such app (or revoked): nothing to ask about
            abort(404, message=NO_SUCH_APP)
        abort(422, message=INVALID_REQUEST, errors={"request": [error.error]})


def _app(client) -> dict:
    return {"name": client.name, "homepage_url": client.homepage_url,
            "agency": client.agency.name if client.agency else ""}


@blp.route("/oauth/authorization")
class Authorization(MethodView):
    @access.signed_in(*oauth.GRANTING_ROLES)
    @blp.arguments(AuthorizationArgsSchema, location="query")
    @blp.response(200, AuthorizationRequestSchema)
    @blp.errors(404, 422)
    def get(self, args):
        """Check an app's authorization request and say, in plain words, what it asks for."""
        user = access.caller()
        grant = _validated(user, args)
        client = grant.request.client.row
        asked = grant.request.scope
        granted = {g.client_id: g for g in oauth.grants_of(user)}.get(client.id)
        return {
            "app": _app(client),
            "scopes": scopes.describe(asked, negotiate(None)),
            "redirect_host": urlsplit(args["redirect_uri"]).netloc or args["redirect_uri"],
            "already_granted": granted is not None
            and set(asked.split()) <= set(granted.scope.split()),
        }

    @access.signed_in(*oauth.GRANTING_ROLES)
    @blp.arguments(AuthorizationDecisionSchema)
    @blp.response(200, AuthorizationAnswerSchema)
    @blp.errors(404, 422)
    def post(self, data):
        """Answer an app's authorization request: yes gives it a code, no tells it so."""
        user = access.caller()
        approve = data.pop("approve")
        grant = _validated(user, data)
        response = server.create_authorization_response(
            request=grant.request, grant_user=user if approve else None, grant=grant)
        if not approve:
            audit.record(user, "oauth.grant.decline", object_type="oauth_client",
                         object_id=grant.request.client.row.id)
        return {"redirect_to": response.headers["Location"]}


@blp.route("/me/connected-apps")
class ConnectedApps(MethodView):
    @access.signed_in()
    @blp.arguments(NoArgsSchema, location="query")
    @blp.response(200, ConnectedAppSchema(many=True))
    @blp.errors(422)
    def get(self, _args):
        """List the apps you have let in, what each may see, and when it was last used."""
        user = access.caller()
        language = negotiate(None)
        audit.record_read(user, "oauth.grant.list", object_type="user", object_id=user.id)
        return [{"id": grant.id, "app": _app(grant.client),
                 "scopes": scopes.describe(grant.scope, language),
                 "granted_at": grant.created_at, "last_used_at": grant.last_used_at}
                for grant in oauth.grants_of(user)]


@blp.route("/me/connected-apps/<uuid:grant_id>")
class ConnectedAppById(MethodView):
    @access.signed_in()
    @blp.response(204)
    @blp.errors(404)
    def delete(self, grant_id):
        """Take an app's access back: every token it holds for you stops at once."""
        user = access.caller()
        grant = oauth.grant_of(user, grant_id)
        if grant is None:
            access.deny(404, user, object_type="oauth_grant", object_id=grant_id)
        oauth.take_back(user, grant)
        return "", 204
