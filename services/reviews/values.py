"""The plain values reviews are handled as: ratings in half stars, a review, pages of reviews."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.errors import InvalidInput

MIN_RATING = 1  # half stars: 1 is ½★, 10 is ★★★★★
MAX_RATING = 10
TEXT_LIMIT = 4000  # the most a Discord text input takes; the seed review (3,564 characters) fits


def half_stars(stars: float) -> int:
    """A rating given in stars (0.5 to 5, in halves) as stored: half stars, 1 to 10."""
    doubled = stars * 2
    if doubled != round(doubled) or not MIN_RATING <= doubled <= MAX_RATING:
        raise InvalidInput(f"Ratings go from ½ to 5 stars in half stars (e.g. 3.5), not {stars:g}.")
    return round(doubled)


def stars(rating: int) -> str:
    """Half stars drawn as stars: 9 is ★★★★½."""
    return "★" * (rating // 2) + ("½" if rating % 2 else "")


@dataclass(frozen=True, slots=True)
class Review:
    """A member's current review of a film in one server."""

    id: int
    guild_id: int
    author_id: int
    author_name: str
    film_id: int | None  # None once the film left the catalogue; the label stays
    film_label: str  # "Never Let Me Go (2010)"
    rating: int  # half stars, 1-10
    text: str
    spoilers: bool
    rewatch: bool
    liked: bool
    watched_together: bool
    created_at: datetime
    updated_at: datetime
    channel_id: int | None = None  # where it was posted
    message_id: int | None = None
    thread_id: int | None = None  # its Discuss thread

    @property
    def stars(self) -> str:
        return stars(self.rating)
