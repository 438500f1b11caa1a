"""Film summary speed: summarise_film over 100, 1,000 and 10,000 generated reviews of one film, against sumy's
LexRank over the same sentences as the same-run baseline.

    python -m bench.summaries [--quick] [--sizes 100,1000,10000] [--runs 7] [--baseline-budget 60]
                              [--json data/bench-summaries.json]

--quick: 100 and 1,000 reviews, 3 runs each, LexRank within 5 s (seconds in all). The headline figures (see
bench/report.py) are the largest size's wall and CPU time, against LexRank's over the same sentences.

LexRank compares every pair of sentences in Python, so it is timed only where the last measured size predicts it
finishes within --baseline-budget seconds (its cost grows with sentences squared); above that its time is that
prediction, marked "est." in the table and "estimated": true in the JSON. sumy is fed pre-split sentences with a
plain word tokenizer, so it needs no NLTK data.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Figure, figure, write
from services.reviews.summary import summarise_film
from services.reviews.text import sentence_spans
from services.reviews.values import Review

FILM = "Never Let Me Go (2010)"
START = datetime(2026, 11, 1, tzinfo=UTC)
PEOPLE = ("Carey Mulligan", "Andrew Garfield", "Keira Knightley", "Rachel Portman", "Mark Romanek", "Sally Hawkins")
SUBJECTS = (
    "the score", "the music", "the acting", "the cast", "the ending", "the final scene", "the pacing", "the middle act",
    "the cinematography", "the colour palette", "the story", "the script", "the dialogue", "the love triangle",
    "the boarding school scenes", "the tone", "the atmosphere", "the adaptation", "the direction", "the premise",
)  # fmt: skip
PRAISE = (
    "beautiful", "haunting", "moving", "superb", "quietly devastating", "gorgeous", "restrained", "unforgettable",
    "wonderful", "subtle", "heartbreaking", "gripping", "lovely", "brilliant", "tender", "thoughtful",
)  # fmt: skip
BLAME = (
    "slow", "dull", "cold", "tedious", "predictable", "flat", "underwritten", "muddled", "overlong", "distant",
    "clumsy", "forgettable", "monotonous", "passive",
)  # fmt: skip
TEMPLATES = (
    "I thought {subject} was {word}.",
    "{Subject} is {word}, and {other} is {word2}.",
    "For me {subject} felt {word} from start to finish.",
    "{person} is {word} here, and {subject} is {word2}.",
    "Honestly, {subject} was {word} but {other} was {word2}.",
    "What stayed with me was {subject}: {word} and {word2}.",
    "{Subject} made the whole thing feel {word}.",
    "I watched it with friends and we all found {subject} {word}.",
    "By the end I thought {subject} was {word}, which surprised me.",
    "{person} and {person2} make {subject} feel {word}.",
)


def generated_reviews(count: int, seed: int = 2010) -> list[Review]:
    """``count`` varied reviews of one film: 2 to 9 templated sentences each, ratings leaning positive, 10% with
    spoilers, with words matching the rating."""
    rng = random.Random(seed)
    reviews = []
    for number in range(1, count + 1):
        rating = min(10, max(1, round(rng.gauss(7.2, 2.0))))
        sentences = []
        for _ in range(rng.randint(2, 9)):
            words = PRAISE if rng.random() < (rating - 1) / 9 else BLAME
            subject, other = rng.sample(SUBJECTS, 2)
            person, person2 = rng.sample(PEOPLE, 2)
            sentence = rng.choice(TEMPLATES).format(
                subject=subject,
                Subject=subject.capitalize(),
                other=other,
                word=rng.choice(words),
                word2=rng.choice(words),
                person=person,
                person2=person2,
            )
            sentences.append(sentence)
        at = START + timedelta(minutes=number)
        author = number % 700
        reviews.append(
            Review(
                id=number,
                guild_id=1,
                author_id=1000 + author,
                author_name=f"member{author}",
                film_id=1,
                film_label=FILM,
                rating=rating,
                text=" ".join(sentences),
                spoilers=rng.random() < 0.1,
                rewatch=False,
                liked=rating >= 7,
                watched_together=False,
                created_at=at,
                updated_at=at,
            )
        )
    return reviews


def lexrank_baseline(sentences: Sequence[str]) -> Callable[[], object]:
    """sumy's LexRank over ``sentences`` (already split), picking 3, with a plain tokenizer: no NLTK data needed."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    class Words:
        """A tokenizer sumy accepts: only to_words is called for pre-split sentences."""

        pattern = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")

        def to_words(self, text: str) -> list[str]:
            return self.pattern.findall(text)

    tokenizer = Words()
    document = ObjectDocumentModel([Paragraph([Sentence(text, tokenizer) for text in sentences])])
    summariser = LexRankSummarizer()
    summariser.stop_words = get_stop_words("english")
    return lambda: summariser(document, 3)


def timed(call: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds per run of ``call`` (CPU time shows what other load on the machine hides)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return wall, cpu


def p95(times: Sequence[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def headline(row: dict[str, Any]) -> list[Figure]:
    """The largest size's wall and CPU medians against LexRank's: the target is under 1 s at 10,000 reviews and
    at least 20 times faster than the baseline."""
    label = f"{row['baseline']}{' (est.)' if row['estimated'] else ''}"
    figures = []
    for kind, key, samples in (("wall", "median_ms", row["wall_ms"]), ("CPU", "cpu_median_ms", row["cpu_ms"])):
        value, base = row[key], row[f"baseline_{'cpu_' if kind == 'CPU' else ''}median_ms"]
        fast = value * 20 <= base
        at_scale = row["reviews"] >= 10_000
        figures.append(
            figure(
                f"summary of {row['reviews']:,} reviews ({kind})",
                value,
                "ms",
                baseline=label,
                baseline_value=base,
                target="< 1,000 ms, ≤ 1/20 of baseline" if at_scale else "≤ 1/20 of baseline",
                met=fast and (value < 1000 or not at_scale),
                runs=row["runs"],
                samples=samples,
            )
        )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 reviews, 3 runs, a 5 s baseline budget")
    parser.add_argument("--sizes", help="review counts, comma-separated (100,1000,10000)")
    parser.add_argument("--runs", type=int, default=7, help="runs of summarise_film per size")
    parser.add_argument("--baseline-runs", type=int, default=3, help="most LexRank runs per size")
    parser.add_argument("--baseline-budget", type=float, default=60.0, help="seconds LexRank may take per run")
    parser.add_argument("--json", type=Path, default=Path("data/bench-summaries.json"))
    args = parser.parse_args(argv)
    runs, budget = (3, 5.0) if args.quick else (args.runs, args.baseline_budget)
    sizes = [int(size) for size in (args.sizes or ("100,1000" if args.quick else "100,1000,10000")).split(",")]

    summarise_film(generated_reviews(20))  # load VADER's lexicon and warm numpy before timing
    results: list[dict[str, Any]] = []
    per_pair: tuple[float, float] | None = None  # LexRank wall and CPU seconds per sentence pair, last size timed
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'reviews':>8} {'sentences':>9} {'median ms':>10} {'p95 ms':>8} {'CPU ms':>7} "
        f"{'LexRank ms':>14} {'LexRank CPU ms':>15} {'x faster':>9} {'x CPU':>7}"
    )
    for size in sizes:
        reviews = generated_reviews(size)
        sentences = [review.text[a:b] for review in reviews for a, b in sentence_spans(review.text)]
        ours, ours_cpu = timed(functools.partial(summarise_film, reviews), runs)
        pairs = len(sentences) ** 2
        estimated = per_pair is not None and per_pair[0] * pairs > budget
        if per_pair is not None and estimated:
            baseline, baseline_cpu = [per_pair[0] * pairs], [per_pair[1] * pairs]
        else:
            call = lexrank_baseline(sentences)
            baseline, baseline_cpu = timed(call, 1)
            if baseline[0] * args.baseline_runs <= budget:
                more, more_cpu = timed(call, args.baseline_runs - 1)
                baseline, baseline_cpu = baseline + more, baseline_cpu + more_cpu
            per_pair = (statistics.median(baseline) / pairs, statistics.median(baseline_cpu) / pairs)
        row = {
            "reviews": size,
            "sentences": len(sentences),
            "median_ms": statistics.median(ours) * 1000,
            "p95_ms": p95(ours) * 1000,
            "cpu_median_ms": statistics.median(ours_cpu) * 1000,
            "runs": runs,
            "baseline": "sumy LexRankSummarizer (3 sentences)",
            "baseline_median_ms": statistics.median(baseline) * 1000,
            "baseline_cpu_median_ms": statistics.median(baseline_cpu) * 1000,
            "baseline_runs": 0 if estimated else len(baseline),
            "estimated": estimated,
            "speedup": statistics.median(baseline) / statistics.median(ours),
            "speedup_cpu": statistics.median(baseline_cpu) / statistics.median(ours_cpu),
            "wall_ms": [t * 1000 for t in ours],
            "cpu_ms": [t * 1000 for t in ours_cpu],
        }
        results.append(row)
        mark = " est." if estimated else ""
        print(
            f"{size:>8} {len(sentences):>9} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
            f"{row['cpu_median_ms']:>7.1f} {row['baseline_median_ms']:>9.0f}{mark:>5} "
            f"{row['baseline_cpu_median_ms']:>10.0f}{mark:>5} {row['speedup']:>8.0f}x {row['speedup_cpu']:>6.0f}x",
            flush=True,
        )
    write(args.json, "summaries", headline(results[-1]), {"results": results}, quick=args.quick)
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
