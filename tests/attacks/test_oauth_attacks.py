"""Attacks on the OAuth server: stolen and raced codes and refresh tokens, redirect URIs that
look alike, scopes stretched at refresh, another agency's app, guessing, and bad input."""

import threading
from urllib.parse import urlencode

import pytest

from tests.oauth.flow import (
    REDIRECT,
    authorization_params,
    consent,
    exchange,
    pkce_pair,
    refresh,
    register_app,
    tokens_for,
)

LOOKALIKES = [
    "https://journal.example.org/callback/",            # trailing slash
    "https://journal.example.org/callback?x=1",         # extra query
    "https://journal.example.org/callbackx",            # prefix match
    "https://journal.example.org/callback/../evil",     # path games
    "https://JOURNAL.example.org/callback",             # case
    "https://journal.example.org.evil.com/callback",    # suffix domain
    "https://user@journal.example.org/callback",        # userinfo
    "http://journal.example.org/callback",              # downgrade
    "https://journal.example.org:444/callback",         # another port
    "https://journal.example.org/callback#frag",        # fragment
]


@pytest.mark.parametrize("redirect_uri", LOOKALIKES)
def test_only_the_exact_registered_redirect_is_honoured(client, world, redirect_uri):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    _, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge, redirect_uri=redirect_uri)
    link = client.get("/oauth/authorize?" + urlencode(params))
    assert link.status_code == 400 and "Location" not in link.headers
    api = client.post("/api/v1/oauth/authorization", headers=world["worker_a"].headers,
                      json={**params, "approve": True})
    assert api.status_code == 422
    assert api.get_json()["errors"]["request"] == ["invalid_request"]


def test_loopback_redirects_may_use_any_port_but_nothing_else_changes(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a,
                            redirect_uris=("http://127.0.0.1/callback",))
    verifier, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge,
                                  redirect_uri="http://127.0.0.1:51234/callback")
    answer = consent(client, world["worker_a"], params)
    tokens = exchange(client, app_info, answer["code"], verifier,
                      redirect_uri="http://127.0.0.1:51234/callback")
    assert tokens.status_code == 200
    other = authorization_params(app_info, challenge=challenge,
                                 redirect_uri="http://127.0.0.1:51234/elsewhere")
    assert client.post("/api/v1/oauth/authorization", headers=world["worker_a"].headers,
                       json={**other, "approve": True}).status_code == 422


@pytest.mark.parametrize("uri", [
    "javascript:alert(1)", "data:text/html,hi", "http://journal.example.org/cb",
    "https://journal.example.org/cb#x", "https://u:p@journal.example.org/cb", "file:///etc",
    "myapp:/cb", "//journal.example.org/cb"])
def test_admins_cannot_register_dangerous_redirects(client, world, uri):
    response = client.post(f"/api/v1/agencies/{world.agency_a}/oauth-clients",
                           headers={**world["admin_a"].headers, "Accept-Language": "es"},
                           json={"name": "X", "redirect_uris": [uri], "scope": "goals:read"})
    assert response.status_code == 422
    assert response.get_json()["errors"]["redirect_uris.0"]
    assert "Usa una dirección https" in str(response.get_json()["errors"])


def test_a_code_is_bound_to_its_app_and_its_redirect(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a,
                            redirect_uris=(REDIRECT, "https://journal.example.org/other"))
    thief = register_app(client, world["admin_b"], world.agency_b)
    verifier, challenge = pkce_pair()
    answer = consent(client, world["worker_a"], authorization_params(app_info,
                                                                     challenge=challenge))
    assert exchange(client, thief, answer["code"], verifier).status_code == 400
    assert exchange(client, app_info, answer["code"], verifier,
                    redirect_uri="https://journal.example.org/other").status_code == 400
    assert exchange(client, app_info, answer["code"], verifier).status_code == 200


def test_refresh_cannot_widen_the_scope(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a,
                            scope="goals:read export:read")
    app_info, tokens = tokens_for(client, world, scope="goals:read", app_info=app_info)
    wider = refresh(client, app_info, tokens["refresh_token"], scope="goals:read export:read")
    assert wider.status_code == 400
    assert wider.get_json()["error"] == "invalid_scope"


def test_two_exchanges_of_one_code_at_once_give_tokens_once(app, client, world):
    for _ in range(3):
        app_info = register_app(client, world["admin_a"], world.agency_a)
        verifier, challenge = pkce_pair()
        answer = consent(client, world["worker_a"], authorization_params(app_info,
                                                                         challenge=challenge))
        statuses = _at_once(app, 2, lambda c, a=app_info, code=answer["code"], v=verifier:
                            exchange(c, a, code, v))
        assert sorted(statuses) == [200, 400], statuses


def test_two_refreshes_with_one_token_at_once_rotate_it_once(app, client, world):
    for _ in range(3):
        app_info, tokens = tokens_for(client, world)
        statuses = _at_once(app, 2, lambda c, a=app_info, r=tokens["refresh_token"]:
                            refresh(c, a, r))
        assert sorted(statuses) == [200, 400], statuses


def _at_once(app, count: int, request) -> list[int]:
    barrier = threading.Barrier(count)
    statuses = []

    def run():
        own = app.test_client()
        barrier.wait()
        statuses.append(request(own).status_code)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_guessed_and_malformed_tokens_are_refused_alike(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    for token in ("rpa_" + "A" * 43, "rpa_", "rpa_" + "x" * 500, "rpa_\u00e9\u00e9",
                  "rpr_" + "A" * 43):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    for refresh_token in ("rpr_" + "A" * 43, "x" * 1000, ""):
        assert refresh(client, app_info, refresh_token).status_code == 400


def test_an_app_token_cannot_do_what_no_scope_allows(client, world):
    _, tokens = tokens_for(client, world, scope="goals:read")
    headers = {"Authorization": f"Bearer {tokens['access_token']}",
               "Accept-Language": "es"}
    # Apps never sign people out, change passwords, make invites or erase accounts.
    for method, path, body in (("DELETE", "/api/v1/auth/token", None),
                               ("PATCH", "/api/v1/me", {"display_name": "Pwned"}),
                               ("POST", "/api/v1/invites", {}),
                               ("DELETE", "/api/v1/me", None),
                               ("GET", "/api/v1/me/connected-apps", None),
                               ("GET", "/api/v1/me/access-log", None)):
        response = client.open(path, method=method, headers=headers, json=body)
        assert response.status_code == 403, (method, path, response.get_json())
        assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
        assert response.get_json()["detail"] == "Esta aplicación no tiene permiso para hacer esto."


def test_an_app_cannot_approve_itself_with_a_persons_app_token(client, world):
    app_info, tokens = tokens_for(client, world, scope="goals:read")
    _, challenge = pkce_pair()
    params = authorization_params(app_info, challenge=challenge)
    response = client.post("/api/v1/oauth/authorization",
                           headers={"Authorization": f"Bearer {tokens['access_token']}"},
                           json={**params, "approve": True})
    assert response.status_code == 403


@pytest.mark.parametrize("body", [
    {"name": "", "redirect_uris": [REDIRECT], "scope": "goals:read"},
    {"name": "X", "redirect_uris": [], "scope": "goals:read"},
    {"name": "X", "redirect_uris": [REDIRECT], "scope": "admin"},
    {"name": "X", "redirect_uris": [REDIRECT], "scope": ""},
    {"name": "X\x00", "redirect_uris": [REDIRECT], "scope": "goals:read"},
    {"name": "X", "redirect_uris": [REDIRECT] * 11, "scope": "goals:read"},
    {"name": "X", "redirect_uris": [REDIRECT], "scope": "goals:read", "extra": 1},
    {"name": "X", "redirect_uris": "https://a.example/cb", "scope": "goals:read"},
    {"name": "X", "redirect_uris": [REDIRECT], "scope": "goals:read",
     "homepage_url": "http://plain.example"},
])
def test_bad_registrations_are_422_and_make_nothing(client, world, body):
    base = f"/api/v1/agencies/{world.agency_a}/oauth-clients"
    before = len(client.get(base, headers=world["admin_a"].headers).get_json())
    response = client.post(base, headers=world["admin_a"].headers, json=body)
    assert response.status_code == 422, response.get_json()
    assert len(client.get(base, headers=world["admin_a"].headers).get_json()) == before


def test_another_agencys_admin_cannot_see_or_touch_the_app(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a)
    for method in ("GET", "PATCH", "DELETE"):
        for path in (f"/api/v1/agencies/{world.agency_b}/oauth-clients/{app_info['id']}",
                     f"/api/v1/agencies/{world.agency_a}/oauth-clients/{app_info['id']}"):
            response = client.open(path, method=method, headers=world["admin_b"].headers,
                                   json={"name": "Mine"} if method == "PATCH" else None)
            assert response.status_code == 404, (method, path)


def test_narrowing_an_apps_scopes_ends_wider_tokens(client, world):
    app_info = register_app(client, world["admin_a"], world.agency_a,
                            scope="goals:read export:read")
    app_info, tokens = tokens_for(client, world, scope="goals:read export:read",
                                  app_info=app_info)
    changed = client.patch(f"/api/v1/agencies/{world.agency_a}/oauth-clients/{app_info['id']}",
                           headers=world["admin_a"].headers, json={"scope": "goals:read"})
    assert changed.status_code == 200
    assert refresh(client, app_info, tokens["refresh_token"]).status_code == 400
