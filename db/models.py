"""Declarative models.

The film catalogue (films, titles, people, credits, music) is shared by every server. Data that
belongs to a server (reviews, watch parties) carries a ``guild_id`` and is only ever queried with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, utcnow
from db.films.keys import KEY_LENGTH, NAME_LENGTH, TITLE_LENGTH

__all__ = [
    "Base",
    "Checkpoint",
    "Credit",
    "Film",
    "FilmMusic",
    "FilmTitle",
    "FilmTitlePrefix",
    "FilmTitleWord",
    "Person",
    "TitleVocabulary",
]

# Folded search keys compare bytewise ("C" collation on PostgreSQL, BINARY on SQLite), so a prefix
# range query (key >= p AND key < p + U+FFFF) is an index range scan on both back ends. Text sizes come
# from db.films.keys, which cuts keys, titles and names to them.
SearchKey = String(KEY_LENGTH).with_variant(String(KEY_LENGTH, collation="C"), "postgresql")


class Provenance:
    """Where a row came from: the source that supplied it, its external ids, and when it was fetched."""

    source: Mapped[str] = mapped_column(String(16))  # "starter", "tmdb", "imdb"
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExternalIds:
    wikidata_id: Mapped[str | None] = mapped_column(String(16), unique=True)
    imdb_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    tmdb_id: Mapped[int | None] = mapped_column(unique=True)


class Film(Provenance, ExternalIds, Base):
    __tablename__ = "films"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)  # starter catalogue key
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    original_title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    year: Mapped[int | None] = mapped_column(index=True)
    runtime_minutes: Mapped[int | None]
    genres: Mapped[list[str]] = mapped_column(default=list)
    countries: Mapped[list[str]] = mapped_column(default=list)
    languages: Mapped[list[str]] = mapped_column(default=list)
    synopsis: Mapped[str | None] = mapped_column(Text)
    based_on_title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    based_on_author: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    based_on_kind: Mapped[str | None] = mapped_column(String(40))
    based_on_year: Mapped[int | None]
    popularity: Mapped[float] = mapped_column(default=0.0, index=True)
    poster_path: Mapped[str | None] = mapped_column(String(300))

    titles: Mapped[list[FilmTitle]] = relationship(
        back_populates="film", cascade="all, delete-orphan", passive_deletes=True
    )
    credits: Mapped[list[Credit]] = relationship(
        back_populates="film", cascade="all, delete-orphan", passive_deletes=True
    )
    music: Mapped[list[FilmMusic]] = relationship(
        back_populates="film", cascade="all, delete-orphan", passive_deletes=True
    )


class FilmTitle(Base):
    """Every title a film is known by, with its folded search key (see db.films.keys.title_key)."""

    __tablename__ = "film_titles"
    __table_args__ = (UniqueConstraint("film_id", "folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    folded: Mapped[str] = mapped_column(SearchKey, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "primary", "original", "alternate"

    film: Mapped[Film] = relationship(back_populates="titles")


class FilmTitleWord(Base):
    """Word index over every title of a film, so "let me go" finds "Never Let Me Go" by index lookups.

    ``popularity`` copies the film's, so "the most popular films with this word" is a top-N index scan.
    """

    __tablename__ = "film_title_words"
    __table_args__ = (Index("ix_film_title_words_word_popularity", "word", "popularity"),)

    word: Mapped[str] = mapped_column(SearchKey, primary_key=True)
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id", ondelete="CASCADE"), primary_key=True, index=True)
    popularity: Mapped[float] = mapped_column(default=0.0)


class FilmTitlePrefix(Base):
    """The first one to four letters of every title word: a word still being typed, looked up like a word."""

    __tablename__ = "film_title_prefixes"
    __table_args__ = (Index("ix_film_title_prefixes_prefix_popularity", "prefix", "popularity"),)

    prefix: Mapped[str] = mapped_column(SearchKey, primary_key=True)
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id", ondelete="CASCADE"), primary_key=True, index=True)
    popularity: Mapped[float] = mapped_column(default=0.0)


class TitleVocabulary(Base):
    """Every distinct title word ever indexed: the small set typo correction searches instead of the films."""

    __tablename__ = "title_vocabulary"

    word: Mapped[str] = mapped_column(SearchKey, primary_key=True)


class Person(Provenance, ExternalIds, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    folded: Mapped[str] = mapped_column(SearchKey, index=True)

    credits: Mapped[list[Credit]] = relationship(back_populates="person")


class Credit(Provenance, Base):
    """A person's part in a film: cast (``job`` "actor", with characters and billing) or crew by job."""

    __tablename__ = "credits"
    __table_args__ = (
        UniqueConstraint("film_id", "person_id", "job"),
        Index("ix_credits_person_job", "person_id", "job"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    department: Mapped[str] = mapped_column(String(8))  # "cast" or "crew"
    job: Mapped[str] = mapped_column(String(40))
    characters: Mapped[list[str]] = mapped_column(default=list)
    billing: Mapped[int | None]
    external_ref: Mapped[str | None] = mapped_column(String(64))  # e.g. TMDB credit_id, IMDb tconst:ordering

    film: Mapped[Film] = relationship(back_populates="credits")
    person: Mapped[Person] = relationship(back_populates="credits")


class FilmMusic(Provenance, Base):
    """Notable music in a film other than its score: a piece and who performs it."""

    __tablename__ = "film_music"

    id: Mapped[int] = mapped_column(primary_key=True)
    film_id: Mapped[int] = mapped_column(ForeignKey("films.id", ondelete="CASCADE"), index=True)
    piece: Mapped[str] = mapped_column(String(300))
    performer: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(String(500))

    film: Mapped[Film] = relationship(back_populates="music")


class Checkpoint(Base):
    """Named progress markers: the loaded starter catalogue version, a resumable import's position."""

    __tablename__ = "checkpoints"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# Every feature's tables in one metadata (Alembic compares it with the database).
from db.reviews.models import Review, ReviewDraft, ReviewEntry  # noqa: E402

__all__ += ["Review", "ReviewDraft", "ReviewEntry"]

from db.parties.models import MemberZone, PartyMember, PartyReminder, PartySettings, WatchParty  # noqa: E402

__all__ += ["MemberZone", "PartyMember", "PartyReminder", "PartySettings", "WatchParty"]
