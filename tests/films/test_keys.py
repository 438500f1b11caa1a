"""Folding, title keys and query parsing: examples and properties."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from db.films.keys import _fold_char, _folded, fold, index_title, title_key, title_rows, words
from services.films.query import FIRST_FILM_YEAR, comparable, latest_plausible_year, parse_query, same_numbers


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Schindler's List", "schindlers list"),
        ("Amélie & Co.", "amelie and co"),
        ("  Spider-Man:   No Way Home ", "spider man no way home"),
        ("Ｗｈｉｐｌａｓｈ", "whiplash"),
        ("Straße", "strasse"),
        ("Nausicaä of the Valley of the Wind", "nausicaa of the valley of the wind"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("The Thing", "thing"),
        ("A", "a"),
        ("The", "the"),
        ("A Man Escaped", "man escaped"),
        ("L'Avventura", "avventura"),
        ("Les Misérables", "miserables"),
        ("Das Boot", "boot"),
        ("2001: A Space Odyssey", "2001 a space odyssey"),
        ("Thelma & Louise", "thelma and louise"),
    ],
)
def test_title_key(title: str, key: str) -> None:
    assert title_key(title) == key


def test_words_skip_articles_and_join_hyphenated_words() -> None:
    assert words("The Spider-Man") == {"spider", "man", "spiderman"}
    assert words("The") == {"the"}


@pytest.mark.parametrize(
    ("query", "parsed"),
    [
        ("Dune (2021)", ("Dune", 2021)),
        ("dune 2021", ("dune", 2021)),
        ("Dune [2021]", ("Dune", 2021)),
        ("Dune, 2021", ("Dune", 2021)),
        ("dune - 2021", ("dune", 2021)),
        ("1917", ("1917", None)),
        ("2001: A Space Odyssey", ("2001: A Space Odyssey", None)),
        ("Blade Runner 2049", ("Blade Runner 2049", None)),
        ("(2020)", ("(2020)", None)),
        ("Metropolis 1200", ("Metropolis 1200", None)),
        ("  Brief Encounter (1945) ", ("Brief Encounter", 1945)),
    ],
)
def test_parse_query(query: str, parsed: tuple[str, int | None]) -> None:
    assert parse_query(query) == parsed


@pytest.mark.parametrize(
    ("key", "compared"),
    [
        ("godfather part ii", "godfather 2"),
        ("godfather part two", "godfather 2"),
        ("dune part one", "dune 1"),
        ("seven samurai", "7 samurai"),
        ("kill bill vol 1", "kill bill 1"),
        ("blade runner 2049", "blade runner 2049"),
        ("part of me", "part of me"),
        ("", ""),
    ],
)
def test_comparable_writes_numbers_one_way(key: str, compared: str) -> None:
    assert comparable(key) == compared


@pytest.mark.parametrize(
    ("query", "title", "same"),
    [
        ("godfather 2", "godfather 2", True),
        ("godfather 2", "godfather", False),
        ("toy story 1", "toy story", True),  # the first of a series has no number
        ("kill bill", "kill bill 1", False),  # a number the title has is never assumed
        ("blade runner", "blade runner 2049", False),
        ("2001 space odyssey", "2001 a space odyssey", True),
    ],
)
def test_same_numbers(query: str, title: str, same: bool) -> None:
    assert same_numbers(query, title) is same


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


def plain_fold(text: str) -> str:
    """The definition the fast fold keeps to: NFKD of the case-folded NFKD text, character by character."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return " ".join("".join(_fold_char(char) for char in decomposed).split())


@given(st.text() | st.text(st.characters(max_codepoint=127)))
@example("".join(map(chr, range(128))))
@example("Amélie & Co. — L’Avventura ﬁ Ⅻ ß")
def test_the_fast_fold_is_the_plain_definition(text: str) -> None:
    assert _folded(text) == plain_fold(text)


@given(st.text())
def test_title_key_is_a_fold(text: str) -> None:
    key = title_key(text)
    assert fold(key) == key


@given(st.text())
def test_parse_query_never_raises_and_keeps_the_title(text: str) -> None:
    title, year = parse_query(text)
    if year is None:
        assert title == text.strip()
    else:
        assert fold(title)
        assert FIRST_FILM_YEAR <= year <= latest_plausible_year()


titles = st.text(min_size=1).filter(lambda t: fold(t) != "")


@given(titles, st.integers(FIRST_FILM_YEAR, latest_plausible_year()))
def test_parse_query_round_trips_title_and_year(title: str, year: int) -> None:
    parsed_title, parsed_year = parse_query(f"{title} ({year})")
    assert parsed_year == year
    assert fold(parsed_title) == fold(title)


def test_title_rows_keep_one_title_per_key_and_index_every_word_once() -> None:
    titles = [
        index_title(t, k) for t, k in [("The Thing", "primary"), ("Thing", "original"), ("Das Ding", "alternate")]
    ]
    rows = title_rows(7, titles, popularity=3.5)
    assert [(r["title"], r["folded"], r["kind"]) for r in rows.titles] == [
        ("The Thing", "thing", "primary"),
        ("Das Ding", "ding", "alternate"),
    ]
    assert {r["word"] for r in rows.words} == {"thing", "ding"}
    assert {r["prefix"] for r in rows.prefixes} == {"t", "th", "thi", "thin", "d", "di", "din", "ding"}
    assert {(r["film_id"], r["popularity"]) for r in rows.words + rows.prefixes} == {(7, 3.5)}
    assert rows.vocabulary == [{"word": "ding"}, {"word": "thing"}]
    assert title_rows(8, [index_title("!!!", "primary")]).titles == []  # no key, no title row
