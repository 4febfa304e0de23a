"""Request ids, JSON logs that hold no personal data, and /metrics for this machine only."""

import json
import logging
import os
import re
import subprocess
import sys
import uuid

import pytest
from flask.views import MethodView
from prometheus_client.parser import text_string_to_metric_families

from api import observability
from api.config import PROJECT_ROOT
from api.extensions import db
from api.http.openapi import Blueprint
from api.models import AuditEvent
from api.observability import ACCESS_LOGGER, REQUEST_ID_HEADER, JsonFormatter
from tests.helpers import assert_problem

MADE_ID = re.compile(r"[0-9a-f]{32}")
REMOTE = {"REMOTE_ADDR": "203.0.113.9"}
METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"

crash_probe = Blueprint("crash_probe", __name__, url_prefix="/crash-probe")


@crash_probe.route("/<uuid:thing_id>")
class Crash(MethodView):
    def get(self, thing_id):
        raise RuntimeError(f"SELECT secret FROM users WHERE token='abc123' AND id='{thing_id}'")


@pytest.fixture(scope="module")
def obs_app(app, make_app):
    """An app of our own (on the run's migrated database) with a route that crashes."""
    built = make_app(LOG_FORMAT="json")
    built.register_blueprint(crash_probe)  # after create_app: the real spec stays untouched
    return built


@pytest.fixture
def obs_client(obs_app):
    return obs_app.test_client()


@pytest.fixture
def logged(caplog):
    """Every record made during the test, as the JSON lines operators would read."""
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    formatter = JsonFormatter()
    return lambda: [json.loads(formatter.format(record)) for record in caplog.records]


def access_lines(lines):
    return [line for line in lines if line["logger"] == ACCESS_LOGGER]


# ---- request id ---------------------------------------------------------------------------

def test_a_sane_request_id_is_echoed(obs_client, logged):
    response = obs_client.get("/healthz", headers={REQUEST_ID_HEADER: "edge-7f3a.1_B"})
    assert response.headers[REQUEST_ID_HEADER] == "edge-7f3a.1_B"
    [line] = access_lines(logged())
    assert line["request_id"] == "edge-7f3a.1_B"


def test_a_request_id_is_made_when_none_is_sent(obs_client):
    first = obs_client.get("/healthz").headers[REQUEST_ID_HEADER]
    second = obs_client.get("/healthz").headers[REQUEST_ID_HEADER]
    assert MADE_ID.fullmatch(first) and MADE_ID.fullmatch(second) and first != second


@pytest.mark.parametrize("hostile", [
    'x\n{"level": "ERROR", "message": "forged"}', "a\r\nSet-Cookie: x=1", 'say "hi"',
    "x" * 129, "x" * 200, "", "two words", "ünïcode", "<script>", "a/b", "a;b",
])
def test_a_hostile_request_id_is_replaced(obs_client, logged, hostile):
    response = obs_client.get("/healthz", environ_base={"HTTP_X_REQUEST_ID": hostile})
    made = response.headers[REQUEST_ID_HEADER]
    assert MADE_ID.fullmatch(made)
    [line] = access_lines(logged())
    assert line["request_id"] == made
    assert "forged" not in json.dumps(logged())


def test_the_longest_sane_request_id_is_kept(obs_client):
    response = obs_client.get("/healthz", headers={REQUEST_ID_HEADER: "a" * 128})
    assert response.headers[REQUEST_ID_HEADER] == "a" * 128


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/no/such/page", 404), ("POST", "/healthz", 405), ("GET", "/api/v1/me", 401),
])
def test_errors_carry_the_request_id_too(obs_client, method, path, status):
    response = obs_client.open(path, method=method, headers={REQUEST_ID_HEADER: "err-1"})
    assert_problem(response, status)
    assert response.headers[REQUEST_ID_HEADER] == "err-1"


# ---- logs ---------------------------------------------------------------------------------

def test_a_private_read_is_logged_by_route_template_only(obs_client, world, logged, capsys):
    worker = world["worker_a"]
    goal_id = world.fresh_goal("Call my sister on Sundays")
    response = obs_client.get(f"/api/v1/goals/{goal_id}", headers={
        **worker.headers, REQUEST_ID_HEADER: "goal-read-1", "User-Agent": "PrivatePhone/1"})
    assert response.status_code == 200

    [line] = access_lines(logged())
    assert line["request_id"] == "goal-read-1"
    assert line["method"] == "GET"
    assert line["route"] == "/api/v1/goals/<uuid:goal_id>"
    assert line["endpoint"] == "goals.GoalById"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0 and line["bytes"] == len(response.get_data())
    assert line["level"] == "INFO" and line["time"].endswith("Z")
    # What a log must never hold: the id, the content, who asked, from where, how.
    written = capsys.readouterr().err
    assert "goal-read-1" in written  # the real handler wrote JSON lines to stderr
    for text in (json.dumps(logged()), written):
        for private in (goal_id, goal_id.replace("-", ""), "sister", worker.email, worker.token,
                        worker.id, "127.0.0.1", "PrivatePhone", "Bearer"):
            assert private not in text, private
    for raw in written.splitlines():
        if raw.startswith("{"):
            json.loads(raw)


def test_search_words_never_reach_the_log(obs_client, logged, capsys):
    response = obs_client.get("/api/v1/tips?q=relapse&tag=hope")
    assert response.status_code == 200
    [line] = access_lines(logged())
    assert line["route"] == "/api/v1/tips" and line["status"] == 200
    for text in (json.dumps(logged()), capsys.readouterr().err):
        assert "relapse" not in text and "hope" not in text and "?" not in text


def test_an_unknown_path_is_logged_as_unmatched(obs_client, logged):
    secret_path = f"/api/v1/goals/{uuid.uuid4()}/not-a-route"
    obs_client.get(secret_path)
    [line] = access_lines(logged())
    assert line["route"] == "<unmatched>" and line["status"] == 404
    assert line["endpoint"] is None
    assert secret_path.split("/")[4] not in json.dumps(logged())


def test_a_crash_is_logged_once_with_its_request_id_and_no_data(obs_client, logged, capsys):
    thing_id = str(uuid.uuid4())
    response = obs_client.get(f"/crash-probe/{thing_id}", headers={REQUEST_ID_HEADER: "boom-1"})
    problem = assert_problem(response, 500)
    assert response.headers[REQUEST_ID_HEADER] == "boom-1"
    body = response.get_data(as_text=True)
    for leak in ("abc123", "Traceback", "RuntimeError", ".py", thing_id):
        assert leak not in body
    assert problem["detail"]

    lines = logged()
    [error] = [line for line in lines if line["level"] == "ERROR"]  # Flask's own is silenced
    assert error["request_id"] == "boom-1"
    assert error["error"][0]["type"] == "RuntimeError"
    assert any("in get" in frame for frame in error["error"][0]["stack"])
    [access] = access_lines(lines)
    assert access["status"] == 500 and access["route"] == "/crash-probe/<uuid:thing_id>"
    # The exception's message holds data (here a token and the id): it stays out of logs.
    for text in (json.dumps(lines), capsys.readouterr().err):
        assert "abc123" not in text and thing_id not in text and "SELECT" not in text


def test_text_format_withholds_the_same(make_app, app, caplog):
    text_app = make_app(LOG_FORMAT="text")
    text_app.register_blueprint(crash_probe)
    handler = next(h for h in text_app.logger.handlers
                   if isinstance(h, observability._StderrHandler))
    try:
        thing_id = str(uuid.uuid4())
        with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
            text_app.test_client().get(f"/crash-probe/{thing_id}",
                                       headers={REQUEST_ID_HEADER: "txt-1"})
        written = "\n".join(handler.format(record) for record in caplog.records)
        assert "[txt-1] GET /crash-probe/<uuid:thing_id> 500" in written
        assert "RuntimeError" in written
        assert thing_id not in written and "abc123" not in written
    finally:
        handler.setFormatter(JsonFormatter())  # the handler is the process's, not the app's


@pytest.mark.parametrize("setting", [{"LOG_FORMAT": "xml"}, {"LOG_LEVEL": "LOUD"},
                                     {"METRICS_TOKEN": "short"}])
def test_bad_settings_stop_the_app(make_app, setting):
    with pytest.raises(ValueError):
        make_app(**setting)


# ---- metrics ------------------------------------------------------------------------------

def sample(text: str, name: str, **labels) -> float:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


def test_metrics_count_requests_by_route_template(obs_client, world):
    worker = world["worker_a"]
    goal_id = world.fresh_goal()
    route = {"route": "/api/v1/goals/<uuid:goal_id>", "method": "GET"}
    before = obs_client.get("/metrics").get_data(as_text=True)
    for _ in range(3):
        assert obs_client.get(f"/api/v1/goals/{goal_id}", headers=worker.headers).status_code == 200
    obs_client.get(f"/api/v1/goals/{uuid.uuid4()}", headers=worker.headers)

    response = obs_client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.cache_control.no_store
    assert "Access-Control-Allow-Origin" not in response.headers
    after = response.get_data(as_text=True)
    counted = "rapport_http_requests_total"
    assert sample(after, counted, status="200", **route) == sample(
        before, counted, status="200", **route) + 3
    assert sample(after, counted, status="404", **route) == sample(
        before, counted, status="404", **route) + 1
    assert sample(after, "rapport_http_request_duration_seconds_count", **route) == sample(
        before, "rapport_http_request_duration_seconds_count", **route) + 4
    assert 'le="0.005"' in after and 'le="5.0"' in after
    assert goal_id not in after  # labels are templates: no id ever becomes a series


def test_metrics_show_the_pool_and_the_runtime(obs_client):
    text = obs_client.get("/metrics").get_data(as_text=True)
    for name in ("rapport_db_pool_size", "rapport_db_pool_checked_out",
                 "rapport_db_pool_checked_in", "rapport_db_pool_overflow", "python_info"):
        assert f"\n{name}" in text, name


def test_unknown_methods_and_paths_do_not_grow_the_label_set(obs_client):
    obs_client.open("/healthz", method="BREW")
    obs_client.get(f"/random/{uuid.uuid4()}")
    text = obs_client.get("/metrics").get_data(as_text=True)
    assert 'method="BREW"' not in text and 'method="OTHER"' in text
    assert 'route="<unmatched>"' in text and "/random/" not in text


@pytest.mark.parametrize(("environ", "headers"), [
    (REMOTE, {}),
    ({"REMOTE_ADDR": "10.0.0.5"}, {}),
    ({}, {"X-Forwarded-For": "203.0.113.9"}),  # came through a proxy on this machine
    ({}, {"Forwarded": "for=203.0.113.9"}),
    (REMOTE, {"Authorization": f"Bearer {METRICS_TOKEN}"}),  # no token configured here
])
def test_metrics_are_hidden_from_anyone_else(obs_client, environ, headers):
    for method in ("GET", "HEAD", "POST", "DELETE", "OPTIONS"):
        response = obs_client.open("/metrics", method=method, environ_base=environ,
                                   headers=headers)
        assert response.status_code == 404, method
        assert "Allow" not in response.headers  # a 405 would say the address exists
    unknown = obs_client.get("/no-such-page", environ_base=environ, headers=headers)
    assert obs_client.get("/metrics", environ_base=environ,
                          headers=headers).get_json() == unknown.get_json()


def test_metrics_answer_ipv6_loopback(obs_client):
    response = obs_client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"})
    assert response.status_code == 200


def test_a_remote_scraper_needs_the_token(make_app, app):
    client = make_app(METRICS_TOKEN=METRICS_TOKEN).test_client()
    good = client.get("/metrics", environ_base=REMOTE,
                      headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert good.status_code == 200
    assert "rapport_http_requests_total" in good.get_data(as_text=True)
    for headers in ({}, {"Authorization": f"Bearer {METRICS_TOKEN}x"},
                    {"Authorization": f"Basic {METRICS_TOKEN}"},
                    {"Authorization": f"Bearer {METRICS_TOKEN[:-1]}"}):
        assert_problem(client.get("/metrics", environ_base=REMOTE, headers=headers), 404)
    assert client.get("/metrics").status_code == 200  # this machine still needs none


def test_metrics_are_neither_rate_limited_nor_audited(make_app, app):
    client = make_app(PUBLIC_RATE_LIMIT="1 per minute").test_client()
    with app.app_context():
        before = db.session.query(AuditEvent).count()
    for _ in range(3):
        response = client.get("/metrics")
        assert response.status_code == 200
        assert "RateLimit" not in response.headers
    assert_problem(client.get("/metrics", environ_base=REMOTE), 404)
    with app.app_context():
        assert db.session.query(AuditEvent).count() == before


def test_worker_processes_share_metrics_in_multiprocess_mode(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR, /metrics adds up what every process wrote there."""
    script = f"""
from api import create_app
app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path / 'mp.db'}",
                   "LOG_LEVEL": "WARNING"}})
client = app.test_client()
for _ in range(3):
    client.get("/healthz")
print(client.get("/metrics").get_data(as_text=True))
"""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    for _ in range(2):  # two processes, one after the other, like two workers
        done = subprocess.run([sys.executable, "-W", "error", "-c", script], env=env,
                              cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                              check=True)
    text = done.stdout
    assert sample(text, "rapport_http_requests_total", route="/healthz", status="200",
                  method="GET") == 6
    assert "rapport_db_pool_size" in text
    assert any(metrics_dir.iterdir())
