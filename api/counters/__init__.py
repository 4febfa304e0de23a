"""Counters shared by every process and kept across restarts, for rate limits and guards.

One `Counters` per app (`counters.of(app)`): a `limits` storage named by
RATELIMIT_STORAGE_URI (the database by default, through sql_storage; Redis at scale), with
this process's memory standing in while it is out of reach (fallback), and quotas reserved a
few hits at a time (shared_quota). Keys carry the deployment's RATELIMIT_KEY_PREFIX, so apps
sharing one Redis keep apart.
"""

from flask import Flask, current_app

from api.counters import sql_storage  # noqa: F401  (registers the sqlite:// and postgresql://
from api.counters.fallback import Counters  # schemes with `limits` by being imported)


def init_app(app: Flask) -> None:
    app.extensions["counters"] = Counters(
        app.config["RATELIMIT_STORAGE_URI"], app.config["RATELIMIT_STORAGE_OPTIONS"],
        app.config["RATELIMIT_KEY_PREFIX"], app.config["SECRET_KEY"], app.logger)


def of(app: Flask | None = None) -> Counters:
    """The app's counters; `app` for callers outside an app context (api.caching.fast_path)."""
    return (app or current_app).extensions["counters"]


__all__ = ["Counters", "init_app", "of"]
