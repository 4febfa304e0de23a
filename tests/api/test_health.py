"""Liveness and readiness probes."""

from tests.helpers import assert_problem


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert response.cache_control.no_store


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok"}}


def test_readyz_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    unreachable = (f"sqlite:///{tmp_path}/no/such/dir/rapport.db", {})
    app = make_app(database=unreachable)
    response = app.test_client().get("/readyz")
    assert_problem(response, 503)
    # Liveness does not depend on the database: the process is still up.
    assert app.test_client().get("/healthz").status_code == 200


def test_head_requests_get_headers_without_a_body(client):
    response = client.head("/api/v1/tips")
    assert response.status_code == 200
    assert response.get_data() == b"" and response.headers["ETag"]
