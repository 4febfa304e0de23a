"""Public answers from memory: a repeated read runs no SQL, edits show at once where they
were made and within CONTENT_VERSION_TTL everywhere else, and nothing is mixed up between
languages, agencies or days."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import brotli
import pytest
from sqlalchemy import event

from api.extensions import db
from api.services.content import content_version
from tests.resources.test_agency_content import tip_body

TIPS = "/api/v1/tips?page_size=100"
AGENCY_TIPS = "/api/v1/tips?page_size=100&agency={}"


@pytest.fixture
def cached_app(make_app, app):  # `app` first: it migrates and loads the run's database
    return make_app(CONTENT_VERSION_TTL=60)


@contextmanager
def statements(app):
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_a_repeated_public_read_runs_no_sql(cached_app):
    client = cached_app.test_client()
    with statements(cached_app) as first:
        made = client.get(TIPS)
    assert made.status_code == 200 and first
    with statements(cached_app) as again:
        hit = client.get(TIPS)
        not_modified = client.get(TIPS, headers={"If-None-Match": made.headers["ETag"]})
        packed = client.get(TIPS, headers={"Accept-Encoding": "br"})
        packed_again = client.get(TIPS, headers={
            "Accept-Encoding": "br", "If-None-Match": packed.headers["ETag"]})
    assert again == []
    assert hit.data == made.data and hit.headers["ETag"] == made.headers["ETag"]
    assert hit.headers["RateLimit"] and hit.headers["Access-Control-Allow-Origin"] == "*"
    assert not_modified.status_code == 304
    assert brotli.decompress(packed.data) == made.data
    assert packed.headers["ETag"] == made.headers["ETag"][:-1] + ':br"'
    assert packed_again.status_code == 304


def test_an_edit_shows_at_once_in_the_process_that_made_it(cached_app, world):
    client = cached_app.test_client()
    listed = client.get(AGENCY_TIPS.format(world.agency_a)).get_json()
    made = client.post(f"/api/v1/agencies/{world.agency_a}/tips", headers=world["admin_a"].headers,
                       json=tip_body("at-once", status="published"))
    assert made.status_code == 201
    now = client.get(AGENCY_TIPS.format(world.agency_a)).get_json()
    assert [t["slug"] for t in now] == ["at-once"] + [t["slug"] for t in listed]


def test_an_edit_elsewhere_shows_within_the_ttl(make_app, client, world, monkeypatch):
    # A clock the test moves, so a slow machine cannot let the TTL pass early (CI once did).
    clock = [1000.0]
    monkeypatch.setattr(content_version, "clock", lambda: clock[0])
    other_process = make_app(CONTENT_VERSION_TTL=60).test_client()
    url = AGENCY_TIPS.format(world.agency_a)
    before = other_process.get(url).get_json()
    assert client.post(f"/api/v1/agencies/{world.agency_a}/tips",
                       headers=world["admin_a"].headers,
                       json=tip_body("elsewhere", status="published")).status_code == 201
    clock[0] += 59
    assert other_process.get(url).get_json() == before  # it has not asked again yet
    clock[0] += 1
    after = other_process.get(url).get_json()
    assert [t["slug"] for t in after][0] == "elsewhere"  # the agency's own first


def test_languages_and_agencies_never_mix(cached_app, world):
    client = cached_app.test_client()
    english = client.get(TIPS, headers={"Accept-Language": "en"})
    spanish = client.get(TIPS, headers={"Accept-Language": "es"})
    assert english.headers["Content-Language"].startswith("en")
    assert spanish.headers["Content-Language"].startswith("es")
    assert english.get_json()[0]["title"] != spanish.get_json()[0]["title"]
    client.post(f"/api/v1/agencies/{world.agency_a}/tips", headers=world["admin_a"].headers,
                json=tip_body("only-a", status="published"))
    keyed = client.post(f"/api/v1/agencies/{world.agency_a}/api-keys",
                        headers=world["admin_a"].headers, json={"name": "site"}).get_json()
    plain = [t["slug"] for t in client.get(TIPS).get_json()]
    with_key = [t["slug"] for t in client.get(TIPS, headers={"X-API-Key": keyed["key"]}
                                              ).get_json()]
    assert "only-a" in with_key and "only-a" not in plain


def test_bad_input_is_never_answered_from_memory(cached_app):
    client = cached_app.test_client()
    assert client.get(TIPS).status_code == 200
    assert client.get("/api/v1/tips?page_size=101").status_code == 422
    assert client.get(TIPS + "&colour=red").status_code == 422


def test_todays_tip_counts_down_to_midnight_on_every_answer(cached_app):
    client = cached_app.test_client()
    first, second = client.get("/api/v1/tips/today"), client.get("/api/v1/tips/today")
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    for answer in (first, second):
        assert 0 < answer.cache_control.max_age <= (midnight - now).total_seconds() + 1
    other_day = client.get("/api/v1/tips/today", query_string={
        "date": (now.date() - timedelta(days=3)).isoformat()})
    assert other_day.cache_control.max_age == cached_app.config["PUBLIC_MAX_AGE"]
