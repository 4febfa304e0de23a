"""An OAuth app as a test plays it: register it, send a person through consent, get tokens."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

REDIRECT = "https://journal.example.org/callback"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def register_app(client, admin, agency_id, *, scope="goals:read", confidential=False,
                 redirect_uris=(REDIRECT,), name="Recovery Journal") -> dict:
    response = client.post(f"/api/v1/agencies/{agency_id}/oauth-clients", headers=admin.headers,
                           json={"name": name, "redirect_uris": list(redirect_uris),
                                 "scope": scope, "confidential": confidential,
                                 "homepage_url": "https://journal.example.org"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def authorization_params(app_info: dict, *, scope="goals:read", challenge: str,
                         state="xyz-state", redirect_uri=REDIRECT) -> dict:
    return {"response_type": "code", "client_id": app_info["client_id"],
            "redirect_uri": redirect_uri, "scope": scope, "state": state,
            "code_challenge": challenge, "code_challenge_method": "S256"}


def consent(client, person, params: dict, approve=True) -> dict:
    """The person says yes (or no) on the consent screen; the query of where they are sent."""
    response = client.post("/api/v1/oauth/authorization", headers=person.headers,
                           json={**params, "approve": approve})
    assert response.status_code == 200, response.get_json()
    target = urlsplit(response.get_json()["redirect_to"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == params["redirect_uri"]
    return {key: values[0] for key, values in parse_qs(target.query).items()}


def exchange(client, app_info, code, verifier, *, redirect_uri=REDIRECT, secret=None):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier}
    return _token_request(client, app_info, form, secret)


def refresh(client, app_info, refresh_token, *, secret=None, scope=None):
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if scope:
        form["scope"] = scope
    return _token_request(client, app_info, form, secret)


def _token_request(client, app_info, form, secret):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if secret:
        basic = base64.b64encode(f"{app_info['client_id']}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    else:
        form = {**form, "client_id": app_info["client_id"]}
    return client.post("/oauth/token", data=urlencode(form), headers=headers)


def revoke(client, app_info, token, *, hint=None):
    form = {"token": token, "client_id": app_info["client_id"]}
    if hint:
        form["token_type_hint"] = hint
    return client.post("/oauth/revoke", data=urlencode(form),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})


def tokens_for(client, world, person="worker_a", *, scope="goals:read", app_info=None):
    """The whole dance: an app of agency A, the person's yes, and the tokens."""
    app_info = app_info or register_app(client, world["admin_a"], world.agency_a, scope=scope)
    verifier, challenge = pkce_pair()
    params = authorization_params(app_info, scope=scope, challenge=challenge)
    answer = consent(client, world[person], params)
    response = exchange(client, app_info, answer["code"], verifier)
    assert response.status_code == 200, response.get_json()
    return app_info, response.get_json()
