"""Invite edge cases: racing phones, and a dead token at the door."""

import threading

from tests.factories import unique


def test_an_invite_is_used_once_even_when_two_peers_race(app, world):
    code = world.fresh_invite("worker_b")
    barrier = threading.Barrier(4)
    statuses = []

    def accept():
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/invites/{code}/accept", json={
            "display_name": "Racer", "username": unique("race"),
            "password": "four swift ponies racing"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201, 404, 404, 404]
    partnerships = app.test_client().get(
        "/api/v1/partnerships", headers=world["worker_b"].headers).get_json()
    assert len(partnerships) == 2  # the one from the world, and exactly one new


def test_accepting_with_a_dead_token_is_401_not_a_new_account(client, world):
    code = world.fresh_invite("worker_a")
    response = client.post(f"/api/v1/invites/{code}/accept", headers={
        "Authorization": "Bearer expired-or-made-up"}, json={
        "display_name": "Alex", "username": unique("alex"), "password": "four swift ponies"})
    assert response.status_code == 401
    # The invite is still there for the real sign-in.
    assert client.post(f"/api/v1/invites/{code}/accept", headers=world["peer_b"].headers,
                       json={}).status_code == 201
