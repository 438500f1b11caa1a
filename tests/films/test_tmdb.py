"""TMDB source against a local stand-in server serving responses in TMDB's documented shape.

The fixtures under tmdb_fixtures/ follow TMDB API v3's search and details (with credits) answers;
the person ids and credit ids in them are made up.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update

from bot.app import App
from bot.config import Settings
from bot.services import build_services, online_source
from db import Database
from db.films.repository import upsert_film
from db.models import Credit, Film, Person
from services.errors import NotFound
from services.films.tmdb import TmdbClient, TmdbLookup, TmdbUnavailable, composers, film_record, poster_url
from tests.clock import FakeClock
from tests.tmdb_fake import FakeTmdb, Reply, serving

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

FIXTURES = Path(__file__).parent / "tmdb_fixtures"
SEARCH = json.loads((FIXTURES / "search_never_let_me_go.json").read_text())
DETAILS = json.loads((FIXTURES / "movie_42188.json").read_text())
BAD_TOKEN = {"success": False, "status_code": 7, "status_message": "Invalid API key: You must be granted a valid key."}
RATE_LIMITED = {"success": False, "status_code": 25, "status_message": "Your request count (41) is over the limit."}


@pytest.fixture
async def tmdb() -> AsyncIterator[tuple[FakeTmdb, str]]:
    fake = FakeTmdb({"/3/search/movie": SEARCH, "/3/movie/42188": DETAILS})
    async with serving(fake) as url:
        yield fake, url


@pytest.fixture
async def client(tmdb: tuple[FakeTmdb, str]) -> AsyncIterator[TmdbClient]:
    made = TmdbClient("read-token", base_url=tmdb[1], timeout_seconds=2, backoff_seconds=0.01, cooldown_seconds=60)
    yield made
    await made.close()


def jobs(record: Any, job: str) -> list[str]:
    return [c.person.name for c in record.credits if c.job == job]


# Mapping


def test_details_map_to_a_film_record() -> None:
    record = film_record(DETAILS)
    assert (record.title, record.year, record.runtime_minutes, record.source) == ("Never Let Me Go", 2010, 103, "tmdb")
    assert record.ids.tmdb == 42188
    assert record.ids.imdb == "tt1334260"
    assert record.genres == ("Drama", "Science Fiction", "Romance")
    assert record.countries == ("United Kingdom", "United States of America")
    assert record.poster_path == "/nlmg-poster.jpg"
    assert record.popularity == pytest.approx(14.872)
    cast = [(c.person.name, c.characters, c.billing) for c in record.credits if c.job == "actor"]
    assert cast == [
        ("Carey Mulligan", ("Kathy",), 0),
        ("Andrew Garfield", ("Tommy",), 1),
        ("Keira Knightley", ("Ruth",), 2),
        ("Charlotte Rampling", ("Miss Emily",), 3),
        ("Sally Hawkins", ("Miss Lucy",), 4),
        ("Isobel Meikle-Small", ("Young Kathy",), 5),
        ("Ella Purnell", ("Young Ruth",), 6),
        ("Charlie Rowe", ("Young Tommy",), 7),
    ]
    assert all(c.department == "cast" for c in record.credits if c.job == "actor")
    assert record.credits[0].person.ids.tmdb == 36662
    assert jobs(record, "director") == ["Mark Romanek"]
    assert jobs(record, "screenplay") == ["Alex Garland"]
    assert jobs(record, "novel") == ["Kazuo Ishiguro"]
    assert jobs(record, "composer") == ["Rachel Portman"]
    assert jobs(record, "cinematographer") == ["Adam Kimmel"]
    assert jobs(record, "editor") == ["Barney Pilling"]
    assert record.based_on is not None
    assert (record.based_on.author, record.based_on.kind) == ("Kazuo Ishiguro", "novel")
    names = {c.person.name for c in record.credits}
    assert not names & {"Randall Poster", "Michael Higham", "Assistant Person"}


def test_a_character_with_slashes_is_several_characters() -> None:
    details = {**DETAILS, "credits": {"cast": [{**DETAILS["credits"]["cast"][0], "character": "Kathy / Narrator"}]}}
    (credit,) = film_record(details).credits
    assert credit.characters == ("Kathy", "Narrator")


def test_minimal_details_map_without_optional_fields() -> None:
    record = film_record({"id": 7, "title": "Untitled", "release_date": "", "runtime": 0, "imdb_id": None})
    assert (record.year, record.runtime_minutes, record.ids.imdb, record.credits) == (None, None, None, ())


def crew(*jobs_: str) -> list[dict[str, Any]]:
    return [{"id": i, "name": f"{job} person", "department": "Sound", "job": job} for i, job in enumerate(jobs_)]


@pytest.mark.parametrize(
    ("jobs_", "chosen"),
    [
        (["Music Supervisor", "Original Music Composer", "Music"], ["Original Music Composer"]),
        (["Music Supervisor", "Music Editor", "Music"], ["Music"]),
        (["Composer", "Music Editor"], ["Composer"]),
        (["Music Supervisor", "Music Editor"], []),
        (["Original Music Composer", "Original Music Composer"], ["Original Music Composer"] * 2),
    ],
)
def test_composer_selection(jobs_: list[str], chosen: list[str]) -> None:
    assert [c["job"] for c in composers(crew(*jobs_))] == chosen


def test_fallback_composer_reaches_the_record() -> None:
    details = {**DETAILS, "credits": {"cast": [], "crew": crew("Music Supervisor", "Music")}}
    assert jobs(film_record(details), "composer") == ["Music person"]


def test_poster_url() -> None:
    assert poster_url("/nlmg-poster.jpg") == "https://image.tmdb.org/t/p/w342/nlmg-poster.jpg"
    assert poster_url(None) is None


# HTTP behaviour


async def test_search_sends_the_token_query_and_year_and_returns_full_records(
    tmdb: tuple[FakeTmdb, str], client: TmdbClient
) -> None:
    fake, _ = tmdb
    records = await TmdbLookup(client).search("Never Let Me Go", 2010)
    assert [r.ids.tmdb for r in records] == [42188]  # the second hit answers 404 and is dropped
    search = next(r for r in fake.requests if r.path == "/3/search/movie")
    assert search.headers["Authorization"] == "Bearer read-token"
    assert search.query["query"] == "Never Let Me Go"
    assert search.query["year"] == "2010"
    details = next(r for r in fake.requests if r.path == "/3/movie/42188")
    assert details.query["append_to_response"] == "credits"  # keywords were never used


async def test_search_without_a_year_sends_none(tmdb: tuple[FakeTmdb, str], client: TmdbClient) -> None:
    await client.search_movie("Never Let Me Go")
    assert "year" not in tmdb[0].requests[0].query


async def test_not_found_is_none(client: TmdbClient) -> None:
    assert await client.movie_details(1) is None


async def test_rate_limit_waits_for_retry_after_then_retries(tmdb: tuple[FakeTmdb, str], client: TmdbClient) -> None:
    fake, _ = tmdb
    fake.script("/3/movie/42188", Reply(429, RATE_LIMITED, {"Retry-After": "0.05"}))
    started = asyncio.get_running_loop().time()
    record = await client.movie_details(42188)
    assert record is not None
    assert record.title == "Never Let Me Go"
    assert fake.count("/3/movie/42188") == 2
    assert asyncio.get_running_loop().time() - started >= 0.05


async def test_persistent_rate_limit_gives_up_after_bounded_retries(
    tmdb: tuple[FakeTmdb, str], client: TmdbClient
) -> None:
    fake, _ = tmdb
    fake.script("/3/search/movie", *[Reply(429, RATE_LIMITED, {"Retry-After": "0"})] * 10)
    assert await TmdbLookup(client).search("Never Let Me Go", None) == []
    assert fake.count("/3/search/movie") == client.max_attempts


async def test_a_long_retry_after_is_not_waited_for(tmdb: tuple[FakeTmdb, str], client: TmdbClient) -> None:
    fake, _ = tmdb
    fake.script("/3/search/movie", Reply(429, RATE_LIMITED, {"Retry-After": "3600"}))
    assert await TmdbLookup(client).search("Never Let Me Go", None) == []
    assert await TmdbLookup(client).search("Never Let Me Go", None) == []  # resting: not asked again
    assert fake.count("/3/search/movie") == 1


async def test_server_errors_are_retried(tmdb: tuple[FakeTmdb, str], client: TmdbClient) -> None:
    fake, _ = tmdb
    fake.script("/3/movie/42188", Reply(503, {"status_code": 11}), Reply(502, {"status_code": 11}))
    assert await client.movie_details(42188) is not None
    assert fake.count("/3/movie/42188") == 3


async def test_bad_token_is_logged_once_and_disables_lookups(
    tmdb: tuple[FakeTmdb, str], client: TmdbClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake, _ = tmdb
    fake.script("/3/search/movie", *[Reply(401, BAD_TOKEN)] * 3)
    lookup = TmdbLookup(client)
    with caplog.at_level(logging.INFO, logger="services.films.tmdb"):
        assert await lookup.search("Never Let Me Go", None) == []
        assert await lookup.search("Never Let Me Go", None) == []
        assert await lookup.refresh(42188) is None
        with pytest.raises(TmdbUnavailable, match="disabled"):
            await client.movie_details(42188)
    assert len(fake.requests) == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "tmdb_token" in errors[0].getMessage()
    assert "status_code 7" in errors[0].getMessage()
    assert "read-token" not in caplog.text


async def test_timeouts_are_retried_then_tmdb_rests(tmdb: tuple[FakeTmdb, str]) -> None:
    fake, url = tmdb
    fake.script("/3/search/movie", *[Reply(body=SEARCH, delay=1.0)] * 3)
    client = TmdbClient("t", base_url=url, timeout_seconds=0.1, max_attempts=2, backoff_seconds=0.01)
    try:
        lookup = TmdbLookup(client)
        assert await lookup.search("Never Let Me Go", None) == []
        assert fake.count("/3/search/movie") == 2
        assert await lookup.search("Never Let Me Go", None) == []  # within the cool-down: no request
        assert fake.count("/3/search/movie") == 2
    finally:
        await client.close()


async def test_an_unreachable_server_gives_no_results() -> None:
    client = TmdbClient("t", base_url="http://127.0.0.1:9/3", max_attempts=2, backoff_seconds=0.01)
    try:
        assert await TmdbLookup(client).search("Never Let Me Go", None) == []
    finally:
        await client.close()


# Refresh


def test_only_old_tmdb_films_are_stale() -> None:
    lookup = TmdbLookup(TmdbClient("t"), refresh_days=30)
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert lookup.is_stale("tmdb", now - timedelta(days=31), now)
    assert not lookup.is_stale("tmdb", now - timedelta(days=29), now)
    assert not lookup.is_stale("starter", now - timedelta(days=400), now)
    assert not lookup.is_stale("imdb", now - timedelta(days=400), now)


def test_lookup_from_settings_uses_the_configured_values() -> None:
    settings = Settings(
        tmdb_token=SecretStr("abc"), tmdb_base_url="http://127.0.0.1:1/3", tmdb_refresh_days=7, tmdb_timeout_seconds=3
    )
    lookup = online_source(settings)
    assert lookup is not None
    assert lookup.max_age == timedelta(days=7)
    assert lookup.client.base_url == "http://127.0.0.1:1/3"


# Storing


async def test_found_films_store_through_upsert_film(db: Database, client: TmdbClient) -> None:
    (record,) = await TmdbLookup(client).search("Never Let Me Go", 2010)
    async with db.transaction() as session:
        film = await upsert_film(session, record, now=NOW)
    async with db.transaction() as session:
        stored = await session.get_one(Film, film.id)
        assert (stored.title, stored.year, stored.tmdb_id, stored.imdb_id) == (
            "Never Let Me Go",
            2010,
            42188,
            "tt1334260",
        )
        assert stored.source == "tmdb"
        assert stored.based_on_author == "Kazuo Ishiguro"
        rows = (
            await session.execute(
                select(Person.name, Credit.job, Credit.characters, Credit.billing)
                .join(Credit.person)
                .where(Credit.film_id == film.id)
                .order_by(Credit.job, Credit.billing, Person.name)
            )
        ).all()
    cast = [(name, chars) for name, job, chars, _ in rows if job == "actor"]
    assert cast[0] == ("Carey Mulligan", ["Kathy"])
    assert ("Charlie Rowe", ["Young Tommy"]) in cast
    assert len(cast) == 8
    assert [name for name, job, _, _ in rows if job == "composer"] == ["Rachel Portman"]
    assert "Randall Poster" not in {name for name, *_ in rows}


async def test_a_stale_film_is_refetched_and_stored_again(
    db: Database, tmdb: tuple[FakeTmdb, str], client: TmdbClient
) -> None:
    fake, _ = tmdb
    lookup = TmdbLookup(client, refresh_days=30)
    record = await lookup.refresh(42188)
    assert record is not None
    async with db.transaction() as session:
        film_id = (await upsert_film(session, record, now=NOW)).id
        await session.execute(update(Film).where(Film.id == film_id).values(fetched_at=NOW - timedelta(days=31)))
    fake.script("/3/movie/42188", Reply(body={**DETAILS, "runtime": 104, "popularity": 20.5}))
    async with db.transaction() as session:
        film = await session.get_one(Film, film_id)
        assert lookup.is_stale(film.source, film.fetched_at, NOW)
        assert film.tmdb_id is not None
        fresh = await lookup.refresh(film.tmdb_id)
        assert fresh is not None
        await upsert_film(session, fresh, now=NOW)
    async with db.transaction() as session:
        film = await session.get_one(Film, film_id)
        assert (film.runtime_minutes, film.popularity) == (104, 20.5)
        assert not lookup.is_stale(film.source, film.fetched_at, NOW)
        assert await session.scalar(select(func.count()).select_from(Film)) == 1


# Wiring


async def test_without_a_token_no_tmdb_client_is_ever_built(
    db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("TmdbClient built without a token")

    monkeypatch.setattr(TmdbClient, "__init__", refuse)
    services = build_services(Settings(data_dir=tmp_path), db, FakeClock())
    assert services.tmdb is None
    assert services.films.online is None
    with pytest.raises(NotFound):
        await services.films.find("Never Let Me Go")
    await services.close()


async def test_with_a_token_unknown_titles_are_found_on_tmdb_and_stored(
    db: Database, tmdb: tuple[FakeTmdb, str], tmp_path: Path
) -> None:
    fake, url = tmdb
    settings = Settings(data_dir=tmp_path, tmdb_token=SecretStr("read-token"), tmdb_base_url=url)
    services = build_services(settings, db, FakeClock())
    assert services.films.online is not None
    assert services.films.online.source is services.tmdb
    assert not fake.requests  # nothing is asked until a title is unknown
    film = await services.films.find("Never Let Me Go (2010)")
    assert (film.title, film.year) == ("Never Let Me Go", 2010)
    assert fake.requests[0].headers["Authorization"] == "Bearer read-token"
    asked = len(fake.requests)
    assert (await services.films.find("Never Let Me Go")).id == film.id  # now local
    assert len(fake.requests) == asked
    await services.close()
    assert services.tmdb is not None
    assert services.tmdb.client._session is None


async def test_the_app_closes_the_tmdb_session(tmdb: tuple[FakeTmdb, str], tmp_path: Path) -> None:
    _, url = tmdb
    settings = Settings(data_dir=tmp_path, tmdb_token=SecretStr("read-token"), tmdb_base_url=url)
    app = await App.open(settings, sync_on_start=False)  # never started: close() must still work
    lookup = app.services.tmdb
    assert lookup is not None
    await lookup.search("Never Let Me Go", None)
    session = lookup.client._session
    assert session is not None
    await app.close()
    assert session.closed
