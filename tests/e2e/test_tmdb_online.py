"""With a TMDB token configured: an unknown film is fetched from (a local) TMDB, stored, and shown with its poster.

The TMDB bodies below follow TMDB API v3's documented shape; the poster path and credit ids are made up.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from db import Database
from db.films import repository as repo
from db.films.records import ExternalIds, FilmRecord
from standin.core import UPDATE_MESSAGE
from standin.driver import Driver
from standin.server import StandIn
from standin.world import GuildSpec
from tests.e2e.conftest import running_bot
from tests.tmdb_fake import FakeTmdb, Reply, serving

# Discord's 3 s for the first response, shortened so that a TMDB slower than it costs the tests little time.
ANSWER_WITHIN = 1.0
SLOW = 2 * ANSWER_WITHIN

ARRIVAL_SEARCH = {
    "page": 1,
    "total_pages": 1,
    "total_results": 1,
    "results": [{"id": 329865, "title": "Arrival", "original_title": "Arrival", "release_date": "2016-11-10",
                 "popularity": 40.1, "poster_path": "/arrival-poster.jpg", "adult": False}],
}  # fmt: skip


def person(pid: int, name: str, **fields: object) -> dict[str, object]:
    return {"id": pid, "name": name, "original_name": name, "credit_id": f"c{pid}", **fields}


ARRIVAL = {
    "id": 329865,
    "imdb_id": "tt2543164",
    "title": "Arrival",
    "original_title": "Arrival",
    "release_date": "2016-11-10",
    "runtime": 116,
    "popularity": 40.1,
    "poster_path": "/arrival-poster.jpg",
    "genres": [{"id": 18, "name": "Drama"}, {"id": 878, "name": "Science Fiction"}],
    "production_countries": [{"iso_3166_1": "US", "name": "United States of America"}],
    "spoken_languages": [{"iso_639_1": "en", "name": "English"}],
    "credits": {
        "cast": [
            person(1, "Amy Adams", character="Louise Banks", order=0),
            person(2, "Jeremy Renner", character="Ian Donnelly", order=1),
            person(3, "Forest Whitaker", character="Colonel Weber", order=2),
        ],
        "crew": [
            person(4, "Denis Villeneuve", department="Directing", job="Director"),
            person(5, "Eric Heisserer", department="Writing", job="Screenplay"),
            person(6, "Jóhann Jóhannsson", department="Sound", job="Original Music Composer"),
            person(7, "Someone Else", department="Sound", job="Music Supervisor"),
        ],
    },
}


LITTLE_WOMEN = [
    FilmRecord(title="Little Women", source="tmdb", year=year, popularity=30.0, ids=ExternalIds(tmdb=tmdb_id))
    for year, tmdb_id in ((1994, 9587), (2019, 331482))
]
LITTLE_WOMEN_2019 = {"id": 331482, "title": "Little Women", "original_title": "Little Women",
                     "release_date": "2019-12-25", "runtime": 135, "popularity": 30.0,
                     "credits": {"cast": [], "crew": []}}  # fmt: skip


@pytest.fixture(scope="module")
async def standin(world: Sequence[GuildSpec]) -> AsyncIterator[StandIn]:
    async with StandIn(world, ack_deadline=ANSWER_WITHIN) as server:
        yield server


@pytest.fixture(scope="module")
async def tmdb() -> AsyncIterator[tuple[FakeTmdb, str]]:
    fake = FakeTmdb(
        {"/3/search/movie": ARRIVAL_SEARCH, "/3/movie/329865": ARRIVAL, "/3/movie/331482": LITTLE_WOMEN_2019}
    )
    async with serving(fake) as url:
        yield fake, url


@pytest.fixture(scope="module")
async def film_club(standin: StandIn, module_database_url: str, tmdb: tuple[FakeTmdb, str]) -> AsyncIterator[App]:
    async with running_bot(standin, module_database_url, tmdb_token="read-token", tmdb_base_url=tmdb[1]) as app:
        yield app


async def test_an_unknown_film_is_fetched_from_tmdb_and_shown_with_its_poster(
    alice: Driver, tmdb: tuple[FakeTmdb, str]
) -> None:
    fake, _ = tmdb
    interaction = await alice.slash("film info", film="Arrival (2016)")
    assert (await interaction.response()).deferred  # an online lookup may take longer than 3 s
    reply = await interaction.message()
    [embed] = reply.embeds
    card = json.dumps(embed, ensure_ascii=False)
    assert embed["title"] == "Arrival (2016)"
    assert embed["thumbnail"]["url"] == "https://image.tmdb.org/t/p/w342/arrival-poster.jpg"
    assert "Jóhann Jóhannsson" in card
    assert "Someone Else" not in card
    assert embed["footer"]["text"] == "Source: TMDB"
    assert fake.requests[0].headers["Authorization"] == "Bearer read-token"
    asked = len(fake.requests)
    again = await (await alice.slash("film score", film="arrival")).message()
    assert "Jóhann Jóhannsson" in json.dumps(again.embeds[0], ensure_ascii=False)
    assert len(fake.requests) == asked, "stored: the second question needs no lookup"


async def test_about_shows_tmdb_attribution(alice: Driver) -> None:
    reply = await (await alice.slash("about")).message()
    card = json.dumps(reply.embeds[0])
    assert "This product uses the TMDB API but is not endorsed or certified by TMDB." in card


async def test_picking_a_film_answers_in_time_while_tmdb_is_slow(
    alice: Driver, tmdb: tuple[FakeTmdb, str], module_database_url: str
) -> None:
    fake, _ = tmdb
    database = Database(module_database_url)
    try:  # two films called Little Women, both fetched from TMDB long ago: due for a refresh
        async with database.transaction() as session:
            for record in LITTLE_WOMEN:
                await repo.upsert_film(session, record, now=datetime.now(UTC) - timedelta(days=90))
    finally:
        await database.dispose()
    fake.script("/3/movie/331482", Reply(body=LITTLE_WOMEN_2019, delay=SLOW))
    refetched = fake.count("/3/movie/331482")  # the fake serves this module's bot on each back end

    [question] = await (await alice.slash("film info", film="Little Women")).followups()  # private, after "thinking…"
    [picker] = question.buttons()
    pick = await alice.select(question, picker["custom_id"], ["Little Women (2019)"])
    assert (await pick.response()).type == UPDATE_MESSAGE  # "You picked Little Women (2019).", within Discord's window
    [card] = (await pick.followups())[0].embeds
    assert card["title"].startswith("Little Women (2019)")
    assert fake.count("/3/movie/331482") == refetched, "a film picked by id is answered as stored"

    # The next time someone names it, the stale copy is refreshed while the member sees "thinking…".
    refreshed = await alice.slash("film info", film="Little Women (2019)")
    assert (await refreshed.response()).deferred
    reply = await refreshed.message(timeout=SLOW + 5)
    assert "135 min" in json.dumps(reply.embeds[0])
    assert fake.count("/3/movie/331482") == refetched + 1
