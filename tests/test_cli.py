"""`flask agency create`: an agency and its first admin, ready to sign in."""

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
