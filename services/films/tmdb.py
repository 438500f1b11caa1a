"""TMDB (themoviedb.org) as an online catalogue source: a small API v3 client and a FilmLookup.

The bot must keep working when TMDB is unreachable or misconfigured, so nothing here raises into the
catalogue: an invalid token (401) is logged once and disables lookups for the rest of the run;
rate limits (429) are waited out as far as ``Retry-After`` asks (within a bound); server errors and
timeouts are retried a few times with jittered backoff, after which TMDB is left alone for a while.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from db.films.records import BasedOn, CreditRecord, ExternalIds, FilmRecord, PersonRecord

log = logging.getLogger(__name__)

IMAGE_BASE = "https://image.tmdb.org/t/p/w342"
# TMDB's terms ask every app that uses its API to show this, with its name or logo.
NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."

SOURCE = "tmdb"
COMPOSER_JOB = "Original Music Composer"
COMPOSER_FALLBACK_JOBS = ("Music", "Composer")  # only when no "Original Music Composer" is credited
CREW_JOBS = {
    "Director": "director",
    "Screenplay": "screenplay",
    "Writer": "writer",
    "Director of Photography": "cinematographer",
    "Editor": "editor",
    "Producer": "producer",
}
# Writing jobs naming the author of the work a film is based on, and the kind of work.
SOURCE_WORK_JOBS = {"Novel": "novel", "Book": "book", "Short Story": "short story", "Theatre Play": "play"}

_RETRY_STATUSES = {500, 502, 503, 504}


class TmdbError(Exception):
    """TMDB could not answer; callers treat it as "no online result"."""


class TmdbUnavailable(TmdbError):
    """Unreachable, failing, rate-limited beyond our patience, or disabled by a bad token."""


def poster_url(poster_path: str | None) -> str | None:
    """The w342 poster image URL for a stored ``poster_path``, or None."""
    return f"{IMAGE_BASE}{poster_path}" if poster_path else None


def _year(date: object) -> int | None:
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


def _characters(character: object) -> tuple[str, ...]:
    if not isinstance(character, str):
        return ()
    return tuple(part.strip() for part in character.split(" / ") if part.strip())


def _person(entry: Mapping[str, Any]) -> PersonRecord:
    return PersonRecord(name=str(entry["name"]), ids=ExternalIds(tmdb=int(entry["id"])))


def composers(crew: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The crew entries credited with the score.

    "Original Music Composer" when present, else "Music" or "Composer"; never music supervisors or editors.
    """
    crew = list(crew)
    chosen = [c for c in crew if c.get("job") == COMPOSER_JOB]
    return chosen or [c for c in crew if c.get("job") in COMPOSER_FALLBACK_JOBS]


def film_record(details: Mapping[str, Any]) -> FilmRecord:
    """Map a ``/movie/{id}?append_to_response=credits`` answer to a FilmRecord.

    A person TMDB lists twice in one job (once per character) stays listed twice: storing merges them.
    """
    credits_: list[CreditRecord] = []

    def add(entry: Mapping[str, Any], job: str, characters: tuple[str, ...] = (), billing: int | None = None) -> None:
        credits_.append(CreditRecord(_person(entry), job, characters, billing, entry.get("credit_id")))

    block = details.get("credits") or {}
    for entry in sorted(block.get("cast") or [], key=lambda e: e.get("order", 1_000_000)):
        add(entry, "actor", _characters(entry.get("character")), entry.get("order"))
    crew = block.get("crew") or []
    based_on: BasedOn | None = None
    for entry in crew:
        job = entry.get("job")
        if job in CREW_JOBS:
            add(entry, CREW_JOBS[job])
        elif entry.get("department") == "Writing" and job in SOURCE_WORK_JOBS:
            add(entry, "novel" if job == "Novel" else "writer")
            if based_on is None:
                # TMDB does not name the source work; the film's original title is the usual one.
                title = str(details.get("original_title") or details["title"])
                based_on = BasedOn(title=title, author=str(entry["name"]), kind=SOURCE_WORK_JOBS[job])
    for entry in composers(crew):
        add(entry, "composer")

    title = str(details["title"])
    imdb_id = details.get("imdb_id") or None
    return FilmRecord(
        title=title,
        source=SOURCE,
        year=_year(details.get("release_date")),
        original_title=details.get("original_title") or None,
        runtime_minutes=details.get("runtime") or None,
        genres=tuple(g["name"] for g in details.get("genres") or []),
        countries=tuple(c["name"] for c in details.get("production_countries") or []),
        languages=tuple(lang.get("english_name") or lang["name"] for lang in details.get("spoken_languages") or []),
        synopsis=details.get("overview") or None,
        based_on=based_on,
        ids=ExternalIds(tmdb=int(details["id"]), imdb=imdb_id),
        popularity=float(details.get("popularity") or 0.0),
        poster_path=details.get("poster_path") or None,
        credits=tuple(credits_),
    )


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from TMDB; fall back to our own backoff


class TmdbClient:
    """TMDB API v3 over one aiohttp session (opened on first use, closed by ``close()``)."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://api.themoviedb.org/3",
        timeout_seconds: float = 10.0,
        max_attempts: int = 3,
        backoff_seconds: float = 0.5,
        max_retry_after: float = 10.0,
        cooldown_seconds: float = 60.0,
    ) -> None:
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "User-Agent": "FilmClub (Discord bot)",
        }
        self.base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.max_retry_after = max_retry_after
        self.cooldown_seconds = cooldown_seconds
        self._session: aiohttp.ClientSession | None = None
        self._disabled = False
        self._resting_until = 0.0  # monotonic time before which TMDB is not asked

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def search_movie(self, query: str, year: int | None = None) -> list[dict[str, Any]]:
        """``/search/movie`` results (first page), best match first."""
        params: dict[str, str] = {"query": query, "include_adult": "false"}
        if year is not None:
            params["year"] = str(year)
        body = await self._get("/search/movie", params)
        return list(body.get("results") or []) if body else []

    async def movie_details(self, tmdb_id: int) -> FilmRecord | None:
        """The film with credits, or None if TMDB has no film with this id."""
        body = await self._get(f"/movie/{tmdb_id}", {"append_to_response": "credits"})
        return film_record(body) if body else None

    async def _get(self, path: str, params: Mapping[str, str]) -> dict[str, Any] | None:
        """The JSON body; None for 404. Raises TmdbUnavailable when TMDB cannot answer."""
        if self._disabled:
            raise TmdbUnavailable("TMDB lookups are disabled: the token was rejected")
        if time.monotonic() < self._resting_until:
            raise TmdbUnavailable("TMDB failed recently; not asking again yet")
        if self._session is None:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        url = self.base_url + path
        problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            wait = self.backoff_seconds * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
            try:
                async with self._session.get(url, params=params) as response:
                    if response.status == 200:
                        body: dict[str, Any] = await response.json(content_type=None)
                        return body
                    if response.status == 404:
                        return None
                    if response.status == 401:
                        self._disable(await self._message(response))
                        raise TmdbUnavailable("TMDB rejected the token")
                    problem = f"HTTP {response.status}: {await self._message(response)}"
                    if response.status == 429:
                        asked = _retry_after(response.headers.get("Retry-After"))
                        if asked is not None and asked > self.max_retry_after:
                            self._rest(asked)
                            raise TmdbUnavailable(f"TMDB rate limit: asked to wait {asked:g}s")
                        wait = asked if asked is not None else wait
                    elif response.status not in _RETRY_STATUSES:
                        raise TmdbUnavailable(f"TMDB {path}: {problem}")
            except (TimeoutError, aiohttp.ClientError) as exc:
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if attempt < self.max_attempts:
                log.debug("TMDB %s failed (%s); retry %d in %.2fs", path, problem, attempt, wait)
                await asyncio.sleep(wait)
        self._rest(self.cooldown_seconds)
        log.warning("TMDB is not answering (%s after %d attempts); offline for now", problem, self.max_attempts)
        raise TmdbUnavailable(f"TMDB {path}: {problem}")

    @staticmethod
    async def _message(response: aiohttp.ClientResponse) -> str:
        try:
            body = await response.json(content_type=None)
        except (ValueError, aiohttp.ClientError):
            return response.reason or ""
        if isinstance(body, dict):
            return f"{body.get('status_message', '')} (status_code {body.get('status_code')})"
        return str(body)

    def _disable(self, message: str) -> None:
        if not self._disabled:
            log.error(
                "TMDB rejected the configured token (%s). Online film lookups are off until this is fixed: "
                "set `tmdb_token` (env FILMCLUB_TMDB_TOKEN) to the API Read Access Token from "
                "https://www.themoviedb.org/settings/api and restart.",
                message,
            )
        self._disabled = True

    def _rest(self, seconds: float) -> None:
        self._resting_until = time.monotonic() + seconds


class TmdbLookup:
    """The catalogue's online source (FilmLookup): search, then details for the top few results.

    Also answers whether a stored TMDB film is due for a refetch (``is_stale``) and refetches it
    (``refresh``). Never raises for TMDB trouble: an unavailable TMDB gives no results.
    """

    def __init__(self, client: TmdbClient, *, refresh_days: int = 30, top: int = 3) -> None:
        self.client = client
        self.max_age = timedelta(days=refresh_days)
        self.top = top

    async def search(self, title: str, year: int | None) -> list[FilmRecord]:
        """Full records for the best few TMDB matches; [] when none or TMDB is unavailable."""
        try:
            hits = await self.client.search_movie(title, year)
            found = await asyncio.gather(*(self.client.movie_details(int(h["id"])) for h in hits[: self.top]))
        except TmdbUnavailable as exc:
            log.info("TMDB search for %r skipped: %s", title, exc)
            return []
        return [record for record in found if record is not None]

    def is_stale(self, source: str, fetched_at: datetime, now: datetime) -> bool:
        """True for a film from TMDB fetched more than ``tmdb_refresh_days`` before ``now``."""
        return source == SOURCE and now - fetched_at > self.max_age

    async def refresh(self, tmdb_id: int) -> FilmRecord | None:
        """The film as TMDB has it now; None if it is gone or TMDB is unavailable (keep the stored copy)."""
        try:
            return await self.client.movie_details(tmdb_id)
        except TmdbUnavailable as exc:
            log.info("TMDB refresh of %d skipped: %s", tmdb_id, exc)
            return None

    async def close(self) -> None:
        await self.client.close()
