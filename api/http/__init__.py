"""The rules every route keeps, applied in one place so no route can forget them: who may
call (access, API keys), bodies and responses (policies: sizes, JSON, caching, CORS,
security headers), problems (errors), conditional requests, path converters, and the
OpenAPI spec built from it all (openapi)."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api.http import access, oauth, outage, policies
from api.http.converters import CODE_SCHEMA, SLUG_SCHEMA, CodeConverter, SlugConverter
from api.http.openapi import api


def trust_proxies(app: Flask) -> None:
    """Behind PROXY_HOPS proxies, read the client, scheme and host they forward (outermost:
    it must see a request before anything else)."""
    if hops := app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)


def init_app(app: Flask) -> None:
    app.json = policies.JSONProvider(app)  # request bodies: nesting bounded before parsing
    app.json.sort_keys = False  # keep fields in the order the schemas declare them
    app.url_map.strict_slashes = False
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["code"] = CodeConverter
    api.init_app(app)
    api.register_converter(SlugConverter, lambda _converter: SLUG_SCHEMA)
    api.register_converter(CodeConverter, lambda _converter: CODE_SCHEMA)
    policies.init_app(app)
    access.init_app(app)  # no app acts for anyone until this request's token says so
    oauth.init_app(app)  # the OAuth 2.1 server (Authlib) on our storage
    outage.init_app(app)  # the database out of reach: 503, never 500
