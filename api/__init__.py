"""Rapport: the application factory."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import access, cli, frontend, policies, ratelimits, sqlite  # noqa: F401  (sqlite: engine events)
from api.config import Config
from api.converters import CODE_SCHEMA, SLUG_SCHEMA, CodeConverter, SlugConverter
from api.extensions import api, db, limiter, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    app.json.sort_keys = False  # keep fields in the order the schemas declare them
    app.url_map.strict_slashes = False
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["code"] = CodeConverter

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    api.init_app(app)
    api.register_converter(SlugConverter, lambda _converter: SLUG_SCHEMA)
    api.register_converter(CodeConverter, lambda _converter: CODE_SCHEMA)
    limiter.init_app(app)

    from api import (
        models,  # noqa: F401  (tables must be known to Alembic and the ORM)
        resources,
    )

    resources.register(api)
    frontend.init_app(app)
    ratelimits.init_app(app)  # before policies: a refused request reads no body
    policies.init_app(app)
    cli.init_app(app)
    access.verify_declared(app)
    return app
