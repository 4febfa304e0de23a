"""Public answers from memory: kept per URL, language and agency (public_cache), repeats
answered before Flask runs (fast_path), both dropped when the content version moves."""

from flask import Flask

from api.caching import fast_path, public_cache
from api.services.content import content_version


def init_app(app: Flask) -> None:
    content_version.listen()
    public_cache.init_app(app)
    fast_path.init_app(app)
