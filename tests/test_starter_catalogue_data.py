"""Checks on the bundled starter catalogue data file (no project code imported).

The file is hand-curated: these tests guard its shape, its cross-references and the
external ids' formats, and pin the facts of one film exactly.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CATALOGUE = Path(__file__).parents[1] / "services" / "films" / "data" / "starter_catalogue.json"

FILM_KEYS = [
    "key",
    "title",
    "original_title",
    "alternate_titles",
    "year",
    "runtime",
    "genres",
    "countries",
    "languages",
    "synopsis",
    "based_on",
    "ids",
    "popularity",
    "cast",
    "crew",
    "music",
]
CREW_JOBS = {"director", "screenplay", "writer", "composer", "cinematographer", "editor", "producer"}
RATING_WORDS = ("rating", "score", "vote", "stars", "metacritic", "tomato")

IMDB_TITLE = re.compile(r"tt\d{7,8}")
IMDB_NAME = re.compile(r"nm\d{7,8}")
WIKIDATA = re.compile(r"Q[1-9]\d*")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def films(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["films"]
    return found


@pytest.fixture(scope="module")
def people(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = data["people"]
    return found


def by_key(films: list[dict[str, Any]], key: str) -> dict[str, Any]:
    (film,) = [f for f in films if f["key"] == key]
    return film


def test_top_level_shape(data: dict[str, Any]) -> None:
    assert list(data) == ["version", "people", "films"]
    assert isinstance(data["version"], int)
    assert data["version"] >= 1


def test_file_is_utf8_with_two_space_indent() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    assert text.startswith('{\n  "version": ')
    assert "\\u00" not in text  # non-ASCII is written as UTF-8, not escaped


def test_at_least_fifty_films(films: list[dict[str, Any]]) -> None:
    assert len(films) >= 50


def test_film_keys_in_order(films: list[dict[str, Any]]) -> None:
    for film in films:
        assert list(film) == FILM_KEYS, film.get("key")


def test_keys_unique_and_slug_year(films: list[dict[str, Any]]) -> None:
    keys = [f["key"] for f in films]
    assert [k for k, n in Counter(keys).items() if n > 1] == []
    for film in films:
        slug, _, year = film["key"].rpartition("-")
        assert SLUG.fullmatch(slug), film["key"]
        assert year == str(film["year"]), film["key"]


def test_titles(films: list[dict[str, Any]]) -> None:
    for film in films:
        for field in ("title", "original_title"):
            assert isinstance(film[field], str), film["key"]
            assert film[field].strip(), film["key"]
        assert all(isinstance(t, str) and t.strip() for t in film["alternate_titles"]), film["key"]


def test_years_and_runtimes(films: list[dict[str, Any]]) -> None:
    for film in films:
        assert isinstance(film["year"], int), film["key"]
        assert 1888 <= film["year"] <= 2030, film["key"]
        assert isinstance(film["runtime"], int), film["key"]
        assert film["runtime"] > 0, film["key"]


def test_popularity_range(films: list[dict[str, Any]]) -> None:
    for film in films:
        assert isinstance(film["popularity"], (int, float)), film["key"]
        assert 0 <= film["popularity"] <= 100, film["key"]


def test_genres_countries_languages(films: list[dict[str, Any]]) -> None:
    for film in films:
        assert film["genres"], film["key"]
        assert all(isinstance(g, str) and g for g in film["genres"]), film["key"]
        assert film["countries"], film["key"]
        assert all(re.fullmatch(r"[A-Z]{2}", c) for c in film["countries"]), film["key"]
        assert film["languages"], film["key"]
        assert all(re.fullmatch(r"[a-z]{2}", lang) for lang in film["languages"]), film["key"]
        for field in ("genres", "countries", "languages"):
            assert len(set(film[field])) == len(film[field]), (film["key"], field)


def test_synopsis_is_one_sentence_or_null(films: list[dict[str, Any]]) -> None:
    for film in films:
        synopsis = film["synopsis"]
        if synopsis is None:
            continue
        assert isinstance(synopsis, str), film["key"]
        assert synopsis.endswith("."), film["key"]
        assert len(synopsis) <= 300, film["key"]
        assert not re.search(r"[.!?]\s+[A-Z]", synopsis), f"{film['key']}: more than one sentence"


def test_based_on_shape(films: list[dict[str, Any]], people: dict[str, Any]) -> None:
    for film in films:
        based_on = film["based_on"]
        if based_on is None:
            continue
        assert list(based_on) == ["title", "author", "kind", "year", "authors"], film["key"]
        assert based_on["title"], film["key"]
        # "author" is the credit as the work gives it; "authors" are the people, findable by name
        assert bool(based_on["authors"]) == bool(based_on["author"]), film["key"]
        assert all(slug in people for slug in based_on["authors"]), film["key"]
        year = based_on["year"]
        if year is not None:
            assert isinstance(year, int), film["key"]
            assert year <= film["year"], film["key"]


def test_no_ratings_anywhere(data: dict[str, Any]) -> None:
    def keys(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield k
                yield from keys(v)
        elif isinstance(node, list):
            for v in node:
                yield from keys(v)

    for key in keys(data):
        assert not any(word in key.lower() for word in RATING_WORDS), key


def test_film_id_formats(films: list[dict[str, Any]]) -> None:
    for film in films:
        ids = film["ids"]
        assert list(ids) == ["wikidata", "imdb", "tmdb"], film["key"]
        assert ids["wikidata"] is None or WIKIDATA.fullmatch(ids["wikidata"]), film["key"]
        assert ids["imdb"] is None or IMDB_TITLE.fullmatch(ids["imdb"]), film["key"]
        tmdb = ids["tmdb"]
        if tmdb is not None:
            assert type(tmdb) is int, film["key"]
            assert tmdb > 0, film["key"]


def test_person_shape_and_id_formats(people: dict[str, Any]) -> None:
    for slug, person in people.items():
        assert SLUG.fullmatch(slug), slug
        assert list(person) == ["name", "ids"], slug
        assert isinstance(person["name"], str), slug
        assert person["name"].strip(), slug
        ids = person["ids"]
        assert list(ids) == ["wikidata", "imdb", "tmdb"], slug
        assert ids["wikidata"] is None or WIKIDATA.fullmatch(ids["wikidata"]), slug
        assert ids["imdb"] is None or IMDB_NAME.fullmatch(ids["imdb"]), slug
        tmdb = ids["tmdb"]
        if tmdb is not None:
            assert type(tmdb) is int, slug
            assert tmdb > 0, slug


@pytest.mark.parametrize("source", ["wikidata", "imdb", "tmdb"])
def test_external_ids_unique(films: list[dict[str, Any]], people: dict[str, Any], source: str) -> None:
    film_ids = [f["ids"][source] for f in films if f["ids"][source] is not None]
    person_ids = [p["ids"][source] for p in people.values() if p["ids"][source] is not None]
    assert [i for i, n in Counter(film_ids).items() if n > 1] == []
    assert [i for i, n in Counter(person_ids).items() if n > 1] == []
    if source != "tmdb":  # TMDB numbers films and people separately; the other two share one namespace
        assert set(film_ids).isdisjoint(person_ids)


def test_person_names_unique(people: dict[str, Any]) -> None:
    names = [p["name"] for p in people.values()]
    assert [n for n, c in Counter(names).items() if c > 1] == []


def test_cast(films: list[dict[str, Any]], people: dict[str, Any]) -> None:
    for film in films:
        assert film["cast"], film["key"]
        for credit in film["cast"]:
            assert list(credit) == ["person", "characters"], film["key"]
            assert credit["person"] in people, (film["key"], credit["person"])
            assert credit["characters"], (film["key"], credit["person"])
            assert all(isinstance(c, str) and c.strip() for c in credit["characters"]), film["key"]
        slugs = [c["person"] for c in film["cast"]]
        assert len(set(slugs)) == len(slugs), f"{film['key']}: an actor credited twice"


def test_crew(films: list[dict[str, Any]], people: dict[str, Any]) -> None:
    for film in films:
        for credit in film["crew"]:
            assert list(credit) == ["person", "job"], film["key"]
            assert credit["person"] in people, (film["key"], credit["person"])
            assert credit["job"] in CREW_JOBS, (film["key"], credit["job"])
        pairs = [(c["person"], c["job"]) for c in film["crew"]]
        assert len(set(pairs)) == len(pairs), f"{film['key']}: a crew credit repeated"
        assert any(c["job"] == "director" for c in film["crew"]), f"{film['key']} has no director"


def test_music(films: list[dict[str, Any]], people: dict[str, Any]) -> None:
    for film in films:
        for item in film["music"]:
            assert list(item) == ["piece", "performer", "note", "performers"], film["key"]
            # "performer" is the credit as the recording gives it; "performers" are the people, findable by name
            assert bool(item["performers"]) == bool(item["performer"]), (film["key"], item["piece"])
            assert all(slug in people for slug in item["performers"]), (film["key"], item["piece"])
            assert isinstance(item["piece"], str), film["key"]
            assert item["piece"].strip(), film["key"]
            for field in ("performer", "note"):
                if item[field] is not None:
                    assert isinstance(item[field], str), film["key"]
                    assert item[field].strip(), film["key"]


def test_every_person_is_credited(films: list[dict[str, Any]], people: dict[str, Any]) -> None:
    credited = {c["person"] for f in films for c in f["cast"] + f["crew"]}
    credited |= {slug for f in films if f["based_on"] for slug in f["based_on"]["authors"]}
    credited |= {slug for f in films for item in f["music"] for slug in item["performers"]}
    assert sorted(set(people) - credited) == []


def test_never_let_me_go(films: list[dict[str, Any]], people: dict[str, Any]) -> None:
    film = by_key(films, "never-let-me-go-2010")
    assert film["title"] == film["original_title"] == "Never Let Me Go"
    assert film["year"] == 2010
    assert film["runtime"] == 103
    assert film["ids"]["imdb"] == "tt1334260"
    assert film["ids"]["tmdb"] == 42188
    assert film["based_on"] == {
        "title": "Never Let Me Go",
        "author": "Kazuo Ishiguro",
        "kind": "novel",
        "year": 2005,
        "authors": ["kazuo-ishiguro"],
    }
    assert people["kazuo-ishiguro"]["name"] == "Kazuo Ishiguro"

    cast = {people[c["person"]]["name"]: c["characters"] for c in film["cast"]}
    assert cast["Carey Mulligan"] == ["Kathy"]
    assert cast["Andrew Garfield"] == ["Tommy"]
    assert cast["Keira Knightley"] == ["Ruth"]
    assert cast["Charlotte Rampling"] == ["Miss Emily"]
    assert cast["Sally Hawkins"] == ["Miss Lucy"]
    assert cast["Isobel Meikle-Small"] == ["Young Kathy"]
    assert cast["Charlie Rowe"] == ["Young Tommy"]
    assert cast["Ella Purnell"] == ["Young Ruth"]
    assert cast["Nathalie Richard"] == ["Madame"]
    assert [people[c["person"]]["name"] for c in film["cast"][:3]] == [
        "Carey Mulligan",
        "Andrew Garfield",
        "Keira Knightley",
    ]

    crew = {(people[c["person"]]["name"], c["job"]) for c in film["crew"]}
    assert {
        ("Mark Romanek", "director"),
        ("Alex Garland", "screenplay"),
        ("Rachel Portman", "composer"),
        ("Adam Kimmel", "cinematographer"),
    } <= crew
    assert [name for name, job in crew if job == "director"] == ["Mark Romanek"]
    assert [name for name, job in crew if job == "composer"] == ["Rachel Portman"]

    assert people["carey-mulligan"]["name"] == "Carey Mulligan"
    assert people["carey-mulligan"]["ids"]["imdb"] == "nm1659547"
    assert people["andrew-garfield"]["ids"]["imdb"] == "nm1940449"
    assert people["keira-knightley"]["ids"]["imdb"] == "nm0461136"


def test_overlaps_the_bot_relies_on(films: list[dict[str, Any]], people: dict[str, Any]) -> None:
    """Shared composers, actors and same-title films that questions are built from."""

    def films_with(slug: str, job: str | None = None) -> set[str]:
        found = set()
        for film in films:
            if job is None and any(c["person"] == slug for c in film["cast"]):
                found.add(film["key"])
            if job is not None and any(c["person"] == slug and c["job"] == job for c in film["crew"]):
                found.add(film["key"])
        return found

    assert {"never-let-me-go-2010", "the-cider-house-rules-1999", "chocolat-2000"} <= films_with(
        "rachel-portman", "composer"
    )
    assert {"pride-and-prejudice-2005", "atonement-2007"} <= films_with("dario-marianelli", "composer")
    assert {"never-let-me-go-2010", "the-social-network-2010"} <= films_with("andrew-garfield")
    assert {"never-let-me-go-2010", "drive-2011", "pride-and-prejudice-2005", "an-education-2009"} <= films_with(
        "carey-mulligan"
    )
    assert {"never-let-me-go-2010", "atonement-2007", "pride-and-prejudice-2005"} <= films_with("keira-knightley")
    for composer in ("ennio-morricone", "john-williams", "hans-zimmer", "bernard-herrmann", "joe-hisaishi"):
        assert len(films_with(composer, "composer")) >= 2, composer
    titles = Counter(f["title"] for f in films)
    assert titles["Dune"] == 2
    assert titles["Solaris"] == 2
