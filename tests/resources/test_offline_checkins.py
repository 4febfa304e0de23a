"""A check-in written offline keeps the time it was made (`made_at`), within bounds, and the
consistency score counts it in its own week: sent days later, it used to land in the week it
synced, and the week it belonged to showed as missed."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from api.extensions import db
from api.models import CheckIn, Goal, Partnership
from tests.helpers import assert_problem


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def backdate(app, partnership_id: str, goal_id: str, days: int) -> None:
    then = datetime.now(UTC) - timedelta(days=days)
    with app.app_context():
        db.session.execute(update(Partnership).where(
            Partnership.id == uuid.UUID(partnership_id)).values(created_at=then))
        db.session.execute(update(Goal).where(Goal.id == uuid.UUID(goal_id)).values(
            created_at=then))
        db.session.commit()


def stored(app, goal_id: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CheckIn).where(
            CheckIn.goal_id == uuid.UUID(goal_id)))


def test_a_check_in_made_offline_keeps_its_time(app, client, world):
    goal = world.fresh_goal()
    backdate(app, world.partnership_a, goal, 20)
    peer = world["peer_a"].headers
    made = (datetime.now(UTC) - timedelta(days=9)).replace(microsecond=0)
    # Written at 9 in the morning in Chicago, nine days ago: kept as that moment, in UTC.
    chicago = made.astimezone(datetime.strptime("-0600", "%z").tzinfo)
    answer = client.post(f"/api/v1/goals/{goal}/checkins", headers={
        **peer, "Idempotency-Key": str(uuid.uuid4())},
        json={"progress": 3, "note": "On the bus", "made_at": iso(chicago)})
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert body["created_at"] == made.isoformat().replace("+00:00", "Z")
    received = datetime.fromisoformat(body["received_at"])
    assert abs((received - datetime.now(UTC)).total_seconds()) < 60

    listed = client.get(f"/api/v1/goals/{goal}/checkins", headers=peer).get_json()
    assert [c["created_at"] for c in listed] == [body["created_at"]]
    due = client.get("/api/v1/checkins/due", headers=world["worker_a"].headers).get_json()
    mine = next(d for d in due if d["partnership_id"] == world.partnership_a)
    assert mine["last_checkin_at"] == body["created_at"]  # the week it was made, not today


def test_the_due_list_and_score_count_it_in_the_week_it_was_made(app, client, world):
    goal = world.fresh_goal()
    backdate(app, world.partnership_a, goal, 30)
    peer, worker = world["peer_a"].headers, world["worker_a"].headers
    for days in (20, 13):  # two weekly check-ins, written offline, sent only today
        made = datetime.now(UTC) - timedelta(days=days)
        assert client.post(f"/api/v1/goals/{goal}/checkins", headers=peer, json={
            "progress": 2, "made_at": iso(made)}).status_code == 201
    due = client.get("/api/v1/checkins/due", headers=worker).get_json()
    # Dated when they were sent, the last would be today and nobody would be due.
    mine = next(d for d in due if d["partnership_id"] == world.partnership_a)
    assert mine["days_overdue"] == 6  # a week after the check-in made 13 days ago
    assert 0 < mine["consistency"] < 1  # two weeks met of the four since the goal was set


def test_times_out_of_bounds_are_refused_and_change_nothing(app, client, world):
    goal = world.fresh_goal()
    backdate(app, world.partnership_a, goal, 100)
    peer = world["peer_a"].headers
    now = datetime.now(UTC)
    for made_at, says in (
        (iso(now + timedelta(minutes=10)), "future"),
        (iso(now - timedelta(days=91)), "90 days"),
        ("2026-11-30T10:00:00", "Not a valid aware datetime"),  # no time zone: which 10:00?
        ("yesterday", "Not a valid datetime"),
        ("0001-01-01T00:00:00+14:00", "90 days"),  # no UTC time before year 1: not a 500
        ("9999-12-31T23:59:00-14:00", "future"),
    ):
        response = client.post(f"/api/v1/goals/{goal}/checkins", headers=peer,
                               json={"progress": 1, "made_at": made_at})
        problem = assert_problem(response, 422)
        assert says in str(problem["errors"]["made_at"]), problem
    assert stored(app, goal) == 0

    fresh = world.fresh_goal("Sleep by eleven")  # set just now
    response = client.post(f"/api/v1/goals/{fresh}/checkins", headers=peer, json={
        "progress": 1, "made_at": iso(now - timedelta(days=2))})
    problem = assert_problem(response, 422)
    assert "before the goal" in str(problem["errors"]["made_at"])
    assert stored(app, fresh) == 0
    # A phone clock a minute fast is not a reason to lose a check-in.
    ahead = client.post(f"/api/v1/goals/{fresh}/checkins", headers=peer, json={
        "progress": 1, "made_at": iso(now + timedelta(minutes=1))})
    assert ahead.status_code == 201
    assert datetime.fromisoformat(ahead.get_json()["created_at"]) <= datetime.now(UTC)
