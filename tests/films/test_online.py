"""Online lookups never make a member wait on another's: different titles are looked up side by side,
identical ones share one call, and no more calls than configured go to the source at once. A local-only find
(a film picked by id) never waits on the source at all."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from db import Database
from db.films import repository as repo
from db.films.records import ExternalIds, FilmRecord
from services.errors import NotFound
from services.films.catalogue import FilmCatalogue
from services.films.online import Coalesced
from tests.clock import FakeClock
from tests.films.fake_online import FakeTMDB

TITLES = ("Paterson", "Aftersun", "Petite Maman", "Drive My Car", "The Worst Person in the World")
RECORDS = [
    FilmRecord(title=title, source="tmdb", year=2021, ids=ExternalIds(tmdb=1000 + n)) for n, title in enumerate(TITLES)
]
OVERLAP_WITHIN = 10.0  # seconds for lookups that should overlap to do so: far more than any machine needs


async def overlapping(online: FakeTMDB, calls: int) -> None:
    """Wait until ``calls`` calls are at ``online`` at once, then let them all answer."""
    try:
        await asyncio.wait_for(online.until_active(calls), OVERLAP_WITHIN)
    finally:
        online.release()


async def test_five_members_asking_for_five_unknown_titles_are_looked_up_side_by_side(db: Database) -> None:
    online = FakeTMDB(*RECORDS, gated=True)
    catalogue = FilmCatalogue(db, clock=FakeClock(), online=online, online_concurrency=5)
    finds = asyncio.gather(*(catalogue.find(title) for title in TITLES))
    await overlapping(online, 5)  # nobody waits for another's answer first
    assert [film.title for film in await finds] == list(TITLES)
    assert online.most_active == 5


async def test_no_more_online_calls_than_configured_run_at_once(db: Database) -> None:
    # Each call takes a while once let through: time enough for the rest to crowd in, were they not held back.
    online = FakeTMDB(*RECORDS, gated=True, delay=0.2)
    catalogue = FilmCatalogue(db, clock=FakeClock(), online=online, online_concurrency=2)
    finds = asyncio.gather(*(catalogue.find(title) for title in TITLES))
    await overlapping(online, 2)
    assert len(await finds) == len(TITLES)
    assert online.most_active == 2


async def test_members_asking_for_the_same_unknown_title_at_once_share_one_search(db: Database) -> None:
    # The search takes long enough for every member's local look to miss before it ends.
    online = FakeTMDB(RECORDS[0], delay=0.5)
    catalogue = FilmCatalogue(db, clock=FakeClock(), online=online)
    found = await asyncio.gather(catalogue.find("Paterson"), catalogue.find("paterson"), catalogue.find(" PATERSON"))
    assert found[0].title == "Paterson"
    assert found[0] == found[1] == found[2]
    assert len(online.searches) == 1
    missing = await asyncio.gather(
        catalogue.find("Nothing Like It"), catalogue.find("nothing like it"), return_exceptions=True
    )
    assert [type(error) for error in missing] == [NotFound, NotFound]
    assert len(online.searches) == 2, "a title TMDB does not know is searched once too"


async def test_refreshing_a_stale_film_does_not_hold_up_another_members_lookup(db: Database) -> None:
    clock = FakeClock()
    async with db.transaction() as session:
        await repo.upsert_film(session, RECORDS[0], now=clock.now() - timedelta(days=90))
    online = FakeTMDB(*RECORDS, gated=True)
    catalogue = FilmCatalogue(db, clock=clock, online=online)
    finds = asyncio.gather(catalogue.find("Paterson"), catalogue.find("Aftersun"))
    await overlapping(online, 2)
    assert [film.title for film in await finds] == ["Paterson", "Aftersun"]
    assert (online.refreshed, online.searches) == ([1000], [("Aftersun", None)])


async def test_a_shared_call_outlives_a_caller_that_gives_up() -> None:
    coalesced: Coalesced[str] = Coalesced()
    started, finish = asyncio.Event(), asyncio.Event()
    calls: list[str] = []

    async def call() -> None:
        calls.append("call")
        started.set()
        await finish.wait()

    first = asyncio.create_task(coalesced.run("key", call))
    await started.wait()
    second = asyncio.create_task(coalesced.run("key", call))
    await asyncio.sleep(0)  # one step: the second caller joins the call under way
    first.cancel()
    finish.set()
    await second
    assert first.cancelled()
    assert calls == ["call"]
    await coalesced.run("key", call)  # done calls are not remembered: asking again calls again
    assert calls == ["call", "call"]


async def test_a_local_only_find_never_asks_online(db: Database) -> None:
    clock = FakeClock()
    async with db.transaction() as session:
        stale = await repo.upsert_film(session, RECORDS[0], now=clock.now() - timedelta(days=90))
    online = FakeTMDB(*RECORDS)
    catalogue = FilmCatalogue(db, clock=clock, online=online)
    assert (await catalogue.find(f"film:{stale.id}", local_only=True)).title == "Paterson"
    with pytest.raises(NotFound):
        await catalogue.find("Aftersun", local_only=True)
    assert (online.refreshed, online.searches) == ([], [])
