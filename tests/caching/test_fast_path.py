"""Repeated public reads answered before Flask (api.caching.fast_path): the same bytes and headers
Flask would send, the same quota, log line and metrics; Flask still answers whatever the
fast path cannot know."""

import json
import logging
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from api import observability
from api.observability import ACCESS_LOGGER, JsonFormatter
from tests.helpers import assert_problem
from tests.resources.test_agency_content import tip_body

URLS = ("/api/v1/tips", "/api/v1/tips?page=2&page_size=3", "/api/v1/tips?lang=es&tag=trust",
        "/api/v1/tips/be-yourself", "/api/v1/faqs", "/api/v1/faqs?q=goal",
        "/api/v1/surveys", "/api/v1/crisis-resources", "/feeds/tips.json", "/feeds/tips.atom",
        "/feeds/tips.rss")
LANGUAGES = (None, "es", "fr, en;q=0.5", "es-MX,es;q=0.9")
ENCODINGS = (None, "br", "gzip, deflate", "identity", "gzip;q=0, br;q=0.5")
RATE_LIMIT = re.compile(r'^"default";r=\d+;t=\d+$')
HTTP_DATE = re.compile(r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$")


def through_flask_counter(app):
    """How many requests reached Flask (the fast path answers without it)."""
    seen = {"requests": 0}
    fast_path = app.extensions["fast_path"]
    flask_wsgi_app = fast_path.wsgi_app

    def counted(environ, start_response):
        seen["requests"] += 1
        return flask_wsgi_app(environ, start_response)

    fast_path.wsgi_app = counted
    return seen


@pytest.fixture(scope="module")
def fast(app, make_app):  # `app` first: it migrates and loads the run's database
    built = make_app(CONTENT_VERSION_TTL=60)
    built.flask_requests = through_flask_counter(built)
    return built


@pytest.fixture(scope="module")
def slow(app, make_app):
    return make_app(CONTENT_VERSION_TTL=60, PUBLIC_FAST_PATH=False)


def headers_for(language, encoding, etag=None):
    headers = {}
    if language:
        headers["Accept-Language"] = language
    if encoding:
        headers["Accept-Encoding"] = encoding
    if etag:
        headers["If-None-Match"] = etag
    return headers


def comparable(response):
    """Status, headers and body, less what is made per request (checked for shape)."""
    headers = {name: value for name, value in response.headers.items()
               if name not in ("X-Request-ID", "RateLimit", "Date")}
    assert RATE_LIMIT.match(response.headers["RateLimit"]), response.headers["RateLimit"]
    assert HTTP_DATE.match(response.headers["Date"]), response.headers["Date"]
    return response.status_code, headers, response.get_data()


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(url=st.sampled_from(URLS), language=st.sampled_from(LANGUAGES),
       encoding=st.sampled_from(ENCODINGS), conditional=st.sampled_from((None, "match", "old")))
def test_a_repeat_is_what_flask_would_send_without_flask(fast, slow, url, language, encoding,
                                                         conditional):
    client = fast.test_client()
    first = client.get(url, headers=headers_for(language, encoding))
    assert first.status_code == 200
    etag = {None: None, "match": first.headers["ETag"], "old": '"0123abcd"'}[conditional]
    headers = headers_for(language, encoding, etag)

    before = fast.flask_requests["requests"]
    repeat = client.get(url, headers=headers)
    assert fast.flask_requests["requests"] == before, "the repeat went through Flask"
    assert comparable(repeat) == comparable(slow.test_client().get(url, headers=headers))
    assert repeat.status_code == (304 if conditional == "match" else 200)


def test_an_edit_is_seen_at_once_by_the_process_that_made_it(fast, world):
    client = fast.test_client()
    url = f"/api/v1/tips?page_size=100&agency={world.agency_a}"
    listed = client.get(url).get_json()
    assert client.post(f"/api/v1/agencies/{world.agency_a}/tips", headers=world["admin_a"].headers,
                       json=tip_body("fast-path-edit", status="published")).status_code == 201
    after = client.get(url).get_json()
    assert [tip["slug"] for tip in after] == ["fast-path-edit"] + [tip["slug"] for tip in listed]


def test_what_only_flask_can_answer_goes_to_flask(fast, world):
    client = fast.test_client()
    for _ in range(2):
        client.get("/api/v1/tips")
    cases = [
        ("HEAD", {}),  # Werkzeug makes HEAD answers
        ("GET", {"X-API-Key": "rk_madeupkey_x"}),  # a key must be checked: this one is bad
        ("GET", {"Range": "bytes=0-9"}),
    ]
    for method, headers in cases:
        before = fast.flask_requests["requests"]
        response = client.open("/api/v1/tips", method=method, headers=headers)
        assert fast.flask_requests["requests"] == before + 1, (method, headers)
        if "X-API-Key" in headers:
            assert_problem(response, 401)


def test_the_quota_counts_repeats_and_flask_refuses_past_it(app, make_app):
    limited = make_app(CONTENT_VERSION_TTL=60, PUBLIC_RATE_LIMIT="3 per minute")
    client = limited.test_client()
    remaining = [client.get("/api/v1/faqs").headers["RateLimit"] for _ in range(3)]
    assert [re.search(r"r=(\d+)", field)[1] for field in remaining] == ["2", "1", "0"]
    refused = client.get("/api/v1/faqs")
    assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1
    # Another address has its own quota, answered from the fast path.
    other = client.get("/api/v1/faqs", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200 and "r=2;" in other.headers["RateLimit"]


def test_a_repeat_is_logged_and_counted_like_any_answer(fast, caplog):
    client = fast.test_client()
    client.get("/api/v1/faqs?q=visit")
    counted_before = answers_counted(client, "/api/v1/faqs")
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    before = fast.flask_requests["requests"]
    given = client.get("/api/v1/faqs?q=visit", headers={"X-Request-ID": "from-the-proxy-1"})
    hostile = client.get("/api/v1/faqs?q=visit", headers={"X-Request-ID": "<b>id</b> \"x\""})
    assert fast.flask_requests["requests"] == before
    assert given.headers["X-Request-ID"] == "from-the-proxy-1"
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-ID"])

    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records
             if record.name == ACCESS_LOGGER]
    assert [line["request_id"] for line in lines] == [
        "from-the-proxy-1", hostile.headers["X-Request-ID"]]
    for line in lines:
        assert line["route"] == "/api/v1/faqs" and line["status"] == 200
        assert line["endpoint"] == "faqs.Faqs" and line["bytes"] == len(given.get_data())
        assert "visit" not in json.dumps(line)  # the search words are the caller's business

    assert answers_counted(client, "/api/v1/faqs") == counted_before + 2


def answers_counted(client, route: str) -> float:
    """rapport_http_requests_total for GET `route` answered 200, read from /metrics."""
    text = client.get("/metrics").get_data(as_text=True)
    return sum(sample.value for family in text_string_to_metric_families(text)
               for sample in family.samples
               if sample.name == "rapport_http_requests_total"
               and sample.labels == {"method": "GET", "route": route, "status": "200"})


def test_request_ids_made_here_are_unique(fast):
    made = {observability.request_id_for("") for _ in range(10_000)}
    assert len(made) == 10_000


def test_a_304_made_by_flask_is_enough_to_answer_repeats(fast, slow):
    # A browser that kept the ETag from another process asks with If-None-Match first.
    url, headers = "/api/v1/faqs?lang=es", {"Accept-Encoding": "gzip"}
    etag = slow.test_client().get(url, headers=headers).headers["ETag"]
    client = fast.test_client()
    assert client.get(url, headers={**headers, "If-None-Match": etag}).status_code == 304
    before = fast.flask_requests["requests"]
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    full = client.get(url, headers=headers)
    assert fast.flask_requests["requests"] == before
    assert again.status_code == 304
    assert comparable(full) == comparable(slow.test_client().get(url, headers=headers))


@pytest.mark.parametrize("answer", [
    ("GET", "/api/v1/faqs", "faqs.Faqs", 304, 0.00042, 0, "id-1"),
    ("POST", "/api/v1/goals/<uuid:goal_id>/checkins", "goals.GoalCheckIns", 201, 1.5, None,
     "0123abcd.proxy_id-9"),
    ("OTHER", "<unmatched>", None, 405, 0.0, 152, "f" * 32),
])
def test_an_access_line_made_without_a_record_is_the_one_a_record_makes(
        app, make_app, monkeypatch, capsys, answer):
    make_app(LOG_LEVEL="INFO", LOG_FLUSH_SECONDS=0)  # the access logger's level and handler
    # pytest's own handlers on the root logger make observability take the general road.
    observability.record_answer(*answer)
    general = capsys.readouterr().err.splitlines()
    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    assert observability._sole_json_handler() is not None
    observability.record_answer(*answer)
    direct = capsys.readouterr().err.splitlines()
    assert len(general) == len(direct) == 1
    made, written = json.loads(general[0]), json.loads(direct[0])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", written.pop("time"))
    made.pop("time")
    assert list(written.items()) == list(made.items())  # same fields, same order
    make_app()  # the suite's quiet logging again
