"""Precision and recall of title matching on a labelled set of queries (titles.tsv) over the starter catalogue.

A wrong film answered is worse than none: precision must be perfect. Of the queries meaning a film the catalogue
has, at least RECALL are answered with it; the rest are asked back, with their film among the choices.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass, field
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


@dataclass
class Answers:
    """How ``find`` did on the labelled set: films answered that were not meant, known films not answered, choices
    that left out a film the label says must be offered, and each query's wall time in ms."""

    cases: list[Labelled]
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    not_offered: list[str] = field(default_factory=list)
    find_ms: list[float] = field(default_factory=list)

    @property
    def known(self) -> int:
        return sum(case.expected is not None for case in self.cases)


async def answers(catalogue: FilmCatalogue) -> Answers:
    """Every labelled query through ``catalogue.find`` (bench.autocomplete runs it on 500,000 films too)."""
    found = Answers(labelled())
    for case in found.cases:
        started = time.perf_counter()
        try:
            answered: str | None = (await catalogue.find(case.query)).label
            offered: list[str] = []
        except (Ambiguous, UnknownFilm) as asked:
            answered, offered = None, [film.label for film in asked.choices]
        found.find_ms.append((time.perf_counter() - started) * 1000)
        if answered is not None and answered != case.expected:
            found.wrong.append(f"{case.query!r} answered {answered}, meant {case.expected or UNKNOWN}")
        elif answered is None and case.expected is not None:
            found.missed.append(f"{case.query!r} ({case.kind}) not answered; offered {offered}")
        if answered is None and not set(case.offered) <= set(offered):
            found.not_offered.append(f"{case.query!r} offered {offered}, not {case.offered}")
    return found


async def test_no_wrong_film_and_most_known_films_answered(catalogue: FilmCatalogue) -> None:
    found = await answers(catalogue)
    known, missed = found.known, found.missed
    recall = 1 - len(missed) / known
    print(f"\n{len(found.cases)} queries: {len(found.wrong)} wrong films answered; {known - len(missed)}/{known}")
    unknown = len(found.cases) - known
    print(f"known films answered (recall {recall:.1%}); {unknown} unknown; missed:", *missed, sep="\n  ")
    assert found.wrong == []
    assert found.not_offered == []
    assert recall >= RECALL, missed
