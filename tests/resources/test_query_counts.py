"""Lists run a bounded number of SQL statements, however many items a page holds."""

import uuid

import pytest

from api.services import audit


@pytest.mark.parametrize("url", [
    "/api/v1/tips?page_size={n}", "/api/v1/tips?page_size={n}&lang=es&q=you&tag=trust",
    "/api/v1/faqs?page_size={n}", "/api/v1/faqs?page_size={n}&lang=es",
    "/api/v1/tips/today?lang=es", "/api/v1/tips/reflect-back?lang=es",
    "/api/v1/faqs/what-is-rapport?lang=es",
])
def test_statement_count_does_not_grow_with_page_size(app, client, count_queries, url):
    counts = []
    for size in (1, 100):
        app.extensions["public_cache"].clear()  # the work of making the answer, not of a hit
        with count_queries() as statements:
            assert client.get(url.format(n=size)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4, counts  # one asks whether content changed


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


@pytest.mark.parametrize("path, budget", [
    ("/api/v1/partnerships/{partnership}/goals?page_size=100", 4),
    ("/api/v1/goals/{goal}/checkins?page_size=100", 4),
    ("/api/v1/goals/{goal}/milestones", 4),
    ("/api/v1/partnerships?page_size=100", 5),  # one more: which ask for a talk
    ("/api/v1/me/access-log?page_size=100", 5),  # one more: the handovers that bound it
])
def test_private_lists_run_at_most_four_or_five_statements_for_1_or_200_items(
        app, client, world, count_queries, path, budget):
    small_goal, big_goal = world.fresh_goal(), world.fresh_goal()
    _fill(app, world, small_goal, 1)
    _fill(app, world, big_goal, 200)
    counts = []
    for goal in (small_goal, big_goal):
        url = path.format(partnership=world.partnership_a, goal=goal)
        audit.forget_recent_reads()  # each read writes its audit row, as a first read does
        with count_queries() as statements:
            response = client.get(url, headers=world["worker_a"].headers)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= budget, counts


def test_next_milestones_run_as_many_statements_for_1_or_many_goals_and_partnerships(
        app, count_queries):
    """One query for all partnerships, goals and milestones; one INSERT for the audit."""
    from datetime import date, timedelta

    from api.extensions import db
    from api.models import Goal, Milestone
    from tests.factories import make_peer_with, make_world

    counts = []
    for goals, extra_partnerships in ((1, 0), (60, 4)):
        with app.app_context():
            world = make_world(app)
            ids = [world.partnership_a] + [make_peer_with(world["worker_a"], f"peer{n}")[1]
                                           for n in range(extra_partnerships)]
            author = uuid.UUID(world["worker_a"].id)
            for n in range(goals):
                goal = Goal(partnership_id=uuid.UUID(ids[n % len(ids)]), title=f"Goal {n}",
                            created_by=author)
                db.session.add(goal)
                db.session.flush()
                db.session.add_all([
                    Milestone(goal_id=goal.id, title=f"Step {n}", position=0,
                              due_date=date.today() + timedelta(days=n)),
                    Milestone(goal_id=goal.id, title=f"Someday {n}", position=1)])
            db.session.commit()
        with count_queries() as statements:
            response = app.test_client().get("/api/v1/me/milestones?page_size=100",
                                             headers=world["worker_a"].headers)
        assert response.status_code == 200
        assert len(response.get_json()) == min(2 * goals, 100)
        assert len({item["partnership_id"] for item in response.get_json()}) == len(ids)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4, counts


def _fill_checks(app, world, count: int) -> None:
    """`count` self-checks by worker A and shared session-checks by peer A, straight in."""
    from datetime import timedelta

    from api.extensions import db
    from api.lib.clock import utcnow
    from api.models import SurveyResponse
    from api.services.surveys import instruments

    with app.app_context():
        for slug, who, partnership, share in (
                ("rapport-self-check", "worker_a", None, None),
                ("session-check", "peer_a", uuid.UUID(world.partnership_a), "now")):
            row = instruments.newest(slug)
            answers = [{"item": item["id"], "value": 3} for item in row.definition["items"]]
            for n in range(count):
                db.session.add(SurveyResponse(
                    instrument_id=row.id, user_id=uuid.UUID(world[who].id),
                    partnership_id=partnership, share=share, answers=answers,
                    total=3 * len(answers), created_at=utcnow() - timedelta(minutes=n)))
        db.session.commit()


def test_fhir_goal_search_runs_as_many_statements_for_1_or_60_goals(app, count_queries):
    """The session, one page of goals with their partnerships, their milestones, their last
    status changes, one INSERT for the audit: five, however many goals and partnerships."""
    from api.extensions import db
    from api.models import Goal, Milestone
    from tests.factories import make_peer_with, make_world

    counts = []
    for goals, extra_partnerships in ((1, 0), (60, 4)):
        with app.app_context():
            world = make_world(app)
            ids = [world.partnership_a] + [make_peer_with(world["worker_a"], f"peer{n}")[1]
                                           for n in range(extra_partnerships)]
            author = uuid.UUID(world["worker_a"].id)
            for n in range(goals):
                goal = Goal(partnership_id=uuid.UUID(ids[n % len(ids)]), title=f"Goal {n}",
                            created_by=author)
                db.session.add(goal)
                db.session.flush()
                db.session.add_all([Milestone(goal_id=goal.id, title=f"Step {n}", position=0),
                                    Milestone(goal_id=goal.id, title=f"Next {n}", position=1)])
            db.session.commit()
        audit.forget_recent_reads()
        with count_queries() as statements:
            response = app.test_client().get("/fhir/Goal?_count=100",
                                             headers=world["worker_a"].headers)
        assert response.status_code == 200
        assert response.get_json()["total"] == goals
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 5, counts


@pytest.mark.parametrize("path, who", [
    ("/api/v1/surveys/rapport-self-check/responses?page_size=100", "worker_a"),
    ("/api/v1/surveys/session-check/responses?page_size=100", "peer_a"),
    ("/api/v1/me/self-check/trend?limit=100", "worker_a"),
    ("/api/v1/partnerships/{partnership}/rapport", "peer_a"),
    ("/api/v1/agencies/{agency}/insights", "admin_a"),
    ("/fhir/QuestionnaireResponse?_count=100", "worker_a"),
    ("/fhir/QuestionnaireResponse?_count=100&questionnaire=session-check", "peer_a"),
])
def test_survey_reads_run_as_many_statements_for_1_or_60_checks(
        app, count_queries, path, who):
    from tests.factories import make_world

    counts = []
    for count in (1, 60):
        with app.app_context():
            world = make_world(app)
        _fill_checks(app, world, count)
        url = path.format(partnership=world.partnership_a, agency=world.agency_a)
        with count_queries() as statements:
            response = app.test_client().get(url, headers=world[who].headers)
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 10, counts
