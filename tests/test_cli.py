"""`flask agency create`: an agency and its first admin, ready to sign in.
`flask idempotency purge`: keys and their kept answers older than 30 days go, newer stay."""

import uuid
from datetime import timedelta

from sqlalchemy import select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import IdempotencyRecord
from tests.factories import unique


def test_agency_create_makes_an_admin_who_can_sign_in(app, client):
    email = f"{unique('admin')}@example.org"
    result = app.test_cli_runner().invoke(args=[
        "agency", "create", "Hope Street Peers", "--admin-email", email,
        "--admin-password", "seven lanterns over water"])
    assert result.exit_code == 0, result.output
    assert "Hope Street Peers" in result.output
    session = client.post("/api/v1/auth/token", json={
        "email": email, "password": "seven lanterns over water"}).get_json()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {session['token']}"})
    assert me.get_json()["role"] == "agency_admin" and me.get_json()["agency_id"]


def test_agency_create_refuses_a_common_password(app):
    result = app.test_cli_runner().invoke(args=[
        "agency", "create", "X", "--admin-email", f"{unique('a')}@example.org",
        "--admin-password", "password123"])
    assert result.exit_code != 0 and "too common" in result.output


def test_idempotency_purge_drops_keys_older_than_30_days_only(app):
    scope = f"user:{uuid.uuid4()}"
    ages = {"old": timedelta(days=31), "recent": timedelta(days=29)}
    with app.app_context():
        for key, age in ages.items():
            db.session.add(IdempotencyRecord(scope=scope, key=key, fingerprint="f" * 64,
                                             status_code=201, body="{}",
                                             created_at=utcnow() - age))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["idempotency", "purge"])
    assert result.exit_code == 0, result.output
    assert "removed: " in result.output
    with app.app_context():
        kept = db.session.scalars(select(IdempotencyRecord.key).where(
            IdempotencyRecord.scope == scope)).all()
    assert kept == ["recent"]
