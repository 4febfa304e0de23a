"""Non-API pages: the PWA at `/` (with its service worker and manifest) and the API docs.

Both are static files. Swagger UI's assets come from the flask-swagger-ui package, so the
docs work with no internet connection.

Caching: a URL that names no version (the app shell, its scripts and styles, the service
worker, the manifest, the docs page) may get new bytes any day, so it is `no-cache`: a
browser keeps it but asks each time, and a matching ETag costs a 304 with no body. Swagger
UI's files are served under a path that carries the package's version, so their bytes under
that URL never change: cached for a year, `immutable` (no revalidation on reload).
"""

from importlib.metadata import version
from pathlib import Path

import flask_swagger_ui
from flask import Blueprint, make_response, render_template, send_from_directory

from api.config import PROJECT_ROOT
from api.http.policies import public

PWA_DIR = PROJECT_ROOT / "pwa"
DOCS_DIR = Path(__file__).resolve().parent / "static" / "docs"
SWAGGER_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SWAGGER_UI_VERSION = version("flask-swagger-ui")
# A new flask-swagger-ui release changes the path, so a cached copy is never stale.
VENDOR_PATH = f"/docs/swagger-ui/{SWAGGER_UI_VERSION}"
VENDOR_ASSETS = "any('swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png')"
ONE_YEAR = 365 * 24 * 3600

# No inline script anywhere; the docs need inline styles (Swagger UI sets them at run time).
PWA_CSP = ("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
           "base-uri 'none'; form-action 'self'; object-src 'none'")
DOCS_CSP = ("default-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'")

bp = Blueprint("frontend", __name__, template_folder="templates")


def static_file(directory: Path, filename: str, **kwargs):
    """send_from_directory, read into memory. The files are small, so they are compressed
    whole (br or gzip) and answer If-None-Match after compressing, like any other answer;
    streaming them would leave Flask-Compress to hold the file open."""
    response = send_from_directory(directory, filename, **kwargs)
    file = response.response
    response.direct_passthrough = False
    try:
        response.set_data(b"".join(file))
    finally:
        getattr(file, "close", lambda: None)()
    return response


def _with_csp(response, csp: str):
    response.headers["Content-Security-Policy"] = csp
    return response


@bp.after_request
def _revalidate_unversioned(response):
    """Every file here revalidates, unless its view gave it a lifetime (a versioned URL).
    Runs before api.http.policies, which then adds `public`, the ETag and the 304."""
    if response.status_code == 200 and response.cache_control.max_age is None:
        response.cache_control.no_cache = True
    return response


@bp.get("/")
@public
def app_shell():
    return _with_csp(static_file(PWA_DIR, "index.html"), PWA_CSP)


@bp.get("/sw.js")
@public
def service_worker():
    # Revalidated like every file here, so a new version of the app is found on the next visit.
    response = static_file(PWA_DIR, "sw.js", mimetype="text/javascript")
    return _with_csp(response, PWA_CSP)


@bp.get("/manifest.webmanifest")
@public
def manifest():
    return static_file(PWA_DIR, "manifest.webmanifest",
                               mimetype="application/manifest+json")


@bp.get("/offline.html")
@public
def offline_page():
    return _with_csp(static_file(PWA_DIR, "offline.html"), PWA_CSP)


@bp.get("/<any(css, js, icons):folder>/<path:filename>")
@public
def app_asset(folder: str, filename: str):
    return _with_csp(static_file(PWA_DIR / folder, filename), PWA_CSP)


@bp.get("/docs")
@public
def docs():
    page = render_template("docs/index.html", vendor=VENDOR_PATH)
    return _with_csp(make_response(page), DOCS_CSP)


@bp.get(f"{VENDOR_PATH}/<{VENDOR_ASSETS}:asset>")
@public
def docs_vendor_versioned(asset: str):
    """Swagger UI's own files under their version: the same URL always means the same bytes."""
    response = static_file(SWAGGER_DIST, asset)
    response.cache_control.no_cache = False  # send_file's default for a file with no lifetime
    response.cache_control.max_age = ONE_YEAR
    response.cache_control.immutable = True
    return response


@bp.get(f"/docs/<{VENDOR_ASSETS}:asset>")
@public
def docs_vendor_asset(asset: str):
    # The old address, for pages cached before the files moved under their version.
    return static_file(SWAGGER_DIST, asset)


@bp.get("/docs/init.js")
@public
def docs_init():
    return static_file(DOCS_DIR, "init.js")

