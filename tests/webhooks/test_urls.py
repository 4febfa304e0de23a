"""Only public https addresses: no plain http, no user names, nothing on loopback, private,
link-local (cloud metadata) or reserved networks, however the address is written. Refused
with 422, in the caller's language, and nothing is saved."""

import pytest

from tests.helpers import assert_problem

REFUSED = {
    "http://hooks.example.org/x": "Use an https:// address.",
    "ftp://hooks.example.org/x": "Use an https:// address.",
    "https://user:pw@hooks.example.org/x": "The address may not hold a user name or password.",
    "https://127.0.0.1/x": "This address points inside a private network. Use a public address.",
    "https://localhost:8443/x": (
        "This address points inside a private network. Use a public address."),
    "https://10.1.2.3/x": "This address points inside a private network. Use a public address.",
    "https://192.168.0.10/x": (
        "This address points inside a private network. Use a public address."),
    "https://169.254.169.254/latest/meta-data/": (
        "This address points inside a private network. Use a public address."),
    "https://[::1]/x": "This address points inside a private network. Use a public address.",
    "https://[::ffff:127.0.0.1]/x": (
        "This address points inside a private network. Use a public address."),
    "https://2130706433/x": "This address points inside a private network. Use a public address.",
    "https://100.64.0.1/x": "This address points inside a private network. Use a public address.",
    "https://0.0.0.0/x": "This address points inside a private network. Use a public address.",
    "https://hooks.example.org\\@127.0.0.1/x": "This is not a web address.",
}


@pytest.fixture(scope="module")
def production(make_app):
    """An app as in production: WEBHOOK_ALLOW_HTTP off."""
    return make_app(WEBHOOK_ALLOW_HTTP=False)


@pytest.mark.parametrize("url", sorted(REFUSED))
def test_unsafe_addresses_are_refused_in_both_languages(production, world, url):
    client = production.test_client()
    admin = world["admin_a"]
    path = f"/api/v1/agencies/{world.agency_a}/webhooks"
    body = assert_problem(client.post(path, headers=admin.headers, json={
        "url": url, "event_types": ["content.published"]}), 422)
    assert body["errors"]["url"] == [REFUSED[url]]
    spanish = assert_problem(client.post(path, headers={**admin.headers, "Accept-Language": "es"},
                                         json={"url": url, "event_types": ["content.published"]}),
                             422)
    assert spanish["errors"]["url"][0] != REFUSED[url]
    assert client.get(path, headers=admin.headers).get_json() == []


def test_a_url_changed_to_a_private_address_is_refused(production, world, monkeypatch):
    client = production.test_client()
    admin = world["admin_a"]
    # A public literal address passes without any lookup.
    made = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks", headers=admin.headers,
                       json={"url": "https://93.184.215.14/hooks",
                             "event_types": ["content.published"]})
    assert made.status_code == 201, made.get_json()
    answer = client.patch(f"/api/v1/agencies/{world.agency_a}/webhooks/{made.get_json()['id']}",
                          headers=admin.headers, json={"url": "https://10.0.0.5/hooks"})
    assert assert_problem(answer, 422)["errors"]["url"]


def test_http_to_loopback_is_only_for_tests(client, world):
    """The test app (WEBHOOK_ALLOW_HTTP on) takes http://127.0.0.1, but still not http to
    anywhere else."""
    admin = world["admin_a"]
    path = f"/api/v1/agencies/{world.agency_a}/webhooks"
    assert client.post(path, headers=admin.headers, json={
        "url": "http://127.0.0.1:9/x", "event_types": ["content.published"]}).status_code == 201
    assert client.post(path, headers=admin.headers, json={
        "url": "http://hooks.example.org/x",
        "event_types": ["content.published"]}).status_code == 422
