"""Rapport: the application factory."""

import gc
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import (  # noqa: F401  (sqlite: engine events)
    access,
    cli,
    fast_path,
    frontend,
    observability,
    outage,
    policies,
    public_cache,
    ratelimits,
    sqlite,
    unit_of_work,
)
from api.config import Config, limit_storage_url, secret_key
from api.converters import CODE_SCHEMA, SLUG_SCHEMA, CodeConverter, SlugConverter
from api.extensions import api, compress, db, limiter, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    app.config["RATELIMIT_STORAGE_URI"] = limit_storage_url(
        app.config["RATELIMIT_STORAGE_URI"], app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SECRET_KEY"] = secret_key(app.config["SECRET_KEY"], app.config["SECRET_KEY_FILE"])
    app.json = policies.JSONProvider(app)  # request bodies: nesting bounded before parsing
    app.json.sort_keys = False  # keep fields in the order the schemas declare them
    app.url_map.strict_slashes = False
    app.url_map.converters["slug"] = SlugConverter
    app.url_map.converters["code"] = CodeConverter

    # Repeated public reads are answered in front of Flask; ProxyFix goes in front of that.
    fast_path.init_app(app)
    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,
                                x_prefix=hops)

    # Before everything: its before_request starts the clock and the request id first, and
    # its after_request runs last of all (after compression), logging the bytes really sent.
    observability.init_app(app)
    # Registered next, so its after_request runs next to last: it compresses the finished answer.
    compress.init_app(app)
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
    # One unit of work per request: a boundary around every view registered above.
    unit_of_work.init_app(app)
    public_cache.init_app(app)
    ratelimits.init_app(app)  # before policies: a refused request reads no body
    policies.init_app(app)
    outage.init_app(app)  # the database out of reach: 503, never 500
    cli.init_app(app)
    access.verify_declared(app)
    if app.config["GC_FREEZE"]:
        # What start-up made (modules, routes, schemas: ~165k objects) lives as long as the
        # process. Frozen, a full garbage collection no longer walks it: that walk took
        # 40-100 ms, about one request in 130, and was the due list's p99.
        gc.freeze()
    return app
