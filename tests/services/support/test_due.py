"""Who is due a check-in (api.services.support.due), one kind of partnership at a time.

Before, a partnership with no active goal was never due: a worker and a peer who had reached
their goal, or never set one, dropped off the due list for good. Now the cadence holds
without a goal too; the item says a goal is needed (a check-in is written on one)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.models import CheckIn, Goal, Partnership, User
from api.services.support import partnerships
from api.services.support.due import due_for
from tests.factories import make_goal, make_peer_with, make_worker

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)


@pytest.fixture
def worker(app_ctx):
    return make_worker("due_worker")


def partnership(worker, *, started_days_ago: int, name: str = "peer") -> uuid.UUID:
    _, pid = make_peer_with(worker, name)
    db.session.execute(update(Partnership).where(Partnership.id == uuid.UUID(pid))
                       .values(created_at=NOW - started_days_ago * DAY))
    db.session.commit()
    return uuid.UUID(pid)


def goal(worker, pid: uuid.UUID, status: str = "active") -> uuid.UUID:
    made = make_goal(worker, str(pid)).id
    if status != "active":
        db.session.execute(update(Goal).where(Goal.id == made).values(status=status))
        db.session.commit()
    return made


def checkin(worker, pid: uuid.UUID, goal_id: uuid.UUID, days_ago: int) -> None:
    db.session.add(CheckIn(goal_id=goal_id, partnership_id=pid, progress=5,
                           author_id=uuid.UUID(worker.id), created_at=NOW - days_ago * DAY))
    db.session.commit()


def due(worker) -> dict:
    return {item.partnership_id: item
            for item in due_for(db.session.get(User, uuid.UUID(worker.id)), now=NOW)}


def test_no_goal_ever_is_due_a_cadence_after_the_start_and_needs_a_goal(worker):
    pid = partnership(worker, started_days_ago=10)
    item = due(worker)[pid]
    assert item.needs_goal is True
    assert item.last_checkin_at is None
    assert item.due.due_at == NOW - 3 * DAY and item.due.days_overdue == 3
    assert item.consistency == 0.0  # one window since the start, not met


def test_no_goal_is_not_due_before_its_first_cadence_is_up(worker):
    pid = partnership(worker, started_days_ago=6)
    assert pid not in due(worker)


def test_goals_all_reached_or_let_go_are_due_from_the_last_check_in_on_any_of_them(worker):
    pid = partnership(worker, started_days_ago=60)
    reached, let_go = goal(worker, pid), goal(worker, pid)
    checkin(worker, pid, reached, days_ago=30)
    checkin(worker, pid, let_go, days_ago=20)
    for goal_id, status in ((reached, "achieved"), (let_go, "let_go")):
        db.session.execute(update(Goal).where(Goal.id == goal_id).values(status=status))
    db.session.commit()
    item = due(worker)[pid]
    assert item.needs_goal is True
    assert item.last_checkin_at == NOW - 20 * DAY
    assert item.due.days_overdue == 13


def test_a_paused_goal_is_not_one_to_check_in_on(worker):
    pid = partnership(worker, started_days_ago=10)
    goal(worker, pid, status="paused")
    assert due(worker)[pid].needs_goal is True


def test_an_active_goal_needs_nothing_more(worker):
    pid = partnership(worker, started_days_ago=10)
    goal(worker, pid, status="achieved")
    goal(worker, pid)
    item = due(worker)[pid]
    assert item.needs_goal is False and item.due.days_overdue == 3


@pytest.mark.parametrize("status", ["paused", "ended"])
def test_paused_and_ended_partnerships_are_never_due_goal_or_not(worker, status):
    without, with_goal = (partnership(worker, started_days_ago=40, name=f"peer_{n}")
                          for n in ("without", "with"))
    goal(worker, with_goal)
    user = db.session.get(User, uuid.UUID(worker.id))
    with unit_of_work():
        for pid in (without, with_goal):
            partnerships.update(user, db.session.get(Partnership, pid),
                                status=status)
    assert due(worker) == {}
