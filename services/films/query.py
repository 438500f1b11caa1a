"""Reading what people type for a film: a title, maybe with its release year."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from db.films.keys import fold

FIRST_FILM_YEAR = 1874
_YEAR_TAIL = re.compile(
    r"""^(?P<title>.*?)
        (?: \s*[\(\[]\s*(?P<bracketed>\d{4})\s*[\)\]]      # Dune (2021), Dune [2021]
          | (?:\s*[,\-–—:/|]\s*|\s+)(?P<bare>\d{4}) )      # Dune, 2021 / dune - 2021 / dune 2021
        \s*$""",
    re.VERBOSE | re.DOTALL,
)
_TRAILING_SEPARATORS = " \t\n,-–—:/|"


def latest_plausible_year() -> int:
    """A coarse bound on release years people may type (announced films included), from the wall clock's year."""
    return datetime.now(UTC).year + 10


def parse_query(text: str) -> tuple[str, int | None]:
    """Split a trailing release year off a query: "Dune (2021)", "dune 2021", "Dune, 2021" → ("Dune", 2021).

    A year is split off only when a title remains and the number is a plausible release year, so
    "1917", "2001: A Space Odyssey" and "Blade Runner 2049" stay whole. Callers that know the
    catalogue should still try the whole text as a title first ("Airport 1975" is a film).
    """
    stripped = text.strip()
    match = _YEAR_TAIL.match(stripped)
    if match is None:
        return stripped, None
    year = int(match.group("bracketed") or match.group("bare"))
    title = match.group("title").rstrip(_TRAILING_SEPARATORS)
    if not fold(title) or not FIRST_FILM_YEAR <= year <= latest_plausible_year():
        return stripped, None
    return title, year
