"""The review service: write, edit, delete and browse reviews; a server's standings. Discord-free.

Every call is one unit of work and names its server; nothing of one server is ever read in another.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from db import Database
from db.reviews import repository as repo
from db.reviews.models import Review as ReviewRow
from db.reviews.repository import FilmStanding, ReviewsVersion
from services.clock import Clock
from services.errors import InvalidInput, NotFound
from services.films.cache import Coalesced
from services.films.catalogue import FilmCatalogue
from services.films.values import FilmDetails, FilmSummary
from services.language_model import LanguageModel
from services.reviews import phrasing, retrieval
from services.reviews.chart import rating_histogram_png
from services.reviews.summary import FilmReport, ServerReport, summarise_film, summarise_server
from services.reviews.values import TEXT_LIMIT, Review

PAGE_SIZE = 5
SUMMARY_CACHE = 256  # film summaries kept per process (they are recomputed when a review changes)
CHARTS_KEPT = 64  # rating charts kept per process (a few kB each)
INDEXES_KEPT = 32  # films whose reviews are kept indexed for questions, per process (their text, about twice)
SERVER_PERIOD = timedelta(days=30)  # "the server's month in film"


@dataclass(frozen=True, slots=True)
class Written:
    """What writing did: the review now, whether it is new to this film, and whether anything changed
    (a second submit of the same form changes nothing and is not posted again)."""

    review: Review
    created: bool
    changed: bool


@dataclass(frozen=True, slots=True)
class ReviewPage:
    reviews: tuple[Review, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class Standing:
    """A film's place in a server: how many reviews, the mean and the spread (in half stars)."""

    film_id: int
    film_label: str
    count: int
    mean: float
    spread: float


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A sentence of a member's review that answers a question, with who wrote it and how they rated the film."""

    review_id: int
    author_name: str
    rating: int  # half stars
    text: str
    spoilers: bool  # from a review marked as giving the plot away: show it behind a spoiler tag


@dataclass(frozen=True, slots=True)
class Opinions:
    """What a server's members said about a film: how many reviewed it, their mean rating, the best excerpts."""

    count: int
    mean: float | None  # half stars
    excerpts: tuple[Excerpt, ...]
    matched: bool  # the excerpts answer the query (else they are the reviews' opening sentences)


@dataclass(frozen=True, slots=True)
class FilmStats:
    count: int
    mean: float  # half stars


@dataclass(frozen=True, slots=True)
class _Indexed:
    """A film's reviews in a server, as of ``version``: who wrote each (an Excerpt without text), the mean
    rating, and their sentences indexed for questions."""

    version: ReviewsVersion
    quoted: tuple[Excerpt, ...]
    mean: float | None
    index: retrieval.SentenceIndex


def _value(row: ReviewRow) -> Review:
    return Review(
        id=row.id,
        guild_id=row.guild_id,
        author_id=row.author_id,
        author_name=row.author_name,
        film_id=row.film_id,
        film_label=row.film_label,
        rating=row.rating,
        text=row.text,
        spoilers=row.spoilers,
        rewatch=row.rewatch,
        liked=row.liked,
        watched_together=row.watched_together,
        created_at=row.created_at,
        updated_at=row.updated_at,
        channel_id=row.channel_id,
        message_id=row.message_id,
        thread_id=row.thread_id,
    )


def clean_text(text: str) -> str:
    """The review text as stored: trimmed; empty or too long is refused with what is allowed."""
    text = text.strip()
    if not text:
        raise InvalidInput("A review needs some words: the text was empty.")
    if len(text) > TEXT_LIMIT:
        raise InvalidInput(f"A review can be at most {TEXT_LIMIT:,} characters; this one has {len(text):,}.")
    return text


@dataclass(frozen=True, slots=True)
class Content:
    """What a member says in a review."""

    rating: int  # half stars, 1-10
    text: str
    spoilers: bool = False
    rewatch: bool = False
    liked: bool = False
    watched_together: bool = False


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def credits(details: FilmDetails) -> dict[str, str]:
    """The film's people and the review theme naming each stands for (Mulligan: performances)."""
    people = {member.name: "performances" for member in details.cast}
    people.update(dict.fromkeys(details.writers, "story"))
    people.update(dict.fromkeys(details.composers, "music"))
    people.update(dict.fromkeys(details.directors, "direction"))
    return people


class ReviewService:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        films: FilmCatalogue,
        consensus_min: int = 3,
        model: LanguageModel | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.films = films
        self.consensus_min = consensus_min
        self.model = model  # words the consensus when configured (services.reviews.phrasing)
        # (guild, film) -> (the reviews' version when summarised, the summary); see repo.film_version.
        self._summaries: OrderedDict[tuple[int, int], tuple[ReviewsVersion, FilmReport]] = OrderedDict()
        self._charts: OrderedDict[tuple[str, tuple[int, ...]], bytes] = OrderedDict()
        self._indexes: OrderedDict[tuple[int, int], _Indexed] = OrderedDict()
        self._summarising: Coalesced[tuple[tuple[int, int], ReviewsVersion], FilmReport] = Coalesced()
        self._indexing: Coalesced[tuple[tuple[int, int], ReviewsVersion], _Indexed] = Coalesced()

    async def write(
        self, guild_id: int, author_id: int, author_name: str, film: FilmSummary, content: Content
    ) -> Written:
        """Post or replace the member's review of ``film``. Writing again keeps the earlier version in the
        member's diary; the same content again changes nothing. A refused text is kept as a draft."""
        try:
            text = clean_text(content.text)
        except InvalidInput:
            if content.text.strip():
                await self.save_draft(guild_id, author_id, film.id, content.text)
            raise
        now = self.clock.now()
        fields = {
            "rating": content.rating,
            "text": text,
            "spoilers": content.spoilers,
            "rewatch": content.rewatch,
            "liked": content.liked,
            "watched_together": content.watched_together,
        }
        async with self.db.transaction() as session:
            row = await repo.current(session, guild_id, author_id, film.id)
            await repo.drop_draft(session, guild_id, author_id, film.id)
            if row is None:
                row = await repo.add(
                    session,
                    guild_id=guild_id,
                    author_id=author_id,
                    author_name=author_name,
                    film_id=film.id,
                    film_label=film.label,
                    created_at=now,
                    updated_at=now,
                    **fields,
                )
                return Written(_value(row), created=True, changed=True)
            if all(getattr(row, name) == value for name, value in fields.items()):
                return Written(_value(row), created=False, changed=False)
            repo.archive(session, row, at=now, reason="rewritten")
            for name, value in fields.items():
                setattr(row, name, value)
            row.author_name = author_name
            row.updated_at = now
            await session.flush()
            return Written(_value(row), created=False, changed=True)

    async def edit(self, guild_id: int, review_id: int, author_id: int, film_id: int, content: Content) -> Review:
        """Correct a review in place (no diary entry). If it was deleted meanwhile, the text is kept as a draft."""
        text = clean_text(content.text)
        async with self.db.transaction() as session:
            row = await repo.by_id(session, guild_id, review_id)
            if row is not None and row.author_id == author_id:
                row.rating, row.text, row.spoilers = content.rating, text, content.spoilers
                row.rewatch, row.liked = content.rewatch, content.liked
                row.updated_at = self.clock.now()
                await session.flush()
                return _value(row)
        await self.save_draft(guild_id, author_id, film_id, text)
        raise NotFound(
            "That review was deleted meanwhile, so there is nothing to edit. Your text is kept: "
            "`/review write` for the film offers it back."
        )

    async def mine(self, guild_id: int, author_id: int, film_id: int) -> Review | None:
        async with self.db.transaction() as session:
            row = await repo.current(session, guild_id, author_id, film_id)
            return _value(row) if row else None

    async def get(self, guild_id: int, review_id: int) -> Review:
        async with self.db.transaction() as session:
            row = await repo.by_id(session, guild_id, review_id)
            if row is None:
                raise NotFound("That review has been deleted.")
            return _value(row)

    async def delete(self, guild_id: int, author_id: int, film: FilmSummary, *, by: int, moderator: bool) -> Review:
        """Delete ``author_id``'s review of ``film``: their own, or anyone's for a moderator (recorded, with who)."""
        if by != author_id and not moderator:
            raise InvalidInput("You can delete only your own reviews (moderators with Manage Messages may remove any).")
        async with self.db.transaction() as session:
            row = await repo.current(session, guild_id, author_id, film.id)
            if row is None:
                whose = "You have" if by == author_id else "They have"
                raise NotFound(f"{whose} no review of {film.label} here.")
            review = _value(row)
            reason = "deleted" if by == author_id else "removed"
            repo.archive(session, row, at=self.clock.now(), reason=reason, by=by if reason == "removed" else None)
            await repo.remove(session, row)
        return review

    async def set_posted(self, guild_id: int, review_id: int, channel_id: int, message_id: int) -> None:
        """Where the review is posted (nothing to do if it was deleted meanwhile)."""
        async with self.db.transaction() as session:
            await repo.set_places(session, guild_id, review_id, channel_id=channel_id, message_id=message_id)

    async def set_thread(self, guild_id: int, review_id: int, thread_id: int) -> None:
        """The review's discussion thread (nothing to do if it was deleted meanwhile)."""
        async with self.db.transaction() as session:
            await repo.set_places(session, guild_id, review_id, thread_id=thread_id)

    async def forget(self, guild_id: int, author_id: int) -> int:
        """Delete all of a member's reviews, earlier versions and drafts in this server."""
        async with self.db.transaction() as session:
            return await repo.forget(session, guild_id, author_id)

    # Drafts ---------------------------------------------------------------------------------------

    async def save_draft(self, guild_id: int, author_id: int, film_id: int, text: str) -> None:
        async with self.db.transaction() as session:
            await repo.save_draft(session, guild_id, author_id, film_id, text[: TEXT_LIMIT * 2], self.clock.now())

    async def draft(self, guild_id: int, author_id: int, film_id: int) -> str | None:
        async with self.db.reading() as connection:
            return await repo.draft(connection, guild_id, author_id, film_id)

    # Browsing -------------------------------------------------------------------------------------

    async def for_film(self, guild_id: int, film_id: int, page: int) -> ReviewPage:
        return await self._page(repo.page_for_film, guild_id, film_id, page)

    async def by_member(self, guild_id: int, author_id: int, page: int) -> ReviewPage:
        return await self._page(repo.page_for_author, guild_id, author_id, page)

    async def recent(self, guild_id: int, page: int) -> ReviewPage:
        async with self.db.transaction() as session:
            found = await repo.page_recent(session, guild_id, max(page, 0) * PAGE_SIZE, PAGE_SIZE)
        return ReviewPage(tuple(map(_value, found.rows)), max(page, 0), _pages(found.total), found.total)

    async def _page(self, query: repo.PageQuery, guild_id: int, key: int, page: int) -> ReviewPage:
        async with self.db.transaction() as session:
            found = await query(session, guild_id, key, max(page, 0) * PAGE_SIZE, PAGE_SIZE)
        return ReviewPage(tuple(map(_value, found.rows)), max(page, 0), _pages(found.total), found.total)

    async def opinions(self, guild_id: int, film_id: int, query: Sequence[str], limit: int = 3) -> Opinions:
        """This server's reviews of a film, searched for ``query`` (words; BM25 over their sentences, one
        sentence per review at most; the reviews' first sentences when nothing matches), with the count and
        mean rating. Never reads another server's reviews."""
        indexed = await self._indexed(guild_id, film_id)
        matches = indexed.index.rank(query, limit)
        found = matches or indexed.index.openings(limit)
        excerpts = tuple(replace(indexed.quoted[p.document], text=p.text) for p in found)
        return Opinions(len(indexed.quoted), indexed.mean, excerpts, matched=bool(matches))

    async def _indexed(self, guild_id: int, film_id: int) -> _Indexed:
        """The film's reviews in the server, indexed for questions; kept until any of them changes (in any
        process: the reviews' version is read each time). The index is built in a worker thread, once however
        many ask at the same time."""
        key = (guild_id, film_id)
        async with self.db.transaction() as session:
            version = await repo.film_version(session, guild_id, film_id)
        if (kept := self._indexes.get(key)) is not None and kept.version == version:
            self._indexes.move_to_end(key)
            return kept
        return await self._indexing.run((key, version), lambda: self._index(key, version))

    async def _index(self, key: tuple[int, int], version: ReviewsVersion) -> _Indexed:
        async with self.db.transaction() as session:
            rows = await repo.for_film(session, *key)
        quoted = tuple(Excerpt(row.id, row.author_name, row.rating, "", row.spoilers) for row in rows)
        index = await asyncio.to_thread(retrieval.SentenceIndex.build, [row.text for row in rows])
        mean = sum(row.rating for row in rows) / len(rows) if rows else None
        self._indexes[key] = indexed = _Indexed(version, quoted, mean, index)
        while len(self._indexes) > INDEXES_KEPT:
            self._indexes.popitem(last=False)
        return indexed

    async def film_of_message(self, guild_id: int, message_id: int) -> int | None:
        """The film of the review posted as ``message_id`` in this server, if it is one."""
        async with self.db.transaction() as session:
            row = await repo.by_message(session, guild_id, message_id)
        return row.film_id if row is not None else None

    async def film_stats(self, guild_id: int, film_id: int) -> FilmStats | None:
        """How many reviews of the film the server has and their mean (None before the first)."""
        async with self.db.reading() as connection:
            count, mean = await repo.film_stats(connection, guild_id, film_id)
        return FilmStats(count, mean) if count and mean is not None else None

    async def top(self, guild_id: int, min_reviews: int = 2, limit: int = 10) -> list[Standing]:
        """The server's best-rated films with at least ``min_reviews`` reviews."""
        found = await self._standings(guild_id, min_reviews)
        return sorted(found, key=lambda s: (-s.mean, -s.count, s.film_label))[:limit]

    async def divisive(self, guild_id: int, min_reviews: int = 2, limit: int = 10) -> list[Standing]:
        """Where members disagree most: the widest spread of ratings."""
        found = [s for s in await self._standings(guild_id, min_reviews) if s.spread > 0]
        return sorted(found, key=lambda s: (-s.spread, -s.count, s.film_label))[:limit]

    async def _standings(self, guild_id: int, min_reviews: int) -> Sequence[Standing]:
        if min_reviews < 1:
            raise InvalidInput("The minimum number of reviews is at least 1.")
        async with self.db.transaction() as session:
            rows: list[FilmStanding] = await repo.standings(session, guild_id, min_reviews)
        return [Standing(r.film_id, r.film_label, r.count, r.mean, r.spread) for r in rows]

    # Summaries ------------------------------------------------------------------------------------

    async def summary(self, guild_id: int, film: FilmSummary) -> FilmReport:
        """What the server thinks of a film. Summarising runs in a worker thread, once however many ask at the same
        time; the result, with the language model's consensus when one is configured, is kept until any review of
        the film in the server changes (in any process: the reviews' version is read each time), so the model is
        asked once per change."""
        key = (guild_id, film.id)
        async with self.db.transaction() as session:
            version = await repo.film_version(session, guild_id, film.id)
        if (cached := self._summaries.get(key)) is not None and cached[0] == version:
            self._summaries.move_to_end(key)
            return cached[1]
        return await self._summarising.run((key, version), lambda: self._summarise(film, key, version))

    async def _summarise(self, film: FilmSummary, key: tuple[int, int], version: ReviewsVersion) -> FilmReport:
        """Summarise the film's reviews as they are now, kept as of ``version``, read before them (so never
        filed under a version newer than what was summarised)."""
        async with self.db.transaction() as session:
            rows = await repo.for_film(session, *key)
        reviews = [_value(row) for row in rows]
        people = credits(await self.films.details(film.id)) if reviews else {}
        report = await asyncio.to_thread(summarise_film, reviews, min_for_consensus=self.consensus_min, credits=people)
        if self.model is not None:
            report = await phrasing.phrase(self.model, report)
        self._summaries[key] = (version, report)
        while len(self._summaries) > SUMMARY_CACHE:
            self._summaries.popitem(last=False)
        return report

    async def server_summary(self, guild_id: int) -> ServerReport:
        """The server's month in film: most reviewed, best rated, most divisive, most active reviewers."""
        since = self.clock.now() - SERVER_PERIOD
        async with self.db.transaction() as session:
            rows = await repo.since(session, guild_id, since)
        return await asyncio.to_thread(summarise_server, [_value(row) for row in rows], since=since)

    async def histogram(self, report: FilmReport) -> bytes:
        """The rating distribution as a PNG, drawn in a worker thread (the same figures are drawn once)."""
        key = (report.film_label, tuple(report.distribution))
        if (png := self._charts.get(key)) is None:
            png = await asyncio.to_thread(rating_histogram_png, report.distribution, title=report.film_label)
            self._charts[key] = png
            while len(self._charts) > CHARTS_KEPT:
                self._charts.popitem(last=False)
        self._charts.move_to_end(key)
        return png
