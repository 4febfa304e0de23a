"""When a device may be told something: never inside its quiet hours, never before now, and
never more than a day and a bit late, in any time zone, across daylight-saving changes."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from api.services.reminders.timing import deliver_after, in_quiet_hours, next_summary

ZONES = ["UTC", "America/Chicago", "America/New_York", "Europe/Madrid", "Australia/Lord_Howe",
         "Asia/Kolkata", "America/Santiago", "Pacific/Chatham"]
minutes = st.integers(min_value=0, max_value=1439)
moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31),
                       timezones=st.just(UTC))


def device(zone, start=None, end=None, summary=False, summary_at=480):
    return SimpleNamespace(time_zone=zone, quiet_start=start, quiet_end=end,
                           daily_summary=summary, summary_at=summary_at)


@given(now=moments, zone=st.sampled_from(ZONES), start=minutes, end=minutes,
       summary=st.booleans(), summary_at=minutes)
def test_never_in_quiet_hours_never_early_never_days_late(now, zone, start, end, summary,
                                                          summary_at):
    when = deliver_after(device(zone, start, end, summary, summary_at), now)
    assert when >= now
    assert not in_quiet_hours(when, ZoneInfo(zone), start, end)
    assert when - now <= timedelta(hours=50)  # a summary's wait, then quiet hours after it


@given(now=moments, zone=st.sampled_from(ZONES))
def test_without_choices_it_goes_at_once(now, zone):
    assert deliver_after(device(zone), now) == now


def test_quiet_hours_across_midnight_in_chicago():
    chicago = ZoneInfo("America/Chicago")
    night = datetime(2026, 12, 3, 23, 15, tzinfo=chicago).astimezone(UTC)
    when = deliver_after(device("America/Chicago", 22 * 60, 7 * 60), night)
    assert when.astimezone(chicago) == datetime(2026, 12, 4, 7, 0, tzinfo=chicago)
    noon = datetime(2026, 12, 3, 12, 0, tzinfo=chicago).astimezone(UTC)
    assert deliver_after(device("America/Chicago", 22 * 60, 7 * 60), noon) == noon


def test_a_summary_at_a_time_the_clocks_skip_comes_just_after_the_jump():
    madrid = ZoneInfo("Europe/Madrid")
    # 29 March 2026: Madrid's clocks go from 02:00 to 03:00; 02:30 does not exist that day.
    before = datetime(2026, 3, 29, 1, 0, tzinfo=madrid).astimezone(UTC)
    when = next_summary(before, madrid, 2 * 60 + 30)
    assert when > before
    assert when - before <= timedelta(hours=3)
