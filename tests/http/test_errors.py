"""Request bodies and crashes: every failure is a problem+json that changes nothing.

The content API has no JSON-accepting endpoint yet, so a throwaway app adds one (through a
flask-smorest Blueprint, as real resources do) and one that crashes.
"""

import io
import logging

import marshmallow as ma
import pytest
from flask.views import MethodView
from sqlalchemy import func, select

from api.config import MAX_JSON_DEPTH
from api.extensions import db
from api.http.errors import DETAILS
from api.http.openapi import Blueprint
from api.models import AuditEvent, AuthSession, Goal
from api.schemas.common import BaseSchema, Text
from tests.helpers import assert_problem

probe = Blueprint("probe", __name__, url_prefix="/probe")


class NoteSchema(BaseSchema):
    text = Text(required=True, validate=ma.validate.Length(max=2000))
    count = ma.fields.Integer(validate=ma.validate.Range(min=0, max=10))


@probe.route("/notes")
class Notes(MethodView):
    @probe.arguments(NoteSchema)
    @probe.response(201, NoteSchema)
    def post(self, note):
        return note


@probe.route("/crash")
class Crash(MethodView):
    def get(self):
        raise RuntimeError("SELECT secret FROM users WHERE token='abc123'")


@pytest.fixture(scope="module")
def probe_client(make_app):
    app = make_app()
    app.register_blueprint(probe)  # plain Flask registration: keeps the real spec untouched
    return app.test_client()


def test_valid_json_is_accepted(probe_client):
    response = probe_client.post("/probe/notes", json={"text": "hello", "count": 3})
    assert response.status_code == 201 and response.get_json() == {"text": "hello", "count": 3}


def test_malformed_json_is_400(probe_client):
    response = probe_client.post("/probe/notes", data='{"text": "hi"',
                                 content_type="application/json")
    assert_problem(response, 400)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_non_json_bodies_are_415(probe_client, content_type):
    response = probe_client.post("/probe/notes", data="text=hi", content_type=content_type)
    assert_problem(response, 415)


def test_bodies_over_64_kib_are_413_even_when_chunked(probe_client):
    big = '{"text": "' + "a" * (64 * 1024) + '"}'
    assert_problem(probe_client.post("/probe/notes", data=big,
                                     content_type="application/json"), 413)

    # No Content-Length: the limit must hold while the body is read.
    chunked = probe_client.post(
        "/probe/notes", input_stream=io.BytesIO(big.encode()), content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_problem(chunked, 413)


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "hi", "role": "admin"}, "role"),             # unknown fields are refused
    ({"text": "nul\x00byte"}, "text"),                      # NUL would crash PostgreSQL
    ({"text": "hi", "count": 2**64}, "count"),              # out of range, not overflow
    ({"text": "hi", "count": "many"}, "count"),
    ({"text": "a" * 2001}, "text"),
    ({}, "text"),
    ([], "_schema"),
])
def test_invalid_bodies_are_422_with_field_errors(probe_client, body, field):
    problem = assert_problem(probe_client.post("/probe/notes", json=body), 422)
    assert field in problem["errors"], problem["errors"]


def test_unhandled_errors_are_500_without_a_trace(probe_client, caplog):
    with caplog.at_level(logging.ERROR):
        response = probe_client.get("/probe/crash")
    problem = assert_problem(response, 500)
    text = response.get_data(as_text=True)
    for leak in ("SELECT", "secret", "abc123", "Traceback", "RuntimeError", ".py"):
        assert leak not in text
    assert problem["detail"]
    assert response.cache_control.no_store
    # Operators still get the cause in the log.
    assert any("abc123" in str(record.exc_info[1]) for record in caplog.records
               if record.exc_info)


# --- deeply nested JSON: under 64 KiB, yet deep enough to crash Python's parser --------------

NESTED_BODIES = {
    "arrays 32,000 deep": "[" * 32_000 + "]" * 32_000,
    "objects 10,000 deep": '{"a":' * 10_000 + "1" + "}" * 10_000,
    f"arrays {MAX_JSON_DEPTH + 1} deep": "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
}


def _rows(app) -> dict[str, int]:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (AuditEvent, AuthSession, Goal)}


@pytest.mark.parametrize("body", NESTED_BODIES.values(), ids=NESTED_BODIES.keys())
@pytest.mark.parametrize("route", ["score", "sign-in", "new goal"])
def test_deeply_nested_json_is_400_and_changes_nothing(app, client, world, route, body):
    path, headers = {
        "score": ("/api/v1/surveys/rapport-self-check/score", {}),
        "sign-in": ("/api/v1/auth/token", {}),
        "new goal": (f"/api/v1/partnerships/{world.partnership_a}/goals",
                     world["worker_a"].headers),
    }[route]
    assert len(body) < 64 * 1024  # under the body limit: this is not the 413
    before = _rows(app)
    response = client.post(path, data=body, content_type="application/json", headers=headers)
    problem = assert_problem(response, 400)
    assert problem["detail"] == DETAILS[400]
    assert _rows(app) == before


def test_json_nested_to_the_limit_is_read(client):
    body = '{"answers": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    response = client.post("/api/v1/surveys/rapport-self-check/score", data=body,
                           content_type="application/json")
    errors = assert_problem(response, 422)["errors"]  # read, then found wanting
    assert all(field.startswith("answers.") for field in errors)


def test_brackets_inside_strings_do_not_count_as_nesting(probe_client):
    text = '["' + "[{" * 100 + '\\"' + "]" + '"]'
    response = probe_client.post("/probe/notes", json={"text": text})
    assert response.status_code == 201 and response.get_json()["text"] == text
