"""Helpers for the summary tests: reviews made from a few fields, the labelled set, a report's text."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.reviews.values import Review

HERE = Path(__file__).parent
SEED = HERE / "seed_review.txt"  # shared/seeds/never-let-me-go-review.txt, the review the product began with
START = datetime(2026, 11, 1, tzinfo=UTC)


def review(
    text: str,
    rating: int = 8,
    *,
    number: int = 1,
    author: str | None = None,
    author_id: int | None = None,
    film: str = "Never Let Me Go (2010)",
    film_id: int | None = 1,
    spoilers: bool = False,
    at: datetime | None = None,
) -> Review:
    """A review with the fields the summaries read; the rest fixed."""
    created = at or START + timedelta(minutes=number)
    return Review(
        id=number,
        guild_id=1,
        author_id=author_id or 100 + number,
        author_name=author or f"member{number}",
        film_id=film_id,
        film_label=film,
        rating=rating,
        text=text,
        spoilers=spoilers,
        rewatch=False,
        liked=rating >= 7,
        watched_together=False,
        created_at=created,
        updated_at=created,
    )


def _labelled_set() -> dict[str, Any]:
    with (HERE / "labelled_reviews.toml").open("rb") as file:
        return tomllib.load(file)


def labelled() -> list[dict[str, Any]]:
    """The hand-written, hand-labelled reviews in labelled_reviews.toml."""
    rows: list[dict[str, Any]] = _labelled_set()["review"]
    return rows


def credits() -> dict[str, dict[str, str]]:
    """Per film label, its people and the theme each stands for (summarise_film's credits)."""
    films: dict[str, dict[str, str]] = _labelled_set()["credits"]
    return films


def labelled_review(number: int, row: dict[str, Any]) -> Review:
    return review(
        row["text"], row["rating"], number=number, author=row["author"], film=row["film"], spoilers=row["spoilers"]
    )


def texts(value: object) -> Iterator[str]:
    """Every string in a report, however deep in its dataclasses and tuples."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from texts(getattr(value, field.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from texts(item)
