"""Agency insights with differential privacy (services.surveys: insights, dp_release).

Who counts is checked exactly, by catching what goes into the OpenDP measurements; the noise
itself is checked as statistics: its privacy map, and how often the stated interval holds
the truth. The replayed attacks live in tests/attacks/test_insights_differencing.py.
"""

import contextlib
import statistics
import threading
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import Agency, InsightRelease, SurveyResponse
from api.services.surveys import dp_release, insights
from tests.helpers import assert_problem
from tests.resources.test_self_check_results import people_in_agency_a, self_check, session_check


def last_month() -> insights.Period:
    return insights.last_closed_month(utcnow().date())


def this_quarter() -> str:
    today = utcnow().date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def backdate(app, *user_ids: str) -> None:
    """Move these people's responses into last month, keeping their order (responses are
    stamped when made)."""
    delta = utcnow() - datetime.combine(last_month().start + timedelta(days=14), time(12), UTC)
    with app.app_context():
        for response in db.session.scalars(select(SurveyResponse).where(
                SurveyResponse.user_id.in_([uuid.UUID(user_id) for user_id in user_ids]))):
            response.created_at -= delta
        db.session.commit()


def url(world) -> str:
    return f"/api/v1/agencies/{world.agency_a}/insights"


def read(client, world, **query) -> dict:
    got = client.get(url(world), query_string=query, headers=world["admin_a"].headers)
    assert got.status_code == 200, got.get_json()
    assert got.headers["Cache-Control"] == "no-store"
    return got.get_json()


@pytest.fixture
def measured(monkeypatch):
    """What each survey's measurement was given, with fixed figures in place of noise."""
    calls = {}

    def release(people, dimensions, weights, epsilon, **_):
        calls[len(calls)] = {"people": people, "epsilon": epsilon, "weights": weights}
        figure = dp_release.Figure(60.0, 50.0, 70.0)
        count = len(people)
        return dp_release.Release(dp_release.Count(count, count - 3, count + 3),
                                  [figure] * dimensions, figure, epsilon)

    monkeypatch.setattr(dp_release, "release", release)
    return calls


# --- what a release says ---------------------------------------------------------------------


def test_a_release_names_its_period_budget_mechanism_and_intervals(app, client, world):
    body = read(client, world)
    month = last_month()
    assert (body["period"], body["from"], body["to"]) == (
        month.key, month.start.isoformat(), month.end.isoformat())
    assert body["privacy"]["epsilon"] == insights.EPSILON_MONTH == 1.0
    assert body["privacy"]["epsilon_per_month"] == 2.0
    assert body["privacy"]["interval"] == 0.9 and "OpenDP" in body["privacy"]["mechanism"]
    assert body["min_group_size"] == 5
    for survey in body["surveys"]:
        assert survey["epsilon"] == 1.0  # workers and peers are different people
        assert set(survey["respondents"]) == {"estimate", "low", "high"}
        assert "items" not in survey  # one item's answers are never released
        assert [d["dimension"] for d in survey["dimensions"]]


def test_asking_again_returns_the_same_figures_and_spends_nothing(app, client, world):
    first, again = read(client, world), read(client, world)
    assert first == again
    with app.app_context():
        kept = db.session.scalar(select(func.count()).select_from(InsightRelease).where(
            InsightRelease.agency_id == uuid.UUID(world.agency_a)))
    assert kept == 1


def test_a_closed_quarter_is_a_release_of_its_own(app, client, world):
    year = utcnow().year - 1
    month, quarter = read(client, world, period=f"{year}-11"), read(client, world,
                                                                     period=f"{year}-Q4")
    assert (quarter["from"], quarter["to"]) == (f"{year}-10-01", f"{year}-12-31")
    assert month["privacy"]["epsilon"] + quarter["privacy"]["epsilon"] \
        == month["privacy"]["epsilon_per_month"]


@pytest.mark.parametrize("period", ["current month", "current quarter", "3000-01"])
def test_a_period_not_over_yet_is_not_released(client, world, period):
    today = utcnow().date()
    key = {"current month": f"{today.year}-{today.month:02d}",
           "current quarter": this_quarter()}.get(period, period)
    got = client.get(url(world), query_string={"period": key}, headers=world["admin_a"].headers)
    assert "period" in assert_problem(got, 422)["errors"]


def test_a_period_before_the_agency_existed_is_not_released(app, client, world):
    """Noise on an empty month would draw a score for a month before the agency was made."""
    with app.app_context():
        agency = db.session.get(Agency, uuid.UUID(world.agency_a))
        agency.created_at = utcnow()
        db.session.commit()
    key = last_month().key
    for language, words in (("en", "Your agency was made on "),
                            ("es", "Tu agencia se creó el ")):
        got = client.get(url(world), query_string={"period": key},
                         headers={**world["admin_a"].headers, "Accept-Language": language})
        assert assert_problem(got, 422)["errors"]["period"][0].startswith(words)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InsightRelease).where(
            InsightRelease.agency_id == uuid.UUID(world.agency_a))) == 0


@pytest.mark.parametrize("query", [
    {"period": "2026-13"}, {"period": "2026-Q0"}, {"period": "2026-Q5"}, {"period": "2026-1"},
    {"period": "26-11"}, {"period": "2026-11-01"}, {"period": "1999-12"},
    {"period": "２０２６-11"}, {"period": "2026-11\n"}, {"from": "2026-11-01", "to": "2026-11-20"},
])
def test_only_whole_months_and_quarters_can_be_asked_for(client, world, query):
    got = client.get(url(world), query_string=query, headers=world["admin_a"].headers)
    assert_problem(got, 422)


@pytest.mark.parametrize("who", ["admin_b", "worker_a", "peer_a"])
def test_only_the_agencys_own_admins_see_its_insights(client, world, who):
    got = client.get(url(world), headers=world[who].headers)
    assert_problem(got, 404 if who == "admin_b" else 403)


# --- who counts (checked exactly, the noise set aside) ---------------------------------------


def test_each_person_counts_once_with_their_latest_answer_in_the_period(
        app, client, world, measured):
    people = people_in_agency_a(app, world, 2)
    self_check(client, world["worker_a"], 0)
    self_check(client, world["worker_a"], 4)          # worker A's latest replaces the first
    self_check(client, people[0][0], 2)
    self_check(client, world["worker_b"], 1)          # agency B: never counted
    self_check(client, people[1][0], 3)               # answered this month: not last month's
    backdate(app, world["worker_a"].id, people[0][0].id, world["worker_b"].id)
    read(client, world)
    by_survey = {len(call["weights"]): call for call in measured.values()}
    self_checks = by_survey[3]["people"]               # relationship, goals, approach
    assert sorted(self_checks) == [[50, 50, 50], [100, 100, 100]]
    assert by_survey[3]["weights"] == [6, 2, 3]


def test_session_checks_kept_for_agency_totals_count_here(app, client, world, measured):
    session_check(client, world["peer_a"], world.partnership_a, 2, 4, 6, 8, "aggregate_only")
    backdate(app, world["peer_a"].id)
    read(client, world)
    [session] = [call for call in measured.values() if len(call["weights"]) == 4]
    assert session["people"] == [[20, 40, 60, 80]]


def test_fewer_than_five_people_show_no_figures(app, client, world, monkeypatch):
    def release(people, dimensions, weights, epsilon, **_):
        figure = dp_release.Figure(60.0, 50.0, 70.0)
        return dp_release.Release(dp_release.Count(4, 0, 9), [figure] * dimensions, figure,
                                  epsilon)

    monkeypatch.setattr(dp_release, "release", release)
    for survey in read(client, world)["surveys"]:
        assert survey["enough_responses"] is False
        assert survey["respondents"] == {"estimate": 4, "low": 0, "high": 9}
        assert all(d["percent"] is None and d["low"] is None for d in survey["dimensions"])
        assert survey["all_items"] == {"percent": None, "low": None, "high": None}


def test_no_persons_or_partnerships_id_appears(app, client, world):
    session_check(client, world["peer_a"], world.partnership_a, 2, 4, 6, 8, "aggregate_only")
    self_check(client, world["worker_a"], 2)
    backdate(app, world["peer_a"].id, world["worker_a"].id)
    body = client.get(url(world), headers=world["admin_a"].headers).get_data(as_text=True)
    for secret in (world["peer_a"].id, world["worker_a"].id, world.partnership_a):
        assert secret not in body


def test_two_first_requests_at_once_keep_one_release(app, make_app, client, world):
    """Two processes release the same period at once: both answer with the one kept."""
    measure = insights._measure
    gate = threading.Barrier(2, timeout=3)

    def slow_measure(agency_id, wanted):
        figures = measure(agency_id, wanted)
        # Both have measured before either stores (PostgreSQL); SQLite lets one writer in
        # at a time, so there the other waits, then finds the kept one.
        with contextlib.suppress(threading.BrokenBarrierError):
            gate.wait()
        return figures

    answers = []
    other = make_app()

    def ask(flask_app):
        answers.append(flask_app.test_client().get(url(world),
                                                   headers=world["admin_a"].headers))

    insights._measure = slow_measure
    try:
        threads = [threading.Thread(target=ask, args=(a,)) for a in (app, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        insights._measure = measure
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].get_json() == answers[1].get_json()


# --- the noise (OpenDP): what it spends, and how honest its intervals are --------------------


def test_each_measurement_spends_its_share_and_no_more():
    count_scale, sum_scale, spent = dp_release.scales(1.0, 0.2, 3)
    assert spent == pytest.approx(1.0, abs=1e-6)
    # One person moves the count by 1 and a centred sum by at most 50.
    assert count_scale == pytest.approx(1 / 0.2, rel=1e-6)
    assert sum_scale == pytest.approx(50 / (0.8 / 3), rel=1e-6)


def test_the_90_percent_interval_holds_the_truth_about_9_times_in_10():
    people = [[(17 * n) % 101, (29 * n + 40) % 101, 80] for n in range(60)]
    truth = statistics.mean(person[0] for person in people)
    held, estimates = 0, []
    for _ in range(200):
        figures = dp_release.release(people, 3, [6, 2, 3], 1.0, count_share=0.2,
                                     interval=0.9, draws=400)
        first = figures.dimensions[0]
        held += first.low <= truth <= first.high
        estimates.append(first.estimate)
    # 200 releases at 90%: 180 expected; 165-195 is within 3.5 standard deviations.
    assert 165 <= held <= 195
    assert abs(statistics.mean(estimates) - truth) < 3  # the noise has no lean


def test_a_practice_that_did_not_come_up_is_left_out_of_a_persons_scores():
    from types import SimpleNamespace

    row = SimpleNamespace(scale_min=0, scale_max=4, definition={"items": [
        {"id": "a", "dimension": "relationship"}, {"id": "b", "dimension": "approach"},
        {"id": "c", "dimension": "approach", "did_not_come_up": True},
        {"id": "d", "dimension": "goals", "did_not_come_up": True}]})
    dimensions = ["relationship", "goals", "approach"]
    # c did not come up: approach is b alone (not b and a zero); goals had nothing rated, so
    # it is this person's overall (of a and b), as for a dimension left blank.
    assert insights.person_scores({"a": 4, "b": 2, "c": None, "d": None}, row,
                                  dimensions) == [100, 75, 50]
