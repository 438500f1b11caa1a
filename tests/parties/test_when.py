"""Reading start times as members type them: examples, refusals that say how the text was read, and properties
(no input crashes it, round trips through every zone, daylight-saving edges)."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from services.errors import InvalidInput
from services.parties.when import describe, read_when, zone_named, zone_suggestions

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)  # a Wednesday
LONDON = "Europe/London"
ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("friday 8pm", LONDON, datetime(2026, 11, 27, 20, tzinfo=UTC)),
        ("tomorrow 21:00", LONDON, datetime(2026, 11, 26, 21, tzinfo=UTC)),
        ("2026-12-04 19:30", LONDON, datetime(2026, 12, 4, 19, 30, tzinfo=UTC)),
        ("in 2 hours", LONDON, datetime(2026, 11, 25, 14, tzinfo=UTC)),
        ("in 90 minutes", "Asia/Kolkata", datetime(2026, 11, 25, 13, 30, tzinfo=UTC)),
        ("friday 8pm", "America/New_York", datetime(2026, 11, 28, 1, tzinfo=UTC)),
        ("tonight 9pm", LONDON, datetime(2026, 11, 25, 21, tzinfo=UTC)),
        ("Dec 4 7:30pm", LONDON, datetime(2026, 12, 4, 19, 30, tzinfo=UTC)),
        ("noon tomorrow", "Europe/Berlin", datetime(2026, 11, 26, 11, tzinfo=UTC)),
        ("8pm UTC", "America/Chicago", datetime(2026, 11, 25, 20, tzinfo=UTC)),
    ],
)
def test_what_people_type_is_read_in_their_zone(text: str, zone: str, expected: datetime) -> None:
    reading = read_when(text, zone, NOW)
    assert reading.starts_at == expected
    assert reading.zone == zone


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("banana", "can't read"),
        ("friday", "Friday 27 November 2026"),  # no time of day: shows the day it read
        ("tonight at 9", "no time of day"),  # a bare hour could be 9am or 9pm
        ("4/12 8pm", "4 December or 12 April"),
        ("yesterday 8pm", "in the past: I read it as Tuesday 24 November 2026, 20:00 (Europe/London"),
        ("2028-01-01 20:00", "more than a year ahead"),
        ("", "can't read"),
    ],
)
def test_unreadable_ambiguous_and_past_times_are_refused_saying_how_they_were_read(text: str, says: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(says)):
        read_when(text, LONDON, NOW)


def test_a_wall_time_the_clocks_skip_is_refused() -> None:
    with pytest.raises(InvalidInput, match="does not exist in Europe/London"):
        read_when("2027-03-28 01:30", LONDON, NOW)


def test_a_wall_time_that_happens_twice_is_refused_with_both_readings_and_an_offset_picks_one() -> None:
    with pytest.raises(InvalidInput, match=r"happens twice.*UTC\+01:00 or 01:30 UTC\+00:00"):
        read_when("2027-10-31 01:30", LONDON, NOW)
    assert read_when("2027-10-31 01:30 +01:00", LONDON, NOW).starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_party_set_in_summer_for_winter_keeps_its_winter_wall_time() -> None:
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)  # BST, UTC+1
    reading = read_when("2026-12-04 19:30", LONDON, summer)
    assert reading.starts_at == datetime(2026, 12, 4, 19, 30, tzinfo=UTC)  # GMT then
    assert reading.starts_at.astimezone(zoneinfo.ZoneInfo(LONDON)).hour == 19


def test_in_hours_counts_real_hours_across_a_clock_change() -> None:
    before_change = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST; at 02:00 BST it is 01:00 GMT
    assert read_when("in 2 hours", LONDON, before_change).starts_at == before_change + timedelta(hours=2)


def test_zone_names_are_matched_in_any_case_and_suggested() -> None:
    assert zone_named("europe/london") == LONDON
    assert zone_named("America/New York") == "America/New_York"
    with pytest.raises(InvalidInput, match="IANA"):
        zone_named("Middle Earth/Shire")
    assert zone_suggestions("lond")[0] == LONDON
    assert "America/New_York" in zone_suggestions("new_y")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["UTC", LONDON, "America/New_York", "Australia/Lord_Howe"]))
def test_no_input_crashes_it(text: str, zone: str) -> None:
    try:
        reading = read_when(text, zone, NOW)
    except InvalidInput as refused:
        message = str(refused)
        assert message  # every refusal says why
    else:
        assert NOW < reading.starts_at <= NOW + timedelta(days=366)
        assert reading.starts_at.tzinfo is UTC


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.datetimes(min_value=datetime(2026, 11, 27), max_value=datetime(2027, 11, 20)),  # noqa: DTZ001  # wall times
)
def test_a_written_out_time_round_trips_through_its_zone(zone: str, wall: datetime) -> None:
    wall = wall.replace(second=0, microsecond=0)
    where = zoneinfo.ZoneInfo(zone)
    first, second = wall.replace(tzinfo=where, fold=0), wall.replace(tzinfo=where, fold=1)
    exists = first.astimezone(UTC).astimezone(where).replace(tzinfo=None) == wall
    text = f"{wall:%Y-%m-%d %H:%M}"
    if exists and first.utcoffset() == second.utcoffset():
        reading = read_when(text, zone, NOW)
        assert reading.starts_at == first.astimezone(UTC)
        assert reading.starts_at.astimezone(where).replace(tzinfo=None) == wall
        assert f"{wall:%H:%M}" in describe(reading.starts_at, zone)
    else:  # a daylight-saving gap or overlap: refused, never guessed
        with pytest.raises(InvalidInput, match=r"does not exist|happens twice"):
            read_when(text, zone, NOW)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ZONES), st.integers(1, 23 * 60))
def test_relative_times_are_exact_in_every_zone(zone: str, minutes: int) -> None:
    assume(minutes % 60 == 0 or minutes < 120)
    text = f"in {minutes // 60} hours" if minutes % 60 == 0 else f"in {minutes} minutes"
    assert read_when(text, zone, NOW).starts_at == NOW + timedelta(minutes=minutes)
