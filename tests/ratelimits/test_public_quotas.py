"""Rate limits on public content, and the IETF RateLimit fields that announce them.

The suite's own apps allow a great deal; these tests build apps with small limits.
"""

import os
import re

import pytest
import redis
from werkzeug.routing import AnyConverter

from api import counters, ratelimits
from api.http.policies import PUBLIC, policy_for
from tests.conftest import RUN_PREFIX
from tests.helpers import assert_problem

ANONYMOUS = {"PUBLIC_RATE_LIMIT": "3 per minute", "API_KEY_RATE_LIMIT": "5 per minute"}
LIMIT = re.compile(r'^"(?P<policy>[a-z-]+)";r=(?P<r>\d+);t=(?P<t>\d+)$')
REDIS_URI = os.environ.get("TEST_RATELIMIT_STORAGE_URI", "")


@pytest.fixture
def limited(app, make_app):
    """An app on the suite's database (migrated by `app`) with small public limits."""
    return make_app(**ANONYMOUS)


@pytest.fixture
def limited_client(limited):
    return limited.test_client()


def remaining(response, policy: str = "default") -> tuple[int, int]:
    """(r, t) from the RateLimit field, checking it names the policy."""
    match = LIMIT.match(response.headers["RateLimit"])
    assert match and match["policy"] == policy, response.headers["RateLimit"]
    return int(match["r"]), int(match["t"])


def api_key(client, world) -> str:
    response = client.post(f"/api/v1/agencies/{world.agency_a}/api-keys",
                           json={"name": "Tip widget"}, headers=world["admin_a"].headers)
    assert response.status_code == 201
    return response.get_json()["key"]


def test_public_reads_announce_the_policy_and_count_down(limited_client):
    counts = []
    for _ in range(3):
        response = limited_client.get("/api/v1/tips")
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == '"default";q=3;w=60'
        r, t = remaining(response)
        assert 0 < t <= 60
        counts.append(r)
    assert counts == [2, 1, 0]


def test_a_304_carries_the_fields_and_counts(limited_client):
    etag = limited_client.get("/api/v1/faqs").headers["ETag"]
    again = limited_client.get("/api/v1/faqs", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["RateLimit-Policy"] == '"default";q=3;w=60'
    assert remaining(again)[0] == 1


def test_one_request_too_many_is_a_429_problem_with_retry_after(limited_client):
    for _ in range(3):
        assert limited_client.get("/api/v1/tips/today").status_code == 200
    response = limited_client.get("/api/v1/tips/today", headers={"Origin": "https://a.example"})
    assert_problem(response, 429)
    assert response.cache_control.no_store
    r, t = remaining(response)
    assert r == 0 and 0 < t <= 60
    # Retry-After wins over the RateLimit field; it must not end before the window does.
    assert t <= int(response.headers["Retry-After"]) <= 60
    assert response.headers["RateLimit-Policy"] == '"default";q=3;w=60'
    # A page on another site must be able to read why it was refused.
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"RateLimit", "RateLimit-Policy", "Retry-After"} <= exposed
    # Every public route shares the client's one quota.
    assert_problem(limited_client.get("/api/v1/surveys"), 429)


def test_a_keyed_client_has_its_own_higher_limit(limited_client, world):
    key = api_key(limited_client, world)
    for _ in range(3):
        limited_client.get("/api/v1/tips")
    assert_problem(limited_client.get("/api/v1/tips"), 429)

    keyed = {"X-API-Key": key}
    for expected in range(4, -1, -1):
        response = limited_client.get("/api/v1/tips", headers=keyed)
        assert response.status_code == 200
        assert response.headers["RateLimit-Policy"] == '"api-key";q=5;w=60'
        assert remaining(response, "api-key")[0] == expected
    over = limited_client.get("/api/v1/tips", headers=keyed)
    assert_problem(over, 429)
    assert remaining(over, "api-key")[0] == 0


def test_each_address_has_its_own_count_and_ipv6_counts_by_64(limited_client):
    for address in ("192.0.2.1", "192.0.2.2", "2001:db8:1:2::1"):
        response = limited_client.get("/api/v1/tips", environ_base={"REMOTE_ADDR": address})
        assert remaining(response)[0] == 2, address
    same_block = limited_client.get("/api/v1/tips",
                                    environ_base={"REMOTE_ADDR": "2001:db8:1:2::99"})
    assert remaining(same_block)[0] == 1


def test_a_bad_key_is_refused_and_still_counted(limited_client):
    response = limited_client.get("/api/v1/tips", headers={"X-API-Key": "rk_madeupkey_x"})
    assert_problem(response, 401)
    assert remaining(response)[0] == 2


def test_private_routes_carry_no_public_limit(limited_client, world):
    for _ in range(4):
        limited_client.get("/api/v1/tips")
    for path, headers in (("/healthz", {}), ("/api/v1/me", world["worker_a"].headers),
                          (f"/api/v1/agencies/{world.agency_a}/api-keys",
                           world["admin_a"].headers)):
        response = limited_client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert "RateLimit" not in response.headers and "RateLimit-Policy" not in response.headers


def test_cors_preflights_are_not_counted(limited_client):
    for _ in range(5):
        preflight = limited_client.options("/api/v1/tips", headers={
            "Origin": "https://a.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-api-key"})
        assert preflight.status_code == 200
        assert "RateLimit" not in preflight.headers
    assert remaining(limited_client.get("/api/v1/tips"))[0] == 2


def _made_up(converter) -> str:
    """A value the converter accepts (`any(...)` names its choices), naming nothing real."""
    return min(converter.items) if isinstance(converter, AnyConverter) else "no-such-thing"


def _public_urls(app):
    """Every public route, with made-up path values: a 404 is a limited answer too."""
    urls = app.url_map.bind("localhost")
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (policy_for(rule.endpoint) == PUBLIC and "GET" in rule.methods
                    and not rule.endpoint.startswith("frontend.")):  # the app's own files
                values = {arg: _made_up(rule._converters[arg]) for arg in rule.arguments}
                yield rule, urls.build(rule.endpoint, values)


def test_every_public_route_is_limited_and_says_so_in_the_spec(limited):
    client = limited.test_client()
    spec = client.get("/openapi.json").get_json()
    for rule, url in _public_urls(limited):
        ratelimits.reset(limited)
        with client.get(url) as response:
            assert response.status_code in (200, 404), url
            assert response.headers["RateLimit-Policy"] == '"default";q=3;w=60', url
            assert remaining(response)[0] == 2, url
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        if path in spec["paths"]:
            responses = spec["paths"][path]["get"]["responses"]
            assert responses["429"] == {"$ref": "#/components/responses/RATE_LIMITED"}, path
            assert {"RateLimit", "RateLimit-Policy"} <= set(responses["200"]["headers"]), path


def test_a_limit_that_cannot_be_read_stops_the_app(make_app):
    with pytest.raises(ValueError):
        make_app(PUBLIC_RATE_LIMIT="plenty")


@pytest.mark.skipif(not REDIS_URI.startswith("redis"),
                    reason="needs Redis: CI sets TEST_RATELIMIT_STORAGE_URI on its second run")
def test_separately_built_apps_share_one_count_through_redis(app, make_app):
    first = make_app(**ANONYMOUS)
    for _ in range(2):
        assert first.test_client().get("/api/v1/tips").status_code == 200
    # A second app starts with storage of its own, as another process would.
    second = make_app(**ANONYMOUS)
    assert counters.of(second).shared is not counters.of(first).shared
    response = second.test_client().get("/api/v1/tips")
    assert remaining(response)[0] == 0
    assert_problem(second.test_client().get("/api/v1/tips"), 429)
    keys = redis.Redis.from_url(REDIS_URI).keys(f"*{RUN_PREFIX}:public:*")
    assert keys
    assert not any(b"127.0.0.1" in key for key in keys)  # a keyed hash, not the address


def test_the_apps_own_files_do_not_use_up_the_quota(limited_client):
    # A clinic behind one address opening the app at once: its files are not API reads.
    for _ in range(5):
        with limited_client.get("/") as page, limited_client.get("/css/app.css") as css:
            assert page.status_code == css.status_code == 200
            assert "RateLimit" not in page.headers
    for expected in (200, 200, 200, 429):
        assert limited_client.get("/api/v1/tips").status_code == expected
