"""What operators see: a request id, one JSON log line per request, Prometheus metrics.

The data behind this API is as private as a medical record, and logs travel further than
the database (log shippers, support tickets, laptops). So a log line names the route
*template* (`/api/v1/goals/<uuid:goal_id>`), never the path (it holds private ids) nor the
query string (it holds search words), and carries no address, user, header or body.
Exceptions are logged as their type and stack frames only: their messages routinely carry
values (SQL parameters, a database's "Key (email)=(...) already exists").

- Request id: a sane incoming `X-Request-ID` is kept (so a proxy's id joins up), anything
  else is replaced by a new one; every response echoes it.
- Logs: the app's loggers (`api`, `api.*`) write one JSON object a line to stderr
  (`LOG_FORMAT=text` for reading by eye), at `LOG_LEVEL`; inside a request every record
  carries `request_id`. The access line is on the `api.requests` logger.
- Metrics: `GET /metrics` in Prometheus' text format, from loopback callers, or with
  `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets the same 404 as an unknown URL.
  With `PROMETHEUS_MULTIPROC_DIR` set (several worker processes) it adds up every
  worker's numbers.
"""

import collections
import functools
import hmac
import ipaddress
import itertools
import json
import logging
import math
import os
import re
import secrets
import sys
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Flask, current_app, g, has_request_context, request
from flask.logging import default_handler
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from api.config import PROJECT_ROOT
from api.extensions import db
from api.http import access

REQUEST_ID_HEADER = "X-Request-ID"
# Visible ASCII that cannot break a log line, a header or a shell: no spaces, quotes, CR/LF.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
ACCESS_LOGGER = "api.requests"
UNMATCHED = "<unmatched>"
METRICS_PATH = "/metrics"
# A request that passed through a proxy is not a local one, whatever address it came from.
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LOG_FORMATS = ("json", "text")
MIN_METRICS_TOKEN_LENGTH = 16

# Labels hold route templates, methods and statuses only: bounded however many ids exist.
REQUESTS = Counter("rapport_http_requests", "HTTP requests answered.",
                   ("method", "route", "status"))
LATENCY = Histogram("rapport_http_request_duration_seconds",
                    "Time to build the answer, from the first hook to the last.",
                    ("method", "route"),
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
# Summed over live workers in multiprocess mode: the deployment's connections, not one's.
POOL = {
    name: Gauge(f"rapport_db_pool_{name}", help_text, multiprocess_mode="livesum")
    for name, help_text in (
        ("size", "Connections the database pool keeps open (its configured size)."),
        ("checked_out", "Connections in use by a request right now."),
        ("checked_in", "Open connections idle in the pool."),
        ("overflow", "Connections open beyond the pool size (max_overflow)."),
    )
}

POOL_SAMPLE_SECONDS = 1.0
_pool_sampled = {"at": -math.inf}

bp = Blueprint("observability", __name__)


# ---- request id -------------------------------------------------------------------------

def request_id() -> str:
    """This request's id: the caller's `X-Request-ID` if sane, else a new one."""
    if "request_id" not in g:
        g.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER, ""))
    return g.request_id


def request_id_for(given: str) -> str:
    return given if _SANE_REQUEST_ID.fullmatch(given) else _new_request_id()


_ids: dict = {}


def _new_id_prefix() -> None:
    _ids.update(prefix=secrets.token_hex(8), count=itertools.count())


_new_id_prefix()
os.register_at_fork(after_in_child=_new_id_prefix)  # a forked worker draws its own


def _new_request_id() -> str:
    """32 hex digits, unique across processes and restarts: a random prefix per process and
    a counter. An id names a request, it guards nothing, so it need not be unguessable, and
    one random draw per process instead of per request is measurably cheaper (uuid4 was 4%
    of a cached read's time)."""
    return f"{_ids['prefix']}{next(_ids['count']):016x}"


# ---- logs -------------------------------------------------------------------------------

_RECORD_FIELDS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime",
                                                                   "request_id"}


class RequestIdFilter(logging.Filter):
    """Stamp records made inside a request with its id (kept on the record for any handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None and has_request_context():
            record.request_id = request_id()
        return True


def _short_path(filename: str) -> str:
    path = Path(filename)
    if path.is_relative_to(PROJECT_ROOT):
        return str(path.relative_to(PROJECT_ROOT))
    return filename.rpartition("site-packages/")[2]


def describe_exception(exc_info) -> list[dict]:
    """An exception and its causes as type and frames: never the message, which holds data."""
    error = exc_info[1] if isinstance(exc_info, tuple) else None
    chain = []
    while error is not None and len(chain) < 5:
        kind = type(error)
        module = "" if kind.__module__ == "builtins" else f"{kind.__module__}."
        frames = [f"{_short_path(frame.f_code.co_filename)}:{line} in {frame.f_code.co_name}"
                  for frame, line in traceback.walk_tb(error.__traceback__)]
        chain.append({"type": module + kind.__qualname__, "stack": frames[-30:]})
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return chain


def _request_id_of(record: logging.LogRecord) -> str | None:
    found = getattr(record, "request_id", None)
    if found is None and has_request_context():
        found = request_id()
    return found


_second = {"at": -1, "text": ""}


def _iso_time(record: logging.LogRecord) -> str:
    return _iso_time_of(record.created)


def _iso_time_of(created: float) -> str:
    """`2026-11-24T23:49:01.123Z`; the part up to the second is made once a second."""
    second = int(created)
    if _second["at"] != second:
        moment = datetime.fromtimestamp(second, UTC)
        _second["text"], _second["at"] = moment.strftime("%Y-%m-%dT%H:%M:%S"), second
    return f"{_second['text']}.{int((created - second) * 1000):03d}Z"


# One encoder for every line: json.dumps with options builds a new one per call.
_JSON = json.JSONEncoder(default=str, ensure_ascii=True)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, then any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": _iso_time(record), "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        request_id_ = _request_id_of(record)
        if request_id_ is not None:
            entry["request_id"] = request_id_
        entry.update((key, value) for key, value in record.__dict__.items()
                     if key not in _RECORD_FIELDS)
        if record.exc_info:
            entry["error"] = describe_exception(record.exc_info)
        return _JSON.encode(entry)


class TextFormatter(logging.Formatter):
    """For a person at a terminal; the same fields withheld as in JSON."""

    def format(self, record: logging.LogRecord) -> str:
        request_id_ = _request_id_of(record)
        line = (f"{_iso_time(record)} {record.levelname} {record.name} [{request_id_ or '-'}] "
                + record.getMessage().replace("\r", "\\r").replace("\n", "\\n"))
        for error in describe_exception(record.exc_info) if record.exc_info else ():
            line += f"\n  {error['type']}: " + " <- ".join(reversed(error["stack"]))
        return line


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (test runners swap it; the server keeps it).

    Lines are written in batches, at most `flush_seconds` late (a timer thread per process
    writes what waits on a quiet server), and warnings and errors at once with everything
    before them: a write per line would cost a cached read much of its time."""

    MAX_WAITING = 256

    def __init__(self):
        super().__init__()
        self.flush_seconds = 0.0
        self._waiting: collections.deque[str] = collections.deque()
        self._written_at = time.monotonic()
        self._timer_started = False
        # A forked worker has no timer thread (threads do not survive fork): it starts its own.
        os.register_at_fork(after_in_child=lambda: setattr(self, "_timer_started", False))

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass  # StreamHandler.__init__ sets it; the property always answers sys.stderr

    def emit(self, record: logging.LogRecord) -> None:  # called with self.lock held
        try:
            self._add(self.format(record), record.levelno)
        except Exception:
            self.handleError(record)

    def add_line(self, line: str, level: int) -> None:
        """A line already formatted (see record_answer). Appending needs no lock (a deque's
        append is atomic); only writing out takes it, so threads do not queue behind a write."""
        self._add(line, level)

    def _add(self, line: str, level: int) -> None:
        self._waiting.append(line + self.terminator)
        if (level >= logging.WARNING or len(self._waiting) >= self.MAX_WAITING
                or time.monotonic() - self._written_at >= self.flush_seconds):
            self.flush()
        elif not self._timer_started:  # the first line waiting in this process
            self._start_timer()

    def flush(self) -> None:
        with self.lock:  # one writer at a time; appends go on meanwhile
            if self._waiting:
                self._write()

    def _write(self) -> None:
        waiting = self._waiting
        text = "".join([waiting.popleft() for _ in range(len(waiting))])
        self._written_at = time.monotonic()
        self.stream.write(text)
        self.stream.flush()

    def _start_timer(self) -> None:
        self._timer_started = True

        def write_what_waits():
            while True:
                time.sleep(self.flush_seconds)
                self.flush()

        threading.Thread(target=write_what_waits, name="log-writer", daemon=True).start()


def configure_logging(app: Flask) -> None:
    """Give the app's loggers one handler of ours (again on each create_app, not twice)."""
    log_format = app.config["LOG_FORMAT"]
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    level = str(app.config["LOG_LEVEL"]).upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ValueError(f"LOG_LEVEL {level!r} is not a logging level")

    logger = app.logger  # "api": the parent of every module logger in this package
    logger.removeHandler(default_handler)
    handler = next((h for h in logger.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.addFilter(RequestIdFilter())  # records of child loggers ("api.requests")
        logger.addHandler(handler)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.flush()  # lines made under the settings before
    handler.flush_seconds = float(app.config["LOG_FLUSH_SECONDS"])
    if not any(isinstance(f, RequestIdFilter) for f in logger.filters):
        logger.addFilter(RequestIdFilter())  # so other handlers (pytest's caplog) see it too
    logger.setLevel(level)


# ---- per request ------------------------------------------------------------------------

def _route() -> str:
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _method() -> str:
    return request.method if request.method in _KNOWN_METHODS else "OTHER"


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()
    if time.monotonic() - _pool_sampled["at"] >= POOL_SAMPLE_SECONDS:
        _sample_pool()
    _guard_metrics()


def _finish(response: Response) -> Response:
    """Runs last of all after_request hooks (registered first): sees the bytes sent."""
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    response.headers[REQUEST_ID_HEADER] = request_id()
    size = response.content_length
    if size is None and not response.is_streamed:
        size = response.calculate_content_length()
    record_answer(_method(), _route(), request.endpoint, response.status_code, seconds, size,
                  request_id())
    return response


def record_answer(method: str, route: str, endpoint: str | None, status: int, seconds: float,
                  size: int | None, request_id_: str) -> None:
    """Count and log one answer (also for api.caching.fast_path, which answers without Flask)."""
    requests, latency = _series(method, route, status)
    requests.inc()
    latency.observe(seconds)
    if not _ACCESS.isEnabledFor(logging.INFO):
        return
    duration_ms = round(seconds * 1000, 2)
    handler = _sole_json_handler()
    if handler is not None:
        handler.add_line(_access_line(method, route, endpoint, status, duration_ms, size,
                                      request_id_), logging.INFO)
        return
    _ACCESS.info("%s %s %s %.1f ms", method, route, status, duration_ms, extra={
        "request_id": request_id_, "method": method, "route": route, "endpoint": endpoint,
        "status": status, "duration_ms": duration_ms, "bytes": size})


def _access_line(method: str, route: str, endpoint: str | None, status: int,
                 duration_ms: float, size: int | None, request_id_: str) -> str:
    """The line JsonFormatter writes for the access record above (a test compares them),
    from pieces encoded once per route: the method is one of _KNOWN_METHODS or OTHER, and a
    request id is made here or passed _SANE_REQUEST_ID, so neither needs escaping."""
    route_text, endpoint_json = _encoded(route, endpoint)
    return (f'{{"time": "{_iso_time_of(time.time())}", "level": "INFO", '
            f'"logger": "{ACCESS_LOGGER}", '
            f'"message": "{method} {route_text} {status} {duration_ms:.1f} ms", '
            f'"request_id": "{request_id_}", "method": "{method}", "route": "{route_text}", '
            f'"endpoint": {endpoint_json}, "status": {status}, '
            f'"duration_ms": {duration_ms!r}, "bytes": {"null" if size is None else size}}}')


@functools.lru_cache(maxsize=1024)
def _encoded(route: str, endpoint: str | None) -> tuple[str, str]:
    """The route as JSON string contents, the endpoint as a JSON value."""
    return _JSON.encode(route)[1:-1], _JSON.encode(endpoint)


_ACCESS = logging.getLogger(ACCESS_LOGGER)
_metric_series: dict[tuple, tuple] = {}


def _series(method: str, route: str, status: int) -> tuple:
    """The request counter and latency histogram for these labels, looked up once."""
    key = (method, route, status)
    found = _metric_series.get(key)
    if found is None:
        found = _metric_series[key] = (REQUESTS.labels(method, route, str(status)),
                                       LATENCY.labels(method, route))
    return found


def _sole_json_handler() -> "_StderrHandler | None":
    """Our JSON handler when an access line would reach it and nothing else. The line is
    then made without a LogRecord, the handlers' walk and a formatter: that was two thirds
    of a repeated public read's time. Any other set-up (text, pytest's caplog, a handler an
    operator added) gets a real record."""
    found, logger = None, _ACCESS
    while logger is not None:
        for handler in logger.handlers:
            if found is not None or type(handler) is not _StderrHandler \
                    or type(handler.formatter) is not JsonFormatter \
                    or handler.level > logging.INFO:
                return None
            found = handler
        if not logger.propagate:
            break
        logger = logger.parent
    return None if _ACCESS.filters else found


# ---- metrics ----------------------------------------------------------------------------

def _sample_pool() -> None:
    """Read the pool's counters (attribute reads only; pools without them are skipped).
    Each process sets its own gauges (summed at scrape), at most once a second."""
    _pool_sampled["at"] = time.monotonic()
    pool = db.engine.pool
    for name, method in (("size", "size"), ("checked_out", "checkedout"),
                         ("checked_in", "checkedin"), ("overflow", "overflow")):
        read = getattr(pool, method, None)
        if read is not None:
            # SQLAlchemy counts overflow from -size while the pool is still filling up.
            POOL[name].set(max(0, read()))


def _is_local() -> bool:
    if any(header in request.headers for header in _PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _has_metrics_token() -> bool:
    token = current_app.config.get("METRICS_TOKEN")
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())


def _guard_metrics() -> None:
    """Before routing speaks (405, 413...): to anyone else, /metrics does not exist."""
    if request.path.rstrip("/") == METRICS_PATH and not (_is_local() or _has_metrics_token()):
        raise NotFound()


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY  # this process, with the process and runtime collectors
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@bp.get(METRICS_PATH)
@access.anyone  # no session: loopback or METRICS_TOKEN, checked in _guard_metrics
def metrics():
    _sample_pool()
    return Response(generate_latest(_registry()), headers={"Content-Type": CONTENT_TYPE_LATEST})


def _no_second_log(_exc_info) -> None:
    """Flask's own log_exception writes `Exception on <raw path>`: the path holds private ids.
    The 500 handler (api.http.errors) already logs every unhandled error with its cause, and the
    access line gives its route, both under the same request_id."""


def init_app(app: Flask) -> None:
    """Call first in create_app: the request id and clock start before any other hook."""
    token = app.config.get("METRICS_TOKEN")
    if token and len(token) < MIN_METRICS_TOKEN_LENGTH:
        raise ValueError(f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters")
    configure_logging(app)
    app.log_exception = _no_second_log
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)
