"""OAuth 2.1 endpoints apps talk to directly (RFC 6749 shapes, not the JSON API's): the
authorization link, the token and revocation endpoints, and the server's metadata.

/oauth/authorize checks the request, then hands the browser to the web app's consent screen
(#/authorize), which asks the person in plain words. Errors the app should hear go back to
its registered redirect URI (RFC 6749 4.1.2.1); errors that cannot (an unknown app, a
redirect URI it never registered) stay here, so we never send anyone to a stranger's page.
"""

import json
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, make_response, redirect, request

from api.http import access, oauth
from api.http.policies import public

bp = Blueprint("oauth", __name__)

# The token and revocation endpoints are called by apps in browsers too (public clients):
# open to any origin, with no cookies (credentials travel in the body).
_CORS = {"Access-Control-Allow-Origin": "*",
         "Access-Control-Allow-Methods": "POST, OPTIONS",
         "Access-Control-Allow-Headers": "Authorization, Content-Type",
         "Access-Control-Max-Age": "86400"}


def _with_cors(response):
    response.headers.update(_CORS)
    return response


@bp.get("/oauth/authorize")
@access.anyone
def authorize():
    try:
        oauth.server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        if error.redirect_uri:
            return oauth.server.handle_error_response(None, error)
        return _page_error(error)
    # Hash routing: the web app reads the same parameters from its own address.
    return redirect("/#/authorize?" + urlencode(list(request.args.items(multi=True))), 303)


def _page_error(error: OAuth2Error):
    body = {"type": "about:blank", "title": "This app's sign-in link is not valid",
            "status": 400, "detail": error.description or error.error, "error": error.error}
    response = make_response(json.dumps(body), 400)
    response.mimetype = "application/problem+json"
    return response


@bp.route("/oauth/token", methods=["POST", "OPTIONS"])
@access.anyone
def token():
    if request.method == "OPTIONS":
        return _with_cors(make_response("", 204))
    return _with_cors(oauth.server.create_token_response())


token.accepts_form = True


@bp.route("/oauth/revoke", methods=["POST", "OPTIONS"])
@access.anyone
def revoke():
    if request.method == "OPTIONS":
        return _with_cors(make_response("", 204))
    return _with_cors(oauth.server.create_endpoint_response("revocation"))


revoke.accepts_form = True


@bp.get("/.well-known/oauth-authorization-server")
@public
@access.anyone
def server_metadata():
    response = make_response(json.dumps(oauth.metadata()))
    response.mimetype = "application/json"
    return response
