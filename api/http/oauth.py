"""The OAuth 2.1 authorization server: Authlib's, wired to our storage
(api.services.integrations.oauth) and to the request in hand.

The authorization request reaches us twice: in the browser at /oauth/authorize (the app's
link), and as JSON from the web app's consent screen, which sends the same parameters in its
body. Both go through the same Authlib grant, so both are checked the same way.
"""

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask, request

from api.services.integrations import oauth, scopes


def issuer() -> str:
    """This server's identifier (RFC 8414 and RFC 9207): its own origin, as the app sees it."""
    return request.host_url.rstrip("/")


class _Issuer(IssuerParameter):
    def get_issuer(self) -> str:
        return issuer()


class Server(AuthorizationServer):
    def create_oauth2_request(self, request_or_params):
        if isinstance(request_or_params, dict):  # the consent screen's JSON body
            built = OAuth2Request("POST", request.url, headers=request.headers)
            built.payload = BasicOAuth2Payload(
                {key: value for key, value in request_or_params.items() if value is not None})
            return built
        return super().create_oauth2_request(request_or_params)


server = Server()


def init_app(app: Flask) -> None:
    server.init_app(app, query_client=oauth.query_client, save_token=oauth.save_token)
    server.scopes_supported = list(scopes.ALL)
    server.register_token_generator("default", BearerTokenGenerator(
        oauth.token_generator(oauth.ACCESS_PREFIX), oauth.token_generator(oauth.REFRESH_PREFIX),
        oauth.expires_in))
    server.register_grant(oauth.AuthorizationCodeGrant, [oauth.PkceS256(required=True)])
    server.register_grant(oauth.RefreshTokenGrant)
    server.register_endpoint(oauth.Revocation)
    server.register_extension(_Issuer())


def metadata() -> dict:
    """RFC 8414 authorization server metadata."""
    base = issuer()
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "scopes_supported": list(scopes.ALL),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                  "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic",
                                                       "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "service_documentation": f"{base}/docs",
        "ui_locales_supported": ["en", "es"],
    }
