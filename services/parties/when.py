"""Reading the times members type ("friday 8pm", "tomorrow 21:00", "in 2 hours") in their time zone.

dateparser does the reading; this module refuses what it cannot read back unambiguously: no time of day,
a day/month order that could go either way, a wall time that a daylight-saving change skips or repeats, a
time in the past. Every refusal says how the text was read. Instants come out in UTC.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import Any

import dateparser
from dateparser.timezone_parser import pop_tz_offset_from_string

from services.errors import InvalidInput

WHEN_LENGTH = 100  # the longest `when` a member may type
MAX_AHEAD = timedelta(days=366)
EXAMPLES = '"friday 8pm", "tomorrow 21:00", "2026-12-04 19:30" or "in 2 hours"'
RELATIVE = re.compile(r"^\s*in\s+\S", re.IGNORECASE)
CLOCK = re.compile(
    r"\b(?P<h12>\d{1,2})(?:[:.](?P<m12>\d{2}))?\s*(?P<half>[ap])\.?m\b\.?"
    r"|\b(?P<h24>\d{1,2})[:h](?P<m24>\d{2})\b"
    r"|\b(?P<word>noon|midday|midnight)\b",
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})\b")
WORD_TIMES = {"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)}


@dataclass(frozen=True, slots=True)
class Reading:
    """A start time as typed and as read: a UTC instant, and the zone it was read in."""

    text: str
    starts_at: datetime
    zone: str


@cache
def zone_names() -> dict[str, str]:
    """Every IANA zone name, keyed by its lower-case form."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def zone_named(name: str) -> str:
    """The IANA zone ``name`` spells (any case, spaces for underscores); refuses unknown names."""
    found = zone_names().get(name.strip().replace(" ", "_").lower())
    if found is None:
        raise InvalidInput(
            f'"{name}" is not a time zone I know. Use an IANA name such as Europe/London, America/New_York or '
            "Asia/Tokyo (the option suggests them as you type)."
        )
    return found


def zone_suggestions(typed: str, limit: int = 25) -> list[str]:
    """Zone names containing what was typed, those starting with it first."""
    wanted = typed.strip().replace(" ", "_").lower()
    names = sorted(zone_names().items())
    starting = [name for key, name in names if key.startswith(wanted) or key.split("/")[-1].startswith(wanted)]
    containing = [name for key, name in names if wanted in key and name not in starting]
    return (starting + containing)[:limit]


def offset(moment: datetime, zone: str) -> str:
    """ "UTC+01:00" for the zone at that moment."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    minutes = int((local.utcoffset() or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_day(moment: datetime, zone: str) -> str:
    """ "Friday 27 November 2026": the day of a moment in a zone."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B %Y}"


def local_time(moment: datetime, zone: str) -> str:
    """ "Friday 27 November 2026, 20:00": a moment in a zone."""
    return f"{local_day(moment, zone)}, {moment.astimezone(zoneinfo.ZoneInfo(zone)):%H:%M}"


def describe(moment: datetime, zone: str) -> str:
    """A moment as a member reads it in a zone: "Friday 27 November 2026, 20:00 (Europe/London, UTC+00:00)"."""
    return f"{local_time(moment, zone)} ({zone}, {offset(moment, zone)})"


def _parse(text: str, base: datetime, zone: str, *, aware: bool) -> datetime | None:
    settings: dict[str, Any] = {
        "RELATIVE_BASE": base,
        "TIMEZONE": zone,
        "RETURN_AS_TIMEZONE_AWARE": aware,
        "PREFER_DATES_FROM": "future",
    }
    try:
        parsed: datetime | None = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # a third-party parser on anything a member types: a crash there means "unreadable"
        return None
    return parsed


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(f'I can\'t read "{text}" as a date and time. Try {EXAMPLES}.')


def _clock(text: str) -> tuple[int, int] | None:
    """The time of day the text names (hour, minute), or None when it names none (or an impossible one)."""
    match = CLOCK.search(text)
    if match is None:
        return None
    if match["word"]:
        return WORD_TIMES[match["word"].lower()]
    if match["h12"]:
        hour, minute = int(match["h12"]), int(match["m12"] or 0)
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if match["half"].lower() == "p" else 0), minute
    hour, minute = int(match["h24"]), int(match["m24"])
    return (hour, minute) if hour <= 23 else None


def _day_month_ambiguity(text: str) -> tuple[int, int] | None:
    """(a, b) when the text has a date like 4/12 that could be the 4th of December or the 12th of April."""
    for match in NUMERIC_DATE.finditer(ISO_DATE.sub(" ", text)):
        first, second = int(match[1]), int(match[2])
        if first != second and 1 <= first <= 12 and 1 <= second <= 12:
            return first, second
    return None


def _localise(wall: datetime, zone: str, text: str) -> datetime:
    """A wall time in ``zone`` as an instant; refuses times a daylight-saving change skips or repeats."""
    where = zoneinfo.ZoneInfo(zone)
    first, second = wall.replace(tzinfo=where, fold=0), wall.replace(tzinfo=where, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first.astimezone(UTC)
    if first.astimezone(UTC).astimezone(where).replace(tzinfo=None) != wall:
        raise InvalidInput(
            f'"{text}" names {wall:%H:%M} on {wall.day} {wall:%B %Y}, which does not exist in {zone}: the clocks '
            "skip it for daylight saving. Pick a time outside that hour."
        )
    readings = " or ".join(f"{wall:%H:%M} {offset(m, zone)}" for m in (first, second))
    raise InvalidInput(
        f'"{text}" names {wall:%H:%M} on {wall.day} {wall:%B %Y}, which happens twice in {zone} when the clocks go '
        f'back ({readings}). Add the offset you mean, e.g. "{wall:%Y-%m-%d %H:%M} {offset(first, zone)}".'
    )


def read_when(text: str, zone: str, now: datetime) -> Reading:
    """Read ``text`` as a start time in ``zone`` (an IANA name), relative to ``now`` (aware).

    Raises InvalidInput, saying how the text was read, when it is unreadable, ambiguous, in the past or more
    than a year ahead. Never raises anything else.
    """
    text = " ".join(text.split())[:WHEN_LENGTH]
    if not text:
        raise _unreadable(text)
    where = zoneinfo.ZoneInfo(zone)
    if RELATIVE.match(text) and _clock(text) is None:
        # "in 2 hours" is exact time from now: count it in UTC, where no daylight-saving change shifts the sum.
        parsed = _parse(text, now.astimezone(UTC).replace(tzinfo=None), "UTC", aware=False)
        if parsed is None:
            raise _unreadable(text)
        return _checked(text, parsed.replace(tzinfo=UTC, second=0, microsecond=0), zone, now)
    clock = _clock(text)
    local_now = now.astimezone(where).replace(tzinfo=None)
    parsed = _parse(text, local_now, zone, aware=True)
    if parsed is None:
        raise _unreadable(text)
    if clock is None:
        raise InvalidInput(
            f'I read "{text}" as {local_day(parsed, zone)}, but found no time of day in it. Add one '
            "like 8pm or 20:00 (a bare hour could be morning or evening)."
        )
    if (pair := _day_month_ambiguity(text)) is not None:
        first, second = pair
        raise InvalidInput(
            f'"{first}/{second}" in "{text}" could be {first} {_month(second)} or {second} {_month(first)}. '
            f'Write the month as a word ("{first} {_month(second)[:3]}") or the date as YYYY-MM-DD.'
        )
    _, explicit = pop_tz_offset_from_string(text)
    if isinstance(explicit, tzinfo):
        # The text names its own zone or offset ("8pm UTC", "01:30 +01:00"): dateparser converted it already.
        starts_at = parsed.astimezone(UTC)
        reference: tzinfo = explicit
    else:
        starts_at = _localise(parsed.replace(tzinfo=None), zone, text)
        reference = where
    shown = starts_at.astimezone(reference)
    if (shown.hour, shown.minute) != clock:
        raise InvalidInput(
            f'I couldn\'t read "{text}" back: I got {describe(starts_at, zone)}, which is not the time you typed. '
            f"Try {EXAMPLES}."
        )
    return _checked(text, starts_at.replace(second=0, microsecond=0), zone, now)


def _month(number: int) -> str:
    return datetime(2000, number, 1, tzinfo=UTC).strftime("%B")


def _checked(text: str, starts_at: datetime, zone: str, now: datetime) -> Reading:
    if starts_at <= now:
        raise InvalidInput(f'"{text}" is in the past: I read it as {describe(starts_at, zone)}.')
    if starts_at - now > MAX_AHEAD:
        raise InvalidInput(f'"{text}" is more than a year ahead: I read it as {describe(starts_at, zone)}.')
    return Reading(text, starts_at, zone)
