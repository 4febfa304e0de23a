"""When a device may be told something: its quiet hours and its daily summary, in its own
time zone. Times of day are minutes after local midnight. No database here."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from api.lib.clock import utcnow


def _at(day, minute: int, zone: ZoneInfo) -> datetime:
    # A wall time skipped by a DST change (02:30 in spring) lands just after the jump.
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return local.astimezone(zone)


def in_quiet_hours(now: datetime, zone: ZoneInfo, start: int | None, end: int | None) -> bool:
    if start is None or end is None or start == end:
        return False
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # spans midnight: 22:00-07:00


def quiet_end(now: datetime, zone: ZoneInfo, end: int) -> datetime:
    """The first moment after `now` the quiet hours are over."""
    local = now.astimezone(zone)
    candidate = _at(local.date(), end, zone)
    if candidate <= local:
        candidate = _at(local.date() + timedelta(days=1), end, zone)
    return candidate.astimezone(now.tzinfo)


def next_summary(now: datetime, zone: ZoneInfo, at_minute: int) -> datetime:
    """Today's summary time if it is still to come, else tomorrow's."""
    local = now.astimezone(zone)
    candidate = _at(local.date(), at_minute, zone)
    if candidate < local:
        candidate = _at(local.date() + timedelta(days=1), at_minute, zone)
    return candidate.astimezone(now.tzinfo)


def deliver_after(subscription, now: datetime | None = None) -> datetime:
    """The earliest a new notification may reach this device."""
    now = now or utcnow()
    zone = ZoneInfo(subscription.time_zone)
    when = now
    if subscription.daily_summary:
        when = next_summary(now, zone, subscription.summary_at)
    if in_quiet_hours(when, zone, subscription.quiet_start, subscription.quiet_end):
        when = quiet_end(when, zone, subscription.quiet_end)
    return when
