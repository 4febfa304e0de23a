"""GET /api/v1/me/milestones: what is next across your partnerships, soonest due first."""

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.models import AuditEvent, Goal, Milestone, Partnership, User
from api.services.support import goals, partnerships
from tests.factories import make_goal, make_peer_with
from tests.helpers import assert_problem, parse_links

URL = "/api/v1/me/milestones"
TODAY = date.today()


def add_goal(world, partnership: str | None = None, *, author: str = "worker_a",
             title: str = "Walk every morning", status: str = "active") -> str:
    with world.app.app_context(), unit_of_work():
        goal = make_goal(world[author], partnership or world.partnership_a, title)
        if status != "active":
            user = db.session.get(User, uuid.UUID(world[author].id))
            goals.update_goal(user, goal, db.session.get(Partnership, goal.partnership_id),
                              None, status=status)
        return str(goal.id)


def add_milestone(world, goal_id: str, title: str, due_date=None, *, done: bool = False,
                  position: int | None = None) -> str:
    """A milestone, added by whoever set the goal."""
    with world.app.app_context(), unit_of_work():
        user = db.session.get(User, db.session.get(Goal, uuid.UUID(goal_id)).created_by)
        goal, partnership = goals.member_goal(user, uuid.UUID(goal_id))
        milestone = goals.add_milestone(user, goal, partnership, title=title, due_date=due_date,
                                        position=position)
        if done:
            goals.update_milestone(user, milestone, partnership, None, done=True)
        return str(milestone.id)


def end_partnership(world, partnership: str, who: str = "worker_a") -> None:
    with world.app.app_context(), unit_of_work():
        user = db.session.get(User, uuid.UUID(world[who].id))
        partnerships.update(user, db.session.get(Partnership, uuid.UUID(partnership)),
                            status="ended")


def titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [item["title"] for item in response.get_json()]


def test_items_are_milestones_with_their_goal_and_partnership(client, world):
    goal = add_goal(world, title="Sleep better")
    milestone = add_milestone(world, goal, "Lights out by eleven", TODAY + timedelta(days=3))
    response = client.get(URL, headers=world["peer_a"].headers)
    assert response.status_code == 200
    assert response.cache_control.no_store
    assert "Access-Control-Allow-Origin" not in response.headers
    [item] = response.get_json()
    assert item == {
        "id": milestone, "goal_id": goal, "title": "Lights out by eleven",
        "due_date": (TODAY + timedelta(days=3)).isoformat(), "position": 0, "done": False,
        "done_at": None, "done_by": None, "created_by": world["worker_a"].id,
        "words_removed": False, "version": 1, "goal_title": "Sleep better",
        "goal_words_removed": False, "partnership_id": world.partnership_a,
    }
    # The version is what PATCH /milestones/{id} needs in If-Match, as on the goal's own list.
    done = client.patch(f"/api/v1/milestones/{milestone}", json={"done": True},
                        headers={**world["peer_a"].headers, "If-Match": '"v1"'})
    assert done.status_code == 200
    assert titles(client.get(URL, headers=world["peer_a"].headers)) == []


def test_soonest_due_first_and_undated_last(client, world):
    older, newer = add_goal(world, title="Older"), add_goal(world, title="Newer")
    add_milestone(world, newer, "newer undated")
    add_milestone(world, older, "older undated, second", position=5)
    add_milestone(world, newer, "in a week", TODAY + timedelta(days=7))
    add_milestone(world, older, "overdue", TODAY - timedelta(days=2))
    add_milestone(world, older, "tomorrow, older goal", TODAY + timedelta(days=1))
    add_milestone(world, newer, "tomorrow, newer goal", TODAY + timedelta(days=1))
    add_milestone(world, older, "older undated, first", position=0)  # added last, placed first
    assert titles(client.get(URL, headers=world["worker_a"].headers)) == [
        "overdue", "tomorrow, older goal", "tomorrow, newer goal", "in a week",
        "older undated, first", "older undated, second", "newer undated"]


def test_done_milestones_and_goals_that_are_not_active_are_left_out(client, world):
    active = add_goal(world)
    add_milestone(world, active, "open", TODAY)
    add_milestone(world, active, "done already", TODAY, done=True)
    for status in ("paused", "achieved", "let_go"):
        goal = add_goal(world, title=status, status=status)
        add_milestone(world, goal, f"on a {status} goal", TODAY)
    for who in ("worker_a", "peer_a"):
        assert titles(client.get(URL, headers=world[who].headers)) == ["open"]


def test_ended_partnerships_are_left_out_but_paused_ones_stay(client, app, world):
    with app.app_context():
        second_peer, second = make_peer_with(world["worker_a"], "second_peer")
        third_peer, third = make_peer_with(world["worker_a"], "third_peer")
    add_milestone(world, add_goal(world), "with peer A", TODAY)
    add_milestone(world, add_goal(world, second), "with the second peer", TODAY)
    add_milestone(world, add_goal(world, third), "with the third peer", TODAY)
    with app.app_context():
        user = db.session.get(User, uuid.UUID(world["worker_a"].id))
        partnerships.update(user, db.session.get(Partnership, uuid.UUID(second)),
                            status="paused")
    end_partnership(world, third)
    assert sorted(titles(client.get(URL, headers=world["worker_a"].headers))) == [
        "with peer A", "with the second peer"]
    assert titles(client.get(URL, headers=third_peer.headers)) == []
    assert titles(client.get(URL, headers=second_peer.headers)) == ["with the second peer"]


def test_nobody_sees_another_partnerships_milestones(client, world):
    add_milestone(world, add_goal(world), "A's step", TODAY)
    add_milestone(world, add_goal(world, world.partnership_b, author="worker_b"), "B's step",
                  TODAY)
    assert titles(client.get(URL, headers=world["worker_a"].headers)) == ["A's step"]
    assert titles(client.get(URL, headers=world["peer_a"].headers)) == ["A's step"]
    assert titles(client.get(URL, headers=world["worker_b"].headers)) == ["B's step"]
    assert titles(client.get(URL, headers=world["peer_b"].headers)) == ["B's step"]


def test_a_worker_with_no_partnership_has_nothing_next(client, worker):
    response = client.get(URL, headers=worker.headers)
    assert response.get_json() == []
    assert json.loads(response.headers["X-Pagination"])["total"] == 0


@pytest.mark.parametrize("admin", ["admin_a", "admin_b"])
def test_agency_admins_are_refused(client, world, admin):
    add_milestone(world, add_goal(world), "A's step", TODAY)
    assert_problem(client.get(URL, headers=world[admin].headers), 403)


def test_signing_in_is_required(client):
    response = client.get(URL)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_list_is_paged_with_link_and_x_pagination(client, world):
    goal = add_goal(world)
    for day in range(5):
        add_milestone(world, goal, f"day {day}", TODAY + timedelta(days=day))
    first = client.get(f"{URL}?page_size=2", headers=world["worker_a"].headers)
    assert titles(first) == ["day 0", "day 1"]
    meta = json.loads(first.headers["X-Pagination"])
    assert (meta["total"], meta["total_pages"], meta["next_page"]) == (5, 3, 2)
    links = parse_links(first.headers["Link"])
    assert set(links) == {"first", "next", "last"}
    last = client.get(links["last"], headers=world["worker_a"].headers)
    assert titles(last) == ["day 4"]
    beyond = client.get(f"{URL}?page=4&page_size=2", headers=world["worker_a"].headers)
    assert titles(beyond) == []
    assert json.loads(beyond.headers["X-Pagination"])["total"] == 5


@pytest.mark.parametrize("query", [
    "page=0", "page=100001", "page_size=0", "page_size=101", "page_size=-1",
    f"page={2**70}", "page_size=five", "limit=5",
])
def test_paging_out_of_bounds_is_422(client, world, query):
    response = client.get(f"{URL}?{query}", headers=world["worker_a"].headers)
    assert_problem(response, 422)


def test_the_read_is_in_both_members_access_logs(client, app, world):
    add_milestone(world, add_goal(world), "A's step", TODAY)
    assert client.get(URL, headers=world["worker_a"].headers).status_code == 200
    with app.app_context():
        actions = db.session.execute(
            select(AuditEvent.action, AuditEvent.partnership_id)
            .where(AuditEvent.actor_id == uuid.UUID(world["worker_a"].id),
                   AuditEvent.action.like("milestone.next.%"))).all()
    assert sorted(actions) == [("milestone.next.list", None),
                               ("milestone.next.read", uuid.UUID(world.partnership_a))]
    log = client.get("/api/v1/me/access-log?page_size=100", headers=world["peer_a"].headers)
    assert any(entry["action"] == "milestone.next.read" for entry in log.get_json())


def test_milestones_of_an_erased_partner_are_gone(client, app, world):
    add_milestone(world, add_goal(world), "A's step", TODAY)
    assert client.delete("/api/v1/me", headers=world["peer_a"].headers).status_code == 204
    assert titles(client.get(URL, headers=world["worker_a"].headers)) == []
    with app.app_context():  # still there, as the worker's read-only history
        assert db.session.scalar(select(Milestone.id).join(Goal).where(
            Goal.partnership_id == uuid.UUID(world.partnership_a)))
