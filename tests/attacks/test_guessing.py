"""Attacks on sign-in and on everything else that can be guessed, replayed.

- Anyone could lock a chosen person out: the failure limit was checked before the password,
  so ~10 wrong guesses every 15 minutes kept the victim out for ever, from any address.
- One address locked out everyone behind it: 5 failures from an agency office or a phone
  carrier's shared address blocked every other person there, right password or not.
- IPv6 callers dodged per-address limits by rotating inside their /64.
- `PATCH /me` password guesses were unlimited; sign-ups per address were unlimited (fake
  accounts were free); a taken username at invite accept was an unlimited probe; agency join
  codes could be guessed without limit.
"""

import pytest

from api.lib.addresses import client_address
from api.services.accounts import throttle
from tests.factories import PASSWORD, unique
from tests.helpers import assert_problem


def sign_in(client, address="127.0.0.1", **body):
    return client.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": address})


def test_guesses_from_anywhere_never_lock_a_person_out_of_their_own_phone(client, worker):
    phone = sign_in(client, **worker.credentials).get_json()["device_token"]
    for n in range(40):  # two and a half hours of the old attack, from many addresses
        guess = sign_in(client, f"198.51.100.{n}", email=worker.email, password=f"guess {n}!")
        assert guess.status_code in (401, 429)
    assert_problem(sign_in(client, **worker.credentials), 429)  # an unknown client waits
    assert sign_in(client, **worker.credentials, device_token=phone).status_code == 201


def test_one_shared_address_does_not_lock_out_everyone_behind_it(client, world):
    office = "203.0.113.9"
    for _ in range(20):  # someone at the office mistypes, or tries other people's emails
        sign_in(client, office, email=f"{unique('nobody')}@example.org", password="not it!")
    for person in ("worker_a", "worker_b", "admin_a"):
        assert sign_in(client, office, **world[person].credentials).status_code == 201


def test_ipv6_callers_cannot_dodge_limits_by_rotating_inside_their_64(client, app):
    with app.test_request_context():
        for n in range(throttle.ADDRESS.items[0].amount):
            throttle.count(throttle.ADDRESS, client_address(f"2001:db8:1:2::{n:x}"))
    rotated = sign_in(client, "2001:db8:1:2:ffff:1:2:3", email="a@example.org", password="no!")
    assert_problem(rotated, 429)
    neighbour = sign_in(client, "2001:db8:1:3::1", email="a@example.org", password="no!")
    assert_problem(neighbour, 401)


def test_ipv6_counts_by_64_for_codes_too(client):
    body = {"display_name": "P", "username": unique("p"), "password": PASSWORD}
    for n in range(10):
        assert_problem(client.post(f"/api/v1/invites/ZZZZ-{n:04d}/accept", json=body,
                                   environ_base={"REMOTE_ADDR": f"2001:db8:9:9::{n + 1:x}"}), 404)
    rotated = client.post("/api/v1/invites/ZZZZ-0000/accept", json=body,
                          environ_base={"REMOTE_ADDR": "2001:db8:9:9:abcd::1"})
    assert_problem(rotated, 429)


def test_a_held_session_cannot_guess_the_password_behind_it(client, worker):
    for n in range(5):
        wrong = client.patch("/api/v1/me", headers=worker.headers, json={
            "current_password": f"guess number {n}", "password": "a brand new passphrase"})
        assert_problem(wrong, 403)
    right = client.patch("/api/v1/me", headers=worker.headers, json={
        "current_password": PASSWORD, "password": "a brand new passphrase"})
    assert_problem(right, 429)
    # A new display name needs no password: still allowed.
    assert client.patch("/api/v1/me", headers=worker.headers,
                        json={"display_name": "Sam"}).status_code == 200


def test_fake_accounts_are_not_free(client):
    made = []
    for _ in range(31):
        made.append(client.post("/api/v1/auth/register", json={
            "email": f"{unique('fake')}@example.org", "password": PASSWORD,
            "display_name": "Fake"}).status_code)
    assert made == [201] * 30 + [429]


def test_peer_accounts_count_as_accounts_too(client, world):
    codes = [world.fresh_invite() for _ in range(31)]
    made = [client.post(f"/api/v1/invites/{code}/accept", json={
        "display_name": "Fake", "username": unique("fake"), "password": PASSWORD}).status_code
        for code in codes]
    assert made == [201] * 30 + [429]


def test_taken_usernames_cannot_be_probed_without_limit(client, world):
    taken = world["peer_b"].username
    answers = [client.post(f"/api/v1/invites/{world.fresh_invite()}/accept", json={
        "display_name": "Probe", "username": taken, "password": PASSWORD}).status_code
        for _ in range(11)]
    assert answers == [409] * 10 + [429]


@pytest.mark.parametrize("attempts", [11])
def test_agency_join_codes_cannot_be_guessed_without_limit(client, attempts):
    answers = [client.post("/api/v1/auth/register", json={
        "email": f"{unique('w')}@example.org", "password": PASSWORD, "display_name": "W",
        "agency_code": f"GUESS-{n:04d}-AB"}).status_code for n in range(attempts)]
    assert answers == [422] * 10 + [429]


def test_the_counter_storage_names_no_one(app, make_app, tmp_path, worker):
    """Emails, usernames and addresses typed at sign-in were kept in plain text for a day;
    an erased person's username stayed there too."""
    store = tmp_path / "limits.db"
    client = make_app(RATELIMIT_STORAGE_URI=f"sqlite:///{store}").test_client()
    for body in ({"email": worker.email, "password": "wrong guess!"},
                 {"username": "someone.secret", "password": "wrong guess!"}):
        client.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": "203.0.113.77"})
    held = b"".join(path.read_bytes() for path in tmp_path.glob("limits.db*"))
    assert b"login-account" in held  # the counts are there...
    for secret in (worker.email.encode(), b"someone.secret", b"203.0.113.77"):
        assert secret not in held  # ...and nothing that names anyone
