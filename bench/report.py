"""The JSON each benchmark writes for `python -m bench`, and helpers to make it.

A benchmark run as ``python -m bench.NAME [--quick] --json PATH`` writes to PATH::

    {
      "benchmark": "NAME",
      "quick": false,
      "load_average": 2.1, "cores": 2, "python": "3.11.2", "finished": "2026-...Z",
      "headline": [
        {"figure": "summary of 10,000 reviews (wall)", "value": 812.0, "unit": "ms",
         "baseline": "sumy LexRank, same sentences (est.)", "baseline_value": 5.5e7, "ratio": 1.5e-5,
         "target": "< 1,000 ms and at most 1/20 of the baseline", "met": true,
         "runs": 7, "p50": 812.0, "p95": 990.1, "p99": null}
      ],
      "details": {...}
    }

``value`` is the headline number (a median, when there are runs); ``ratio`` is always ``value /
baseline_value`` (the runner shows ratios under 1 as "1/N"), with the baseline measured in the same run;
``met`` is true or false against ``target``, or null when the figure has no target. Anything else a
benchmark wants to keep goes in ``details``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypedDict


class Figure(TypedDict):
    figure: str
    value: float
    unit: str
    baseline: str | None
    baseline_value: float | None
    ratio: float | None
    target: str | None
    met: bool | None
    runs: int
    p50: float | None
    p95: float | None
    p99: float | None


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figure(
    name: str,
    value: float,
    unit: str,
    *,
    baseline: str | None = None,
    baseline_value: float | None = None,
    target: str | None = None,
    met: bool | None = None,
    runs: int = 1,
    samples: Sequence[float] = (),
) -> Figure:
    """One headline figure; with ``samples``, their p50, p95 (from 5 samples on) and p99 (from 50 on)."""
    return Figure(
        figure=name,
        value=value,
        unit=unit,
        baseline=baseline,
        baseline_value=baseline_value,
        ratio=value / baseline_value if baseline_value else None,
        target=target,
        met=met,
        runs=runs,
        p50=percentile(samples, 0.5) if samples else None,
        p95=percentile(samples, 0.95) if len(samples) >= 5 else None,
        p99=percentile(samples, 0.99) if len(samples) >= 50 else None,
    )


def write(path: Path, benchmark: str, headline: Sequence[Figure], details: Any, *, quick: bool = False) -> None:
    """Write the benchmark's JSON (with the load average and the machine) to ``path``."""
    document = {
        "benchmark": benchmark,
        "quick": quick,
        "load_average": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "headline": list(headline),
        "details": details,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
