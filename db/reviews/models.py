"""Review tables. Every row belongs to one server (``guild_id``) and is only ever queried with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base

LABEL_LENGTH = 520  # "Title (Year)": a title (db.films.keys.TITLE_LENGTH) and its year
AUTHOR_LENGTH = 100  # a Discord display name is at most 32; some room for what Discord may allow later


class ReviewFields:
    """What a review says, shared by the current review and its earlier versions."""

    guild_id: Mapped[int] = mapped_column(BigInteger)
    author_id: Mapped[int] = mapped_column(BigInteger)
    author_name: Mapped[str] = mapped_column(String(AUTHOR_LENGTH))
    # The film may leave the catalogue (a starter upgrade drops it); its label keeps the review readable.
    film_id: Mapped[int | None] = mapped_column(ForeignKey("films.id", ondelete="SET NULL"))
    film_label: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    rating: Mapped[int] = mapped_column(SmallInteger)  # half stars, 1-10
    text: Mapped[str] = mapped_column(Text)
    spoilers: Mapped[bool] = mapped_column(default=False)
    rewatch: Mapped[bool] = mapped_column(default=False)
    liked: Mapped[bool] = mapped_column(default=False)
    watched_together: Mapped[bool] = mapped_column(default=False)


class Review(ReviewFields, Base):
    """A member's current review of a film in a server: one per member, film and server."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("guild_id", "author_id", "film_id"),
        CheckConstraint("rating BETWEEN 1 AND 10", name="rating_half_stars"),
        Index("ix_reviews_guild_film", "guild_id", "film_id"),
        Index("ix_reviews_guild_updated", "guild_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Where the review was posted, and its Discuss thread.
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)


class ReviewEntry(ReviewFields, Base):
    """An earlier version of a review, kept when the member wrote again (a rewatch) or it was deleted."""

    __tablename__ = "review_entries"
    __table_args__ = (Index("ix_review_entries_guild_author", "guild_id", "author_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    written_at: Mapped[datetime]  # when this version was written
    archived_at: Mapped[datetime]  # when it stopped being the current review
    reason: Mapped[str] = mapped_column(String(16))  # "rewritten", "deleted", "removed"
    removed_by: Mapped[int | None] = mapped_column(BigInteger)  # the moderator who removed it


class ReviewDraft(Base):
    """Text a member wrote that could not be posted yet; offered back when they write about that film."""

    __tablename__ = "review_drafts"
    __table_args__ = (UniqueConstraint("guild_id", "author_id", "film_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    author_id: Mapped[int] = mapped_column(BigInteger)
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    saved_at: Mapped[datetime]
