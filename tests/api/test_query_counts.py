"""Lists run a bounded number of SQL statements, however many items a page holds."""

import uuid

import pytest


@pytest.mark.parametrize("url", [
    "/api/v1/tips?page_size={n}", "/api/v1/tips?page_size={n}&lang=es&q=you&tag=trust",
    "/api/v1/faqs?page_size={n}", "/api/v1/faqs?page_size={n}&lang=es",
    "/api/v1/tips/today?lang=es", "/api/v1/tips/reflect-back?lang=es",
    "/api/v1/faqs/what-is-rapport?lang=es",
])
def test_statement_count_does_not_grow_with_page_size(client, count_queries, url):
    counts = []
    for size in (1, 100):
        with count_queries() as statements:
            assert client.get(url.format(n=size)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 3, counts


def _fill(app, world, goal_id: str, count: int) -> None:
    """`count` goals, milestones and check-ins, written straight to the tables (fast)."""
    from api.extensions import db
    from api.models import CheckIn, Goal, Milestone

    with app.app_context():
        author = uuid.UUID(world["worker_a"].id)
        partnership = uuid.UUID(world.partnership_a)
        goal = uuid.UUID(goal_id)
        for n in range(count):
            db.session.add(Goal(partnership_id=partnership, title=f"Goal {n}", created_by=author))
            db.session.add(Milestone(goal_id=goal, title=f"Step {n}", position=n))
            db.session.add(CheckIn(goal_id=goal, partnership_id=partnership, progress=n % 11,
                                   author_id=author))
        db.session.commit()


@pytest.mark.parametrize("path", [
    "/api/v1/partnerships/{partnership}/goals?page_size=100",
    "/api/v1/goals/{goal}/checkins?page_size=100",
    "/api/v1/goals/{goal}/milestones",
    "/api/v1/partnerships?page_size=100",
    "/api/v1/me/access-log?page_size=100",
])
def test_private_lists_run_at_most_four_statements_for_1_or_200_items(
        app, client, world, count_queries, path):
    small_goal, big_goal = world.fresh_goal(), world.fresh_goal()
    _fill(app, world, small_goal, 1)
    _fill(app, world, big_goal, 200)
    counts = []
    for goal in (small_goal, big_goal):
        url = path.format(partnership=world.partnership_a, goal=goal)
        with count_queries() as statements:
            response = client.get(url, headers=world["worker_a"].headers)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4, counts
