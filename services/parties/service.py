"""The watch-party service: time zones, creating and changing parties, answers with a capacity and a waitlist,
and the reminders each party needs. Discord-free: the cog posts, this keeps the record.

Every call is one unit of work; every change to a party locks it first (two clicks on Join for the last seat take
turns). Instants are UTC; a party keeps its creator's zone to show times as they were typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from db import Database
from db.parties import repository as repo
from db.parties.models import PartyMember, PartyReminder, PartySettings, WatchParty
from services.clock import Clock
from services.errors import InvalidInput, NotFound
from services.films.values import FilmSummary
from services.parties.reminders import ReminderScheduler
from services.parties.values import Answer, Edited, Kind, Party, Rsvp
from services.parties.when import Reading, read_when, zone_named

UPCOMING_LIMIT = 25
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 7 * 24 * 60
OFFSET = re.compile(r"^(?:(?P<days>\d+)\s*d)?\s*(?:(?P<hours>\d+)\s*h)?\s*(?:(?P<minutes>\d+)\s*m?)?$")


@dataclass(frozen=True, slots=True)
class PartyDefaults:
    """The configured defaults (bot.config): reminders, a film's length plus a margin, when threads archive."""

    reminder_minutes: tuple[int, ...] = (60, 0)
    margin_minutes: int = 15
    unknown_runtime_minutes: int = 120
    archive_after: timedelta = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class ServerSettings:
    zone: str | None
    reminder_minutes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NewParty:
    """What a host asks for."""

    film: FilmSummary
    reading: Reading
    duration_minutes: int
    channel_id: int
    voice_channel_id: int | None = None
    capacity: int | None = None
    note: str | None = None


def parse_reminders(text: str) -> tuple[int, ...]:
    """ "1h, 15m, 0" as minutes before the start, latest first: (60, 15, 0). "none" turns reminders off."""
    if text.strip().lower() in ("none", "off", "-"):
        return ()
    minutes: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        match = OFFSET.fullmatch(part)
        if match is None or not part:
            raise InvalidInput(f'"{part}" is not a time before the start: write e.g. "1h", "15m", "1d" or "0".')
        total = int(match["days"] or 0) * 1440 + int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
        if total > MAX_REMINDER_MINUTES:
            raise InvalidInput("Reminders can be at most a week before the start.")
        minutes.add(total)
    if len(minutes) > MAX_REMINDERS:
        raise InvalidInput(f"At most {MAX_REMINDERS} reminders per party.")
    return tuple(sorted(minutes, reverse=True))


def show_reminders(minutes: Sequence[int]) -> str:
    """(60, 0) as "1h before, at the start"."""
    if not minutes:
        return "none"
    shown = []
    for total in minutes:
        if total == 0:
            shown.append("at the start")
            continue
        days, rest = divmod(total, 1440)
        hours, mins = divmod(rest, 60)
        text = "".join(f"{n}{unit}" for n, unit in ((days, "d"), (hours, "h"), (mins, "m")) if n)
        shown.append(f"{text} before")
    return ", ".join(shown)


def _value(row: WatchParty, members: Sequence[PartyMember] = ()) -> Party:
    def having(answer: Answer) -> tuple[int, ...]:
        return tuple(m.user_id for m in members if m.status == answer)

    return Party(
        id=row.id,
        guild_id=row.guild_id,
        host_id=row.host_id,
        film_id=row.film_id,
        film_label=row.film_label,
        starts_at=row.starts_at,
        duration_minutes=row.duration_minutes,
        zone=row.zone,
        channel_id=row.channel_id,
        voice_channel_id=row.voice_channel_id,
        capacity=row.capacity,
        note=row.note,
        status=row.status,
        sequence=row.sequence,
        message_id=row.message_id,
        thread_id=row.thread_id,
        event_id=row.event_id,
        created_at=row.created_at,
        going=having(Answer.GOING),
        maybe=having(Answer.MAYBE),
        waitlist=having(Answer.WAITLIST),
    )


class PartyService:
    def __init__(
        self, db: Database, *, clock: Clock, reminders: ReminderScheduler, defaults: PartyDefaults | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.reminders = reminders
        self.defaults = defaults or PartyDefaults()

    # Time zones and server settings -----------------------------------------------------------------------

    async def member_zone(self, user_id: int) -> str | None:
        async with self.db.transaction() as session:
            return await repo.member_zone(session, user_id)

    async def set_member_zone(self, user_id: int, name: str) -> str:
        zone = zone_named(name)
        async with self.db.transaction() as session:
            await repo.set_member_zone(session, user_id, zone, self.clock.now())
        return zone

    async def server_settings(self, guild_id: int) -> ServerSettings:
        async with self.db.transaction() as session:
            row = await repo.settings(session, guild_id)
        return ServerSettings(row.zone if row else None, self._reminder_minutes(row))

    def _reminder_minutes(self, row: PartySettings | None) -> tuple[int, ...]:
        if row is None or row.reminder_minutes is None:
            return self.defaults.reminder_minutes
        return parse_reminders(row.reminder_minutes)

    async def set_server_zone(self, guild_id: int, name: str) -> str:
        zone = zone_named(name)
        async with self.db.transaction() as session:
            await repo.set_settings(session, guild_id, self.clock.now(), zone=zone)
        return zone

    async def set_server_reminders(self, guild_id: int, text: str) -> tuple[int, ...]:
        minutes = parse_reminders(text)
        stored = ",".join(map(str, minutes)) or "none"
        async with self.db.transaction() as session:
            await repo.set_settings(session, guild_id, self.clock.now(), reminder_minutes=stored)
        return minutes

    async def zone_for(self, guild_id: int, user_id: int) -> str:
        """The zone a member's times are read in: theirs, else the server's, else UTC."""
        async with self.db.transaction() as session:
            mine = await repo.member_zone(session, user_id)
            server = await repo.settings(session, guild_id)
        return mine or (server.zone if server and server.zone else "UTC")

    async def read_when(self, guild_id: int, user_id: int, text: str) -> Reading:
        return read_when(text, await self.zone_for(guild_id, user_id), self.clock.now())

    def duration(self, runtime_minutes: int | None, asked: int | None) -> int:
        """The party's length: as asked, else the film's runtime plus the margin."""
        if asked is not None:
            return asked
        if runtime_minutes:
            return runtime_minutes + self.defaults.margin_minutes
        return self.defaults.unknown_runtime_minutes

    # Creating ------------------------------------------------------------------------------------------------

    async def create(self, guild_id: int, host_id: int, new: NewParty) -> Party:
        """Record a party as a draft, its host going; ``announced`` makes it live, ``discard`` drops it."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await repo.add_party(
                session,
                guild_id=guild_id,
                host_id=host_id,
                film_id=new.film.id,
                film_label=new.film.label,
                starts_at=new.reading.starts_at,
                duration_minutes=new.duration_minutes,
                zone=new.reading.zone,
                channel_id=new.channel_id,
                voice_channel_id=new.voice_channel_id,
                capacity=new.capacity,
                note=new.note,
                status="draft",
                created_at=now,
                updated_at=now,
            )
            host = repo.add_member(session, row.id, host_id, Answer.GOING, now)
            await session.flush()
            return _value(row, [host])

    async def announced(self, guild_id: int, party_id: int, *, message_id: int, thread_id: int) -> Party:
        """The announcement and its thread are up: the party is live and its reminders are queued."""
        async with self.db.transaction() as session:
            row = await self._locked(session, guild_id, party_id)
            row.message_id, row.thread_id, row.status = message_id, thread_id, "scheduled"
            await self._schedule(session, row)
            party = _value(row, await repo.members(session, [row.id]))
        self.reminders.poke()
        return party

    async def set_event(self, guild_id: int, party_id: int, event_id: int | None) -> None:
        async with self.db.transaction() as session:
            row = await self._locked(session, guild_id, party_id)
            row.event_id = event_id

    async def discard(self, guild_id: int, party_id: int) -> None:
        """Drop a party that could not be announced (nothing of it stays)."""
        async with self.db.transaction() as session:
            row = await repo.party(session, guild_id, party_id)
            if row is not None:
                await repo.remove_party(session, row)

    async def _schedule(self, session: AsyncSession, row: WatchParty) -> None:
        """Queue the party's reminders from now on (cancelling those not yet sent): the server's reminders
        before the start, the discussion at the end and archiving the thread later."""
        now = self.clock.now()
        await repo.cancel_pending(session, row.id, now)
        minutes = self._reminder_minutes(await repo.settings(session, row.guild_id))
        ends_at = row.starts_at + timedelta(minutes=row.duration_minutes)
        wanted: list[tuple[Kind, int, datetime]] = []
        if row.status == "scheduled":
            wanted += [(Kind.BEFORE if m else Kind.START, m, row.starts_at - timedelta(minutes=m)) for m in minutes]
            wanted.append((Kind.END, 0, ends_at))
        archive_from = ends_at if row.status == "scheduled" else now
        wanted.append((Kind.ARCHIVE, 0, archive_from + self.defaults.archive_after))
        repo.add_reminders(
            session,
            [
                PartyReminder(
                    party_id=row.id,
                    guild_id=row.guild_id,
                    kind=kind,
                    minutes_before=minutes_before,
                    due_at=due,
                    next_try_at=due,
                    state="pending",
                    attempts=0,
                )
                for kind, minutes_before, due in wanted
                if due > now
            ],
        )

    # Reading -------------------------------------------------------------------------------------------------

    async def get(self, guild_id: int, party_id: int) -> Party:
        async with self.db.transaction() as session:
            row = await repo.party(session, guild_id, party_id)
            if row is None or row.status == "draft":
                raise NotFound("That watch party doesn't exist (any more).")
            return _value(row, await repo.members(session, [row.id]))

    async def film_of_thread(self, guild_id: int | None, channel_id: int) -> int | None:
        """The film a party's thread is about (what "who composed it?" asked there means), else None."""
        if guild_id is None:
            return None
        async with self.db.transaction() as session:
            return await repo.film_of_thread(session, guild_id, channel_id)

    async def upcoming(self, guild_id: int) -> list[Party]:
        """The server's scheduled parties that have not started, soonest first."""
        async with self.db.transaction() as session:
            rows = await repo.upcoming(session, guild_id, self.clock.now(), UPCOMING_LIMIT)
            members = await repo.members(session, [row.id for row in rows])
        return [_value(row, [m for m in members if m.party_id == row.id]) for row in rows]

    # Answers -------------------------------------------------------------------------------------------------

    async def rsvp(self, guild_id: int, party_id: int, user_id: int, answer: Answer | None) -> Rsvp:
        """Answer going, maybe, or (None) not coming. Going to a full party joins the waitlist; a seat given up
        goes to whoever has waited longest."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await self._locked(session, guild_id, party_id)
            self._still_open(row)
            members = await repo.members(session, [row.id])
            mine = next((m for m in members if m.user_id == user_id), None)
            before = Answer(mine.status) if mine else None
            if answer is None:
                if mine is not None:
                    await repo.remove_member(session, mine)
                    members.remove(mine)
            elif before is None or (before is Answer.MAYBE) != (answer is Answer.MAYBE):
                going = sum(m.status == Answer.GOING for m in members)
                status = (
                    Answer.WAITLIST if answer is Answer.GOING and row.capacity and going >= row.capacity else answer
                )
                if mine is None:
                    members.append(repo.add_member(session, row.id, user_id, status, now))
                else:
                    mine.status, mine.answered_at = status, now
                    members.sort(key=lambda m: (m.answered_at, m.id or 0))
            promoted = self._promote(row, members) if before is Answer.GOING else ()
            await session.flush()
            party = _value(row, members)
        after = party.answer_of(user_id)
        return Rsvp(party, user_id, after, changed=after != before, promoted=promoted)

    @staticmethod
    def _promote(row: WatchParty, members: Sequence[PartyMember]) -> tuple[int, ...]:
        """Move the longest-waiting members to going while there are free seats."""
        going = sum(m.status == Answer.GOING for m in members)
        promoted = []
        for member in members:
            if member.status == Answer.WAITLIST and (row.capacity is None or going < row.capacity):
                member.status = Answer.GOING
                going += 1
                promoted.append(member.user_id)
        return tuple(promoted)

    async def is_attendee(self, guild_id: int, party_id: int, user_id: int) -> bool:
        return (await self.get(guild_id, party_id)).answer_of(user_id) is Answer.GOING

    # Changing --------------------------------------------------------------------------------------------------

    async def edit(
        self,
        guild_id: int,
        party_id: int,
        *,
        by: int,
        manager: bool,
        reading: Reading | None = None,
        duration_minutes: int | None = None,
        capacity: int | None = None,
        note: str | None = None,
    ) -> Edited:
        """Change the time, length, capacity or note (host, or a member who manages events); a new time or length
        requeues the reminders, more seats go to the waitlist."""
        async with self.db.transaction() as session:
            row = await self._locked(session, guild_id, party_id)
            self._may_change(row, by, manager, "edit")
            self._still_open(row)
            members = await repo.members(session, [row.id])
            before = _value(row, members)
            if reading is not None:
                row.starts_at = reading.starts_at
            if duration_minutes is not None:
                row.duration_minutes = duration_minutes
            if capacity is not None:
                row.capacity = capacity
            if note is not None:
                row.note = note.strip() or None
            row.sequence += 1
            row.updated_at = self.clock.now()
            promoted = self._promote(row, members)
            moved = (row.starts_at, row.duration_minutes) != (before.starts_at, before.duration_minutes)
            if moved:
                await self._schedule(session, row)
            await session.flush()
            edited = Edited(before, _value(row, members), promoted)
        if moved:
            self.reminders.poke()
        return edited

    async def cancel(self, guild_id: int, party_id: int, *, by: int, manager: bool) -> Party:
        """Cancel (host, or a member who manages events): no more reminders; the thread is archived later."""
        async with self.db.transaction() as session:
            row = await self._locked(session, guild_id, party_id)
            self._may_change(row, by, manager, "cancel")
            self._still_open(row)
            row.status = "cancelled"
            row.sequence += 1
            row.updated_at = self.clock.now()
            await self._schedule(session, row)
            party = _value(row, await repo.members(session, [row.id]))
        self.reminders.poke()
        return party

    async def ended(self, guild_id: int, party_id: int) -> Party:
        """The party is over (its end reminder is being posted)."""
        async with self.db.transaction() as session:
            row = await self._locked(session, guild_id, party_id)
            if row.status == "scheduled":
                row.status = "ended"
                row.updated_at = self.clock.now()
            return _value(row, await repo.members(session, [row.id]))

    async def forget_thread(self, guild_id: int, party_id: int) -> None:
        """The thread was deleted: later reminders have nowhere to go."""
        async with self.db.transaction() as session:
            row = await self._locked(session, guild_id, party_id)
            row.thread_id = None

    # Checks --------------------------------------------------------------------------------------------------

    @staticmethod
    async def _locked(session: AsyncSession, guild_id: int, party_id: int) -> WatchParty:
        row = await repo.lock_party(session, guild_id, party_id)
        if row is None:
            raise NotFound("That watch party doesn't exist (any more).")
        return row

    @staticmethod
    def _may_change(row: WatchParty, by: int, manager: bool, verb: str) -> None:
        if by != row.host_id and not manager:
            raise InvalidInput(f"Only the host or members with the Manage Events permission can {verb} a watch party.")

    @staticmethod
    def _still_open(row: WatchParty) -> None:
        if row.status == "cancelled":
            raise InvalidInput("That watch party was cancelled.")
        if row.status == "ended":
            raise InvalidInput("That watch party is over.")
        if row.status != "scheduled":
            raise NotFound("That watch party doesn't exist (any more).")
