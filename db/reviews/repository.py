"""The review repository. Every function takes the caller's session (one unit of work), none commits, and
every query names its server: a review is never read across servers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.engine import upsert_insert
from db.reviews.models import Review, ReviewDraft, ReviewEntry

CONTENT = ("rating", "text", "spoilers", "rewatch", "liked", "watched_together")


async def current(session: AsyncSession, guild_id: int, author_id: int, film_id: int) -> Review | None:
    return await session.scalar(
        select(Review).where(Review.guild_id == guild_id, Review.author_id == author_id, Review.film_id == film_id)
    )


async def by_id(session: AsyncSession, guild_id: int, review_id: int) -> Review | None:
    return await session.scalar(select(Review).where(Review.guild_id == guild_id, Review.id == review_id))


async def set_places(session: AsyncSession, guild_id: int, review_id: int, **places: int) -> None:
    """Set where a review is (``channel_id``, ``message_id``, ``thread_id``) in one statement."""
    await session.execute(update(Review).where(Review.guild_id == guild_id, Review.id == review_id).values(**places))


async def by_message(session: AsyncSession, guild_id: int, message_id: int) -> Review | None:
    """The review posted as ``message_id`` in the server (a reply to it is about its film)."""
    return await session.scalar(select(Review).where(Review.guild_id == guild_id, Review.message_id == message_id))


async def add(session: AsyncSession, **fields: Any) -> Review:
    review = Review(**fields)
    session.add(review)
    await session.flush()
    return review


def archive(session: AsyncSession, review: Review, *, at: datetime, reason: str, by: int | None = None) -> None:
    """Keep ``review`` as it stands now as an earlier version (the diary)."""
    session.add(
        ReviewEntry(
            guild_id=review.guild_id,
            author_id=review.author_id,
            author_name=review.author_name,
            film_id=review.film_id,
            film_label=review.film_label,
            **{name: getattr(review, name) for name in CONTENT},
            written_at=review.updated_at,
            archived_at=at,
            reason=reason,
            removed_by=by,
        )
    )


async def remove(session: AsyncSession, review: Review) -> None:
    await session.delete(review)
    await session.flush()


@dataclass(frozen=True, slots=True)
class ReviewPage:
    rows: list[Review]
    total: int


async def _page(session: AsyncSession, where: Sequence[Any], offset: int, limit: int) -> ReviewPage:
    total = await session.scalar(select(func.count()).select_from(Review).where(*where)) or 0
    rows = await session.scalars(
        select(Review).where(*where).order_by(Review.updated_at.desc(), Review.id.desc()).offset(offset).limit(limit)
    )
    return ReviewPage(list(rows), total)


PageQuery = Callable[[AsyncSession, int, int, int, int], Awaitable[ReviewPage]]


async def page_for_film(session: AsyncSession, guild_id: int, film_id: int, offset: int, limit: int) -> ReviewPage:
    return await _page(session, (Review.guild_id == guild_id, Review.film_id == film_id), offset, limit)


async def page_for_author(session: AsyncSession, guild_id: int, author_id: int, offset: int, limit: int) -> ReviewPage:
    return await _page(session, (Review.guild_id == guild_id, Review.author_id == author_id), offset, limit)


async def page_recent(session: AsyncSession, guild_id: int, offset: int, limit: int) -> ReviewPage:
    return await _page(session, (Review.guild_id == guild_id,), offset, limit)


async def for_film(session: AsyncSession, guild_id: int, film_id: int) -> list[Review]:
    """Every current review of a film in a server, oldest first (what a summary reads)."""
    rows = await session.scalars(
        select(Review).where(Review.guild_id == guild_id, Review.film_id == film_id).order_by(Review.id)
    )
    return list(rows)


async def since(session: AsyncSession, guild_id: int, moment: datetime) -> list[Review]:
    rows = await session.scalars(
        select(Review).where(Review.guild_id == guild_id, Review.updated_at >= moment).order_by(Review.id)
    )
    return list(rows)


@dataclass(frozen=True, slots=True)
class FilmStanding:
    """How a server rated one film: count, mean and mean square of the half-star ratings."""

    film_id: int
    film_label: str
    count: int
    mean: float
    mean_square: float

    @property
    def spread(self) -> float:
        """The ratings' standard deviation in half stars (how much members disagree)."""
        return float(max(self.mean_square - self.mean**2, 0.0) ** 0.5)


async def standings(session: AsyncSession, guild_id: int, min_reviews: int) -> list[FilmStanding]:
    """Every film with at least ``min_reviews`` reviews in the server (SQL computes the aggregates)."""
    count = func.count(Review.id)
    statement = (
        select(
            Review.film_id,
            func.max(Review.film_label),
            count,
            func.avg(Review.rating),
            func.avg(Review.rating * Review.rating),
        )
        .where(Review.guild_id == guild_id, Review.film_id.is_not(None))
        .group_by(Review.film_id)
        .having(count >= min_reviews)
    )
    rows = await session.execute(statement)
    return [FilmStanding(int(f), str(label), int(n), float(m), float(sq)) for f, label, n, m, sq in rows.all()]


async def film_stats(session: AsyncSession | AsyncConnection, guild_id: int, film_id: int) -> tuple[int, float | None]:
    """(how many reviews, their mean rating in half stars) of a film in a server."""
    row = (
        await session.execute(
            select(func.count(Review.id), func.avg(Review.rating)).where(
                Review.guild_id == guild_id, Review.film_id == film_id
            )
        )
    ).one()
    return int(row[0]), float(row[1]) if row[1] is not None else None


ReviewsVersion = tuple[int, int, str]  # see film_version


async def film_version(session: AsyncSession, guild_id: int, film_id: int) -> ReviewsVersion:
    """Changes whenever a review of the film in the server is written, edited or deleted (by any process):
    how many there are, the sum of their ids and the latest change."""
    row = (
        await session.execute(
            select(func.count(Review.id), func.coalesce(func.sum(Review.id), 0), func.max(Review.updated_at)).where(
                Review.guild_id == guild_id, Review.film_id == film_id
            )
        )
    ).one()
    return int(row[0]), int(row[1]), str(row[2])


async def forget(session: AsyncSession, guild_id: int, author_id: int) -> int:
    """Delete everything a member wrote in a server (reviews, earlier versions, drafts); how many reviews."""
    gone = await session.scalar(
        select(func.count()).select_from(Review).where(Review.guild_id == guild_id, Review.author_id == author_id)
    )
    for model in (Review, ReviewEntry, ReviewDraft):
        await session.execute(delete(model).where(model.guild_id == guild_id, model.author_id == author_id))
    return int(gone or 0)


async def entries(session: AsyncSession, guild_id: int, author_id: int, film_id: int) -> list[ReviewEntry]:
    rows = await session.scalars(
        select(ReviewEntry)
        .where(ReviewEntry.guild_id == guild_id, ReviewEntry.author_id == author_id, ReviewEntry.film_id == film_id)
        .order_by(ReviewEntry.id)
    )
    return list(rows)


async def draft(session: AsyncSession | AsyncConnection, guild_id: int, author_id: int, film_id: int) -> str | None:
    return await session.scalar(
        select(ReviewDraft.text).where(
            ReviewDraft.guild_id == guild_id, ReviewDraft.author_id == author_id, ReviewDraft.film_id == film_id
        )
    )


async def save_draft(
    session: AsyncSession, guild_id: int, author_id: int, film_id: int, text: str, at: datetime
) -> None:
    """Keep the member's text for this film, in one statement (a second save replaces the first)."""
    insert = upsert_insert(session, ReviewDraft).values(
        guild_id=guild_id, author_id=author_id, film_id=film_id, text=text, saved_at=at
    )
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["guild_id", "author_id", "film_id"],
            set_={"text": insert.excluded.text, "saved_at": insert.excluded.saved_at},
        )
    )


async def drop_draft(session: AsyncSession, guild_id: int, author_id: int, film_id: int) -> None:
    await session.execute(
        delete(ReviewDraft).where(
            ReviewDraft.guild_id == guild_id, ReviewDraft.author_id == author_id, ReviewDraft.film_id == film_id
        )
    )
