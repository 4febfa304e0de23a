"""Consistent support over HTTP: who is due, the timeline, and the calendar link."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import update

from api.extensions import db
from api.models import CheckIn, Partnership, PartnershipPause
from tests.helpers import assert_problem


def backdate_partnership(app, partnership_id: str, days: int) -> None:
    with app.app_context():
        db.session.execute(update(Partnership).where(
            Partnership.id == uuid.UUID(partnership_id)).values(
            created_at=datetime.now(UTC) - timedelta(days=days)))
        db.session.commit()


def test_due_lists_overdue_partnerships_and_says_when_a_goal_is_needed(app, client, world):
    worker = world["worker_a"].headers
    assert client.get("/api/v1/checkins/due", headers=worker).get_json() == []  # brand new
    backdate_partnership(app, world.partnership_a, 10)
    # No goal yet: due all the same, a week after the start, and a goal is needed first.
    due = client.get("/api/v1/checkins/due", headers=worker).get_json()
    assert [d["partnership_id"] for d in due] == [world.partnership_a]
    assert due[0]["needs_goal"] is True and due[0]["days_overdue"] == 3
    goal = world.fresh_goal()
    due = client.get("/api/v1/checkins/due", headers=worker).get_json()
    assert [d["partnership_id"] for d in due] == [world.partnership_a]
    assert due[0]["days_overdue"] == 3 and due[0]["checkin_cadence_days"] == 7
    assert due[0]["needs_goal"] is False
    assert due[0]["peer"]["id"] == world["peer_a"].id and due[0]["last_checkin_at"] is None
    client.post(f"/api/v1/goals/{goal}/checkins", json={"progress": 5}, headers=worker)
    assert client.get("/api/v1/checkins/due", headers=worker).get_json() == []


def test_a_reached_goal_leaves_the_partnership_due_by_its_cadence(app, client, world):
    worker = world["worker_a"].headers
    goal = world.fresh_goal()
    client.post(f"/api/v1/goals/{goal}/checkins", json={"progress": 10}, headers=worker)
    reached = client.patch(f"/api/v1/goals/{goal}", json={"status": "achieved"},
                           headers={**worker, "If-Match": "*"})
    assert reached.status_code == 200
    with app.app_context():  # that check-in, and the goal's reaching, were 9 days ago
        db.session.execute(update(CheckIn).where(CheckIn.goal_id == uuid.UUID(goal)).values(
            created_at=datetime.now(UTC) - timedelta(days=9)))
        db.session.commit()
    backdate_partnership(app, world.partnership_a, 30)
    due = client.get("/api/v1/checkins/due", headers=worker).get_json()
    assert [(d["partnership_id"], d["days_overdue"], d["needs_goal"]) for d in due] == [
        (world.partnership_a, 2, True)]


@pytest.mark.parametrize("status", ["paused", "ended"])
def test_a_paused_or_ended_partnership_without_a_goal_is_never_due(app, client, world,
                                                                   status):
    worker = world["worker_a"].headers
    backdate_partnership(app, world.partnership_a, 40)
    assert len(client.get("/api/v1/checkins/due", headers=worker).get_json()) == 1
    assert client.patch(f"/api/v1/partnerships/{world.partnership_a}",
                        json={"status": status}, headers=worker).status_code == 200
    assert client.get("/api/v1/checkins/due", headers=worker).get_json() == []


def test_due_is_sorted_most_overdue_first_and_skips_paused(app, client, world):
    worker = world["worker_a"]
    from tests.factories import make_peer_with

    with app.app_context():
        _, second = make_peer_with(worker, "peer_c")
    for partnership, days in ((world.partnership_a, 9), (second, 30)):
        backdate_partnership(app, partnership, days)
        with app.app_context():
            from tests.factories import make_goal
            make_goal(worker, partnership)
    due = client.get("/api/v1/checkins/due", headers=worker.headers).get_json()
    assert [d["partnership_id"] for d in due] == [second, world.partnership_a]
    assert due[0]["days_overdue"] > due[1]["days_overdue"]
    client.patch(f"/api/v1/partnerships/{second}", json={"status": "paused"},
                 headers=worker.headers)
    due = client.get("/api/v1/checkins/due", headers=worker.headers).get_json()
    assert [d["partnership_id"] for d in due] == [world.partnership_a]


def test_days_spent_paused_are_not_counted_as_late(app, client, world):
    worker = world["worker_a"].headers
    backdate_partnership(app, world.partnership_a, 10)  # weekly: 3 days overdue
    world.fresh_goal()
    url = f"/api/v1/partnerships/{world.partnership_a}"
    assert client.patch(url, json={"status": "paused"}, headers=worker).status_code == 200
    assert client.patch(url, json={"status": "active"}, headers=worker).status_code == 200
    with app.app_context():  # the pause, moved back: it ran from 8 days ago to 2 days ago
        db.session.execute(update(PartnershipPause).where(
            PartnershipPause.partnership_id == uuid.UUID(world.partnership_a)).values(
            started_at=datetime.now(UTC) - timedelta(days=8),
            ended_at=datetime.now(UTC) - timedelta(days=2)))
        db.session.commit()
    assert client.get("/api/v1/checkins/due", headers=worker).get_json() == []  # 3 - 6 < 0


def test_consistency_score_rewards_steady_check_ins(app, client, world):
    backdate_partnership(app, world.partnership_a, 90)
    goal = world.fresh_goal()
    now = datetime.now(UTC)
    with app.app_context():  # weekly check-ins for 11 weeks, then a gap of 10 days
        for week in range(11):
            db.session.add(CheckIn(goal_id=uuid.UUID(goal),
                                   partnership_id=uuid.UUID(world.partnership_a), progress=5,
                                   author_id=uuid.UUID(world["peer_a"].id),
                                   created_at=now - timedelta(days=10 + 7 * week)))
        db.session.commit()
    due = client.get("/api/v1/checkins/due", headers=world["worker_a"].headers).get_json()
    assert due[0]["days_overdue"] == 3
    assert 0.6 < due[0]["consistency"] < 0.95  # one missed week does not collapse it


def test_timeline_tells_the_story_newest_first(client, world):
    peer = world["peer_a"].headers
    goal = world.fresh_goal()
    checkin = client.post(f"/api/v1/goals/{goal}/checkins",
                          json={"progress": 2, "note": "Slow start"}, headers=peer).get_json()
    milestone = world.fresh_milestone(goal, done=True)
    client.post(f"/api/v1/goals/{goal}/celebrations",
                json={"message": "First walk!", "milestone_id": milestone}, headers=peer)
    client.patch(f"/api/v1/goals/{goal}", json={"status": "paused"},
                 headers={**peer, "If-Match": "*"})
    response = client.get(f"/api/v1/partnerships/{world.partnership_a}/timeline?page_size=4",
                          headers=world["worker_a"].headers)
    entries = response.get_json()
    assert [e["type"] for e in entries] == [
        "goal_status", "celebration", "milestone_done", "checkin"]
    assert entries[0]["to_status"] == "paused" and entries[1]["text"] == "First walk!"
    assert entries[3]["progress"] == 2 and entries[3]["text"] == "Slow start"
    assert all(e["goal_title"] == "Walk every morning" for e in entries)
    # Ids as the rest of the API writes them, on every database (SQLite stores 32 hex digits),
    # so the app can name who did it and link to the goal.
    assert all(e["goal_id"] == goal for e in entries)
    assert entries[3]["id"] == checkin["id"]
    assert entries[3]["actor_id"] == entries[0]["actor_id"] == world["peer_a"].id
    times = [e["at"] for e in entries]
    assert times == sorted(times, reverse=True)
    assert '"total": 5' in response.headers["X-Pagination"]  # and the goal's creation
    assert_problem(client.get(f"/api/v1/partnerships/{world.partnership_a}/timeline",
                              headers=world["worker_b"].headers), 404)


def test_the_calendar_link_works_without_sign_in_until_revoked(client, world):
    peer = world["peer_a"].headers
    made = client.post(f"/api/v1/partnerships/{world.partnership_a}/calendar-feeds", json={},
                       headers=peer)
    assert made.status_code == 201
    url = made.get_json()["url"]
    feed = client.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert feed.cache_control.no_store
    events = Calendar.from_ical(feed.get_data()).walk("VEVENT")
    assert len(events) == 6 and "Worker A" in str(events[0]["SUMMARY"])
    spanish = Calendar.from_ical(client.get(url + "&lang=es").get_data()).walk("VEVENT")
    assert "Encuentro" in str(spanish[0]["SUMMARY"])
    wrong = url.replace("token=", "token=x")
    assert_problem(client.get(wrong), 404)
    other = url.replace(world.partnership_a, world.partnership_b)
    assert_problem(client.get(other), 404)  # a token opens only its own partnership
    assert client.delete(f"/api/v1/partnerships/{world.partnership_a}/calendar-feeds",
                         headers=peer).status_code == 204
    assert_problem(client.get(url), 404)


def test_an_ended_partnership_has_nothing_coming_up(client, world):
    token_url = client.post(f"/api/v1/partnerships/{world.partnership_a}/calendar-feeds",
                            json={}, headers=world["worker_a"].headers).get_json()["url"]
    client.patch(f"/api/v1/partnerships/{world.partnership_a}", json={"status": "ended"},
                 headers=world["worker_a"].headers)
    events = Calendar.from_ical(client.get(token_url).get_data()).walk("VEVENT")
    assert events == []


def test_erasing_removes_your_words_but_keeps_shared_progress(client, world):
    peer, worker = world["peer_a"].headers, world["worker_a"].headers
    goal = world.fresh_goal()
    client.post(f"/api/v1/goals/{goal}/checkins", json={"progress": 8, "note": "Felt strong"},
                headers=peer)
    exported = client.get("/api/v1/me/export", headers=peer).get_json()
    assert exported["checkins"][0]["note"] == "Felt strong"
    assert exported["goals"][0]["title"] == "Walk every morning"
    assert client.delete("/api/v1/me", headers=peer).status_code == 204
    kept = client.get(f"/api/v1/goals/{goal}/checkins", headers=worker).get_json()
    assert kept[0]["progress"] == 8 and kept[0]["note"] is None


def test_an_erased_members_calendar_link_stops_working(client, world):
    url = client.post(f"/api/v1/partnerships/{world.partnership_a}/calendar-feeds", json={},
                      headers=world["peer_a"].headers).get_json()["url"]
    assert client.get(url).status_code == 200
    client.delete("/api/v1/me", headers=world["peer_a"].headers)
    assert_problem(client.get(url), 404)


def test_a_new_password_revokes_your_calendar_links_and_only_yours(client, world):
    """A changed password often means "someone may have my things": links need no sign-in."""
    peer, worker = world["peer_a"], world["worker_a"]
    feeds = f"/api/v1/partnerships/{world.partnership_a}/calendar-feeds"
    peers_link = client.post(feeds, json={}, headers=peer.headers).get_json()["url"]
    workers_link = client.post(feeds, json={}, headers=worker.headers).get_json()["url"]
    new_password = {"password": "quiet harbour lantern dawn"}
    refused = client.patch("/api/v1/me", headers=peer.headers,
                           json={**new_password, "current_password": "not my password"})
    assert_problem(refused, 403)
    assert client.get(peers_link).status_code == 200  # no change, nothing revoked

    changed = client.patch("/api/v1/me", headers=peer.headers,
                           json={**new_password, "current_password": peer.password})
    assert changed.status_code == 200
    assert_problem(client.get(peers_link), 404)
    assert client.get(workers_link).status_code == 200


# --- the due list over a caseload, against the rule applied one partnership at a time -----

def _caseload(app, client, now):
    """A worker with partnerships of every kind the due list must tell apart, written
    straight to the tables around a fixed `now`; returns (worker, {label: partnership id})."""
    from tests.factories import make_goal, make_peer_with, make_worker

    day = timedelta(days=1)
    with app.app_context():
        worker, other = make_worker("busy_worker"), make_worker("other_worker")
        ids = {label: make_peer_with(worker, f"peer_{label}")[1] for label in (
            "latest", "never", "long_ago", "was_paused", "paused_now", "ended",
            "no_active_goal", "just_checked_in", "every_three_days")}
        ids["other_workers"] = make_peer_with(other, "peer_of_other")[1]
        goals = {label: make_goal(worker if label != "other_workers" else other, pid).id
                 for label, pid in ids.items()}
        started = {"latest": 60, "never": 10, "long_ago": 300, "was_paused": 40,
                   "paused_now": 30, "ended": 30, "no_active_goal": 30,
                   "just_checked_in": 30, "every_three_days": 50, "other_workers": 30}
        for label, days in started.items():
            db.session.execute(update(Partnership).where(
                Partnership.id == uuid.UUID(ids[label])).values(created_at=now - days * day))
        db.session.execute(update(Partnership).where(
            Partnership.id == uuid.UUID(ids["every_three_days"])).values(checkin_cadence_days=3))
        checkins = {
            # Out of order, one exactly on a window boundary (14 days back), one in a second
            # goal: the latest of them all (9 days ago) is the one shown.
            "latest": [40 * day, 9 * day, 14 * day, 20 * day],
            "long_ago": [200 * day],  # older than the look-back: still the last check-in
            "was_paused": [12 * day, 30 * day],
            "paused_now": [20 * day],
            "ended": [20 * day],
            "no_active_goal": [20 * day],
            "just_checked_in": [day, 8 * day],
            "every_three_days": [4 * day, 7 * day, 10 * day, 13 * day, 19 * day],
            "other_workers": [20 * day],
        }
        second_goal = make_goal(worker, ids["latest"], "Cook on Sundays").id
        for label, agos in checkins.items():
            for n, ago in enumerate(agos):
                goal = second_goal if label == "latest" and n == 1 else goals[label]
                db.session.add(CheckIn(goal_id=goal, partnership_id=uuid.UUID(ids[label]),
                                       progress=5, author_id=uuid.UUID(worker.id),
                                       created_at=now - ago))
        # Paused from 10 to 7 days ago: 3 days nobody is late for. Paused, twice over, from
        # 20 to 13 days ago: the window 21 to 14 days back is skipped, not missed.
        for begun, ended in ((10, 7), (20, 13), (19, 15)):
            db.session.add(PartnershipPause(partnership_id=uuid.UUID(ids["was_paused"]),
                                            started_at=now - begun * day,
                                            ended_at=now - ended * day))
        from api.models import Goal
        db.session.execute(update(Goal).where(Goal.id == goals["no_active_goal"])
                           .values(status="achieved"))
        db.session.commit()
    for label, status in (("paused_now", "paused"), ("ended", "ended")):
        assert client.patch(f"/api/v1/partnerships/{ids[label]}", json={"status": status},
                            headers=worker.headers).status_code == 200
    return worker, ids


def _expected(app, worker, now) -> list[dict]:
    """The due list worked out the slow, obvious way: every partnership as an ORM object,
    all its check-ins and pauses, and the rule from api.services.support.consistency."""
    from sqlalchemy import select

    from api.lib.clock import iso
    from api.models import Goal
    from api.services.support.consistency import consistency, due

    items = []
    with app.app_context():
        for p in db.session.scalars(select(Partnership).where(
                Partnership.worker_id == uuid.UUID(worker.id))):
            goals = db.session.scalars(select(Goal).where(Goal.partnership_id == p.id)).all()
            if p.status != "active":
                continue
            times = db.session.scalars(select(CheckIn.created_at).where(
                CheckIn.partnership_id == p.id)).all()
            pauses = [(pause.started_at, pause.ended_at) for pause in db.session.scalars(
                select(PartnershipPause).where(PartnershipPause.partnership_id == p.id))]
            last = max(times, default=None)
            when = due(last, p.created_at, p.checkin_cadence_days, now, paused=pauses)
            if when.is_due:
                score = consistency(times, p.checkin_cadence_days, now,
                                    started_at=p.created_at, paused=pauses).score
                items.append(((-when.days_overdue, when.due_at), {
                    "partnership_id": str(p.id),
                    "peer": {"id": str(p.peer.id), "display_name": p.peer.display_name},
                    "checkin_cadence_days": p.checkin_cadence_days,
                    "last_checkin_at": iso(last), "due_at": iso(when.due_at),
                    "days_overdue": when.days_overdue, "consistency": score,
                    "needs_goal": not any(g.status == "active" for g in goals)}))
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def test_the_due_list_of_a_caseload_follows_the_rule_for_each_partnership(
        app, client, monkeypatch):
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr("api.services.support.due.utcnow", lambda: now)
    worker, ids = _caseload(app, client, now)
    response = client.get("/api/v1/checkins/due", headers=worker.headers)
    assert response.status_code == 200 and response.cache_control.no_store
    due = {item["partnership_id"]: item for item in response.get_json()}
    label = {pid: name for name, pid in ids.items()}

    assert sorted(label[pid] for pid in due) == [
        "every_three_days", "latest", "long_ago", "never", "no_active_goal", "was_paused"]
    assert [label[pid] for pid, item in due.items() if item["needs_goal"]] == [
        "no_active_goal"]
    assert due[ids["no_active_goal"]]["days_overdue"] == 13  # its last check-in, 20 days ago
    latest = due[ids["latest"]]
    assert latest["last_checkin_at"] == (now - timedelta(days=9)).isoformat().replace(
        "+00:00", "Z")
    assert latest["days_overdue"] == 2 and latest["peer"]["display_name"] == "Peer_Latest"
    assert due[ids["never"]]["last_checkin_at"] is None
    assert due[ids["never"]]["days_overdue"] == 3 and due[ids["never"]]["consistency"] == 0.0
    assert due[ids["long_ago"]]["last_checkin_at"].startswith(
        (now - timedelta(days=200)).date().isoformat())
    assert due[ids["was_paused"]]["days_overdue"] == 2  # 12 days since, 3 of them paused
    assert due[ids["every_three_days"]]["checkin_cadence_days"] == 3
    assert response.get_json() == _expected(app, worker, now)


def test_reading_the_due_list_leaves_one_audit_row(app, client, monkeypatch):
    from sqlalchemy import func, select

    from api.models import AuditEvent

    now = datetime.now(UTC)
    monkeypatch.setattr("api.services.support.due.utcnow", lambda: now)
    worker, _ = _caseload(app, client, now)

    def reads():
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "checkins.due.read", AuditEvent.object_type == "user",
                AuditEvent.object_id == worker.id, AuditEvent.outcome == "ok"))

    before = reads()
    assert len(client.get("/api/v1/checkins/due", headers=worker.headers).get_json()) == 6
    assert reads() == before + 1


def test_the_hand_written_dump_of_due_items_is_marshmallows_own(app, client, monkeypatch):
    import json

    import marshmallow as ma

    from api.models import User
    from api.schemas.goals import DueCheckInSchema
    from api.services.support.due import due_for

    now = datetime.now(UTC)
    worker, _ = _caseload(app, client, now)
    with app.app_context():
        items = due_for(db.session.get(User, uuid.UUID(worker.id)), now=now)
        assert len(items) == 6
        schema, one = DueCheckInSchema(many=True), DueCheckInSchema()
        # As JSON text: the same keys in the same order, 0.0 not 0, null where null.
        assert json.dumps(schema.dump(items)) == json.dumps(ma.Schema.dump(schema, items))
        assert json.dumps(one.dump(items[0])) == json.dumps(ma.Schema.dump(one, items[0]))
