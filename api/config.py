"""Settings, read from the environment so one build runs anywhere (12-factor)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "rapport.db"

DEFAULT_SECRET_KEY_PATH = PROJECT_ROOT / "var" / "secret-key"

# Request bodies above this are refused with 413 before any parsing.
MAX_BODY_BYTES = 64 * 1024
# JSON nested deeper than this is refused with 400 before it is parsed: no body this API
# takes goes past a few levels, and Python's parser recurses once per level.
MAX_JSON_DEPTH = 64


def database_url(raw: str | None) -> str:
    """Normalise a DATABASE_URL so the psycopg 3 driver is always the one used."""
    if not raw:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def positive_number(name: str, default: str) -> float:
    """A setting that must be a number above 0: anything else stops the app at start."""
    raw = os.environ.get(name, default)
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ValueError(f"{name} must be a number above 0, not {raw!r}")
    return value


def limit_storage_url(raw: str | None, database: str) -> str:
    """Where rate-limit counters live: as set, else beside the app's own database.

    Every process and every restart must see the same counts (api.counters.sql_storage): an
    SQLite app keeps them in a file of their own next to its database, a PostgreSQL app in
    its own database. `memory://` (per process, forgotten at a restart) only when asked for.
    """
    if raw:
        return raw
    if database.startswith("sqlite:///") and len(database) > len("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + '-limits.db')}"
    if database.startswith("postgresql"):
        return database
    return "memory://"


def secret_key(raw: str | None, path: Path) -> str:
    """SECRET_KEY as set, else the one kept in `path`, made there at the first start.

    It signs device tokens (services.accounts.devices), so every process and every restart must use
    the same one. Several processes may start at once: the first to link its file wins and
    the others read it. With several machines, set SECRET_KEY (the same on each).
    """
    if raw:
        return raw
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(48))
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


def vapid_private_key(raw: str | None, path: Path) -> str:
    """The VAPID private key (PEM) that signs every push: as set, else the one kept in
    `path`, made there at the first start (as secret_key does). Kept outside the repository;
    README "Reminders" says how to rotate it."""
    if raw:
        return raw.replace("\\n", "\n")
    try:
        return path.read_text()
    except FileNotFoundError:
        pass
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()).decode()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}")
    draft.write_text(pem)
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text()


def jobs_url(raw: str | None, database: str) -> str:
    """Where the job queue keeps its tasks: as set (`redis://...` for several machines),
    else an SQLite file beside the app's SQLite database, else Redis on this machine."""
    if raw:
        return raw
    if database.startswith("sqlite:///") and len(database) > len("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + '-jobs.db')}"
    return "redis://127.0.0.1:6379/1"


class Config:
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # /readyz says 503 when the disk holding the SQLite file has less room than this (MiB).
    READY_MIN_FREE_MB = int(os.environ.get("READY_MIN_FREE_MB", "64"))
    MAX_BODY_BYTES = MAX_BODY_BYTES
    # One byte more than allowed: a chunked body (no Content-Length) is read up to here,
    # and reaching it proves the body was too large (werkzeug would silently truncate).
    MAX_CONTENT_LENGTH = MAX_BODY_BYTES + 1
    SESSION_LIFETIME = timedelta(days=int(os.environ.get("SESSION_DAYS", "30")))
    # A session unused this long ends, whatever its lifetime says (a phone left signed in).
    SESSION_IDLE = timedelta(hours=positive_number("SESSION_IDLE_HOURS", "168"))
    # Signs device tokens. None here: create_app reads or makes SECRET_KEY_FILE.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE") or DEFAULT_SECRET_KEY_PATH)
    # Cookies are Secure with a __Host- name (browsers accept that on http://localhost and
    # 127.0.0.1 too). 0 only to try the app over plain http on another address.
    COOKIE_SECURE = os.environ.get("COOKIE_SECURE", "1") != "0"
    # Rate-limit counters, shared by every process and kept across restarts: the database
    # by default (see limit_storage_url), Redis (`redis://...`) where one machine is not enough.
    # (None here: create_app works it out once the database is known.)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or None
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "rapport")
    # Redis out of reach (api.counters.fallback): each process counts in memory meanwhile and
    # goes back to Redis when it answers; a hung Redis is never waited on for over a second.
    RATELIMIT_STORAGE_OPTIONS = {"wrap_exceptions": True, "socket_connect_timeout": 1,
                                 "socket_timeout": 1}
    # Public content (api.ratelimits): per client IP, and per agency API key (X-API-Key).
    PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "300 per minute")
    API_KEY_RATE_LIMIT = os.environ.get("API_KEY_RATE_LIMIT", "3000 per minute")
    PUBLIC_MAX_AGE = int(os.environ.get("PUBLIC_MAX_AGE", "300"))
    # Requests refused by the access rules (api.http.access), per account, or per address when
    # no one is signed in: past this, a 429 and nothing recorded. Requests that are allowed
    # never count against it.
    DENIAL_LIMIT = os.environ.get("DENIAL_LIMIT", "60 per minute")
    # Public answers kept in memory per process (api.caching.public_cache), and how often a process
    # asks the database whether content changed (another process's edit shows within this).
    PUBLIC_CACHE_ENTRIES = int(os.environ.get("PUBLIC_CACHE_ENTRIES", "2048"))
    CONTENT_VERSION_TTL = float(os.environ.get("CONTENT_VERSION_TTL", "1.0"))
    # Freeze start-up objects out of the garbage collector's full walks (see create_app).
    GC_FREEZE = os.environ.get("GC_FREEZE", "1") != "0"
    # Repeats of those answered before Flask runs (api.caching.fast_path); off only to compare.
    PUBLIC_FAST_PATH = os.environ.get("PUBLIC_FAST_PATH", "1") != "0"
    # When a peer's session-check says "talk about it" (0-10 items): a total below 36 is the
    # cut-off used in published alliance-feedback practice; an agency may tune all three.
    SESSION_CHECK_FLAG_TOTAL_BELOW = int(os.environ.get("SESSION_CHECK_FLAG_TOTAL_BELOW", "36"))
    SESSION_CHECK_FLAG_ITEM_BELOW = int(os.environ.get("SESSION_CHECK_FLAG_ITEM_BELOW", "8"))
    SESSION_CHECK_FLAG_DROP = int(os.environ.get("SESSION_CHECK_FLAG_DROP", "5"))
    # How many proxies in front of the app set X-Forwarded-*; 0 trusts none. Behind one
    # proxy, links (paging, feeds) then carry the public scheme and host.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # Logs (api.observability): one JSON object a line on stderr, or "text" to read by eye.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    # Log lines are written in batches at most this late (warnings and errors at once);
    # 0 writes each line as it comes.
    LOG_FLUSH_SECONDS = float(os.environ.get("LOG_FLUSH_SECONDS", "0.2"))
    # GET /metrics answers loopback callers only; with a token (16+ characters), also a
    # remote scraper sending `Authorization: Bearer <token>`.
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None
    # Compression (Flask-Compress). A compressed answer is another representation, so its
    # strong ETag gains the coding ("v3:br"); If-Match accepts either form.
    COMPRESS_MIMETYPES = [
        "application/json", "application/problem+json", "application/feed+json",
        "application/atom+xml", "application/rss+xml", "application/manifest+json",
        "text/html", "text/css", "text/javascript", "application/javascript", "text/calendar",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Web Push (api.services.reminders). The key is made at the first start when unset.
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY") or None
    VAPID_KEY_FILE = Path(os.environ.get("VAPID_KEY_FILE")
                          or PROJECT_ROOT / "var" / "vapid-private.pem")
    # Push services use it to reach whoever runs this server when something goes wrong.
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@rapport.invalid")
    # The push services a browser's subscription may point at (hosts and their subdomains):
    # Chrome's, Firefox's, Apple's and Microsoft's. Anything else is refused, so no one can
    # make the server post to an address of their choosing.
    PUSH_SERVICES = tuple(os.environ.get(
        "PUSH_SERVICES", "fcm.googleapis.com,push.services.mozilla.com,push.apple.com,"
        "notify.windows.com").split(","))
    PUSH_ALLOW_HTTP = os.environ.get("PUSH_ALLOW_HTTP", "0") == "1"  # tests' local push service
    # At most one push to a device in this many seconds: what comes meanwhile (a partner
    # making fifty goals in a row) waits for its end and goes as one message.
    PUSH_MIN_GAP_SECONDS = int(os.environ.get("PUSH_MIN_GAP_SECONDS", "60"))
    # Webhooks (api.services.webhooks). http:// (to loopback only) and private addresses are
    # refused unless this is on: tests' local receiver, never production.
    WEBHOOK_ALLOW_HTTP = os.environ.get("WEBHOOK_ALLOW_HTTP", "0") == "1"
    # Seconds to wait before each retry of a failed delivery; past the last, it is given up.
    WEBHOOK_RETRY_SCHEDULE = tuple(int(s) for s in os.environ.get(
        "WEBHOOK_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000").split(","))
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
    # An endpoint is switched off after this many messages in a row given up on, or once it
    # has failed every attempt for this long (5 days).
    WEBHOOK_DISABLE_AFTER_MESSAGES = int(os.environ.get("WEBHOOK_DISABLE_AFTER_MESSAGES", "10"))
    WEBHOOK_DISABLE_AFTER_SECONDS = int(os.environ.get("WEBHOOK_DISABLE_AFTER_SECONDS",
                                                       str(5 * 24 * 3600)))
    # After a rotation the old secret signs beside the new one this long (24 h).
    WEBHOOK_SECRET_OVERLAP_SECONDS = int(os.environ.get("WEBHOOK_SECRET_OVERLAP_SECONDS",
                                                        str(24 * 3600)))
    # The job queue (api.jobs, Huey): None here, create_app works it out (see jobs_url).
    JOBS_URL = os.environ.get("JOBS_URL") or None
    # flask-smorest / OpenAPI
    API_TITLE = "Rapport API"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_URL_PREFIX = "/"
    API_SPEC_OPTIONS = {
        "info": {
            "description": (
                "Rapport helps peer support workers build and keep rapport with the people "
                "they support: tips, FAQs, shared goals and self-checks, in English and "
                "Spanish. Errors are RFC 9457 problem details (`application/problem+json`). "
                "Public content is cacheable (strong ETags, `304` on `If-None-Match`) and "
                "open to any origin. Paging travels in the `X-Pagination` and `Link` headers. "
                "Every response carries an `X-Request-ID` (yours, if you send one of 1-128 "
                "letters, digits, `.`, `_` or `-`); quote it when reporting a problem."
            ),
        },
    }
