"""Goals, milestones, check-ins and celebrations: safe edits, safe retries, members only."""

import hashlib
import json
import threading
import uuid
from urllib.parse import urlsplit

import pytest

from api.extensions import db
from api.models import IdempotencyRecord
from tests.helpers import assert_problem


@pytest.fixture
def goal(client, world):
    """A goal in partnership A, as its creation response."""
    response = client.post(f"/api/v1/partnerships/{world.partnership_a}/goals",
                           json={"title": "Walk every morning", "why": "Clear head"},
                           headers=world["worker_a"].headers)
    assert response.status_code == 201
    return response


def goal_url(goal) -> str:
    return goal.headers["Location"]


# --- goals and If-Match -----------------------------------------------------------------

def test_creating_a_goal_gives_location_etag_and_version(client, world, goal):
    body = goal.get_json()
    assert goal.headers["ETag"] == f'"v{body["version"]}"'
    assert body["status"] == "active" and body["created_by"] == world["worker_a"].id
    again = client.get(goal_url(goal), headers=world["peer_a"].headers)
    assert again.get_json() == body and again.headers["ETag"] == goal.headers["ETag"]
    assert again.cache_control.no_store
    not_modified = client.get(goal_url(goal), headers={
        **world["peer_a"].headers, "If-None-Match": goal.headers["ETag"]})
    assert not_modified.status_code == 304


def test_edits_need_if_match(client, world, goal):
    peer = world["peer_a"].headers
    assert_problem(client.patch(goal_url(goal), json={"title": "Run"}, headers=peer), 428)
    assert_problem(client.delete(goal_url(goal), headers=peer), 428)
    stale = client.patch(goal_url(goal), json={"title": "Run"},
                         headers={**peer, "If-Match": '"v999"'})
    assert_problem(stale, 412)
    assert client.get(goal_url(goal), headers=peer).get_json()["title"] == "Walk every morning"


def test_two_edits_from_the_same_version_one_wins(client, world, goal):
    etag = goal.headers["ETag"]
    first = client.patch(goal_url(goal), json={"title": "Walk at dawn"},
                         headers={**world["worker_a"].headers, "If-Match": etag})
    second = client.patch(goal_url(goal), json={"title": "Walk at dusk"},
                          headers={**world["peer_a"].headers, "If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    assert_problem(second, 412)
    assert client.get(goal_url(goal), headers=world["peer_a"].headers).get_json()[
        "title"] == "Walk at dawn"


def test_concurrent_edits_with_one_etag_give_one_200_and_one_412(app, world, goal):
    etag, url = goal.headers["ETag"], goal_url(goal)
    barrier, statuses = threading.Barrier(2), []

    def edit(actor, title):
        client = app.test_client()
        barrier.wait()
        statuses.append(client.patch(url, json={"title": title},
                                     headers={**world[actor].headers, "If-Match": etag})
                        .status_code)

    threads = [threading.Thread(target=edit, args=(a, t))
               for a, t in (("worker_a", "A"), ("peer_a", "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]


@pytest.mark.parametrize(("body", "field"), [
    ({"status": "finished"}, "status"), ({"target_date": "next week"}, "target_date"),
    ({"title": ""}, "title"), ({"title": "   "}, "title"), ({"why": "x" * 2001}, "why"),
    ({"created_by": str(uuid.uuid4())}, "created_by"), ({"partnership_id": "x"}, "partnership_id"),
    ({"title": "nul\x00"}, "title"),
])
def test_bad_goal_edits_are_422_and_change_nothing(client, world, goal, body, field):
    headers = {**world["peer_a"].headers, "If-Match": "*"}
    assert field in assert_problem(client.patch(goal_url(goal), json=body, headers=headers),
                                   422)["errors"]
    after = client.get(goal_url(goal), headers=headers).get_json()
    assert after == goal.get_json()


def test_another_partnerships_goal_is_404(client, world, goal):
    for actor in ("worker_b", "peer_b"):
        headers = {**world[actor].headers, "If-Match": "*"}
        assert_problem(client.get(goal_url(goal), headers=headers), 404)
        assert_problem(client.patch(goal_url(goal), json={"title": "x"}, headers=headers), 404)
        assert_problem(client.post(goal_url(goal) + "/checkins", json={"progress": 1},
                                   headers=headers), 404)


def test_an_ended_partnership_is_read_only(client, world, goal):
    worker = world["worker_a"].headers
    client.patch(f"/api/v1/partnerships/{world.partnership_a}", json={"status": "ended"},
                 headers=worker)
    anything = {**worker, "If-Match": "*"}
    assert_problem(client.patch(goal_url(goal), json={"title": "x"}, headers=anything), 409)
    assert_problem(client.post(goal_url(goal) + "/checkins", json={"progress": 3},
                               headers=worker), 409)
    assert_problem(client.post(f"/api/v1/partnerships/{world.partnership_a}/goals",
                               json={"title": "New"}, headers=worker), 409)
    assert client.get(goal_url(goal), headers=worker).status_code == 200


# --- milestones and celebrations ----------------------------------------------------------

def test_finishing_the_last_milestone_suggests_achieving_the_goal_but_does_not(
        client, world, goal):
    peer = world["peer_a"].headers
    made = [client.post(goal_url(goal) + "/milestones", json={"title": t}, headers=peer)
            for t in ("Walk once", "Walk all week")]
    assert [m.get_json()["position"] for m in made] == [0, 1]
    first = client.patch(f"/api/v1/milestones/{made[0].get_json()['id']}", json={"done": True},
                         headers={**peer, "If-Match": made[0].headers["ETag"]}).get_json()
    assert first["done"] and first["done_by"] == world["peer_a"].id and first["done_at"]
    assert first["suggest_goal_achieved"] is False
    last = client.patch(f"/api/v1/milestones/{made[1].get_json()['id']}", json={"done": True},
                        headers={**peer, "If-Match": made[1].headers["ETag"]}).get_json()
    assert last["suggest_goal_achieved"] is True
    assert client.get(goal_url(goal), headers=peer).get_json()["status"] == "active"
    listed = client.get(goal_url(goal) + "/milestones", headers=peer).get_json()
    assert [m["done"] for m in listed] == [True, True]


def test_celebrations_need_something_done(client, world, goal):
    peer = world["peer_a"].headers
    milestone = client.post(goal_url(goal) + "/milestones", json={"title": "Once"},
                            headers=peer)
    mid = milestone.get_json()["id"]
    assert_problem(client.post(goal_url(goal) + "/celebrations",
                               json={"message": "Yay", "milestone_id": mid}, headers=peer), 409)
    assert_problem(client.post(goal_url(goal) + "/celebrations", json={"message": "Yay"},
                               headers=peer), 409)
    client.patch(f"/api/v1/milestones/{mid}", json={"done": True},
                 headers={**peer, "If-Match": "*"})
    made = client.post(goal_url(goal) + "/celebrations",
                       json={"message": "First walk done!", "emoji": "🎉", "milestone_id": mid},
                       headers=peer)
    assert made.status_code == 201 and made.get_json()["emoji"] == "🎉"
    client.patch(goal_url(goal), json={"status": "achieved"},
                 headers={**peer, "If-Match": "*"})
    assert client.post(goal_url(goal) + "/celebrations", json={"message": "We did it"},
                       headers=world["worker_a"].headers).status_code == 201


# --- check-ins, offline ids and idempotency ----------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"progress": 11}, "progress"), ({"progress": -1}, "progress"),
    ({"progress": 2**64}, "progress"), ({"progress": "5"}, "progress"),
    ({"progress": 5.5}, "progress"), ({"progress": True}, "progress"), ({}, "progress"),
    ({"progress": 5, "note": "x" * 2001}, "note"), ({"progress": 5, "author_id": "x"}, "author_id"),
    ({"progress": 5, "id": "not-a-uuid"}, "id"),
])
def test_bad_check_ins_are_422(client, world, goal, body, field):
    response = client.post(goal_url(goal) + "/checkins", json=body,
                           headers=world["worker_a"].headers)
    assert field in assert_problem(response, 422)["errors"]
    assert client.get(goal_url(goal) + "/checkins",
                      headers=world["worker_a"].headers).get_json() == []


def test_a_client_chosen_id_is_kept_and_cannot_be_reused(client, world, goal):
    checkin_id = str(uuid.uuid4())
    made = client.post(goal_url(goal) + "/checkins",
                       json={"id": checkin_id, "progress": 7, "note": "Walked twice"},
                       headers=world["peer_a"].headers)
    assert made.status_code == 201 and made.get_json()["id"] == checkin_id
    assert made.get_json()["author_id"] == world["peer_a"].id
    again = client.post(goal_url(goal) + "/checkins", json={"id": checkin_id, "progress": 7},
                        headers=world["peer_a"].headers)
    assert_problem(again, 409)


def test_a_replayed_key_returns_the_first_answer_and_stores_once(client, world, goal):
    headers = {**world["worker_a"].headers, "Idempotency-Key": f'"{uuid.uuid4()}"'}
    first = client.post(goal_url(goal) + "/checkins", json={"progress": 4}, headers=headers)
    bare = {**headers, "Idempotency-Key": headers["Idempotency-Key"].strip('"')}
    again = client.post(goal_url(goal) + "/checkins", json={"progress": 4}, headers=bare)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    listed = client.get(goal_url(goal) + "/checkins", headers=world["worker_a"].headers)
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1


def test_a_key_reused_with_another_body_is_422(client, world, goal):
    headers = {**world["worker_a"].headers, "Idempotency-Key": "retry-1"}
    client.post(goal_url(goal) + "/checkins", json={"progress": 4}, headers=headers)
    other = client.post(goal_url(goal) + "/checkins", json={"progress": 9}, headers=headers)
    assert "Idempotency-Key" in assert_problem(other, 422)["errors"]


def test_keys_are_scoped_to_the_caller(client, world, goal):
    key = {"Idempotency-Key": "same-key"}
    a = client.post(goal_url(goal) + "/checkins", json={"progress": 4},
                    headers={**world["worker_a"].headers, **key})
    b = client.post(goal_url(goal) + "/checkins", json={"progress": 4},
                    headers={**world["peer_a"].headers, **key})
    assert a.status_code == b.status_code == 201
    assert a.get_json()["id"] != b.get_json()["id"]


def test_a_failed_request_does_not_burn_its_key(client, world, goal):
    headers = {**world["worker_a"].headers, "Idempotency-Key": "fix-and-retry"}
    assert_problem(client.post(goal_url(goal) + "/checkins", json={"progress": 40},
                               headers=headers), 422)
    fixed = client.post(goal_url(goal) + "/checkins", json={"progress": 4}, headers=headers)
    assert fixed.status_code == 201


@pytest.mark.parametrize("key", ["", '""', "has space", "x" * 256, '"unbalanced'])
def test_malformed_keys_are_422(client, world, goal, key):
    response = client.post(goal_url(goal) + "/checkins", json={"progress": 4},
                           headers={**world["worker_a"].headers, "Idempotency-Key": key})
    assert "Idempotency-Key" in assert_problem(response, 422)["errors"]


def test_a_key_still_in_flight_is_409(app, client, world, goal):
    """As if another process is running the first request with this key right now."""
    body = {"progress": 4}
    path = urlsplit(goal_url(goal)).path + "/checkins"
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    fingerprint = hashlib.sha256(f"POST {path}\n{canonical}".encode()).hexdigest()
    with app.app_context():
        db.session.add(IdempotencyRecord(scope=f"user:{world['worker_a'].id}", key="busy",
                                         fingerprint=fingerprint))
        db.session.commit()
    headers = {**world["worker_a"].headers, "Idempotency-Key": "busy"}
    busy = client.post(path, json=body, headers=headers)
    assert_problem(busy, 409)
    assert busy.headers["Retry-After"] == "1"
    assert_problem(client.post(path, json={"progress": 5}, headers=headers), 422)


def test_twenty_phones_a_thousand_check_ins_with_replays(app, world, goal):
    """20 threads post 1,000 check-ins; 20% are replays of a key already sent."""
    url, headers = goal_url(goal) + "/checkins", world["peer_a"].headers
    keys = [str(uuid.uuid4()) for _ in range(1000)]
    plan = [(i, k) for i, k in enumerate(keys)] + [(i, keys[i]) for i in range(0, 1000, 5)]
    statuses, lock = [], threading.Lock()

    def worker(items):
        client = app.test_client()
        for index, key in items:
            response = client.post(url, json={"progress": index % 11, "note": f"#{index}"},
                                   headers={**headers, "Idempotency-Key": key})
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(plan[n::20],)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [s for s in statuses if s >= 500]
    assert all(s in (201, 409) for s in statuses)  # 409: its twin was still in flight
    total = json.loads(app.test_client().get(url, headers=headers).headers["X-Pagination"])
    assert total["total"] == 1000


def test_a_goal_with_check_ins_is_let_go_not_deleted(client, world, goal):
    headers = {**world["peer_a"].headers, "If-Match": "*"}
    client.post(goal_url(goal) + "/checkins", json={"progress": 3}, headers=headers)
    assert_problem(client.delete(goal_url(goal), headers=headers), 409)
    let_go = client.patch(goal_url(goal), json={"status": "let_go"}, headers=headers)
    assert let_go.get_json()["status"] == "let_go"
    assert len(client.get(goal_url(goal) + "/checkins", headers=headers).get_json()) == 1
