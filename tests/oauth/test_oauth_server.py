"""OAuth 2.1 with Authlib: authorization code + PKCE (S256) only, refresh rotation with reuse
detection, RFC 7009 revocation, RFC 8414 metadata, consent and Connected apps."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.oauth.flow import (
    REDIRECT,
    authorization_params,
    consent,
    exchange,
    pkce_pair,
    refresh,
    register_app,
    revoke,
    tokens_for,
)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_metadata_says_what_the_server_does(client):
    response = client.get("/.well-known/oauth-authorization-server")
    assert response.status_code == 200
    meta = response.get_json()
    assert meta["issuer"] == "http://localhost"
    assert meta["token_endpoint"] == "http://localhost/oauth/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert meta["response_types_supported"] == ["code"]
    assert "goals:read" in meta["scopes_supported"]
    from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
    AuthorizationServerMetadata(meta).validate()


def test_the_authorize_link_hands_the_browser_to_the_consent_screen(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    _, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge)
    response = client.get("/oauth/authorize?" + urlencode(params))
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/#/authorize?")
    assert parse_qs(location.split("?", 1)[1])["client_id"] == [app_info["client_id"]]


def test_a_bad_link_never_sends_anyone_to_an_unregistered_address(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    _, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge,
                                  redirect_uri="https://evil.example.com/steal")
    response = client.get("/oauth/authorize?" + urlencode(params))
    assert response.status_code == 400
    assert "Location" not in response.headers
    unknown = {**authorization_params(app_info, challenge=challenge), "client_id": "rpapp_nope"}
    assert client.get("/oauth/authorize?" + urlencode(unknown)).status_code == 400


def test_a_link_without_pkce_goes_back_to_the_app_with_an_error(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    params = authorization_params(app_info, challenge="x" * 43)
    del params["code_challenge"], params["code_challenge_method"]
    response = client.get("/oauth/authorize?" + urlencode(params))
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert query["state"] == ["xyz-state"]


def test_consent_screen_says_who_asks_and_what_for_in_the_persons_language(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a,
                            scope="goals:read checkins:write")
    _, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge,
                                  scope="goals:read checkins:write")
    response = client.get("/api/v1/oauth/authorization?" + urlencode(params),
                          headers={**world["peer_a"].headers, "Accept-Language": "es"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["app"]["name"] == "Recovery Journal"
    assert body["redirect_host"] == "journal.example.org"
    assert [s["scope"] for s in body["scopes"]] == ["goals:read", "checkins:write"]
    assert body["scopes"][1]["description"] == "Agregar registros a tus metas compartidas."
    assert body["already_granted"] is False


def test_code_for_tokens_then_refresh_rotates_and_reuse_ends_everything(client, world):
    app_info, tokens = tokens_for(client, world)
    assert tokens["access_token"].startswith("rpa_")
    assert tokens["refresh_token"].startswith("rpr_")
    assert tokens["token_type"].lower() == "bearer"
    assert tokens["scope"] == "goals:read"
    assert tokens["expires_in"] == 3600

    rotated = refresh(client, app_info, tokens["refresh_token"])
    assert rotated.status_code == 200, rotated.get_json()
    new = rotated.get_json()
    assert new["refresh_token"] != tokens["refresh_token"]
    # The old refresh token works once only; shown again, the grant's tokens all end.
    again = refresh(client, app_info, tokens["refresh_token"])
    assert again.status_code == 400
    assert again.get_json()["error"] == "invalid_grant"
    assert refresh(client, app_info, new["refresh_token"]).status_code == 400


def test_a_code_works_once_and_a_second_use_revokes_what_it_gave(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    verifier, challenge = pkce_pair()
    answer = consent(client, world["worker_a"], authorization_params(app_info,
                                                                     challenge=challenge))
    assert answer["state"] == "xyz-state"
    assert answer["iss"] == "http://localhost"  # RFC 9207
    first = exchange(client, app_info, answer["code"], verifier)
    assert first.status_code == 200
    second = exchange(client, app_info, answer["code"], verifier)
    assert second.status_code == 400
    assert second.get_json()["error"] == "invalid_grant"
    refresh_after = refresh(client, app_info, first.get_json()["refresh_token"])
    assert refresh_after.status_code == 400


def test_pkce_verifier_must_match(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    _, challenge = pkce_pair()
    answer = consent(client, world["worker_a"], authorization_params(app_info,
                                                                     challenge=challenge))
    other_verifier, _ = pkce_pair()
    response = exchange(client, app_info, answer["code"], other_verifier)
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_grant"
    missing = client.post("/oauth/token", data=urlencode({
        "grant_type": "authorization_code", "code": answer["code"], "redirect_uri": REDIRECT,
        "client_id": app_info["client_id"]}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert missing.status_code == 400


@pytest.mark.parametrize("grant_type", ["password", "client_credentials", "implicit",
                                        "urn:ietf:params:oauth:grant-type:device_code"])
def test_no_other_grant_exists(client, world, grant_type):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    response = client.post("/oauth/token", data=urlencode({
        "grant_type": grant_type, "client_id": app_info["client_id"],
        "username": world["worker_a"].email, "password": world["worker_a"].password}),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "unsupported_grant_type"


def test_saying_no_sends_access_denied_and_grants_nothing(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    _, challenge = pkce_pair()
    answer = consent(client, world["peer_a"], authorization_params(app_info,
                                                                   challenge=challenge),
                     approve=False)
    assert answer["error"] == "access_denied"
    assert "code" not in answer
    apps = client.get("/api/v1/me/connected-apps", headers=world["peer_a"].headers)
    assert apps.get_json() == []


def test_connected_apps_lists_the_app_and_taking_it_back_ends_its_tokens(client, world):
    app_info, tokens = tokens_for(client, world, "peer_a")
    apps = client.get("/api/v1/me/connected-apps", headers=world["peer_a"].headers).get_json()
    assert [a["app"]["name"] for a in apps] == ["Recovery Journal"]
    assert apps[0]["scopes"][0]["scope"] == "goals:read"
    grant_id = apps[0]["id"]
    # Another person cannot take it back for them (404: they cannot even see it).
    other = client.delete(f"/api/v1/me/connected-apps/{grant_id}",
                          headers=world["peer_b"].headers)
    assert other.status_code == 404
    assert client.delete(f"/api/v1/me/connected-apps/{grant_id}",
                         headers=world["peer_a"].headers).status_code == 204
    assert refresh(client, app_info, tokens["refresh_token"]).status_code == 400
    check = client.get("/api/v1/me/connected-apps", headers=world["peer_a"].headers)
    assert check.get_json() == []


def test_revoking_the_refresh_token_ends_the_pair(client, world):
    app_info, tokens = tokens_for(client, world)
    assert revoke(client, app_info, tokens["refresh_token"], hint="refresh_token"
                  ).status_code == 200
    assert refresh(client, app_info, tokens["refresh_token"]).status_code == 400
    # RFC 7009 2.2: an unknown token is a 200 too (no oracle for guessing).
    assert revoke(client, app_info, "rpa_nothing").status_code == 200


def test_another_app_cannot_revoke_or_use_this_apps_tokens(client, world):
    app_info, tokens = tokens_for(client, world)
    other = register_app(client, world["admin_a"], world.agency_a, name="Other")
    assert refresh(client, other, tokens["refresh_token"]).status_code == 400
    response = revoke(client, other, tokens["refresh_token"])
    assert response.status_code == 400
    assert refresh(client, app_info, tokens["refresh_token"]).status_code == 200


def test_a_confidential_app_must_send_its_secret(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a, confidential=True)
    assert app_info["client_secret"].startswith("rps_")
    verifier, challenge = pkce_pair()
    answer = consent(client, world["worker_a"], authorization_params(app_info,
                                                                     challenge=challenge))
    without = exchange(client, app_info, answer["code"], verifier)
    assert without.status_code == 401
    wrong = exchange(client, app_info, answer["code"], verifier, secret="rps_wrong")
    assert wrong.status_code == 401
    right = exchange(client, app_info, answer["code"], verifier,
                     secret=app_info["client_secret"])
    assert right.status_code == 200, right.get_json()
    listed = client.get(f"/api/v1/agencies/{world.agency_a}/oauth-clients",
                        headers=world["admin_a"].headers).get_json()
    assert "client_secret" not in listed[0]


def test_scopes_beyond_the_apps_are_refused(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a, scope="goals:read")
    _, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge, scope="export:read")
    response = client.get("/api/v1/oauth/authorization?" + urlencode(params),
                          headers=world["worker_a"].headers)
    assert response.status_code == 422
    assert response.get_json()["errors"]["request"] == ["invalid_scope"]


def test_admins_cannot_grant_and_revoked_apps_cannot_ask(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    _, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge)
    response = client.get("/api/v1/oauth/authorization?" + urlencode(params),
                          headers=world["admin_a"].headers)
    assert response.status_code == 403
    assert client.delete(f"/api/v1/agencies/{world.agency_a}/oauth-clients/{app_info['id']}",
                         headers=world["admin_a"].headers).status_code == 204
    response = client.get("/api/v1/oauth/authorization?" + urlencode(params),
                          headers=world["worker_a"].headers)
    assert response.status_code == 404


def test_token_endpoint_is_open_to_browser_apps(client):
    response = client.options("/oauth/token", headers={
        "Origin": "https://journal.example.org", "Access-Control-Request-Method": "POST"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
