"""Watch parties as an iCalendar (.ics) file, for members' own calendars."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import icalendar

from services.parties.values import Party

PRODUCT = "-//Film Club//Watch parties//EN"


def party_uid(party: Party) -> str:
    """The same for a party in every export, so calendars update the event instead of adding another."""
    return f"watchparty-{party.id}-{party.guild_id}@filmclub"


def ics(parties: Sequence[Party], *, now: datetime, links: dict[int, str], places: dict[int, str]) -> bytes:
    """An RFC 5545 calendar of ``parties`` (times in UTC); ``links`` and ``places`` are by party id."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for party in parties:
        event = icalendar.Event()
        event.add("uid", party_uid(party))
        event.add("dtstamp", now)
        event.add("dtstart", party.starts_at)
        event.add("dtend", party.ends_at)
        event.add("summary", f"Watch party: {party.film_label}")
        event.add("sequence", party.sequence)
        event.add("status", "CANCELLED" if party.status == "cancelled" else "CONFIRMED")
        description = [party.note or "", f"Announcement: {links[party.id]}" if party.id in links else ""]
        event.add("description", "\n\n".join(line for line in description if line))
        if party.id in places:
            event.add("location", places[party.id])
        if party.id in links:
            event.add("url", links[party.id])
        calendar.add_component(event)
    return bytes(calendar.to_ical())
