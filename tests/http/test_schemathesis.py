"""Schemathesis over every operation of the spec: all default checks, 50+ examples each.

Requests go in-process to an app on the run's test database, signed in as a worker so the
private operations are exercised too.
"""

import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.lib import passwords
from tests.conftest import build_app
from tests.factories import PASSWORD

# Served by an app on the run's test database (migrated and loaded by the `app` fixture
# before any case runs); test_openapi proves it equals the committed openapi.json.
schema = schemathesis.openapi.from_wsgi("/openapi.json", build_app())


@schemathesis.hook
def map_case(context, case):
    """The same fixes for every phase (coverage cases do not pass through map_body)."""
    if isinstance(case.body, dict):
        case.body = map_body(context, case.body)
    return case


def map_body(context, body):
    """Rules JSON Schema cannot state: common passwords, and codes only an admin can make.

    Only values that already look valid are touched, so negative cases stay negative.
    """
    if not isinstance(body, dict):
        return body
    new_password = context.operation.path != "/api/v1/auth/token"
    password = body.get("password")
    if new_password and isinstance(password, str) and (
            passwords.MIN_LENGTH <= len(password) <= passwords.MAX_LENGTH):
        personal = [body.get("display_name"), body.get("username")]
        if isinstance(body.get("email"), str):
            personal.append(body["email"].split("@")[0])
        personal = tuple(value for value in personal if isinstance(value, str))
        if passwords.problems(password, personal=personal):
            body = {**body, "password": PASSWORD}
    code = body.get("agency_code")
    if isinstance(code, str) and 4 <= len(code) <= 20 and "\x00" not in code:
        body = {key: value for key, value in body.items() if key != "agency_code"}
    return body


# Answers are checked against the instrument the path names (its items, its scale): JSON
# Schema cannot tie a body to a path parameter, so a schema-valid body for a real survey is
# still a 422 whenever its items are made up. Every other check still runs on these.
ANSWERS_CHECKED_AGAINST_THE_PATH = {"/api/v1/surveys/{slug}/score",
                                    "/api/v1/surveys/{slug}/responses"}
# Its one field is an agency's join code, which only that agency's admin can make: every
# generated code is unknown (422), like a guessed one. tests/resources/test_join_agency.py
# covers the real ones.
ONLY_REAL_CODES = {"/api/v1/me/agency"}
# A browser's subscription: its key must be a point on the P-256 curve and its endpoint a
# known push service's (PUSH_SERVICES), which JSON Schema cannot state; generated ones are
# 422 like a forged one. tests/reminders make real ones the way a browser does.
ONLY_REAL_BROWSERS = {"/api/v1/me/push-subscriptions"}


# CI draws the same examples every run, so a red run is a real finding that reproduces, not
# a roll of the dice; SCHEMATHESIS_EXPLORE=1 draws new ones (run it when changing the API).
EXPLORE = os.environ.get("SCHEMATHESIS_EXPLORE") == "1"


@schema.parametrize()
@settings(max_examples=200 if EXPLORE else 50, deadline=None, derandomize=not EXPLORE,
          suppress_health_check=list(HealthCheck))
def test_api_keeps_its_contract(case, app, worker):
    checked_elsewhere = ANSWERS_CHECKED_AGAINST_THE_PATH | ONLY_REAL_CODES | ONLY_REAL_BROWSERS
    excluded = [positive_data_acceptance] if case.operation.path in checked_elsewhere else []
    # The WSGI transport does not undo Content-Encoding; test_compression covers that part.
    case.call_and_validate(headers={**worker.headers, "Accept-Encoding": "identity"},
                           excluded_checks=excluded)
