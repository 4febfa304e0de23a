"""Consistent support over HTTP: who is due, the timeline, and the calendar link."""

import uuid
from datetime import UTC, datetime, timedelta

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


def test_due_lists_only_overdue_partnerships_with_an_active_goal(app, client, world):
    worker = world["worker_a"].headers
    assert client.get("/api/v1/checkins/due", headers=worker).get_json() == []  # brand new
    backdate_partnership(app, world.partnership_a, 10)
    assert client.get("/api/v1/checkins/due", headers=worker).get_json() == []  # no goal yet
    goal = world.fresh_goal()
    due = client.get("/api/v1/checkins/due", headers=worker).get_json()
    assert [d["partnership_id"] for d in due] == [world.partnership_a]
    assert due[0]["days_overdue"] == 3 and due[0]["checkin_cadence_days"] == 7
    assert due[0]["peer"]["id"] == world["peer_a"].id and due[0]["last_checkin_at"] is None
    client.post(f"/api/v1/goals/{goal}/checkins", json={"progress": 5}, headers=worker)
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
    client.post(f"/api/v1/goals/{goal}/checkins", json={"progress": 2, "note": "Slow start"},
                headers=peer)
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
