"""Rapport: the application factory.

`create_app` lists every plumbing package's `init_app`: the WSGI layers in front of Flask
first (each wraps the ones before it, so the last is the outermost), then Flask's hooks in
the order a request meets them (before_request ones run in this order, after_request ones in
reverse), then the routes with one unit of work round each view. ARCHITECTURE.md draws the
way a request takes.
"""

import gc

from flask import Flask

from api import caching, cli, counters, db, http, jobs, observability, ratelimits, resources, web
from api.config import Config, jobs_url, limit_storage_url, secret_key, vapid_private_key
from api.db import unit_of_work
from api.extensions import compress
from api.http import access
from api.http.openapi import api


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    app.config["RATELIMIT_STORAGE_URI"] = limit_storage_url(
        app.config["RATELIMIT_STORAGE_URI"], app.config["SQLALCHEMY_DATABASE_URI"])
    app.config["SECRET_KEY"] = secret_key(app.config["SECRET_KEY"], app.config["SECRET_KEY_FILE"])
    app.config["VAPID_PRIVATE_KEY"] = vapid_private_key(app.config["VAPID_PRIVATE_KEY"],
                                                        app.config["VAPID_KEY_FILE"])
    app.config["JOBS_URL"] = jobs_url(app.config["JOBS_URL"], app.config["SQLALCHEMY_DATABASE_URI"])

    counters.init_app(app)  # counts for quotas and sign-in guards; no hooks of its own

    # In front of Flask (WSGI), innermost first: repeats of public answers from memory, then
    # round them the proxies' headers, read before anything else.
    caching.init_app(app)
    http.trust_proxies(app)
    # Flask's hooks, in the order a request meets them.
    observability.init_app(app)  # request id and clock first; its access line last of all
    compress.init_app(app)  # compresses the finished answer, just before that line
    db.init_app(app)  # SQLAlchemy, migrations, SQLite's locking, 503 when it is away
    ratelimits.init_app(app)  # public quotas: a refused request reads no body
    http.init_app(app)  # body rules, then the response rules every route keeps
    # The routes, one unit of work round each view.
    resources.register(api)
    web.init_app(app)
    unit_of_work.init_app(app)
    jobs.init_app(app)  # the job queue; sends pushes once a unit of work has committed
    cli.init_app(app)
    access.verify_declared(app)
    if app.config["GC_FREEZE"]:
        # What start-up made (modules, routes, schemas) lives as long as the process. Frozen,
        # a full garbage collection does not walk it in the middle of someone's request.
        gc.freeze()
    return app
