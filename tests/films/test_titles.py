"""Precision and recall of title matching on a labelled set of queries (titles.tsv) over the starter catalogue.

A wrong film answered is worse than none: precision must be perfect. Of the queries meaning a film the catalogue
has, at least RECALL are answered with it; the rest are asked back, with their film among the choices.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from services.films.catalogue import FilmCatalogue
from services.films.values import Ambiguous, UnknownFilm

LABELLED = Path(__file__).with_name("titles.tsv")
UNKNOWN = "unknown"
RECALL = 0.95


@dataclass(frozen=True, slots=True)
class Labelled:
    query: str
    kind: str
    expected: str | None  # "Title (Year)", or None when no film in the catalogue is the one meant
    offered: tuple[str, ...]  # films an "unknown" answer must offer


def labelled() -> list[Labelled]:
    lines = [line for line in LABELLED.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return [
        Labelled(row["query"], row["kind"], None if row["expected"] == UNKNOWN else row["expected"],
                 tuple(filter(None, row["offered"].split(";"))))
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    ]  # fmt: skip


def test_the_set_is_big_and_varied() -> None:
    cases = labelled()
    assert len(cases) >= 200
    assert len({case.query for case in cases}) == len(cases), "a query labelled twice"
    kinds = Counter(case.kind for case in cases)
    for kind in ("exact", "typo", "year", "article", "accent", "alternate", "sequel", "longer", "shorter", "unknown"):
        assert kinds[kind] >= 3, kind


async def test_no_wrong_film_and_most_known_films_answered(catalogue: FilmCatalogue) -> None:
    wrong: list[str] = []
    missed: list[str] = []
    not_offered: list[str] = []
    cases = labelled()
    for case in cases:
        try:
            answered: str | None = (await catalogue.find(case.query)).label
            offered: list[str] = []
        except (Ambiguous, UnknownFilm) as asked:
            answered, offered = None, [film.label for film in asked.choices]
        if answered is not None and answered != case.expected:
            wrong.append(f"{case.query!r} answered {answered}, meant {case.expected or UNKNOWN}")
        elif answered is None and case.expected is not None:
            missed.append(f"{case.query!r} ({case.kind}) not answered; offered {offered}")
        if answered is None and not set(case.offered) <= set(offered):
            not_offered.append(f"{case.query!r} offered {offered}, not {case.offered}")
    known = sum(case.expected is not None for case in cases)
    recall = 1 - len(missed) / known
    print(f"\n{len(cases)} queries: {len(wrong)} wrong films answered; {known - len(missed)}/{known} known films")
    print(f"answered (recall {recall:.1%}); {len(cases) - known} unknown; missed:", *missed, sep="\n  ")
    assert wrong == []
    assert not_offered == []
    assert recall >= RECALL, missed
