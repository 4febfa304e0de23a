"""Due check-ins and the consistency score: the rule, its edges, and properties over wide input."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.services.support.consistency import (
    SMOOTHING,
    Consistency,
    Due,
    Lookback,
    consistency,
    due,
)

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)
DAY = timedelta(days=1)


def window_start(index: int, count: int, cadence: int = 7) -> datetime:
    """Start of window `index` (0 = oldest) of `count` windows ending at NOW."""
    return NOW - (count - index) * timedelta(days=cadence)


def history(met: list[bool], cadence: int = 7) -> list[datetime]:
    """One check-in in the middle of each window marked True, oldest window first."""
    half = timedelta(days=cadence) / 2
    return [window_start(i, len(met), cadence) + half for i, hit in enumerate(met) if hit]


def score_of(met: list[bool], cadence: int = 7, **kwargs) -> float | None:
    weeks = len(met) * cadence // 7
    checkins = history(met, cadence)
    return consistency(checkins, cadence, NOW, started_at=LONG_AGO, weeks=weeks, **kwargs).score


def ema(met: list[bool]) -> float:
    """The documented formula, written out independently of the module."""
    score = 0.0
    for hit in met:
        score = score * (1 - SMOOTHING) + SMOOTHING * hit
    return round(score, 3)


# --- due() ---------------------------------------------------------------------------------


def test_never_checked_in_is_due_one_cadence_after_the_start():
    started = NOW - 3 * DAY
    assert due(None, started, 7, NOW) == Due(due_at=started + 7 * DAY, days_overdue=0, is_due=False)


def test_due_counts_from_the_last_checkin_not_the_start():
    result = due(NOW - 10 * DAY, LONG_AGO, 14, NOW)
    assert result == Due(due_at=NOW + 4 * DAY, days_overdue=0, is_due=False)


def test_paused_days_do_not_count_towards_lateness():
    # Checked in 20 days ago on a weekly cadence, but paused for 10 of those days.
    pauses = [(NOW - 15 * DAY, NOW - 5 * DAY)]
    assert due(NOW - 20 * DAY, LONG_AGO, 7, NOW, paused=pauses) == Due(
        due_at=NOW - 3 * DAY, days_overdue=3, is_due=True)
    # A pause before the last check-in, and one still running, count only where they overlap.
    assert due(NOW - 5 * DAY, LONG_AGO, 7, NOW, paused=[(NOW - 30 * DAY, NOW - 25 * DAY)]
               ).due_at == NOW + 2 * DAY
    assert due(NOW - 10 * DAY, LONG_AGO, 7, NOW, paused=[(NOW - 4 * DAY, None)]
               ).due_at == NOW + DAY


def test_due_exactly_now_is_due_but_not_overdue():
    assert due(NOW - 7 * DAY, LONG_AGO, 7, NOW) == Due(due_at=NOW, days_overdue=0, is_due=True)


@pytest.mark.parametrize(
    ("late_by", "days"),
    [
        (timedelta(hours=23, minutes=59), 0),
        (DAY, 1),
        (2 * DAY + timedelta(hours=23), 2),
        (3 * DAY, 3),
        (100 * DAY + timedelta(seconds=1), 100),
    ],
)
def test_overdue_is_counted_in_whole_days(late_by, days):
    result = due(NOW - 7 * DAY - late_by, LONG_AGO, 7, NOW)
    assert result.days_overdue == days
    assert result.is_due


def test_due_answers_in_utc_whatever_zone_it_is_given():
    madrid = timezone(timedelta(hours=2))
    result = due(None, datetime(2025, 6, 1, 14, 0, tzinfo=madrid), 7, NOW)
    assert result.due_at == datetime(2025, 6, 8, 12, 0, tzinfo=UTC)
    assert result.due_at.tzinfo is UTC


# --- windows -------------------------------------------------------------------------------


@pytest.mark.parametrize(("cadence", "count"), [(1, 84), (7, 12), (14, 6), (30, 2), (84, 1)])
def test_twelve_weeks_are_cut_into_whole_cadence_windows_ending_now(cadence, count):
    windows = consistency([], cadence, NOW, started_at=LONG_AGO).windows
    assert len(windows) == count
    assert windows[-1].end == NOW
    for window in windows:
        assert window.end - window.start == timedelta(days=cadence)
    for older, newer in zip(windows, windows[1:], strict=False):
        assert older.end == newer.start


def test_a_cadence_longer_than_the_look_back_still_gets_its_latest_window():
    (window,) = consistency([NOW - 200 * DAY], 365, NOW, started_at=LONG_AGO).windows
    assert (window.start, window.end, window.met) == (NOW - 365 * DAY, NOW, True)


def test_windows_ending_before_the_start_are_left_out():
    started = NOW - 20 * DAY
    windows = consistency([], 7, NOW, started_at=started).windows
    assert len(windows) == 3  # the window straddling the start stays
    assert all(w.end > started for w in windows)


def test_a_checkin_on_a_boundary_belongs_to_the_later_window():
    boundary = NOW - 7 * DAY
    windows = consistency([boundary], 7, NOW, started_at=LONG_AGO).windows
    assert [w.met for w in windows[-2:]] == [False, True]


def test_a_checkin_exactly_now_counts_and_one_in_the_future_does_not():
    assert consistency([NOW], 7, NOW, started_at=LONG_AGO).windows[-1].met
    future = consistency([NOW + timedelta(seconds=1)], 7, NOW, started_at=LONG_AGO)
    assert not any(w.met for w in future.windows)
    assert future.score == 0.0


def test_a_checkin_before_the_start_counts_inside_a_window():
    started = NOW - 4 * DAY  # 4 of the newest window's 7 days are after the start: expected
    windows = consistency([NOW - 5 * DAY], 7, NOW, started_at=started).windows
    assert windows[-1].met and windows[-1].expected


def test_a_checkin_older_than_every_window_is_ignored():
    result = consistency([NOW - 85 * DAY], 7, NOW, started_at=LONG_AGO)
    assert result.score == 0.0


def test_a_brand_new_partnership_has_no_score_yet_rather_than_zero():
    result = consistency([], 7, NOW, started_at=NOW - DAY)
    assert result.score is None
    assert [w.expected for w in result.windows] == [False]


# --- the score -----------------------------------------------------------------------------


def test_always_met_rises_toward_one():
    scores = [score_of([True] * n) for n in range(1, 13)]
    assert scores == sorted(scores) and len(set(scores)) == len(scores)
    assert scores[-1] > 0.9
    assert scores[-1] < 1.0


def test_never_met_scores_zero():
    assert score_of([False] * 12) == 0.0


def test_one_miss_after_a_good_run_does_not_collapse():
    all_met = score_of([True] * 12)
    one_miss = score_of([True] * 11 + [False])
    assert 0.7 < one_miss < all_met


def test_the_cost_of_a_miss_halves_every_three_met_windows():
    cost_now = score_of([True] * 9) - score_of([True] * 8 + [False])
    cost_later = score_of([True] * 12) - score_of([True] * 8 + [False] + [True] * 3)
    assert cost_later == pytest.approx(cost_now / 2, abs=0.002)  # scores are rounded


def test_a_recent_miss_costs_more_than_an_old_one():
    old_miss = score_of([False] + [True] * 11)
    recent_miss = score_of([True] * 11 + [False])
    assert recent_miss < old_miss


def test_the_score_is_the_documented_moving_average():
    met = [True, False, True, True, False, False, True, True, True, False, True, True]
    assert score_of(met) == ema(met)


def test_a_fortnightly_cadence_is_judged_on_six_windows():
    result = consistency(history([True] * 6, 14), 14, NOW, started_at=LONG_AGO)
    assert len(result.windows) == 6
    assert result.score == ema([True] * 6)


def test_several_checkins_in_one_window_count_once():
    one = consistency([NOW - DAY], 7, NOW, started_at=LONG_AGO)
    many = consistency([NOW - DAY, NOW - 2 * DAY, NOW - 3 * DAY], 7, NOW, started_at=LONG_AGO)
    assert one == many


# --- pauses --------------------------------------------------------------------------------


def paused_windows(indexes: list[int], count: int = 12) -> list[tuple[datetime, datetime]]:
    return [(window_start(i, count), window_start(i + 1, count)) for i in indexes]


@pytest.mark.parametrize("hit_in_pause", [True, False])
def test_paused_windows_neither_help_nor_hurt(hit_in_pause):
    met = [True, True, False, True, hit_in_pause, hit_in_pause, True, False, True, True, True, True]
    result = consistency(history(met), 7, NOW, started_at=LONG_AGO, paused=paused_windows([4, 5]))
    assert [w.expected for w in result.windows].count(False) == 2
    assert result.score == ema(met[:4] + met[6:])


def test_a_pause_at_the_far_end_is_the_same_as_a_shorter_history():
    met = [False, False, False, True, True, False, True, True, True, True, True, True]
    paused = consistency(history(met), 7, NOW, started_at=LONG_AGO, paused=paused_windows([0, 1]))
    shorter = consistency(history(met), 7, NOW, started_at=LONG_AGO, weeks=10)
    assert paused.score == shorter.score


def test_an_open_pause_skips_every_window_since_it_began():
    result = consistency([], 7, NOW, started_at=LONG_AGO, paused=[(NOW - 20 * DAY, None)])
    assert [w.expected for w in result.windows][-3:] == [False, False, False]
    assert result.windows[-4].expected  # 6 of its 7 days were not paused


def test_a_window_paused_for_exactly_half_still_counts_and_just_over_half_does_not():
    start = NOW - 7 * DAY
    half = (start, start + timedelta(days=3.5))
    over = (start, start + timedelta(days=3.5, seconds=1))
    assert consistency([], 7, NOW, started_at=LONG_AGO, paused=[half]).windows[-1].expected
    assert not consistency([], 7, NOW, started_at=LONG_AGO, paused=[over]).windows[-1].expected


def test_overlapping_pauses_are_not_counted_twice():
    start = NOW - 7 * DAY
    twice = [(start, start + 3 * DAY), (start + DAY, start + 3 * DAY)]
    assert consistency([], 7, NOW, started_at=LONG_AGO, paused=twice).windows[-1].expected


def test_pauses_spread_over_a_window_add_up():
    start = NOW - 7 * DAY
    spread = [(start, start + 2 * DAY), (start + 4 * DAY, start + 6 * DAY)]  # 4 of 7 days
    assert not consistency([], 7, NOW, started_at=LONG_AGO, paused=spread).windows[-1].expected


def test_everything_paused_gives_no_score():
    result = consistency(
        history([True] * 12), 7, NOW, started_at=LONG_AGO, paused=[(LONG_AGO, None)]
    )
    assert result == Consistency(score=None, windows=result.windows)
    assert not any(w.expected for w in result.windows)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("cadence", [0, -7, 366])
def test_cadence_outside_one_to_365_days_is_refused(cadence):
    with pytest.raises(ValueError, match="cadence_days"):
        due(None, LONG_AGO, cadence, NOW)
    with pytest.raises(ValueError, match="cadence_days"):
        consistency([], cadence, NOW, started_at=LONG_AGO)


def test_naive_datetimes_are_refused():
    naive = datetime(2025, 6, 1, 12, 0)
    with pytest.raises(ValueError, match="started_at"):
        due(None, naive, 7, NOW)
    with pytest.raises(ValueError, match="checkins"):
        consistency([naive], 7, NOW, started_at=LONG_AGO)
    with pytest.raises(ValueError, match="paused"):
        consistency([], 7, NOW, started_at=LONG_AGO, paused=[(naive, None)])


def test_weeks_must_be_positive():
    with pytest.raises(ValueError, match="weeks"):
        consistency([], 7, NOW, started_at=LONG_AGO, weeks=0)


# --- properties ----------------------------------------------------------------------------

# Offsets in hours from NOW keep examples readable and shrink well.
offsets = st.integers(min_value=-100 * 24, max_value=5 * 24)
checkin_lists = st.lists(offsets.map(lambda h: NOW + timedelta(hours=h)), max_size=40)
cadences = st.integers(min_value=1, max_value=365)
starts = st.integers(min_value=-200 * 24, max_value=24).map(lambda h: NOW + timedelta(hours=h))
pause_lists = st.lists(
    st.tuples(offsets, st.one_of(st.none(), st.integers(min_value=0, max_value=60 * 24))).map(
        lambda p: (
            NOW + timedelta(hours=p[0]),
            None if p[1] is None else NOW + timedelta(hours=p[0] + p[1]),
        )
    ),
    max_size=4,
)


@given(checkin_lists, cadences, starts, pause_lists)
def test_score_is_within_zero_and_one(checkins, cadence, started, paused):
    result = consistency(checkins, cadence, NOW, started_at=started, paused=paused)
    assert result.score is None or 0.0 <= result.score <= 1.0
    assert (result.score is None) == (not any(w.expected for w in result.windows))


@given(checkin_lists, offsets, cadences, starts, pause_lists)
def test_adding_a_checkin_never_lowers_the_score(checkins, extra, cadence, started, paused):
    before = consistency(checkins, cadence, NOW, started_at=started, paused=paused)
    more = [*checkins, NOW + timedelta(hours=extra)]
    after = consistency(more, cadence, NOW, started_at=started, paused=paused)
    assert [w.expected for w in after.windows] == [w.expected for w in before.windows]
    if before.score is not None:
        assert after.score >= before.score


@given(checkin_lists, cadences, starts, pause_lists, st.randoms(use_true_random=False))
def test_order_of_checkins_and_pauses_does_not_matter(checkins, cadence, started, paused, rng):
    shuffled_checkins, shuffled_pauses = list(checkins), list(paused)
    rng.shuffle(shuffled_checkins)
    rng.shuffle(shuffled_pauses)
    assert consistency(checkins, cadence, NOW, started_at=started, paused=paused) == consistency(
        shuffled_checkins, cadence, NOW, started_at=started, paused=shuffled_pauses
    )


@given(checkin_lists, cadences, starts, pause_lists)
def test_windows_tile_time_up_to_now_after_the_start(checkins, cadence, started, paused):
    windows = consistency(checkins, cadence, NOW, started_at=started, paused=paused).windows
    for window in windows:
        assert window.end - window.start == timedelta(days=cadence)
        assert window.end > started
    for older, newer in zip(windows, windows[1:], strict=False):
        assert older.end == newer.start
    if windows:
        assert windows[-1].end == NOW


@given(checkin_lists, cadences, pause_lists, st.data())
def test_checkins_in_skipped_windows_change_nothing(checkins, cadence, paused, data):
    result = consistency(checkins, cadence, NOW, started_at=LONG_AGO, paused=paused)
    skipped = [w for w in result.windows if not w.expected]
    if not skipped:
        return
    window = data.draw(st.sampled_from(skipped))
    inside = window.start + (window.end - window.start) / 2
    again = consistency([*checkins, inside], cadence, NOW, started_at=LONG_AGO, paused=paused)
    assert again.score == result.score


@given(checkin_lists, cadences, starts, pause_lists)
def test_each_window_is_met_exactly_when_a_checkin_falls_inside_it(
        checkins, cadence, started, paused):
    for window in consistency(checkins, cadence, NOW, started_at=started, paused=paused).windows:
        inside = [t for t in checkins if window.start <= t < window.end
                  or t == window.end == NOW]
        assert window.met == bool(inside)


# --- Lookback: the same windows cut once for a whole caseload --------------------------------

ELSEWHERE = timezone(timedelta(hours=-7))


@given(checkin_lists, cadences, starts, pause_lists, st.booleans())
def test_a_lookback_scores_as_consistency_does(checkins, cadence, started, paused, zoned):
    if zoned:  # the database hands back UTC; any aware zone must give the same answer
        checkins = [t.astimezone(ELSEWHERE) for t in checkins]
        started = started.astimezone(ELSEWHERE)
    lookback = Lookback(NOW, cadence)
    expected = consistency(checkins, cadence, NOW, started_at=started, paused=paused).score
    assert lookback.score(checkins, started, paused) == expected
    assert lookback.score(reversed(checkins), started, list(reversed(paused))) == expected


def test_a_lookback_is_reused_across_partnerships():
    lookback = Lookback(NOW, 7)
    for met in ([True] * 12, [False] * 12, [True, False] * 6, [False] * 11 + [True]):
        assert lookback.score(history(met), LONG_AGO) == ema(met)
    assert lookback.score([], NOW) is None  # started now: no window to judge yet


def test_a_lookback_refuses_what_consistency_refuses():
    with pytest.raises(ValueError, match="cadence_days"):
        Lookback(NOW, 0)
    with pytest.raises(ValueError, match="weeks"):
        Lookback(NOW, 7, weeks=0)
    with pytest.raises(ValueError, match="now"):
        Lookback(datetime(2025, 6, 30, 12, 0), 7)
