"""Agency B's admin against agency A's webhooks: nothing of A's can be seen, changed, rotated,
replayed, tested or deleted (404, as if it did not exist), A's apps cannot be borrowed, and
A's endpoint is exactly as it was afterwards."""

import pytest

from tests.webhooks.conftest import make_app_client, register


@pytest.fixture
def a_hook(client, world):
    hook = register(client, world["admin_a"], world.agency_a, "http://127.0.0.1:9/a",
                    ["content.published"], description="A's")
    sent = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks/{hook['id']}/test",
                       headers=world["admin_a"].headers).get_json()
    return hook, sent


def test_another_agencys_admin_finds_nothing_of_its_webhooks(app, client, world, a_hook):
    hook, sent = a_hook
    attacker = world["admin_b"].headers
    base_a = f"/api/v1/agencies/{world.agency_a}/webhooks"
    # Through A's own paths.
    attempts = [
        ("get", base_a, None), ("post", base_a, {"url": "http://127.0.0.1:9/evil",
                                                 "event_types": ["content.published"]}),
        ("get", f"{base_a}/{hook['id']}", None),
        ("patch", f"{base_a}/{hook['id']}", {"url": "http://127.0.0.1:9/evil"}),
        ("delete", f"{base_a}/{hook['id']}", None),
        ("post", f"{base_a}/{hook['id']}/rotate-secret", None),
        ("get", f"{base_a}/{hook['id']}/deliveries", None),
        ("post", f"{base_a}/{hook['id']}/deliveries/{sent['id']}/replay", None),
        ("post", f"{base_a}/{hook['id']}/test", None),
    ]
    # And through B's own agency, naming A's ids.
    base_b = f"/api/v1/agencies/{world.agency_b}/webhooks"
    attempts += [
        ("get", f"{base_b}/{hook['id']}", None),
        ("patch", f"{base_b}/{hook['id']}", {"enabled": True}),
        ("delete", f"{base_b}/{hook['id']}", None),
        ("post", f"{base_b}/{hook['id']}/rotate-secret", None),
        ("get", f"{base_b}/{hook['id']}/deliveries", None),
        ("post", f"{base_b}/{hook['id']}/deliveries/{sent['id']}/replay", None),
        ("post", f"{base_b}/{hook['id']}/test", None),
    ]
    for method, path, body in attempts:
        answer = getattr(client, method)(path, headers=attacker, json=body)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert hook["id"] not in answer.get_data(as_text=True)
    # A's endpoint is unchanged, its one message still the only one, sent once.
    mine = client.get(f"{base_a}/{hook['id']}", headers=world["admin_a"].headers).get_json()
    assert (mine["url"], mine["description"], mine["previous_secret_until"]) == (
        "http://127.0.0.1:9/a", "A's", None)
    log = client.get(f"{base_a}/{hook['id']}/deliveries",
                     headers=world["admin_a"].headers).get_json()
    assert [row["id"] for row in log] == [sent["id"]]


def test_another_agencys_app_cannot_be_borrowed(app, client, world):
    """An endpoint for A's app would hear about A's people who granted it: B may not."""
    app_of_a = make_app_client(app, world.agency_a)
    answer = client.post(f"/api/v1/agencies/{world.agency_b}/webhooks",
                         headers=world["admin_b"].headers,
                         json={"url": "http://127.0.0.1:9/b", "client_id": app_of_a,
                               "event_types": ["goal.achieved"]})
    assert answer.status_code == 422
    assert "client_id" in answer.get_json()["errors"]


def test_workers_and_peers_may_not_register_webhooks(client, world):
    for name in ("worker_a", "peer_a"):
        answer = client.post(f"/api/v1/agencies/{world.agency_a}/webhooks",
                             headers=world[name].headers,
                             json={"url": "http://127.0.0.1:9/w",
                                   "event_types": ["content.published"]})
        assert answer.status_code == 403
    assert client.get(f"/api/v1/agencies/{world.agency_a}/webhooks").status_code == 401
