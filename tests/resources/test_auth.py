"""Registering, signing in and out, passwords, brute-force limits, cookies and CSRF."""

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import redis
from argon2 import PasswordHasher
from sqlalchemy import func, select

from api import counters
from api.extensions import db
from api.lib import passwords
from api.models import AuditEvent, AuthSession, User
from api.services.accounts import devices, throttle
from api.services.accounts.sessions import token_hash
from tests.conftest import RUN_PREFIX
from tests.factories import PASSWORD, unique
from tests.helpers import assert_problem


def register(client, **overrides):
    body = {"email": f"{unique('w')}@example.org", "password": "slow river under stars",
            "display_name": "Sam", **overrides}
    return client.post("/api/v1/auth/register", json=body), body


def sign_in(client, **credentials):
    return client.post("/api/v1/auth/token", json=credentials)


# --- registering ------------------------------------------------------------------------

def test_register_creates_a_worker_and_never_echoes_the_password(client, app):
    response, body = register(client, email=f"Sam.{unique('J')}@Example.ORG")
    assert response.status_code == 201
    user = response.get_json()
    assert set(user) == {"id", "role", "email", "username", "display_name", "agency_id",
                         "created_at"}
    assert user["role"] == "worker" and user["email"] == body["email"].lower()
    assert user["created_at"].endswith("Z")
    with app.app_context():
        stored = db.session.get(User, uuid.UUID(user["id"]))
        assert stored.password_hash.startswith("$argon2id$")
        assert body["password"] not in stored.password_hash


def test_argon2id_parameters_meet_the_minimum(app):
    params = re.search(r"m=(\d+),t=(\d+),p=(\d+)", passwords.hash_password("a long passphrase"))
    memory_kib, time_cost, lanes = map(int, params.groups())
    assert memory_kib >= 19 * 1024 and time_cost >= 2 and lanes == 1


@pytest.mark.parametrize(("password", "reason"), [
    ("short", "at least 8"),
    ("x" * 129, "at most 128"),
    ("password123", "too common"),
    ("Password123", "too common"),     # case does not make a common password safe
    ("iloveyou", "too common"),
])
def test_weak_passwords_are_refused(client, password, reason):
    response, _ = register(client, password=password)
    problem = assert_problem(response, 422)
    assert "password" in problem["errors"]
    if len(password) >= 8 and len(password) <= 128:
        assert reason in problem["errors"]["password"][0]


def test_sixty_four_character_passphrases_are_fine(client):
    response, _ = register(client, password="correct horse battery staple " * 2 + "abcdefg")
    assert response.status_code == 201


def test_the_common_password_list_is_real():
    assert len(passwords.common_passwords()) >= 1000
    assert {"password", "12345678", "qwertyuiop"} & passwords.common_passwords()


def test_duplicate_email_is_409_and_changes_nothing(client, app):
    first, body = register(client)
    again, _ = register(client, email=body["email"].upper(), display_name="Other")
    assert_problem(again, 409)
    with app.app_context():
        assert db.session.scalars(select(User).where(User.email == body["email"])).all()


@pytest.mark.parametrize("extra", [{"role": "agency_admin"}, {"id": "x"}, {"agency_id": "x"}])
def test_read_only_fields_are_422(client, extra):
    response, body = register(client, **extra)
    assert next(iter(extra)) in assert_problem(response, 422)["errors"]
    assert sign_in(client, email=body["email"], password=body["password"]).status_code == 401


def test_agency_join_code_puts_the_worker_in_the_agency(client, world):
    admin = world["admin_a"]
    code = client.post(f"/api/v1/agencies/{world.agency_a}/join-codes", json={},
                       headers=admin.headers).get_json()["code"]
    response, _ = register(client, agency_code=code.lower().replace("-", ""))
    assert response.get_json()["agency_id"] == world.agency_a
    bad, _ = register(client, agency_code="ZZZZ-ZZZZ-ZZZZ")
    assert "agency_code" in assert_problem(bad, 422)["errors"]


# --- sessions ---------------------------------------------------------------------------

def test_sign_in_gives_a_256_bit_token_stored_only_as_a_hash(client, app, worker):
    response = sign_in(client, **worker.credentials)
    assert response.status_code == 201
    body = response.get_json()
    token = body["token"]
    assert len(token) >= 43  # 32 random bytes, base64url
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert expires > datetime.now(UTC) + timedelta(days=1)
    with app.app_context():
        hashes = db.session.scalars(select(AuthSession.token_hash)).all()
        assert token_hash(token) in hashes and token not in hashes
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["id"] == worker.id


def test_peers_sign_in_with_a_username(client, world):
    peer = world["peer_a"]
    response = sign_in(client, username=peer.username.upper(), password=peer.password)
    assert response.status_code == 201


def test_sign_in_needs_exactly_one_identifier(client, worker):
    assert_problem(sign_in(client, password=PASSWORD), 422)
    assert_problem(sign_in(client, email=worker.email, username="someone",
                           password=PASSWORD), 422)


def test_sign_out_revokes_the_token_at_once(client, worker):
    assert client.delete("/api/v1/auth/token", headers=worker.headers).status_code == 204
    assert_problem(client.get("/api/v1/me", headers=worker.headers), 401)
    assert_problem(client.delete("/api/v1/auth/token", headers=worker.headers), 401)


def test_expired_sessions_do_not_work(client, app, worker):
    with app.app_context():
        session = db.session.scalar(
            select(AuthSession).where(AuthSession.token_hash == token_hash(worker.token)))
        session.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    response = client.get("/api/v1/me", headers=worker.headers)
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert_problem(response, 401)


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic abc", "Token abc",
                                    "Bearer " + "x" * 500])
def test_malformed_authorization_is_401(client, header):
    assert_problem(client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_password_is_rehashed_when_the_parameters_change(client, app, worker):
    weaker = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with app.app_context():
        user = db.session.get(User, uuid.UUID(worker.id))
        user.password_hash = weaker.hash(passwords.normalise(worker.password))
        db.session.commit()
    assert sign_in(client, **worker.credentials).status_code == 201
    with app.app_context():
        user = db.session.get(User, uuid.UUID(worker.id))
        assert not passwords.needs_rehash(user.password_hash)
        assert "m=19456,t=2,p=1" in user.password_hash


# --- guessing: OWASP device tokens, growing delays, per-address limits -------------------

def test_five_failures_hold_back_unknown_clients_for_a_while(client, worker):
    for _ in range(5):
        assert_problem(sign_in(client, email=worker.email, password="wrong password!"), 401)
    locked = sign_in(client, **worker.credentials)  # even the right password waits
    assert_problem(locked, 429)
    assert 0 < int(locked.headers["Retry-After"]) <= 15 * 60


def test_the_wait_grows_with_more_failures(app):
    """5 failures in 15 minutes wait out the 15 minutes, 10 in an hour the hour, 20 a day."""
    account = f"email:{unique('someone')}@example.org"
    quarter, hour, _ = throttle.ACCOUNT.items
    with app.test_request_context():
        scoped = throttle._scoped(throttle.ACCOUNT, account)

        def fail(times: int, *, time_passes_for=()):
            for _ in range(times):
                for item in time_passes_for:  # as if that window had ended meanwhile
                    counters.of().shared.storage.clear(item.key_for(scoped))
                throttle.count(throttle.ACCOUNT, account)

        fail(5)
        waits = [throttle.retry_after(throttle.ACCOUNT, account)]
        fail(5, time_passes_for=[quarter])
        waits.append(throttle.retry_after(throttle.ACCOUNT, account))
        fail(10, time_passes_for=[quarter, hour])
        waits.append(throttle.retry_after(throttle.ACCOUNT, account))
    assert 0 < waits[0] <= 15 * 60 < waits[1] <= 3600 < waits[2] <= 24 * 3600


def test_a_sign_in_hands_over_a_device_token_for_that_account_only(client, world):
    worker, peer = world["worker_a"], world["peer_a"]
    first = sign_in(client, **worker.credentials).get_json()
    assert len(first["device_token"]) > 40
    with client.application.test_request_context():
        assert devices.recognise(first["device_token"], uuid.UUID(worker.id))
        assert devices.recognise(first["device_token"], uuid.UUID(peer.id)) is None
        assert devices.recognise(first["device_token"][:-2] + "xx", uuid.UUID(worker.id)) is None


def test_a_device_token_for_another_account_buys_nothing(client, world):
    worker, peer = world["worker_a"], world["peer_a"]
    peers_device = sign_in(client, username=peer.username,
                           password=peer.password).get_json()["device_token"]
    for _ in range(5):
        sign_in(client, email=worker.email, password="wrong password!")
    assert_problem(sign_in(client, **worker.credentials, device_token=peers_device), 429)


def test_a_known_device_has_an_allowance_of_its_own(client, worker):
    device_token = sign_in(client, **worker.credentials).get_json()["device_token"]
    for _ in range(5):
        assert_problem(sign_in(client, email=worker.email, password="wrong password!",
                               device_token=device_token), 401)
    # Its failures did not count against the account: an unknown client is not held back...
    assert sign_in(client, **worker.credentials).status_code == 201
    # ...and past its allowance the device counts as unknown, so its guesses now do.
    for _ in range(5):
        assert_problem(sign_in(client, email=worker.email, password="wrong password!",
                               device_token=device_token), 401)
    assert_problem(sign_in(client, **worker.credentials, device_token=device_token), 429)


def test_mass_guessing_from_one_address_is_stopped(client, worker, app):
    address = "203.0.113.10"
    with app.test_request_context():
        for _ in range(100):
            throttle.count(throttle.ADDRESS, address)
    refused = client.post("/api/v1/auth/token", environ_base={"REMOTE_ADDR": address},
                          json=worker.credentials)
    assert_problem(refused, 429)
    # A device that signed in before is not held back by its address.
    device_token = sign_in(client, **worker.credentials).get_json()["device_token"]
    known = client.post("/api/v1/auth/token", environ_base={"REMOTE_ADDR": address},
                        json={**worker.credentials, "device_token": device_token})
    assert known.status_code == 201


def test_successful_sign_ins_are_never_limited(client, worker):
    for _ in range(8):
        assert sign_in(client, **worker.credentials).status_code == 201


def test_a_refused_sign_in_writes_no_audit_row(client, app, worker):
    for _ in range(5):
        sign_in(client, email=worker.email, password="wrong password!")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for _ in range(20):
        assert_problem(sign_in(client, email=worker.email, password="wrong password!"), 429)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


REDIS_URI = os.environ.get("TEST_RATELIMIT_STORAGE_URI", "")


@pytest.mark.skipif(not REDIS_URI.startswith("redis"),
                    reason="needs Redis: CI sets TEST_RATELIMIT_STORAGE_URI on its second run")
def test_failures_are_counted_in_redis_where_every_process_sees_them(client, app, worker):
    sign_in(client, email=worker.email, password="wrong password!")
    keys = redis.Redis.from_url(REDIS_URI).keys(f"*{RUN_PREFIX}:login-account:*")
    with app.test_request_context():
        counted = throttle._scoped(throttle.ACCOUNT, f"email:{worker.email}")
    assert any(counted.encode() in key for key in keys)
    # Counters name no one: no email (or address) is written into the storage.
    assert not any(worker.email.encode() in key for key in keys)


def test_unknown_email_looks_exactly_like_a_wrong_password(client, worker):
    with mock.patch.object(passwords, "HASHER", wraps=passwords.HASHER) as hasher:
        unknown = sign_in(client, email=f"{unique('ghost')}@example.org", password="whatever1")
        wrong = sign_in(client, email=worker.email, password="whatever1")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()
    # The same argon2 work for both, so timing does not tell which emails have accounts.
    assert hasher.verify.call_count == 2


# --- the web app's cookie, and CSRF -----------------------------------------------------

def set_cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_cookie_sessions_are_host_only_secure_httponly_strict_and_hold_nothing_in_the_body(
        client, worker):
    response = sign_in(client, **worker.credentials, use_cookie=True)
    assert "token" not in response.get_json() and "device_token" not in response.get_json()
    cookies = set_cookies(response)
    assert set(cookies) == {"__Host-rapport_session", "__Host-rapport_device"}
    for cookie in cookies.values():
        # Secure even over plain http: browsers keep such cookies on localhost and
        # 127.0.0.1, and a TLS proxy in front (PROXY_HOPS or not) gets them right.
        for part in ("HttpOnly", "SameSite=Strict", "Path=/", "Secure"):
            assert part in cookie
        assert "Domain=" not in cookie
    assert client.get("/api/v1/me").get_json()["id"] == worker.id


def test_the_web_apps_device_cookie_is_read_at_sign_in(client, worker):
    sign_in(client, **worker.credentials, use_cookie=True)
    for _ in range(5):
        client.post("/api/v1/auth/token", environ_base={"REMOTE_ADDR": "198.51.100.77"},
                    json={"email": worker.email, "password": "a wrong guess"})
    assert sign_in(client, **worker.credentials, use_cookie=True).status_code == 201


def test_cookies_drop_the_host_prefix_only_when_asked_not_to_be_secure(make_app, worker):
    plain = make_app(COOKIE_SECURE=False).test_client()
    response = plain.post("/api/v1/auth/token", json={**worker.credentials, "use_cookie": True})
    cookies = set_cookies(response)
    assert set(cookies) == {"rapport_session", "rapport_device"}
    assert all("Secure" not in cookie for cookie in cookies.values())
    assert plain.get("/api/v1/me").status_code == 200


def test_a_session_left_unused_ends(client, app, worker):
    with app.app_context():
        session = db.session.scalar(select(AuthSession).where(
            AuthSession.token_hash == token_hash(worker.token)))
        session.last_seen_at -= app.config["SESSION_IDLE"] - timedelta(minutes=1)
        db.session.commit()
    assert client.get("/api/v1/me", headers=worker.headers).status_code == 200  # moved on
    with app.app_context():
        session = db.session.scalar(select(AuthSession).where(
            AuthSession.token_hash == token_hash(worker.token)))
        assert datetime.now(UTC) - session.last_seen_at < timedelta(minutes=1)
        session.last_seen_at -= app.config["SESSION_IDLE"]
        db.session.commit()
    assert_problem(client.get("/api/v1/me", headers=worker.headers), 401)


def test_cookies_are_secure_over_https(client, worker):
    response = client.post("/api/v1/auth/token", base_url="https://localhost",
                           json={**worker.credentials, "use_cookie": True})
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cookie_writes_must_be_json_or_carry_a_custom_header(client, worker):
    sign_in(client, **worker.credentials, use_cookie=True)
    # What a cross-site form could send: no JSON, no custom header.
    assert_problem(client.delete("/api/v1/auth/token"), 403)
    assert client.get("/api/v1/me").status_code == 200
    ok = client.delete("/api/v1/auth/token", headers={"X-Requested-With": "rapport"})
    assert ok.status_code == 204
    assert "__Host-rapport_session=;" in ok.headers["Set-Cookie"]  # cleared
    assert_problem(client.get("/api/v1/me"), 401)


CLEAR_SITE_DATA = '"cache", "storage"'


@pytest.mark.parametrize("url", ["/api/v1/auth/token", "/api/v1/me"])
@pytest.mark.parametrize("how", [{"json": {}}, {"headers": {"X-Requested-With": "rapport"}}],
                         ids=["json", "x-requested-with"])
def test_ending_a_cookie_session_clears_the_browsers_site_data(client, worker, url, how):
    assert sign_in(client, **worker.credentials, use_cookie=True).status_code == 201
    response = client.delete(url, **how)
    assert response.status_code == 204
    assert response.headers["Clear-Site-Data"] == CLEAR_SITE_DATA
    assert "__Host-rapport_session=;" in response.headers["Set-Cookie"]
    assert client.get_cookie("__Host-rapport_session") is None
    assert_problem(client.get("/api/v1/me"), 401)
    # The device cookie names no one: it stays after signing out, goes with the account.
    erased = url == "/api/v1/me"
    assert (client.get_cookie("__Host-rapport_device") is None) == erased


@pytest.mark.parametrize("url", ["/api/v1/auth/token", "/api/v1/me"])
def test_ending_a_bearer_session_leaves_the_browser_alone(client, worker, url):
    # An integrator's script may run in a browser that also holds the web app's data.
    response = client.delete(url, headers=worker.headers)
    assert response.status_code == 204
    assert "Clear-Site-Data" not in response.headers
    assert_problem(client.get("/api/v1/me", headers=worker.headers), 401)


def test_a_refused_cookie_sign_out_clears_nothing(client, worker):
    sign_in(client, **worker.credentials, use_cookie=True)
    refused = client.delete("/api/v1/auth/token")  # neither JSON nor X-Requested-With
    assert_problem(refused, 403)
    assert "Clear-Site-Data" not in refused.headers
    assert client.get("/api/v1/me").status_code == 200


def test_a_form_post_with_a_cookie_is_refused(client, worker):
    sign_in(client, **worker.credentials, use_cookie=True)
    response = client.post("/api/v1/invites", data="x=1",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (403, 415)


# --- security headers on every response -------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/tips", "/api/v1/me", "/nope", "/", "/docs",
                                 "/css/app.css", "/openapi.json"])
def test_security_headers_everywhere(client, url):
    with client.get(url) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] in ("'self'", "'none'")
    assert "'unsafe-inline'" not in directives.get("script-src", directives["default-src"])
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers  # only over HTTPS


@pytest.mark.parametrize("name", ["   ", "\t", " \u3000 "])
def test_blank_display_names_are_refused(client, name):
    response, _ = register(client, display_name=name)
    assert "display_name" in assert_problem(response, 422)["errors"]


def test_display_names_are_trimmed(client):
    response, _ = register(client, display_name="  Sam  ")
    assert response.get_json()["display_name"] == "Sam"
