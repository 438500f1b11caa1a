"""Keys for matching titles and names: folding, title keys, words, prefixes and the index rows built from them.

Every key stored in the catalogue (``film_titles.folded``, ``film_title_words.word``, ``people.folded``) is
computed here, and every query is folded the same way (services.films.query), so lookups compare like with like.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, overload

# Leading articles dropped from title keys ("The Thing" and "Thing" share the key "thing").
ARTICLES = frozenset(
    {"the", "a", "an", "le", "la", "les", "el", "los", "las", "il", "lo", "gli", "der", "die", "das", "den", "de"}
    | {"het", "un", "une", "uno", "una", "ein", "eine"}
)
_APOSTROPHES = frozenset("'’ʼ`´‘")
_ELISION = re.compile(r"^\s*[ld][’'ʼ`´‘]\s*(?=\w)", re.IGNORECASE)  # l'avventura, d'artagnan
_HYPHENS = re.compile(r"(?<=\w)[-‐‑](?=\w)")

# Column sizes (db.models uses these): keys are cut where they are computed, here, so a query folds the
# way the stored key was made; titles and names are cut with ``clip`` where records become rows.
KEY_LENGTH = 500  # every folded key
TITLE_LENGTH = 500  # films.title, films.original_title, film_titles.title, films.based_on_title
NAME_LENGTH = 300  # people.name, films.based_on_author


def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return ""
    if char == "&":
        return " and "
    category = unicodedata.category(char)
    if category == "Mn":  # combining accents left by NFKD
        return ""
    if category[0] in "LN":
        return char
    return " "  # punctuation, symbols, separators and control characters


class _FoldTable(dict[int, str]):
    """What each character becomes (``_fold_char``), for str.translate: worked out once per character."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def _folded(text: str) -> str:
    # NFKD of ASCII is itself and its casefold is lower(): most titles and names skip both normalisations.
    decomposed = (
        text.lower()
        if text.isascii()
        else unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    )
    return " ".join(decomposed.translate(_FOLD_TABLE).split())


def _key(folded: str) -> str:
    return folded[:KEY_LENGTH].rstrip()


def fold(text: str) -> str:
    """A comparison key: case and accents dropped, ``&`` spelled out, punctuation removed, spaces collapsed.

    ``fold("Schindler's  List")`` is ``"schindlers list"``; ``fold("Amélie & Co.")`` is ``"amelie and co"``.
    The key is at most KEY_LENGTH characters: longer ones are cut (folding can lengthen text).
    """
    return _key(_folded(text))


@overload
def clip(text: str, length: int) -> str: ...
@overload
def clip(text: None, length: int) -> None: ...
def clip(text: str | None, length: int) -> str | None:
    """``text`` cut to a column's ``length`` characters (sources put no limit on titles and names)."""
    return text[:length] if text is not None else None


def _title_words(title: str) -> tuple[str, list[str]]:
    """The title's key (uncut) and the words it is found by, articles included: folded once, and again only
    for an elided article (l'avventura) or a hyphen between letters.
    """
    folded = _folded(title)
    found = folded.split()
    whole = folded
    if (elided := _ELISION.sub("", title, count=1)) != title:
        whole = _folded(elided) or folded
        found += whole.split()
    if ("-" in title or "‐" in title or "‑" in title) and (joined := _HYPHENS.sub("", title)) != title:
        found += _folded(joined).split()
    first, _, rest = whole.partition(" ")
    return (rest if first in ARTICLES and rest else whole), found


def _indexed_words(found: list[str]) -> set[str]:
    cut = {word[:KEY_LENGTH] for word in found}
    return {word for word in cut if word not in ARTICLES} or cut


def title_key(title: str) -> str:
    """The folded title without a leading article: "The Thing" → "thing", "L'Avventura" → "avventura".

    A title that is nothing but an article ("A", "The") keeps it, so it still has a key. Cut like ``fold``.
    """
    return _key(_title_words(title)[0])


def words(title: str) -> set[str]:
    """The searchable words of a title, without articles: "Spider-Man" gives "spider", "man" and "spiderman"."""
    return _indexed_words(_title_words(title)[1])


PREFIX_LENGTH = 4  # word prefixes up to this long are indexed (see db.models.FilmTitlePrefix)


def prefixes(words_: set[str]) -> set[str]:
    """The indexed prefixes of some words: their first 1 to PREFIX_LENGTH letters."""
    return {word[:size] for word in words_ for size in range(1, min(len(word), PREFIX_LENGTH) + 1)}


@dataclass(frozen=True, slots=True)
class IndexedTitle:
    """A title with its key and the words it is found by (cheap to send between threads)."""

    title: str
    key: str
    kind: str  # "primary", "original", "alternate"
    words: frozenset[str]


def index_title(title: str, kind: str) -> IndexedTitle:
    """The title cut to its column; its key and words from the whole title, as a query for it is folded."""
    key, found = _title_words(title)
    return IndexedTitle(clip(title, TITLE_LENGTH), _key(key), kind, frozenset(_indexed_words(found)))


@dataclass(frozen=True, slots=True)
class TitleRows:
    """What makes films findable by title: rows for film_titles, film_title_words, film_title_prefixes."""

    titles: list[dict[str, Any]]
    words: list[dict[str, Any]]
    prefixes: list[dict[str, Any]]

    @property
    def vocabulary(self) -> list[dict[str, Any]]:
        """Rows for title_vocabulary: every distinct word."""
        return [{"word": word} for word in sorted({row["word"] for row in self.words})]

    @staticmethod
    def of(parts: Iterable[TitleRows]) -> TitleRows:
        """The rows of several films together."""
        joined = TitleRows([], [], [])
        for part in parts:
            joined.titles.extend(part.titles)
            joined.words.extend(part.words)
            joined.prefixes.extend(part.prefixes)
        return joined


def title_rows(film_id: int, titles: Iterable[IndexedTitle], popularity: float = 0.0) -> TitleRows:
    """The title, word and word-prefix rows of one film: a title per key (the first one given), none for a
    title without a key; the words and prefixes of every title once, carrying the film's popularity.
    """
    kept: dict[str, IndexedTitle] = {}
    for title in titles:
        if title.key and title.key not in kept:
            kept[title.key] = title
    found = set().union(*(title.words for title in kept.values()))
    return TitleRows(
        titles=[{"film_id": film_id, "title": t.title, "folded": t.key, "kind": t.kind} for t in kept.values()],
        words=[{"word": word, "film_id": film_id, "popularity": popularity} for word in sorted(found)],
        prefixes=[{"prefix": p, "film_id": film_id, "popularity": popularity} for p in sorted(prefixes(found))],
    )
