"""Attacks on the agency console (issue 18): agency settings, join codes, members, handovers
and supervision, by an admin of another agency, by workers and peers, by replays and races,
and by anyone hoping an admin's screen shows a peer's name or words."""

import threading
import uuid

import pytest
from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.models import AgencyJoinCode, Partnership, User
from api.services import audit
from tests.factories import PASSWORD, invite_code, make_peer_with, make_worker, signed_in, unique
from tests.helpers import assert_problem

SPANISH = {"Accept-Language": "es"}
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def base(world, side="a"):
    return f"/api/v1/agencies/{getattr(world, f'agency_{side}')}"


def new_worker(world, name="next_worker", side="a"):
    with world.app.app_context():
        return make_worker(name, agency_code=world.fresh_join_code(side))


def ask(client, world, to_id, *, admin="admin_a", side="a", from_id=None, **extra):
    return client.post(f"{base(world, side)}/handovers", headers=world[admin].headers,
                       json={"from_worker_id": from_id or world["worker_a"].id,
                             "to_worker_id": to_id, **extra})


def decide(client, actor, handover_id, agree=True):
    return client.post(f"/api/v1/handovers/{handover_id}/decision", headers=actor.headers,
                       json={"agree": agree})


def new_peer_body():
    return {"display_name": "Zed", "username": unique("zed"), "password": PASSWORD}


# --- An admin of agency B, with every id agency A's answers could leak -------------------

def test_admin_b_reaches_nothing_of_agency_a_through_its_own_agency_path(client, world):
    """Admin B puts A's ids (join code, worker, partnership, handover) under B's own
    agency id, where own_agency() lets them in: each must still be 404 or 422."""
    a_code = world.fresh_join_code_id("a")
    a_handover = world.fresh_handover()
    b, other = base(world, "b"), world["admin_b"].headers
    assert_problem(client.delete(f"{b}/join-codes/{a_code}", headers=other), 404)
    assert_problem(client.delete(f"{b}/members/{world['worker_a'].id}", headers=other), 404)
    assert_problem(client.get(f"{b}/members/{world['worker_a'].id}/partnerships",
                              headers=other), 404)
    assert_problem(client.delete(f"{b}/handovers/{a_handover}", headers=other), 404)
    # A handover inside B, naming A's workers or A's partnership.
    worker_b = world["worker_b"].id
    for body in ({"from_worker_id": world["worker_a"].id, "to_worker_id": worker_b},
                 {"from_worker_id": worker_b, "to_worker_id": world["worker_a"].id},
                 {"from_worker_id": worker_b, "to_worker_id": world.fresh_member("b"),
                  "partnership_ids": [world.partnership_a]}):
        assert_problem(client.post(f"{b}/handovers", headers=other, json=body), 422)
    # B's lists hold nothing of A's.
    for tail in ("join-codes", "members", "handovers", "supervision"):
        text = client.get(f"{b}/{tail}", headers=other).get_data(as_text=True)
        assert world["worker_a"].id not in text and a_code not in text
        assert a_handover not in text and world.partnership_a not in text
    # Nothing of A's moved: the code still lets a worker in, worker A still carries A.
    with world.app.app_context():
        code = db.session.get(AgencyJoinCode, uuid.UUID(a_code))
        assert code.revoked_at is None
        assert db.session.get(User, uuid.UUID(world["worker_a"].id)).agency_id == uuid.UUID(
            world.agency_a)
    [row] = client.get(f"{base(world)}/handovers?status=waiting",
                       headers=world["admin_a"].headers).get_json()
    assert row["id"] == a_handover


def test_admin_b_on_agency_a_paths_gets_the_same_404_as_for_nothing(client, world):
    a, other = base(world), world["admin_b"].headers
    nowhere = f"/api/v1/agencies/{UNKNOWN}"
    for method, tail, body in (("get", "", None), ("patch", "", {"name": "Taken over"}),
                               ("get", "/join-codes", None), ("post", "/join-codes", {}),
                               ("get", "/members", None), ("get", "/supervision", None),
                               ("get", "/handovers", None)):
        theirs = getattr(client, method)(f"{a}{tail}", headers=other, json=body)
        none = getattr(client, method)(f"{nowhere}{tail}", headers=other, json=body)
        assert assert_problem(theirs, 404) == assert_problem(none, 404), tail
    settings = client.get(a, headers=world["admin_a"].headers).get_json()
    assert settings["name"] == "Agency A"


@pytest.mark.parametrize("name", ["worker_a", "peer_a"])
def test_workers_and_peers_are_refused_every_admin_route(client, world, name):
    actor, a = world[name], base(world)
    code, handover = world.fresh_join_code_id("a"), world.fresh_handover()
    for method, tail, body in (
            ("get", "", None), ("patch", "", {"own_content_first": False}),
            ("get", "/join-codes", None), ("post", "/join-codes", {}),
            ("delete", f"/join-codes/{code}", None), ("get", "/members", None),
            ("delete", f"/members/{world['worker_a'].id}", None),
            ("get", f"/members/{world['worker_a'].id}/partnerships", None),
            ("get", "/handovers", None), ("delete", f"/handovers/{handover}", None),
            ("post", "/handovers", {"from_worker_id": world["worker_a"].id,
                                    "to_worker_id": world.fresh_member("a")}),
            ("get", "/supervision", None)):
        assert_problem(getattr(client, method)(f"{a}{tail}", headers=actor.headers,
                                               json=body), 403)
    # And a worker cannot take over their own partnership's decision either.
    assert_problem(decide(client, world["worker_a"], handover), 404)


# --- Handovers to the wrong kind of account ----------------------------------------------

def test_a_handover_only_goes_to_a_live_worker_of_the_agency(client, world):
    erased = new_worker(world, "leaving")
    assert client.delete("/api/v1/me", headers=erased.headers).status_code == 204
    for target in (world["peer_a"].id, world["admin_a"].id, world["worker_b"].id,
                   world["admin_b"].id, erased.id, UNKNOWN):
        answer = assert_problem(ask(client, world, target), 422)
        assert answer["errors"] == {"to_worker_id": ["Choose a worker of your agency."]}
    # Nor from one: the peer's or the admin's id as the worker to take from.
    for source in (world["peer_a"].id, world["admin_a"].id, erased.id):
        answer = ask(client, world, world.fresh_member("a"), from_id=source)
        assert "from_worker_id" in assert_problem(answer, 422)["errors"]


def test_a_peer_cannot_decide_another_peers_handover(client, world):
    with world.app.app_context():
        other_peer, _ = make_peer_with(world["worker_a"], "other_peer")
    handover = world.fresh_handover()
    refused = assert_problem(decide(client, other_peer, handover), 404)
    unknown = assert_problem(decide(client, other_peer, UNKNOWN), 404)
    assert refused == unknown
    assert other_peer.id not in {h["id"] for h in client.get(
        "/api/v1/me/handovers", headers=other_peer.headers).get_json()}
    assert client.get("/api/v1/me/handovers", headers=other_peer.headers).get_json() == []
    assert [h["id"] for h in client.get("/api/v1/me/handovers",
                                        headers=world["peer_a"].headers).get_json()] == [handover]


# --- Replays, repeats and races ----------------------------------------------------------

def test_a_decision_cannot_be_replayed_or_reversed(client, world):
    handover = world.fresh_handover()
    peer = world["peer_a"]
    assert decide(client, peer, handover).get_json() == {"status": "accepted"}
    assert_problem(decide(client, peer, handover), 409)
    assert_problem(decide(client, peer, handover, agree=False), 409)
    cancel = client.delete(f"{base(world)}/handovers/{handover}",
                           headers=world["admin_a"].headers)
    assert assert_problem(cancel, 409)["detail"] == (
        "This request was already answered or cancelled.")
    [row] = [r for r in client.get(f"{base(world)}/handovers", headers=world[
        "admin_a"].headers).get_json() if r["id"] == handover]
    assert row["status"] == "accepted"


def test_asking_again_with_the_same_key_makes_no_second_request(client, world):
    target = world.fresh_handover_target()
    headers = {**world["admin_a"].headers, "Idempotency-Key": str(uuid.uuid4())}
    body = {"from_worker_id": world["worker_a"].id, "to_worker_id": target}
    first = client.post(f"{base(world)}/handovers", headers=headers, json=body)
    again = client.post(f"{base(world)}/handovers", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    waiting = client.get(f"{base(world)}/handovers?status=waiting",
                         headers=world["admin_a"].headers).get_json()
    assert len(waiting) == 1


def _agree_and_cancel_at_once(app, world, handover) -> dict:
    barrier = threading.Barrier(2)
    answers = {}

    def agree():
        barrier.wait()
        answers["agree"] = decide(app.test_client(), world["peer_a"], handover).status_code

    def cancel():
        barrier.wait()
        answers["cancel"] = app.test_client().delete(
            f"{base(world)}/handovers/{handover}", headers=world["admin_a"].headers).status_code

    threads = [threading.Thread(target=agree), threading.Thread(target=cancel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_cancel_racing_agree_one_wins_and_the_state_matches(app, world):
    for _ in range(3):
        handover = world.fresh_handover()
        with app.app_context():
            before = db.session.get(Partnership, uuid.UUID(world.partnership_a)).worker_id
        answers = _agree_and_cancel_at_once(app, world, handover)
        assert sorted(answers.values()) in ([200, 409], [204, 409]), answers
        with app.app_context():
            after = db.session.get(Partnership, uuid.UUID(world.partnership_a)).worker_id
        # Moved exactly when the peer's yes won.
        assert (after != before) == (answers["agree"] == 200)


def test_a_revoked_code_counts_no_more_uses(client, world):
    admin = world["admin_a"].headers
    made = client.post(f"{base(world)}/join-codes", headers=admin, json={}).get_json()
    first = client.post("/api/v1/auth/register", json={
        "email": f"{unique('w')}@example.org", "password": PASSWORD, "display_name": "W",
        "agency_code": made["code"]})
    assert first.status_code == 201
    assert client.delete(f"{base(world)}/join-codes/{made['id']}",
                         headers=admin).status_code == 204
    late = client.post("/api/v1/auth/register", json={
        "email": f"{unique('w')}@example.org", "password": PASSWORD, "display_name": "W",
        "agency_code": made["code"]})
    assert "agency_code" in assert_problem(late, 422)["errors"]
    joiner = new_worker(world, "solo", side="b")
    assert client.delete(f"{base(world, 'b')}/members/{joiner.id}",
                         headers=world["admin_b"].headers).status_code == 204
    assert_problem(client.post("/api/v1/me/agency", json={"code": made["code"]},
                               headers=joiner.headers), 422)
    [row] = [r for r in client.get(f"{base(world)}/join-codes", headers=admin).get_json()
             if r["id"] == made["id"]]
    assert (row["uses"], row["status"]) == (1, "revoked")


def test_revoking_while_workers_sign_up_counts_exactly_who_joined(app, world):
    client = app.test_client()
    admin = world["admin_a"].headers
    made = client.post(f"{base(world)}/join-codes", headers=admin, json={}).get_json()
    barrier = threading.Barrier(5)
    emails = []

    def sign_up(n):
        email = f"{unique(f'racer{n}')}@example.org"
        emails.append(email)
        barrier.wait()
        app.test_client().post("/api/v1/auth/register", environ_base={
            "REMOTE_ADDR": f"10.9.0.{n}"}, json={
            "email": email, "password": PASSWORD, "display_name": "Racer",
            "agency_code": made["code"]})

    def revoke():
        barrier.wait()
        app.test_client().delete(f"{base(world)}/join-codes/{made['id']}", headers=admin)

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(4)]
    threads.append(threading.Thread(target=revoke))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        code = db.session.get(AgencyJoinCode, uuid.UUID(made["id"]))
        joined = db.session.scalars(select(User.agency_joined_at).where(
            User.email.in_(emails), User.agency_id == uuid.UUID(world.agency_a))).all()
        assert code.revoked_at is not None
        assert code.uses == len(joined)
        # No one joined after the revocation was committed.
        assert all(when <= code.revoked_at for when in joined)


def test_a_sign_up_flood_with_one_code_hits_the_limit(client, world):
    """New accounts from one address: 30 an hour, code or not; the 31st is a 429 and the
    code's uses stop at 30."""
    admin = world["admin_a"].headers
    made = client.post(f"{base(world)}/join-codes", headers=admin, json={}).get_json()
    answers = [client.post("/api/v1/auth/register", json={
        "email": f"{unique('flood')}@example.org", "password": PASSWORD,
        "display_name": "Flood", "agency_code": made["code"]}).status_code for _ in range(32)]
    assert answers == [201] * 30 + [429] * 2
    [row] = [r for r in client.get(f"{base(world)}/join-codes", headers=admin).get_json()
             if r["id"] == made["id"]]
    assert row["uses"] == 30


# --- Removing a worker while a partnership comes to them ---------------------------------

def _remove_paused_before_writing(app, world, monkeypatch, worker_id, other):
    """Remove the worker, but let `other` (a request that gives them a partnership under
    the agency) run between the removal's check and its write, as two servers could. If
    `other` cannot run meanwhile (it waits for a lock), it runs after the removal."""
    other_done = threading.Event()
    original = audit.record

    def slow_record(actor, action, *args, **kwargs):
        if action == "agency.member.remove":
            other_done.wait(timeout=3)
        return original(actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", slow_record)
    answers = {}

    def remove():
        answers["remove"] = app.test_client().delete(
            f"{base(world)}/members/{worker_id}", headers=world["admin_a"].headers).status_code

    def give():
        answers["other"] = other()
        other_done.set()

    remover = threading.Thread(target=remove)
    remover.start()
    threading.Event().wait(0.5)  # the removal is past its check, waiting to write
    giver = threading.Thread(target=give)
    giver.start()
    remover.join()
    giver.join()
    return answers


def _carried_by_outsiders(app, agency_id):
    """Partnerships still going under the agency whose worker is no longer in it."""
    with app.app_context():
        return db.session.scalars(
            select(Partnership.id).join(User, User.id == Partnership.worker_id).where(
                Partnership.agency_id == uuid.UUID(agency_id),
                Partnership.status.in_(("active", "paused")),
                (User.agency_id.is_(None)) | (User.agency_id != Partnership.agency_id))).all()


def test_removing_a_worker_while_a_peer_accepts_their_invite(app, world, monkeypatch):
    worker = new_worker(world, "leaver")
    with app.app_context():
        code = invite_code(worker)
    answers = _remove_paused_before_writing(
        app, world, monkeypatch, worker.id,
        lambda: app.test_client().post(f"/api/v1/invites/{code}/accept",
                                       json=new_peer_body()).status_code)
    assert answers["other"] == 201
    assert answers["remove"] in (204, 409)
    assert _carried_by_outsiders(app, world.agency_a) == []


def test_removing_a_worker_while_a_peer_agrees_to_move_to_them(app, world, monkeypatch):
    target = world.fresh_handover_target()
    [made] = ask(app.test_client(), world, target).get_json()
    handover = made["id"]
    answers = _remove_paused_before_writing(
        app, world, monkeypatch, target,
        lambda: decide(app.test_client(), world["peer_a"], handover).status_code)
    assert sorted(answers.values()) in ([200, 409], [204, 409]), answers
    assert _carried_by_outsiders(app, world.agency_a) == []


def test_partnerships_made_before_joining_cannot_be_handed_over(client, world):
    """They are not the agency's: its admin cannot move them, nor see them to choose."""
    with world.app.app_context():
        early = make_worker("early_bird")
        _, before = make_peer_with(early, "older_peer")
    joined = client.post("/api/v1/me/agency", json={"code": world.fresh_join_code("a")},
                         headers=early.headers)
    assert joined.status_code == 200, joined.get_json()
    target = world.fresh_member("a")
    answer = ask(client, world, target, from_id=early.id, partnership_ids=[before])
    assert "partnership_ids" in assert_problem(answer, 422)["errors"]
    assert "from_worker_id" in assert_problem(
        ask(client, world, target, from_id=early.id), 422)["errors"]
    listed = client.get(f"{base(world)}/members/{early.id}/partnerships",
                        headers=world["admin_a"].headers).get_json()
    assert listed == []
    # And nothing carried under the agency: the worker can be removed.
    assert client.delete(f"{base(world)}/members/{early.id}",
                         headers=world["admin_a"].headers).status_code == 204


def test_a_removed_worker_is_no_handover_source_or_target(client, world):
    leaver = world.fresh_member("a")
    assert client.delete(f"{base(world)}/members/{leaver}",
                         headers=world["admin_a"].headers).status_code == 204
    assert "to_worker_id" in assert_problem(ask(client, world, leaver), 422)["errors"]
    again = client.delete(f"{base(world)}/members/{leaver}", headers=world["admin_a"].headers)
    assert_problem(again, 404)


# --- Nothing of the peer on an admin's screen --------------------------------------------

def test_no_admin_answer_carries_the_peers_name_or_words(client, world):
    planted = ("Quillanova", "Marzipanfjord", "zebracrossingsecret")
    with world.app.app_context():
        peer, partnership = make_peer_with(world["worker_a"], planted[0])
    worker = world["worker_a"]
    goal = client.post(f"/api/v1/partnerships/{partnership}/goals", headers=worker.headers,
                       json={"title": planted[1]}).get_json()
    assert client.post(f"/api/v1/goals/{goal['id']}/checkins", headers=peer.headers,
                       json={"progress": 2, "note": planted[2]}).status_code == 201
    admin, a = world["admin_a"].headers, base(world)
    made = ask(client, world, world.fresh_member("a"), partnership_ids=[partnership])
    assert made.status_code == 201
    answers = [made]
    for tail in ("", "/join-codes", "/members", "/handovers", "/handovers?status=waiting",
                 "/supervision", f"/members/{worker.id}/partnerships"):
        answer = client.get(f"{a}{tail}", headers=admin)
        assert answer.status_code == 200, tail
        answers.append(answer)
    for answer in answers:
        text = answer.get_data(as_text=True).lower()
        for word in planted:
            assert word.lower() not in text, (answer.request.path, word)
        assert peer.id not in text and (peer.username or "x").lower() not in text


# --- The old worker after the move -------------------------------------------------------

def test_the_old_worker_reads_nothing_of_the_partnership_after_the_move(client, world):
    old, peer = world["worker_a"], world["peer_a"]
    goal = world.fresh_goal("Quiet walk")
    milestone = world.fresh_milestone(goal)
    client.post(f"/api/v1/goals/{goal}/checkins", headers=peer.headers,
                json={"progress": 3, "note": "hushhushnote"})
    handover = world.fresh_handover()
    assert decide(client, peer, handover).status_code == 200
    p = world.partnership_a
    for url in (f"/api/v1/partnerships/{p}", f"/api/v1/partnerships/{p}/goals",
                f"/api/v1/goals/{goal}", f"/api/v1/goals/{goal}/checkins",
                f"/api/v1/goals/{goal}/milestones", f"/api/v1/partnerships/{p}/timeline",
                f"/api/v1/partnerships/{p}/handovers", f"/api/v1/partnerships/{p}/rapport"):
        answer = client.get(url, headers=old.headers)
        assert answer.status_code in (403, 404), (url, answer.status_code)
    # Writes too.
    assert client.post(f"/api/v1/partnerships/{p}/goals", headers=old.headers,
                       json={"title": "sneak"}).status_code in (403, 404)
    assert client.patch(f"/api/v1/milestones/{milestone}", headers=old.headers,
                        json={"done": True}).status_code in (403, 404, 405)
    assert client.post(f"/api/v1/partnerships/{p}/calendar-feeds",
                       headers=old.headers, json={}).status_code in (403, 404, 405)
    # Their export keeps no word the peer wrote after losing the partnership.
    exported = client.get("/api/v1/me/export", headers=old.headers).get_data(as_text=True)
    assert "hushhushnote" not in exported


def test_after_the_move_the_old_workers_access_log_shows_nothing_of_the_new_one(
        client, world):
    """The peer's log tells of the request and the yes. Each worker's log keeps its own time
    with the partnership and nothing of the other's: the old worker still sees the request
    and the peer's reads before the move, none after; the new worker none before."""
    goals = f"/api/v1/partnerships/{world.partnership_a}/goals"
    assert client.get(goals, headers=world["peer_a"].headers).status_code == 200  # before
    target = world.fresh_handover_target()
    [made] = ask(client, world, target).get_json()
    assert decide(client, world["peer_a"], made["id"]).status_code == 200
    with world.app.app_context(), unit_of_work():
        new_actor = signed_in(db.session.get(User, uuid.UUID(target)), "new_worker")
    audit.forget_recent_reads()
    assert client.get(goals, headers=world["peer_a"].headers).status_code == 200  # after

    def peer_reads(log):
        return [e for e in log if e.get("actor_id") == world["peer_a"].id
                and e["action"] == "goal.list"]
    assert client.get(f"/api/v1/partnerships/{world.partnership_a}/goals",
                      headers=new_actor.headers).status_code == 200
    peer_log = {e["action"] for e in client.get(
        "/api/v1/me/access-log", headers=world["peer_a"].headers).get_json()}
    assert {"handover.ask", "handover.agree"} <= peer_log
    old_log = client.get("/api/v1/me/access-log",
                         headers=world["worker_a"].headers).get_json()
    assert not any(e.get("actor_id") == target for e in old_log)
    assert not any(e["action"].startswith("goal") and e.get("actor_role") == "worker"
                   and e.get("actor_id") != world["worker_a"].id for e in old_log)
    # Their own time stays theirs, the move itself included.
    assert {"handover.ask", "handover.agree"} <= {e["action"] for e in old_log}
    new_log = client.get("/api/v1/me/access-log", headers=new_actor.headers).get_json()
    assert "handover.ask" not in {e["action"] for e in new_log}  # asked before their time
    assert len(peer_reads(old_log)) == 1 and len(peer_reads(new_log)) == 1
    assert peer_reads(old_log)[0]["at"] <= peer_reads(new_log)[0]["at"]


# --- Bad input: 422 in the caller's language, never a 500 --------------------------------

BAD_ASKS = [
    {},
    {"from_worker_id": "nope", "to_worker_id": UNKNOWN},
    {"from_worker_id": UNKNOWN, "to_worker_id": UNKNOWN, "partnership_ids": "all"},
    {"from_worker_id": UNKNOWN, "to_worker_id": UNKNOWN, "partnership_ids": ["x"]},
    {"from_worker_id": UNKNOWN, "to_worker_id": UNKNOWN, "partnership_ids": [None]},
    {"from_worker_id": UNKNOWN, "to_worker_id": UNKNOWN,
     "partnership_ids": [str(uuid.uuid4()) for _ in range(2000)]},
    {"from_worker_id": 7, "to_worker_id": [UNKNOWN]},
    {"from_worker_id": UNKNOWN, "to_worker_id": UNKNOWN, "extra": 1},
    [],
    "text",
]


@pytest.mark.parametrize("body", BAD_ASKS)
def test_bad_handover_asks_are_422_in_spanish(client, world, body):
    answer = client.post(f"{base(world)}/handovers",
                         headers={**world["admin_a"].headers, **SPANISH}, json=body)
    # Too many ids is a 413 before it is read; everything else a 422; both in Spanish.
    problem = assert_problem(answer, 413 if len(str(body)) > 65536 else 422)
    assert "Unprocessable" not in problem["title"]


@pytest.mark.parametrize("method, tail, body", [
    ("patch", "", {"name": ""}), ("patch", "", {"name": "   "}),
    ("patch", "", {"name": "A\u0000B"}), ("patch", "", {"name": "x" * 500}),
    ("post", "/join-codes", {"label": "  "}),
    ("patch", "", {"own_content_first": "maybe"}), ("patch", "", {"name": None}),
    ("patch", "", []), ("post", "/join-codes", {"label": "x" * 81}),
    ("post", "/join-codes", {"label": 5}), ("get", "/handovers?status=%00", None),
    ("get", "/members?sort=name", None), ("get", "/supervision?worker=1", None),
])
def test_bad_console_input_is_422_in_spanish(client, world, method, tail, body):
    answer = getattr(client, method)(f"{base(world)}{tail}",
                                     headers={**world["admin_a"].headers, **SPANISH},
                                     json=body)
    assert_problem(answer, 422)


@pytest.mark.parametrize("body", [{}, {"agree": None}, {"agree": "yes"}, {"agree": 1},
                                  {"agree": True, "extra": 1}, [], "yes"])
def test_bad_decisions_are_422(client, world, body):
    handover = world.fresh_handover()
    answer = client.post(f"/api/v1/handovers/{handover}/decision",
                         headers={**world["peer_a"].headers, **SPANISH}, json=body)
    assert_problem(answer, 422)
    assert client.get("/api/v1/me/handovers", headers=world["peer_a"].headers).get_json()


@pytest.mark.parametrize("url", ["/api/v1/agencies/not-a-uuid",
                                 "/api/v1/agencies/{a}/join-codes/123",
                                 "/api/v1/agencies/{a}/members/../../me",
                                 "/api/v1/handovers/123/decision"])
def test_malformed_ids_are_404_not_500(client, world, url):
    answer = client.delete(url.format(a=world.agency_a), headers=world["admin_a"].headers)
    assert answer.status_code in (404, 405)
