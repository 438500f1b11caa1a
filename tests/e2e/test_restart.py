"""Buttons keep working after the bot restarts: their custom_ids carry all they need (DynamicItem)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from db import Database
from db.films.records import CreditRecord, FilmRecord, PersonRecord
from db.films.repository import upsert_film
from standin.server import StandIn
from tests.e2e.conftest import running_bot

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


async def add_crowd_scene(url: str) -> None:
    cast = tuple(
        CreditRecord(PersonRecord(f"Extra Number {n}"), "actor", (f"Villager {n}",), billing=n) for n in range(40)
    )
    database = Database(url)
    async with database.transaction() as session:
        await upsert_film(session, FilmRecord(title="Crowd Scene", year=1999, source="starter", credits=cast), now=NOW)
    await database.dispose()


async def test_cast_pages_turn_after_a_restart(standin: StandIn, module_database_url: str) -> None:
    alice = standin.driver("alice", "general")
    async with running_bot(standin, module_database_url):
        await add_crowd_scene(module_database_url)
        reply = await (await alice.slash("film cast", film="Crowd Scene (1999)")).message()
        assert "Page 1 of 3" in reply.embeds[0]["footer"]["text"]
        previous, following = (button for button in reply.buttons())
        assert previous["disabled"] is True
        assert following["disabled"] is False

    async with running_bot(standin, module_database_url):
        await (await alice.click(reply, "Next ▶")).response()
        page_two = await alice.wait_for_edit(reply)
        embed = page_two.embeds[0]
        assert "Page 2 of 3" in embed["footer"]["text"]
        assert "Villager 15" in json.dumps(embed)
        assert "Villager 14" not in json.dumps(embed)
