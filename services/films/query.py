"""Reading what people type for a film: a title, maybe with its release year."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise

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


# Sequel numbers are written many ways; compared titles spell them one way, so "The Godfather Part II",
# "godfather part two" and "Godfather 2" compare equal, and "Toy Story 2" differs from "Toy Story".
_NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
                 "twenty"]  # fmt: skip
_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv", "xvi", "xvii",
          "xviii", "xix", "xx"]  # fmt: skip
_NUMBERS = {word: str(n) for spelled in (_NUMBER_WORDS, _ROMAN) for n, word in enumerate(spelled, 1)}
_NUMBERING = frozenset({"part", "pt", "vol", "volume", "chapter", "episode"})  # dropped before a number


def comparable(key: str) -> str:
    """A folded title key with its numbers written as digits and "part" before them dropped:
    "godfather part ii" → "godfather 2", "seven samurai" → "7 samurai".
    """
    tokens = [_NUMBERS.get(token, token) for token in key.split()]
    kept = [
        token for token, following in pairwise([*tokens, ""]) if not (token in _NUMBERING and following.isdecimal())
    ]
    return " ".join(kept)


def is_numbering(word: str) -> bool:
    """Whether a folded word is (part of) a sequel number: "2", "ii", "two", "part"."""
    return word.isdecimal() or word in _NUMBERS or word in _NUMBERING


def numbers(comparable_key: str) -> list[str]:
    """The numbers in a ``comparable`` key, sorted: sequel numbers, years in titles ("2049")."""
    return sorted(token for token in comparable_key.split() if token.isdecimal())


def same_numbers(query: str, title: str) -> bool:
    """Whether a query and a title (both ``comparable``) have the same numbers. A lone 1 in the query may
    stand for a title without one ("Toy Story 1", "Godfather Part I"); a number the title has and the
    query lacks is never assumed ("Kill Bill" is not "Kill Bill: Vol. 1").
    """
    wanted, has = numbers(query), numbers(title)
    return wanted == has or (wanted == ["1"] and not has)
