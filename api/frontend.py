"""Non-API pages: the PWA at `/` (with its service worker and manifest) and the API docs.

Both are static files. Swagger UI's assets come from the flask-swagger-ui package, so the
docs work with no internet connection.
"""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, Flask, send_from_directory

from api.config import PROJECT_ROOT
from api.policies import public

PWA_DIR = PROJECT_ROOT / "pwa"
DOCS_DIR = Path(__file__).resolve().parent / "static" / "docs"
SWAGGER_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"

# No inline script anywhere; the docs need inline styles (Swagger UI sets them at run time).
PWA_CSP = ("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
           "base-uri 'none'; form-action 'self'; object-src 'none'")
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'")

bp = Blueprint("frontend", __name__)


def _with_csp(response, csp: str):
    response.headers["Content-Security-Policy"] = csp
    return response


@bp.get("/")
@public
def app_shell():
    return _with_csp(send_from_directory(PWA_DIR, "index.html"), PWA_CSP)


@bp.get("/sw.js")
@public
def service_worker():
    # Always revalidated, so a new version of the app is found on the next visit.
    response = send_from_directory(PWA_DIR, "sw.js", mimetype="text/javascript")
    response.cache_control.no_cache = True
    return _with_csp(response, PWA_CSP)


@bp.get("/manifest.webmanifest")
@public
def manifest():
    return send_from_directory(PWA_DIR, "manifest.webmanifest",
                               mimetype="application/manifest+json")


@bp.get("/offline.html")
@public
def offline_page():
    return _with_csp(send_from_directory(PWA_DIR, "offline.html"), PWA_CSP)


@bp.get("/<any(css, js, icons):folder>/<path:filename>")
@public
def app_asset(folder: str, filename: str):
    return _with_csp(send_from_directory(PWA_DIR / folder, filename), PWA_CSP)


@bp.get("/docs")
@public
def docs():
    return _with_csp(send_from_directory(DOCS_DIR, "index.html"), DOCS_CSP)


@bp.get("/docs/<any('swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'):asset>")
@public
def docs_vendor_asset(asset: str):
    return send_from_directory(SWAGGER_DIST, asset)


@bp.get("/docs/init.js")
@public
def docs_init():
    return send_from_directory(DOCS_DIR, "init.js")


def init_app(app: Flask) -> None:
    from api import embed

    app.register_blueprint(bp)
    app.register_blueprint(embed.bp)
