"""Handing over a caseload: an agency admin asks, only the peer decides, and on "yes" the
partnership moves at once: the old worker loses it (goals, check-ins, calendar link, waiting
reminders), the new worker has it, and the history (authors, who supported when) stays."""

import threading
import uuid

from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.models import Notification, PartnershipHandover, PushSubscription, User
from api.services.reminders import outbox
from tests.factories import make_worker, push_subscription_body
from tests.helpers import assert_problem

SPANISH = {"Accept-Language": "es"}


def new_worker(world, name="next_worker", side="a"):
    with world.app.app_context():
        return make_worker(name, agency_code=world.fresh_join_code(side))


def ask(client, world, to, *, admin="admin_a", **extra):
    return client.post(f"/api/v1/agencies/{world.agency_a}/handovers",
                       headers=world[admin].headers,
                       json={"from_worker_id": world["worker_a"].id, "to_worker_id": to.id,
                             **extra})


def decide(client, actor, handover_id, agree=True):
    return client.post(f"/api/v1/handovers/{handover_id}/decision", headers=actor.headers,
                       json={"agree": agree})


def reads(client, actor, world, goal_id):
    """The statuses `actor` gets for partnership A, its goals, a goal, its check-ins and
    its timeline."""
    p = world.partnership_a
    urls = (f"/api/v1/partnerships/{p}", f"/api/v1/partnerships/{p}/goals",
            f"/api/v1/goals/{goal_id}", f"/api/v1/goals/{goal_id}/checkins",
            f"/api/v1/partnerships/{p}/timeline", f"/api/v1/partnerships/{p}/handovers")
    return {client.get(url, headers=actor.headers).status_code for url in urls}


def listed(client, actor, world) -> bool:
    return any(item["id"] == world.partnership_a for item in client.get(
        "/api/v1/partnerships", headers=actor.headers).get_json())


def test_the_peer_agrees_and_access_moves_at_once(client, world):
    old, peer, admin = world["worker_a"], world["peer_a"], world["admin_a"]
    new = new_worker(world, "Nadia_New")
    goal = world.fresh_goal("Walk to the lake")
    assert client.post(f"/api/v1/goals/{goal}/checkins", headers=peer.headers,
                       json={"progress": 3, "note": "felt heard"}).status_code == 201
    goal_etag = client.get(f"/api/v1/goals/{goal}", headers=old.headers).headers["ETag"]

    asked = ask(client, world, new)
    assert asked.status_code == 201, asked.get_json()
    [handover] = asked.get_json()
    assert handover["status"] == "waiting" and handover["from_worker"]["id"] == old.id
    assert handover["to_worker"]["display_name"] == "Nadia New"
    assert "Peer" not in asked.get_data(as_text=True)  # never the peer's name

    # Before the peer's answer nothing has moved.
    assert reads(client, old, world, goal) == {200}
    assert reads(client, new, world, goal) == {404}
    assert listed(client, old, world) and not listed(client, new, world)
    waiting = client.get("/api/v1/me/handovers", headers=peer.headers).get_json()
    assert [(w["id"], w["agency_name"], w["from_worker_name"], w["to_worker_name"])
            for w in waiting] == [(handover["id"], "Agency A", "Worker A", "Nadia New")]

    answer = decide(client, peer, handover["id"])
    assert answer.status_code == 200 and answer.get_json() == {"status": "accepted"}

    # At once, the other way round: nothing stale from a list or a saved ETag.
    assert reads(client, new, world, goal) == {200}
    assert reads(client, old, world, goal) == {404}
    assert client.get(f"/api/v1/goals/{goal}", headers={
        **old.headers, "If-None-Match": goal_etag}).status_code == 404
    assert listed(client, new, world) and not listed(client, old, world)
    assert not any(row["partnership_id"] == world.partnership_a for row in client.get(
        "/api/v1/checkins/due", headers=old.headers).get_json())
    seen = client.get(f"/api/v1/partnerships/{world.partnership_a}", headers=peer.headers)
    assert seen.get_json()["worker"]["id"] == new.id
    # History kept: the goal and the check-in keep their authors.
    goal_now = client.get(f"/api/v1/goals/{goal}", headers=new.headers).get_json()
    assert goal_now["created_by"] == old.id
    [checkin] = client.get(f"/api/v1/goals/{goal}/checkins", headers=new.headers).get_json()
    assert checkin["author_id"] == peer.id and checkin["note"] == "felt heard"
    # Who supported when, for both current members.
    for member in (new, peer):
        [line] = client.get(f"/api/v1/partnerships/{world.partnership_a}/handovers",
                            headers=member.headers).get_json()
        assert (line["from_worker"]["id"], line["to_worker"]["id"], line["status"]) == (
            old.id, new.id, "accepted")
        assert line["decided_at"]
    assert client.get("/api/v1/me/handovers", headers=peer.headers).get_json() == []
    listing = client.get(f"/api/v1/agencies/{world.agency_a}/handovers?status=accepted",
                         headers=admin.headers).get_json()
    assert [row["id"] for row in listing] == [handover["id"]]
    # The peer's access log tells of the admin's request and of their own yes.
    log = client.get("/api/v1/me/access-log", headers=peer.headers).get_json()
    actions = {(entry["action"], entry["actor_role"]) for entry in log}
    assert {("handover.ask", "agency_admin"), ("handover.agree", "peer")} <= actions


def test_the_old_workers_calendar_link_and_waiting_reminders_end(app, client, world):
    new = new_worker(world)
    token = world.fresh_feed_token("worker_a")
    feed = f"/api/v1/partnerships/{world.partnership_a}/checkins.ics?token={token}"
    assert client.get(feed).status_code == 200
    with app.app_context(), unit_of_work():
        from api.services.reminders import subscriptions

        user = db.session.get(User, uuid.UUID(world["worker_a"].id))
        device, _ = subscriptions.save(user, None, **push_subscription_body())
        outbox.insert_once([outbox.row(device, "due", dedupe_key="due:test",
                                       partnership_id=uuid.UUID(world.partnership_a))])
    [handover] = ask(client, world, new).get_json()
    assert decide(client, world["peer_a"], handover["id"]).status_code == 200
    assert client.get(feed).status_code == 404
    with app.app_context():
        [note] = db.session.scalars(select(Notification).join(PushSubscription).where(
            PushSubscription.user_id == uuid.UUID(world["worker_a"].id))).all()
        assert (note.status, note.outcome) == ("skipped", "handed over")


def test_declining_keeps_everything_as_it_was(client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    answer = decide(client, world["peer_a"], handover["id"], agree=False)
    assert answer.get_json() == {"status": "declined"}
    goal = world.fresh_goal()
    assert reads(client, world["worker_a"], world, goal) == {200}
    assert reads(client, new, world, goal) == {404}
    body = assert_problem(decide(client, world["peer_a"], handover["id"]), 409)
    assert body["detail"] == "This request was already answered or cancelled."
    log = client.get("/api/v1/me/access-log", headers=world["worker_a"].headers).get_json()
    assert any(entry["action"] == "handover.decline" for entry in log)


def test_only_the_peer_decides(client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    for name in ("worker_a", "admin_a", "admin_b", "worker_b", "peer_b"):
        assert_problem(decide(client, world[name], handover["id"]), 404)
    assert_problem(decide(client, new, handover["id"]), 404)
    assert_problem(client.post(f"/api/v1/handovers/{handover['id']}/decision",
                               json={"agree": True}), 401)
    assert_problem(decide(client, world["peer_a"], str(uuid.uuid4())), 404)
    bad = client.post(f"/api/v1/handovers/{handover['id']}/decision",
                      headers=world["peer_a"].headers, json={"agree": "yes"})
    assert "agree" in assert_problem(bad, 422)["errors"]
    # Nobody else's attempt moved anything.
    assert client.get("/api/v1/me/handovers", headers=world["peer_a"].headers).get_json()


def test_another_agencys_admin_reaches_nothing(client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    base = f"/api/v1/agencies/{world.agency_a}"
    other = world["admin_b"].headers
    assert_problem(client.get(f"{base}/handovers", headers=other), 404)
    assert_problem(ask(client, world, new, admin="admin_b"), 404)
    assert_problem(client.delete(f"{base}/handovers/{handover['id']}", headers=other), 404)
    assert_problem(client.get(f"{base}/members/{world['worker_a'].id}/partnerships",
                              headers=other), 404)
    assert_problem(client.get(f"/api/v1/partnerships/{world.partnership_a}/handovers",
                              headers=other), 403)
    # Their own agency's route does not open agency A's request either.
    own = f"/api/v1/agencies/{world.agency_b}/handovers/{handover['id']}"
    assert_problem(client.delete(own, headers=other), 404)


def test_the_rules_of_asking(app, client, world):
    new = new_worker(world)
    outsider = world["worker_b"]
    same = ask(client, world, world["worker_a"])
    assert assert_problem(same, 422)["errors"]["to_worker_id"] == [
        "Choose a different worker to hand over to."]
    assert "to_worker_id" in assert_problem(ask(client, world, outsider), 422)["errors"]
    other_agencys = ask(client, world, new, partnership_ids=[world.partnership_b])
    assert "partnership_ids" in assert_problem(other_agencys, 422)["errors"]
    spanish = client.post(f"/api/v1/agencies/{world.agency_a}/handovers",
                          headers={**world["admin_a"].headers, **SPANISH},
                          json={"from_worker_id": new.id, "to_worker_id": world["worker_a"].id})
    assert assert_problem(spanish, 422)["errors"]["from_worker_id"] == [
        "Esta persona no tiene acompañamientos activos ni en pausa para pasar."]

    assert ask(client, world, new).status_code == 201
    again = ask(client, world, new)
    assert assert_problem(again, 409)["detail"].startswith(
        "A handover of this partnership is already waiting")

    # The new worker may not already have a partnership with this peer.
    twin = new_worker(world, "twin_worker")
    with app.app_context():
        from tests.factories import invite_code

        code = invite_code(twin)
    assert client.post(f"/api/v1/invites/{code}/accept", headers=world["peer_a"].headers,
                       json={}).status_code == 201
    waiting = client.get(f"/api/v1/agencies/{world.agency_a}/handovers?status=waiting",
                         headers=world["admin_a"].headers).get_json()
    assert client.delete(f"/api/v1/agencies/{world.agency_a}/handovers/{waiting[0]['id']}",
                         headers=world["admin_a"].headers).status_code == 204
    assert_problem(ask(client, world, twin, partnership_ids=[world.partnership_a]), 409)
    bad_status = client.get(f"/api/v1/agencies/{world.agency_a}/handovers?status=maybe",
                            headers=world["admin_a"].headers)
    assert "status" in assert_problem(bad_status, 422)["errors"]


def test_cancelling_and_a_decision_after_it(client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    url = f"/api/v1/agencies/{world.agency_a}/handovers/{handover['id']}"
    assert client.delete(url, headers=world["admin_a"].headers).status_code == 204
    assert_problem(client.delete(url, headers=world["admin_a"].headers), 409)
    assert_problem(decide(client, world["peer_a"], handover["id"]), 409)
    assert client.get("/api/v1/me/handovers", headers=world["peer_a"].headers).get_json() == []
    [row] = client.get(f"/api/v1/agencies/{world.agency_a}/handovers",
                       headers=world["admin_a"].headers).get_json()
    assert row["status"] == "cancelled"


def test_a_new_worker_who_left_the_agency_cancels_the_request(app, client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    with app.app_context(), unit_of_work():
        db.session.get(User, uuid.UUID(new.id)).agency_id = None
    body = assert_problem(decide(client, world["peer_a"], handover["id"]), 409)
    assert body["detail"] == "The new worker has left the agency, so this request was cancelled."
    with app.app_context():
        assert db.session.get(PartnershipHandover,
                              uuid.UUID(handover["id"])).status == "cancelled"
    goal = world.fresh_goal()
    assert reads(client, world["worker_a"], world, goal) == {200}


def test_two_answers_at_once_one_wins(app, world):
    new = new_worker(world)
    [handover] = ask(app.test_client(), world, new).get_json()
    barrier = threading.Barrier(4)
    statuses = []

    def answer(agree):
        client = app.test_client()
        barrier.wait()
        statuses.append(decide(client, world["peer_a"], handover["id"], agree).status_code)

    threads = [threading.Thread(target=answer, args=(i % 2 == 0,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]


def test_the_admin_sees_partnerships_by_date_only(client, world):
    url = (f"/api/v1/agencies/{world.agency_a}/members/{world['worker_a'].id}/partnerships")
    answer = client.get(url, headers=world["admin_a"].headers)
    [row] = answer.get_json()
    assert set(row) == {"id", "started", "status", "checkin_cadence_days"}
    assert row["id"] == world.partnership_a
    assert "Peer" not in answer.get_data(as_text=True)
    assert_problem(client.get(f"/api/v1/agencies/{world.agency_a}/members/"
                              f"{world['worker_b'].id}/partnerships",
                              headers=world["admin_a"].headers), 404)


def test_export_lists_handovers_and_erasure_keeps_the_history(client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    assert decide(client, world["peer_a"], handover["id"]).status_code == 200
    for actor in (world["peer_a"], world["worker_a"], new, world["admin_a"]):
        exported = client.get("/api/v1/me/export", headers=actor.headers).get_json()
        assert [h["id"] for h in exported["handovers"]] == [handover["id"]], actor.name
    assert client.delete("/api/v1/me", headers=world["worker_a"].headers).status_code == 204
    [line] = client.get(f"/api/v1/partnerships/{world.partnership_a}/handovers",
                        headers=world["peer_a"].headers).get_json()
    assert line["from_worker"]["display_name"] is None and line["status"] == "accepted"


def test_a_partnership_that_changed_meanwhile_cancels_the_request(app, client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    assert client.patch(f"/api/v1/partnerships/{world.partnership_a}",
                        headers=world["worker_a"].headers,
                        json={"status": "ended"}).status_code == 200
    body = assert_problem(decide(client, world["peer_a"], handover["id"]), 409)
    assert body["detail"].startswith("This partnership has changed since the request was made")
    with app.app_context():
        assert db.session.get(PartnershipHandover,
                              uuid.UUID(handover["id"])).status == "cancelled"


def test_erasing_an_account_cancels_the_requests_waiting_on_it(app, client, world):
    new = new_worker(world)
    [handover] = ask(client, world, new).get_json()
    assert client.delete("/api/v1/me", headers=new.headers).status_code == 204
    assert client.get("/api/v1/me/handovers", headers=world["peer_a"].headers).get_json() == []
    [row] = client.get(f"/api/v1/agencies/{world.agency_a}/handovers",
                       headers=world["admin_a"].headers).get_json()
    assert (row["id"], row["status"], row["to_worker"]["display_name"]) == (
        handover["id"], "cancelled", None)
