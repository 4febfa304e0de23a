"""Bodies that broke the app, replayed: a lone UTF-16 surrogate ("\\ud800") in any text field
was a 500 (argon2 and the database drivers cannot encode it), uncounted by any limit."""

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.models import AuditEvent, Goal
from tests.helpers import assert_problem

LONE = ['"\\ud800"', '"abc\\udfff"', '"\\udc00\\ud800"']


def raw(client, method, url, text, headers=None):
    return client.open(url, method=method, data=text, headers=headers or {},
                       content_type="application/json")


@pytest.mark.parametrize("lone", LONE)
def test_a_lone_surrogate_is_a_400_everywhere(app, client, world, lone):
    worker = world["worker_a"]
    with app.app_context():
        before = (db.session.scalar(select(func.count()).select_from(AuditEvent)),
                  db.session.scalar(select(func.count()).select_from(Goal)))
    answers = [
        raw(client, "POST", "/api/v1/auth/token",
            f'{{"email": "{worker.email}", "password": {lone}}}'),
        raw(client, "POST", "/api/v1/auth/register",
            f'{{"email": "new@example.org", "password": "slow river under stars", '
            f'"display_name": {lone}}}'),
        raw(client, "POST", f"/api/v1/partnerships/{world.partnership_a}/goals",
            f'{{"title": {lone}}}', worker.headers),
        raw(client, "PATCH", "/api/v1/me", f'{{"display_name": {lone}}}', worker.headers),
    ]
    for answer in answers:
        assert_problem(answer, 400)
    with app.app_context():
        assert (db.session.scalar(select(func.count()).select_from(AuditEvent)),
                db.session.scalar(select(func.count()).select_from(Goal))) == before


def test_a_real_emoji_written_as_a_surrogate_pair_is_fine(client, world):
    made = raw(client, "POST", f"/api/v1/partnerships/{world.partnership_a}/goals",
               '{"title": "Walk \\ud83d\\ude00"}', world["worker_a"].headers)
    assert made.status_code == 201 and made.get_json()["title"] == "Walk \U0001f600"
