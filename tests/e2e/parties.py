"""Helpers for the watch-party end-to-end tests: create a party as a member, move the clock, read threads."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.app import App
from db.parties import repository as repo
from db.parties.models import WatchParty
from standin.driver import Driver
from standin.state import Channel, Message
from tests.clock import FakeClock


def text_of(message: Message) -> str:
    return message.content + json.dumps(message.embeds, ensure_ascii=False)


async def tick(app: App, clock: FakeClock, **delta: float) -> None:
    """Move the clock and let the reminder scheduler catch up."""
    clock.advance(**delta)
    scheduler = app.services.parties.reminders
    scheduler.poke()
    await scheduler.caught_up()


async def create(member: Driver, film: str, when: str, **options: object) -> tuple[Message, Channel]:
    """Create a watch party as ``member``: the announcement and its thread."""
    note = await (await member.slash("watchparty create", film=film, when=when, **options)).message()
    assert note.ephemeral, note
    assert "Your watch party" in note.content, note.content
    announcement = await member.wait_for_message(lambda m: f"/{m.id}" in note.content and bool(m.embeds))
    thread = member.state.channel(announcement.thread_id or 0)
    return announcement, thread


def thread_messages(member: Driver, thread: Channel, containing: str) -> list[Message]:
    return [m for m in member.messages(thread, ephemeral=False) if containing in text_of(m)]


async def reminder_states(app: App, announcement: Message) -> list[tuple[str, str]]:
    async with app.db.transaction() as session:
        party = await session.scalar(select(WatchParty).where(WatchParty.message_id == announcement.id))
        assert party is not None
        return [(r.kind, r.state) for r in await repo.reminders(session, party.id)]
