"""The check-in calendar: upcoming due check-ins of one partnership as RFC 5545 bytes.

A phone calendar subscribed to this feed reminds both members when a check-in is due, with
no push service. Everything is built with the `icalendar` library, never by hand, so the
library escapes and folds text: an untrusted display name can carry commas, semicolons,
colons or line breaks and still cannot end a line or add a property.

Only the partnership's title (a display name) goes into the feed; nothing else personal.
No Flask, no database here.
"""

import unicodedata
import uuid
from datetime import UTC, date, datetime, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

from api.lib.languages import FALLBACK
from api.services.support.consistency import MAX_CADENCE_DAYS, MIN_CADENCE_DAYS

DEFAULT_COUNT = 6
MAX_COUNT = 100
# The same bound as a display name: a longer title would only be cut off by the phone.
MAX_TITLE_CHARS = 80

PRODID = "-//Rapport//Check-ins//EN"
# Subscribed calendars re-fetch at this pace (RFC 7986 REFRESH-INTERVAL, and the older
# X-PUBLISHED-TTL that Outlook and some others read instead): twice a day is soon enough
# for a check-in that is due on a day, and light on the server.
REFRESH_INTERVAL = timedelta(hours=12)

# The alarm fires 9 hours after the start of the all-day event: 09:00 local time on the
# day the check-in falls due (Apple Calendar's "on day of event, 9 AM"). The check-in is
# due that day, not the day before, so a reminder the morning of matches what
# /checkins/due will say; "-PT15H" (09:00 the day before) would nag before anything is due.
# Apps that ignore alarms in subscribed feeds (Google Calendar) still show the event.
ALARM_TRIGGER = timedelta(hours=9)

# UIDs are name-based UUIDs (RFC 7986 recommends UUIDs) under this fixed namespace, so the
# same partnership and due day always give the same UID and a re-fetch updates the event
# instead of adding a twin. Hashing also keeps the partnership id itself out of the feed.
_UID_NAMESPACE = uuid.UUID("6f0c2a9e-3b1d-5c47-9a8e-2d4f1b7c5e93")

_WORDS = {
    "en": {
        "calendar": "Rapport check-ins",
        "summary": "Check-in with {title}",
        "summary_untitled": "Check-in",
        "description": "A check-in is due today. A short chat keeps your support steady.",
    },
    "es": {
        "calendar": "Encuentros de Rapport",
        "summary": "Encuentro de seguimiento con {title}",
        "summary_untitled": "Encuentro de seguimiento",
        "description": (
            "Hoy toca un encuentro de seguimiento. Una charla corta mantiene el apoyo constante."
        ),
    },
}


def checkin_calendar(
    *,
    partnership_id: str,
    title: str,
    cadence_days: int,
    next_due: datetime,
    count: int = DEFAULT_COUNT,
    language: str = FALLBACK,
    now: datetime,
) -> bytes:
    """Return an iCalendar feed of the next `count` due check-ins, one every `cadence_days`.

    `next_due` and `now` must be timezone-aware; dates are taken in UTC. An unknown
    `language` falls back to English, as everywhere else in Rapport.
    """
    if not MIN_CADENCE_DAYS <= cadence_days <= MAX_CADENCE_DAYS:
        raise ValueError(f"cadence_days must be {MIN_CADENCE_DAYS} to {MAX_CADENCE_DAYS}")
    # A VCALENDAR must hold at least one component (RFC 5545 section 3.4).
    # Zero is a real answer: a paused or ended partnership has nothing coming up.
    if not 0 <= count <= MAX_COUNT:
        raise ValueError(f"count must be 0 to {MAX_COUNT}")
    if next_due.tzinfo is None or now.tzinfo is None:
        raise ValueError("next_due and now must be timezone-aware")

    lang = _language(language)
    words = _WORDS[lang]
    shown = display_title(title)
    summary = words["summary"].format(title=shown) if shown else words["summary_untitled"]
    stamp = now.astimezone(UTC)
    first = next_due.astimezone(UTC).date()

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", words["calendar"])
    cal.add("x-wr-calname", words["calendar"])
    cal.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    # An X- property is plain text to the library unless given its type.
    cal.add("x-published-ttl", vDuration(REFRESH_INTERVAL))

    # A plain list of events rather than one event with an RRULE: phone calendar apps
    # differ in how they expand, cut short and update recurrences in subscribed feeds,
    # while separate dated events look the same everywhere, and a change of cadence or a
    # late check-in simply moves the events on the next fetch.
    for step in range(count):
        day = first + timedelta(days=step * cadence_days)
        cal.add_component(_event(partnership_id, day, summary, words["description"], lang, stamp))
    return cal.to_ical()


def checkin_uid(partnership_id: str, day: date) -> str:
    """The stable UID of the check-in of this partnership due on this day."""
    return str(uuid.uuid5(_UID_NAMESPACE, f"{partnership_id}/{day.isoformat()}"))


def display_title(title: str) -> str:
    """The title as shown in the feed: one line, no control characters, at most 80 chars.

    The library escapes what RFC 5545 gives an escape for (backslash, comma, semicolon,
    line breaks) but passes other control characters through, which the format forbids
    and some apps choke on. A calendar summary is one line anyway, so every control
    character and line or paragraph separator becomes a space and runs of spaces collapse.
    Lone surrogates (possible in JSON input) cannot be encoded and become U+FFFD.
    """
    chars = []
    for ch in title:
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            chars.append(" ")
        elif category == "Cs":
            chars.append("\ufffd")
        else:
            chars.append(ch)
    single_line = " ".join("".join(chars).split())
    # icalendar writes a literal backslash-N as the escape for a line break (so "\\N" would
    # read back as a new line); an invisible word joiner keeps the two characters apart.
    single_line = single_line.replace("\\N", "\\\u2060N")
    if len(single_line) <= MAX_TITLE_CHARS:
        return single_line
    return single_line[: MAX_TITLE_CHARS - 1].rstrip() + "…"


def _language(language: str) -> str:
    primary = language.split("-", 1)[0].strip().lower()
    return primary if primary in _WORDS else FALLBACK


def _event(
    partnership_id: str, day: date, summary: str, description: str, lang: str, stamp: datetime
) -> Event:
    event = Event()
    event.add("uid", checkin_uid(partnership_id, day))
    event.add("dtstamp", stamp)
    # Check-ins are due on a day, not at a minute: an all-day DATE, shown in every time
    # zone on the same day. DTEND is implied by RFC 5545 but stated for older apps.
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary, parameters={"LANGUAGE": lang})
    event.add("description", description, parameters={"LANGUAGE": lang})
    # A reminder, not a meeting: it never makes anyone look busy.
    event.add("transp", "TRANSPARENT")

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", ALARM_TRIGGER)
    event.add_component(alarm)
    return event
