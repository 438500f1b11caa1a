"""The party service on every back end: answers with a capacity and a waitlist, edits, cancelling, who may
change a party, time zones and server settings, reminders queued, and the calendar export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from db import Database
from db.parties import repository as repo
from services.errors import InvalidInput, NotFound
from services.films.values import FilmSummary
from services.parties.calendar import ics
from services.parties.service import PartyService, parse_reminders, show_reminders
from services.parties.values import Answer
from services.parties.when import read_when
from tests.clock import FakeClock
from tests.parties.conftest import ALICE, BOB, CAROL, GUILD, HOST, OTHER_GUILD, live_party, new_party


async def queued(db: Database, party_id: int) -> list[tuple[str, str, datetime]]:
    async with db.transaction() as session:
        return [(r.kind, r.state, r.due_at) for r in await repo.reminders(session, party_id)]


async def test_a_draft_is_invisible_until_announced_and_discarding_leaves_nothing(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    draft = await parties.create(GUILD, HOST, new_party(film, clock))
    assert draft.going == (HOST,)
    with pytest.raises(NotFound):
        await parties.get(GUILD, draft.id)
    assert await parties.upcoming(GUILD) == []
    await parties.discard(GUILD, draft.id)
    assert await queued(db, draft.id) == []


async def test_announcing_queues_the_reminders_the_end_and_the_archive(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    party_id = await live_party(parties, film, clock)
    start = datetime(2026, 11, 27, 20, tzinfo=UTC)
    end = start + timedelta(minutes=118)
    assert await queued(db, party_id) == [
        ("before", "pending", start - timedelta(hours=1)),
        ("start", "pending", start),
        ("end", "pending", end),
        ("archive", "pending", end + timedelta(days=3)),
    ]
    [party] = await parties.upcoming(GUILD)
    assert party.id == party_id
    assert await parties.upcoming(OTHER_GUILD) == []
    with pytest.raises(NotFound):
        await parties.get(OTHER_GUILD, party_id)


async def test_a_full_party_waitlists_and_a_seat_given_up_goes_to_the_longest_waiting(
    parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    party_id = await live_party(parties, film, clock, capacity=2)
    joined = await parties.rsvp(GUILD, party_id, ALICE, Answer.GOING)
    assert (joined.answer, joined.changed) == (Answer.GOING, True)
    clock.advance(minutes=1)
    bob = await parties.rsvp(GUILD, party_id, BOB, Answer.GOING)
    assert (bob.answer, bob.waitlist_place) == (Answer.WAITLIST, 1)
    clock.advance(minutes=1)
    carol = await parties.rsvp(GUILD, party_id, CAROL, Answer.GOING)
    assert carol.waitlist_place == 2
    again = await parties.rsvp(GUILD, party_id, BOB, Answer.GOING)
    assert not again.changed
    maybe = await parties.rsvp(GUILD, party_id, ALICE, Answer.MAYBE)
    assert maybe.promoted == (BOB,)
    assert (maybe.party.going, maybe.party.maybe, maybe.party.waitlist) == ((HOST, BOB), (ALICE,), (CAROL,))
    left = await parties.rsvp(GUILD, party_id, HOST, None)
    assert left.answer is None
    assert left.promoted == (CAROL,)
    assert left.party.going == (BOB, CAROL)
    back = await parties.rsvp(GUILD, party_id, ALICE, Answer.GOING)
    assert back.answer is Answer.WAITLIST  # going again from maybe takes a seat only if one is free


async def test_concurrent_answers_for_the_last_seat_never_overfill_it(
    database_url: str, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    import asyncio

    party_id = await live_party(parties, film, clock, capacity=2)
    others = [Database(database_url) for _ in range(3)]
    try:
        services = [PartyService(db, clock=clock, reminders=parties.reminders) for db in others]
        await asyncio.gather(*(s.rsvp(GUILD, party_id, 20 + n, Answer.GOING) for n, s in enumerate(services)))
    finally:
        for db in others:
            await db.dispose()
    party = await parties.get(GUILD, party_id)
    assert len(party.going) == 2
    assert len(party.waitlist) == 2


async def test_edits_move_the_reminders_and_more_seats_promote(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    party_id = await live_party(parties, film, clock, capacity=1)
    await parties.rsvp(GUILD, party_id, ALICE, Answer.GOING)
    later = read_when("saturday 9pm", "Europe/London", clock.now())
    edited = await parties.edit(GUILD, party_id, by=HOST, manager=False, reading=later, capacity=3, note="Bring tea")
    assert edited.moved
    assert edited.promoted == (ALICE,)
    assert (edited.party.note, edited.party.sequence) == ("Bring tea", 1)
    pending = [(kind, due) for kind, state, due in await queued(db, party_id) if state == "pending"]
    assert pending[0] == ("before", datetime(2026, 11, 28, 20, tzinfo=UTC))
    assert len(pending) == 4
    assert sum(state == "cancelled" for _, state, _ in await queued(db, party_id)) == 4
    note_only = await parties.edit(GUILD, party_id, by=HOST, manager=False, note="")
    assert not note_only.moved
    assert note_only.party.note is None


async def test_only_the_host_or_an_event_manager_edits_or_cancels(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    party_id = await live_party(parties, film, clock)
    with pytest.raises(InvalidInput, match="Only the host"):
        await parties.cancel(GUILD, party_id, by=BOB, manager=False)
    cancelled = await parties.cancel(GUILD, party_id, by=BOB, manager=True)
    assert cancelled.status == "cancelled"
    assert [(kind, state) for kind, state, _ in await queued(db, party_id) if state == "pending"] == [
        ("archive", "pending")
    ]
    with pytest.raises(InvalidInput, match="cancelled"):
        await parties.rsvp(GUILD, party_id, ALICE, Answer.GOING)
    with pytest.raises(InvalidInput, match="cancelled"):
        await parties.edit(GUILD, party_id, by=HOST, manager=False, note="x")


async def test_times_are_read_in_the_members_zone_then_the_servers_then_utc(parties: PartyService) -> None:
    assert await parties.zone_for(GUILD, ALICE) == "UTC"
    await parties.set_server_zone(GUILD, "america/new_york")
    assert await parties.zone_for(GUILD, ALICE) == "America/New_York"
    assert await parties.set_member_zone(ALICE, "Asia/Tokyo") == "Asia/Tokyo"
    assert await parties.zone_for(GUILD, ALICE) == "Asia/Tokyo"
    assert await parties.zone_for(OTHER_GUILD, BOB) == "UTC"
    reading = await parties.read_when(GUILD, ALICE, "tomorrow 21:00")
    assert reading.starts_at == datetime(2026, 11, 26, 12, tzinfo=UTC)


async def test_a_server_chooses_its_reminders(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    assert await parties.set_server_reminders(GUILD, "15m, 1d, 0") == (1440, 15, 0)
    assert (await parties.server_settings(GUILD)).reminder_minutes == (1440, 15, 0)
    party_id = await live_party(parties, film, clock)
    kinds = [kind for kind, _, _ in await queued(db, party_id)]
    assert kinds == ["before", "before", "start", "end", "archive"]
    await parties.set_server_reminders(GUILD, "none")
    assert (await parties.server_settings(GUILD)).reminder_minutes == ()


@pytest.mark.parametrize(("text", "minutes"), [("1h, 0", (60, 0)), ("1d2h", (1560,)), ("30m,30", (30,))])
def test_reminder_times_are_written_the_way_people_do(text: str, minutes: tuple[int, ...]) -> None:
    assert parse_reminders(text) == minutes
    assert show_reminders((60, 0)) == "1h before, at the start"


@pytest.mark.parametrize("text", ["soon", "1w", "8d", "1,2,3,4,5,6"])
def test_unreadable_reminder_times_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_reminders(text)


def test_duration_is_the_runtime_plus_the_margin_unless_asked(parties: PartyService) -> None:
    assert parties.duration(103, None) == 118
    assert parties.duration(103, 90) == 90
    assert parties.duration(None, None) == 120


async def test_the_calendar_has_one_stable_event_per_party_in_utc(
    parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    party_id = await live_party(parties, film, clock, note="Bring tissues")
    party = await parties.get(GUILD, party_id)
    data = ics([party], now=clock.now(), links={party_id: "https://discord.com/x"}, places={party_id: "#cinema"})
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["uid"]) == f"watchparty-{party_id}-{GUILD}@filmclub"
    assert event.decoded("dtstart") == datetime(2026, 11, 27, 20, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 11, 27, 21, 58, tzinfo=UTC)
    assert str(event["summary"]) == "Watch party: Never Let Me Go (2010)"
    assert "Bring tissues" in str(event["description"])
    assert str(event["location"]) == "#cinema"
