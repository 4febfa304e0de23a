"""The OpenAPI 3.1 document: valid, committed, and honest about errors."""

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from api.http.access import rule_for
from api.http.policies import PUBLIC, policy_for
from api.web.frontend import SWAGGER_UI_VERSION

SPEC_FILE = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


@pytest.fixture(scope="module")
def spec(app):
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_spec_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_committed_spec_is_what_the_code_generates(spec):
    committed = json.loads(SPEC_FILE.read_text())
    assert committed == spec, "openapi/openapi.json is stale: run `make spec` and commit it"


def test_no_catch_all_default_responses(spec):
    for path, method, operation in operations(spec):
        assert "default" not in operation["responses"], (method, path)


def test_every_operation_has_a_summary_and_a_success_response(spec):
    for path, method, operation in operations(spec):
        assert operation.get("summary"), (method, path)
        assert any(code.startswith("2") for code in operation["responses"]), (method, path)


def test_errors_are_documented_as_problem_json(spec):
    responses = spec["components"]["responses"]
    for path, method, operation in operations(spec):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            response = responses[response["$ref"].rsplit("/", 1)[1]]
            assert list(response["content"]) == ["application/problem+json"], (method, path)


def test_operations_with_query_parameters_document_422(spec):
    for path, method, operation in operations(spec):
        params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        if params:
            assert "422" in operation["responses"], (method, path)


def test_operations_with_path_parameters_document_404(spec):
    for path, method, operation in operations(spec):
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_docs_page_works_offline(client):
    with client.get("/docs") as page:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        csp = page.headers["Content-Security-Policy"]
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    vendor = f"/docs/swagger-ui/{SWAGGER_UI_VERSION}"
    for asset in (f"{vendor}/swagger-ui-bundle.js", f"{vendor}/swagger-ui.css", "/docs/init.js"):
        assert asset in html
        with client.get(asset) as response:
            assert response.status_code == 200
            if asset.endswith("init.js"):
                assert "/openapi.json" in response.get_data(as_text=True)
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    scripts = directives.get("script-src", directives["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts


def test_rules_every_route_keeps_are_documented_on_every_operation(spec):
    for path, method, operation in operations(spec):
        assert "413" in operation["responses"], (method, path)
        if method in ("post", "put", "patch"):
            assert {"400", "415", "422"} <= set(operation["responses"]), (method, path)


def test_security_schemes_are_documented_per_operation(app, spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert (schemes["cookieAuth"]["in"], schemes["cookieAuth"]["name"]) == (
        "cookie", "__Host-rapport_session")
    endpoints = {re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule): rule.endpoint
                 for rule in app.url_map.iter_rules()}
    with app.test_request_context():
        public = {path for path, endpoint in endpoints.items() if policy_for(endpoint) == PUBLIC}
    for path, method, operation in operations(spec):
        rule = rule_for(app, endpoints[path], method.upper())
        if rule is not None and rule.signed_in:
            assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}], path
            assert "401" in operation["responses"], (method, path)
            if rule.roles:
                assert "403" in operation["responses"], (method, path)
        elif path in public:  # an API key is optional there: it earns a higher rate limit
            assert operation["security"] == [{}, {"apiKeyAuth": []}], (method, path)
            assert {"401", "429"} <= set(operation["responses"]), (method, path)
        else:
            assert "security" not in operation, (method, path)


# Creating POSTs whose answer is a one-time secret (a session token, an invite or join code,
# a calendar link), or whose body holds a password: replaying them would mean keeping the
# secret, or a fast hash of the password, for 30 days.
SECRET_ISSUING = {"/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/invites",
                  "/api/v1/invites/{code}/accept",
                  "/api/v1/agencies/{agency_id}/join-codes",
                  "/api/v1/agencies/{agency_id}/api-keys",
                  "/api/v1/agencies/{agency_id}/oauth-clients",
                  "/api/v1/agencies/{agency_id}/webhooks",
                  "/api/v1/partnerships/{partnership_id}/calendar-feeds"}


def test_creating_posts_document_idempotency_keys(spec):
    for path, method, operation in operations(spec):
        if method != "post" or "201" not in operation["responses"]:
            continue
        refs = [p.get("$ref", "") for p in operation.get("parameters", [])]
        if path in SECRET_ISSUING:
            assert not any(r.endswith("IDEMPOTENCY_KEY") for r in refs), path
        else:
            assert any(r.endswith("IDEMPOTENCY_KEY") for r in refs), path
            assert {"409", "422"} <= set(operation["responses"]), path


def test_edits_document_if_match_412_and_428(spec):
    for path, method, operation in operations(spec):
        if method in ("patch", "delete") and (path.startswith("/api/v1/goals/")
                                              or path.startswith("/api/v1/milestones/")):
            refs = [p.get("$ref", "") for p in operation.get("parameters", [])]
            assert any(r.endswith("IF_MATCH") for r in refs), (method, path)
            assert {"412", "428"} <= set(operation["responses"]), (method, path)
