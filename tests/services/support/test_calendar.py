"""The check-in calendar: parsed back with icalendar, checked line by line, fuzzed titles."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from icalendar import Calendar

from api.services.support.calendar import (
    MAX_TITLE_CHARS,
    PRODID,
    checkin_calendar,
    checkin_uid,
    display_title,
)

PID = "2b7e4c1a-9f3d-4e8b-a6c5-0d1f2e3a4b5c"
NOW = datetime(2025, 6, 30, 8, 15, tzinfo=UTC)
NEXT_DUE = datetime(2025, 7, 3, 14, 30, tzinfo=UTC)
HOSTILE = "Ann\r\nATTENDEE:mailto:x@evil.example;X-INJECT:1,2"


def feed(**overrides) -> bytes:
    args = {
        "partnership_id": PID,
        "title": "Sam",
        "cadence_days": 7,
        "next_due": NEXT_DUE,
        "now": NOW,
    }
    return checkin_calendar(**(args | overrides))


def events(raw: bytes) -> list:
    return Calendar.from_ical(raw).walk("VEVENT")


def assert_wire_format(raw: bytes) -> None:
    """CRLF after every line, no other line breaks or controls, every line ≤ 75 octets."""
    assert raw.endswith(b"\r\n")
    lines = raw[: -len(b"\r\n")].split(b"\r\n")
    for line in lines:
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line, line
        # RFC 5545 allows no control characters in content lines but HTAB.
        assert not any(byte < 0x20 and byte != 0x09 or byte == 0x7F for byte in line), line
    raw.decode("utf-8")  # content is UTF-8 (RFC 5545 section 3.1.4)


# --- the calendar as a whole ------------------------------------------------------------


def test_calendar_properties():
    cal = Calendar.from_ical(feed())
    assert str(cal["PRODID"]) == PRODID == "-//Rapport//Check-ins//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Rapport check-ins"


def test_refresh_twice_a_day():
    raw = feed()
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in raw
    assert b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in raw
    cal = Calendar.from_ical(raw)
    assert cal["REFRESH-INTERVAL"].dt == timedelta(hours=12)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"


@pytest.mark.parametrize("count", [1, 6, 12])
def test_count_of_events(count):
    assert len(events(feed(count=count))) == count


def test_six_events_by_default():
    assert len(events(feed())) == 6


def test_no_recurrence_rule():
    raw = feed()
    assert b"RRULE" not in raw and b"RDATE" not in raw


# --- each event --------------------------------------------------------------------------


@pytest.mark.parametrize("cadence", [1, 7, 14, 30, 365])
def test_dates_step_by_cadence(cadence):
    starts = [event["DTSTART"].dt for event in events(feed(cadence_days=cadence, count=5))]
    assert starts[0] == date(2025, 7, 3)
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [
        timedelta(days=cadence)
    ] * 4


def test_dtstart_is_an_all_day_date():
    raw = feed()
    assert b"DTSTART;VALUE=DATE:20250703\r\n" in raw
    for event in events(raw):
        start = event["DTSTART"].dt
        assert type(start) is date  # a datetime is a date too; this must be a bare day
        assert event["DTEND"].dt == start + timedelta(days=1)


def test_due_day_is_the_utc_day():
    # 01:00 on 4 July in UTC+3 is still 3 July in UTC.
    due = datetime(2025, 7, 4, 1, 0, tzinfo=timezone(timedelta(hours=3)))
    assert events(feed(next_due=due))[0]["DTSTART"].dt == date(2025, 7, 3)


def test_uids_stable_across_calls_and_distinct_across_events():
    first = [str(event["UID"]) for event in events(feed())]
    again = [str(event["UID"]) for event in events(feed(now=NOW + timedelta(hours=5)))]
    assert first == again
    assert len(set(first)) == len(first)


def test_uid_follows_the_due_day_not_the_position():
    # A feed fetched after one check-in has moved on still names the shared days alike.
    before = events(feed())
    after = events(feed(next_due=NEXT_DUE + timedelta(days=7)))
    assert [str(e["UID"]) for e in before[1:]] == [str(e["UID"]) for e in after[:-1]]
    assert str(before[0]["UID"]) == checkin_uid(PID, date(2025, 7, 3))


def test_uids_differ_between_partnerships_and_hide_the_id():
    other = events(feed(partnership_id="another-partnership"))
    mine = events(feed())
    assert {str(e["UID"]) for e in other}.isdisjoint(str(e["UID"]) for e in mine)
    assert PID.encode() not in feed()


def test_dtstamp_is_now():
    for event in events(feed()):
        assert event["DTSTAMP"].dt == NOW


def test_english_words():
    for event in events(feed(title="Sam")):
        assert str(event["SUMMARY"]) == "Check-in with Sam"
        assert str(event["DESCRIPTION"]).endswith(".")
        assert event["SUMMARY"].params["LANGUAGE"] == "en"


@pytest.mark.parametrize("language", ["es", "es-MX", "ES"])
def test_spanish_words(language):
    raw = feed(title="Sam", language=language)
    assert str(Calendar.from_ical(raw)["X-WR-CALNAME"]) == "Encuentros de Rapport"
    for event in events(raw):
        assert str(event["SUMMARY"]) == "Encuentro de seguimiento con Sam"
        assert str(event["DESCRIPTION"]).startswith("Hoy toca")
        assert event["SUMMARY"].params["LANGUAGE"] == "es"


def test_unknown_language_falls_back_to_english():
    assert str(events(feed(language="fr"))[0]["SUMMARY"]) == "Check-in with Sam"


def test_empty_title_reads_well():
    assert str(events(feed(title=" \n "))[0]["SUMMARY"]) == "Check-in"
    assert str(events(feed(title="", language="es"))[0]["SUMMARY"]) == "Encuentro de seguimiento"


def test_transparent_with_a_display_alarm():
    for event in events(feed()):
        assert str(event["TRANSP"]) == "TRANSPARENT"
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].dt == timedelta(hours=9)
        assert str(alarm["DESCRIPTION"]) == str(event["SUMMARY"])


def test_nothing_personal_beyond_the_title():
    allowed = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "TRANSP"}
    for event in events(feed()):
        assert set(event) == allowed


# --- wire format ----------------------------------------------------------------------


def test_crlf_and_folding_at_75_octets():
    long_title = "Ñandú José-María " * 4  # multi-byte characters make folding count octets
    raw = feed(title=long_title, language="es")
    assert_wire_format(raw)
    assert any(line.startswith(b" ") for line in raw.split(b"\r\n"))  # really folded
    summary = str(events(raw)[0]["SUMMARY"])
    assert summary == f"Encuentro de seguimiento con {display_title(long_title)}"


def test_hostile_title_adds_no_property():
    raw = feed(title=HOSTILE)
    assert_wire_format(raw)
    assert b"\r\nATTENDEE" not in raw and b"\r\nX-INJECT" not in raw
    for event in events(raw):
        assert "ATTENDEE" not in event and "X-INJECT" not in event
        # The line break becomes a space; commas, semicolons and colons survive as text.
        assert str(event["SUMMARY"]) == (
            "Check-in with Ann ATTENDEE:mailto:x@evil.example;X-INJECT:1,2"
        )


def test_special_characters_round_trip_exactly():
    title = 'Ann; X-INJECT:1,2 \\n "Bo" \\ <b>'
    assert_wire_format(raw := feed(title=title))
    assert str(events(raw)[0]["SUMMARY"]) == f"Check-in with {title}"


def test_control_characters_never_reach_the_feed():
    raw = feed(title="A\x00B\x0bC\x1bD\x7fE\x85F\u2028G\ud800H")
    assert_wire_format(raw)
    assert str(events(raw)[0]["SUMMARY"]) == "Check-in with A B C D E F G\ufffdH"


def test_long_title_is_cut_short():
    shown = display_title("x" * 500)
    assert len(shown) == MAX_TITLE_CHARS and shown.endswith("…")


# --- bad arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"cadence_days": 0},
        {"cadence_days": 366},
        {"count": -1},
        {"count": 101},
        {"next_due": datetime(2025, 7, 3)},
        {"now": datetime(2025, 6, 30)},
    ],
)
def test_bad_arguments_are_refused(overrides):
    with pytest.raises(ValueError, match="must be"):
        feed(**overrides)


# --- properties -------------------------------------------------------------------------


@given(title=st.text())
@example(title="\\N")  # icalendar once read a literal backslash-N back as a line break
def test_any_title_gives_a_valid_calendar(title):
    raw = feed(title=title, count=2)
    assert_wire_format(raw)
    found = events(raw)
    assert len(found) == 2
    shown = display_title(title)
    for event in found:
        assert "ATTENDEE" not in event
        assert str(event["SUMMARY"]) == (f"Check-in with {shown}" if shown else "Check-in")


_WORD = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp", "Zs")), min_size=1
)


@given(title=st.lists(_WORD, min_size=1, max_size=6).map(" ".join))
def test_any_single_line_title_round_trips_exactly(title):
    title = title[:MAX_TITLE_CHARS].rstrip()
    raw = feed(title=title, count=1, language="es")
    assert_wire_format(raw)
    assert str(events(raw)[0]["SUMMARY"]) == f"Encuentro de seguimiento con {title}"


def test_nothing_coming_up_is_an_empty_but_valid_calendar():
    parsed = Calendar.from_ical(feed(count=0))
    assert parsed.walk("VEVENT") == [] and parsed["VERSION"] == "2.0"
