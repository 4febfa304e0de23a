"""Check-in consistency: when the next check-in is due, and how steadily check-ins happen.

The rule, in plain words:

- A worker and a peer agree to check in every N days (the cadence, 1 to 365, 7 by default).
  The next check-in is due N days after the last one, or N days after the partnership
  started when there has been none. Days overdue are whole days past that moment.
- To judge consistency, look back 12 weeks from now and cut that time into back-to-back
  windows of N days, the newest ending now; the oldest, partial window is dropped. (A
  cadence longer than the look-back still gets one window: its latest N days.) A window is
  met when at least one check-in falls in it.
- Time that was paused, or before the partnership started, is nobody's fault: a window that
  is more than half such time is skipped, counting neither for nor against. Windows that
  end before the partnership started are left out altogether.
- Time with no active goal is not skipped: the cadence belongs to the partnership, not to a
  goal, so it stays due and its windows count (the due list says a goal is needed first,
  since a check-in is written on one; the rule for when is the same).
- The score is a habit strength, as in Loop Habit Tracker: a moving average over the
  counted windows, oldest to newest, so newer windows weigh more. It starts at 0 and builds
  with each met window. Its half-life is three windows: one missed week after a good run
  costs about a fifth of the score, not all of it, and a few met weeks earn it back. With
  no counted window at all there is no score (None), rather than a misleading 0.

Edges: a check-in exactly on the boundary between two windows belongs to the later one; a
check-in exactly at `now` counts in the newest window; check-ins after `now` are ignored;
check-ins before the start still count when they fall inside a window.

All datetimes must be timezone-aware; results are in UTC. No Flask, no database here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MIN_CADENCE_DAYS = 1
MAX_CADENCE_DAYS = 365
DEFAULT_WEEKS = 12

# A window's weight halves every HALF_LIFE_WINDOWS newer windows. Three windows (three
# weeks at the default cadence) gives SMOOTHING ≈ 0.206: twelve met weeks reach 0.94, and a
# single miss after eleven met weeks still leaves 0.73. A larger SMOOTHING would make one
# miss feel like a collapse; a smaller one would take months to show any progress.
HALF_LIFE_WINDOWS = 3
SMOOTHING = 1 - 0.5 ** (1 / HALF_LIFE_WINDOWS)

ONE_DAY = timedelta(days=1)
_NOTHING = timedelta(0)
# Stands for "no end yet" in an open pause and "since forever" before the start.
_DAWN = datetime.min.replace(tzinfo=UTC)
_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Due:
    """When the next check-in is due and how late it is, measured at some `now`."""

    due_at: datetime
    days_overdue: int  # whole days past due_at; 0 until then
    is_due: bool  # now >= due_at


@dataclass(frozen=True)
class Window:
    """One cadence-long stretch of time: [start, end), or [start, now] for the newest."""

    start: datetime
    end: datetime
    expected: bool  # False when mostly paused or before the start: skipped, not missed
    met: bool  # at least one check-in fell in it


@dataclass(frozen=True)
class Consistency:
    score: float | None  # 0.0..1.0 rounded to 3 places; None when no window was expected
    windows: tuple[Window, ...]  # oldest first


def due(
    last_checkin: datetime | None, started_at: datetime, cadence_days: int, now: datetime,
    *, paused: Iterable[tuple[datetime, datetime | None]] = (),
) -> Due:
    """When the next check-in is due: `cadence_days` after the last one, or after the start.
    The clock stops while the partnership is paused: nobody is late for those days."""
    _check_cadence(cadence_days)
    now = _utc(now, "now")
    started_at = _utc(started_at, "started_at")
    since = started_at if last_checkin is None else _utc(last_checkin, "last_checkin")
    stopped = (sum((max(span, _NOTHING) for span in _overlaps(paused, since, now)), _NOTHING)
               if paused else _NOTHING)
    due_at = since + timedelta(days=cadence_days) + stopped
    # Floor division of timedeltas: 2 days 23 hours late is 2 days overdue.
    days_overdue = max(0, (now - due_at) // ONE_DAY)
    return Due(due_at=due_at, days_overdue=days_overdue, is_due=now >= due_at)


def _overlaps(paused, since: datetime, now: datetime):
    """How long each pause lasted between `since` and `now` (a pause not ended runs to now)."""
    for start, end in paused:
        end = now if end is None else min(_utc(end, "paused"), now)
        yield end - max(_utc(start, "paused"), since)


def consistency(
    checkins: Iterable[datetime],
    cadence_days: int,
    now: datetime,
    *,
    started_at: datetime,
    paused: Iterable[tuple[datetime, datetime | None]] = (),
    weeks: int = DEFAULT_WEEKS,
) -> Consistency:
    """How steadily check-ins kept to the cadence over the last `weeks` weeks (see above)."""
    lookback = Lookback(now, cadence_days, weeks)
    started_at = _utc(started_at, "started_at")
    times = [_utc(c, "checkins") for c in checkins]
    windows = tuple(Window(start, end, expected, met) for start, end, expected, met
                    in lookback.windows(times, started_at, _away(started_at, paused)))
    return Consistency(score=_strength(w.met for w in windows if w.expected), windows=windows)


class Lookback:
    """The windows of one cadence at one `now`, cut once: the due list scores a whole
    caseload against the same instant, so only the check-ins and pauses differ per person."""

    __slots__ = ("now", "length", "bounds")

    def __init__(self, now: datetime, cadence_days: int, weeks: int = DEFAULT_WEEKS):
        _check_cadence(cadence_days)
        if weeks < 1:
            raise ValueError(f"weeks must be at least 1, not {weeks}")
        self.now = _utc(now, "now")
        self.length = timedelta(days=cadence_days)
        self.bounds = _cut(self.now, cadence_days, weeks)

    def score(self, checkins: Iterable[datetime], started_at: datetime,
              paused: Iterable[tuple[datetime, datetime | None]] = ()) -> float | None:
        """`consistency(...).score`, for timezone-aware datetimes as the database gives them
        (not checked here: that is the point of the shortcut)."""
        return _strength(met for _, _, expected, met
                         in self.windows(checkins, started_at, _away(started_at, paused))
                         if expected)

    def windows(self, checkins: Iterable[datetime], started_at: datetime,
                away: list[tuple[datetime, datetime]]):
        """(start, end, expected, met) of each window that ends after the start, oldest first."""
        met = self._met(checkins)
        # Past the last away interval nothing is skipped: most windows need no sum at all.
        clear_from, length = away[-1][1] if away else _DAWN, self.length
        return [(start, end,
                 start >= clear_from or _away_for(start, end, away) * 2 <= length,
                 index in met)
                for index, (start, end) in enumerate(self.bounds) if end > started_at]

    def _met(self, checkins: Iterable[datetime]) -> set[int]:
        """Indexes into `bounds` (oldest first) of the windows holding a check-in."""
        now, length, count = self.now, self.length, len(self.bounds)
        # Window k back from now (1 = newest) holds the check-ins k-1 to k lengths old: one
        # division per check-in instead of a search per window. Floor division of
        # timedeltas is exact, so boundaries fall as the rule says: a check-in exactly k
        # lengths old opens window k, and one exactly at now is in window 1.
        met = set()
        for at in checkins:
            if at <= now:
                back = -((at - now) // length) or 1
                if back <= count:
                    met.add(count - back)
        return met


def _strength(hits: Iterable[bool]) -> float | None:
    """Exponential moving average of hits (1) and misses (0), oldest first, from 0."""
    hits = list(hits)
    if not hits:
        return None
    score = 0.0
    for hit in hits:
        score = score * (1 - SMOOTHING) + (SMOOTHING if hit else 0.0)
    return round(score, 3)


def _cut(now: datetime, cadence_days: int, weeks: int) -> list[tuple[datetime, datetime]]:
    """Back-to-back windows of `cadence_days` ending at `now`, oldest first."""
    length = timedelta(days=cadence_days)
    count = max(1, weeks * 7 // cadence_days)
    return [(now - i * length, now - (i - 1) * length) for i in range(count, 0, -1)]


def _away_for(start: datetime, end: datetime, away: list[tuple[datetime, datetime]]) -> timedelta:
    """How much of [start, end) lies in the (merged, non-overlapping) away intervals."""
    total = _NOTHING
    for away_start, away_end in away:
        total += max(_NOTHING, min(end, away_end) - max(start, away_start))
    return total


def _away(started_at: datetime, paused) -> list[tuple[datetime, datetime]]:
    """Before the start counts like a pause: nobody could have checked in then."""
    return _merge([(_DAWN, started_at), *(_pause(p) for p in paused)])


def _merge(intervals: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Union of intervals, so overlapping pauses are not counted twice."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _pause(pause: tuple[datetime, datetime | None]) -> tuple[datetime, datetime]:
    start, end = pause
    return _utc(start, "paused"), _NEVER if end is None else _utc(end, "paused")


def _utc(value: datetime, name: str) -> datetime:
    # Naive datetimes are ambiguous and would fail later, deep in a comparison.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _check_cadence(cadence_days: int) -> None:
    if not MIN_CADENCE_DAYS <= cadence_days <= MAX_CADENCE_DAYS:
        raise ValueError(
            f"cadence_days must be {MIN_CADENCE_DAYS}..{MAX_CADENCE_DAYS}, not {cadence_days}"
        )
