"""An integrator's view: a client generated from our spec by a third-party generator
(openapi-python-client) registers an app as an agency admin, a person lets it in on the
consent API, the app trades the code at the spec's tokenUrl and reads a goal with the
generated client, typed models and all."""

import importlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.oauth.flow import REDIRECT, pkce_pair

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def rapport_client(tmp_path_factory, app):
    """The spec as the app serves it, through openapi-python-client, imported."""
    folder = tmp_path_factory.mktemp("generated")
    spec = folder / "openapi.json"
    spec.write_bytes(app.test_client().get("/openapi.json").get_data())
    subprocess.run(  # noqa: S603 (our own venv's tool on our own spec)
        [str(BIN / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "none",
         "--output-path", str(folder / "rapport_client")],
        check=True, capture_output=True, cwd=folder,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"})
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module("rapport_client")
    finally:
        sys.path.remove(str(folder))
        for name in [n for n in sys.modules if n.split(".")[0] == "rapport_client"]:
            del sys.modules[name]


def _api(module: str):
    return importlib.import_module(f"rapport_client.api.{module}")


def test_a_generated_client_signs_in_with_oauth_and_reads_a_goal(app, world, rapport_client):
    transport = httpx.WSGITransport(app=app)
    base = "http://localhost"
    spec = app.test_client().get("/openapi.json").get_json()
    flow = spec["components"]["securitySchemes"]["oauth2"]["flows"]["authorizationCode"]
    assert "goals:read" in flow["scopes"]
    goal_id = world.fresh_goal("Cook dinner twice a week")

    def as_person(actor):
        return rapport_client.AuthenticatedClient(base_url=base, token=actor.token,
                                                  httpx_args={"transport": transport})

    models = importlib.import_module("rapport_client.models")

    # 1. The agency admin registers the app (generated operation, typed body).
    create = _api("oauth_apps.post_api_v1_agencies_agency_id_oauth_clients")
    made = create.sync(client=as_person(world["admin_a"]), agency_id=world.agency_a,
                       body=models.OAuthClientCreate(name="Recovery Journal",
                                                     redirect_uris=[REDIRECT],
                                                     scope="goals:read"))
    assert isinstance(made, models.NewOAuthClient), made
    client_id = made.client_id

    # 2. The person's consent screen (the generated consent operations).
    verifier, challenge = pkce_pair()
    request = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
               "scope": "goals:read", "state": "s-1", "code_challenge": challenge,
               "code_challenge_method": "S256"}
    ask = _api("oauth_apps.get_api_v1_oauth_authorization")
    asked = ask.sync(client=as_person(world["peer_a"]), **{
        **request, "response_type": models.GetApiV1OauthAuthorizationResponseType("code"),
        "code_challenge_method": models.GetApiV1OauthAuthorizationCodeChallengeMethod("S256")})
    assert asked.app.name == "Recovery Journal"
    decide = _api("oauth_apps.post_api_v1_oauth_authorization")
    answer = decide.sync(client=as_person(world["peer_a"]),
                         body=models.AuthorizationDecision.from_dict({**request,
                                                                      "approve": True}))
    query = parse_qs(urlsplit(answer.redirect_to).query)
    assert query["state"] == ["s-1"]

    # 3. The app trades the code at the spec's tokenUrl (RFC 6749 form, PKCE verifier).
    with httpx.Client(transport=transport, base_url=base) as http:
        token_url = flow["tokenUrl"]
        tokens = http.post(token_url, content=urlencode({
            "grant_type": "authorization_code", "code": query["code"][0],
            "redirect_uri": REDIRECT, "client_id": client_id, "code_verifier": verifier}),
            headers={"Content-Type": "application/x-www-form-urlencoded"}).json()
    assert tokens["scope"] == "goals:read"

    # 4. The app reads the goal with the generated client and its typed model.
    as_app = rapport_client.AuthenticatedClient(base_url=base, token=tokens["access_token"],
                                                httpx_args={"transport": transport})
    read = _api("goals.get_api_v1_goals_goal_id").sync_detailed(client=as_app, goal_id=goal_id)
    assert read.status_code == 200, read.content
    assert read.parsed.title == "Cook dinner twice a week"
    assert str(read.parsed.partnership_id) == world.partnership_a
    # What the scope does not cover stays shut, even to a generated client.
    export = _api("me.get_api_v1_me_export").sync_detailed(client=as_app)
    assert export.status_code == 403
