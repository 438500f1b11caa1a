"""The benchmark suite: every benchmark, each in a process of its own, and one table of headline figures.

    python -m bench [--quick] [--only NAME ...] [--json data/bench.json] [--logs data/bench-logs]

Each benchmark runs as ``python -m bench.NAME [--quick] --json FILE`` (a clean process, so memory figures
are honest) and writes the JSON that bench/report.py describes; the table shows each headline figure with
its same-run baseline and ratio, percentiles, runs, target and whether it was met. A benchmark that fails,
times out or writes no headline is reported as such and the others go on. Each one's output is kept in
the log directory. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Benchmark:
    name: str
    what: str
    suite: tuple[str, ...] = ()  # arguments in full mode, where the suite runs it smaller than its own default


BENCHMARKS = (
    Benchmark(
        "interactions", "bot CPU and latency per interaction, through the stand-in", ("--n", "200", "--cold-n", "20")
    ),
    Benchmark("summaries", "film summaries against sumy's LexRank"),
    Benchmark("ask", "question answering: accuracy and answer time", ("--films", "50000")),
    Benchmark("autocomplete", "title autocomplete and resolve latency"),
    Benchmark("imdb_import", "IMDb importer throughput and memory"),
    Benchmark("reminders", "watch-party reminders all due at once: sent once each, and how late"),
    Benchmark("memory", "the bot's resident memory with 1,000 servers and 100,000 reviews"),
)
NAMES = [b.name for b in BENCHMARKS]
TIMEOUT = {True: 120.0, False: 900.0}  # seconds per benchmark, quick and full


@dataclass
class Outcome:
    name: str
    status: str  # "ok", "failed", "timed out", "no headline"
    seconds: float
    log: Path
    report: dict[str, Any] | None = None
    note: str = ""
    headline: list[dict[str, Any]] = field(default_factory=list)


def run_one(benchmark: Benchmark, quick: bool, logs: Path, timeout: float, module: str | None = None) -> Outcome:
    """Run one benchmark in its own process group (so a time-out ends its children too) and read its JSON."""
    log = logs / f"{benchmark.name}.log"
    with tempfile.TemporaryDirectory(prefix=f"bench-{benchmark.name}-") as tmp:
        result = Path(tmp) / "result.json"
        command = [sys.executable, "-m", module or f"bench.{benchmark.name}"]
        command += ["--quick"] if quick else list(benchmark.suite)
        command += ["--json", str(result)]
        started = time.perf_counter()
        with log.open("w") as out:
            out.write(f"$ {' '.join(command)}\n")
            out.flush()
            process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                code: int | None = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                code = None
        seconds = time.perf_counter() - started
        if code is None:
            return Outcome(benchmark.name, "timed out", seconds, log, note=f"stopped after {timeout:.0f} s")
        if code != 0:
            return Outcome(benchmark.name, "failed", seconds, log, note=failure(log, code))
        try:
            report = json.loads(result.read_text())
        except (OSError, ValueError) as error:
            return Outcome(benchmark.name, "failed", seconds, log, note=f"no JSON written ({error})")
    headline = report.get("headline") if isinstance(report, dict) else None
    if not headline:
        keys = ", ".join(report) if isinstance(report, dict) else type(report).__name__
        return Outcome(benchmark.name, "no headline", seconds, log, report, note=f"JSON keys: {keys}")
    return Outcome(benchmark.name, "ok", seconds, log, report, headline=headline)


def failure(log: Path, code: int) -> str:
    """Why a benchmark failed, in a line: an option it does not take yet, else the last line of its output."""
    lines = [line for line in log.read_text(errors="replace").splitlines()[1:] if line.strip()]
    for line in lines:
        if "unrecognized arguments" in line:
            return f"does not take these options yet ({line.split(': error: ')[-1]})"
    return f"exit status {code}: {lines[-1] if lines else 'no output'}"


def number(value: Any) -> str:
    if value is None:
        return "-"
    if not isinstance(value, int | float):
        return str(value)
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def ratio(value: Any) -> str:
    """Ratios under 1 as "1/N" (the figure is N times smaller than its baseline), others as "N×"."""
    if not isinstance(value, int | float) or value <= 0:
        return "-"
    return f"1/{number(1 / value)}" if value < 1 else f"{number(value)}×"


def met(value: Any) -> str:
    return {True: "met", False: "MISSED"}.get(value, "-")


COLUMNS = ("benchmark", "figure", "value", "p50", "p95", "p99", "runs", "baseline", "ratio", "target", "")


def table(outcomes: Sequence[Outcome]) -> str:
    """One row per headline figure; a benchmark that did not report gets one line saying why."""
    rows: dict[str, list[tuple[str, ...]]] = {}
    for outcome in outcomes:
        rows[outcome.name] = []
        for f in outcome.headline:
            unit = f.get("unit") or ""
            baseline = f"{number(f.get('baseline_value'))} {unit}".strip() if f.get("baseline_value") else "-"
            rows[outcome.name].append(
                (
                    outcome.name,
                    str(f.get("figure", "?")),
                    f"{number(f.get('value'))} {unit}".strip(),
                    number(f.get("p50")),
                    number(f.get("p95")),
                    number(f.get("p99")),
                    number(f.get("runs")),
                    baseline,
                    ratio(f.get("ratio")),
                    str(f.get("target") or "-"),
                    met(f.get("met")),
                )
            )
    cells = [row for figures in rows.values() for row in figures]
    widths = [max([len(column), *(len(row[i]) for row in cells)]) for i, column in enumerate(COLUMNS)]
    right = {2, 3, 4, 5, 6, 7, 8}  # numbers
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip()]
    for outcome in outcomes:
        if outcome.status != "ok":
            lines.append(f"{outcome.name.ljust(widths[0])}  {outcome.status.upper()}: {outcome.note}")
        for row in rows[outcome.name]:
            pairs = enumerate(zip(row, widths, strict=True))
            lines.append("  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in pairs).rstrip())
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="each benchmark's quick mode (under a minute in all)")
    parser.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME", help=f"only these: {', '.join(NAMES)}")
    parser.add_argument("--json", type=Path, default=ROOT / "data" / "bench.json", help="where the suite's JSON goes")
    parser.add_argument("--logs", type=Path, default=ROOT / "data" / "bench-logs", help="each benchmark's output")
    parser.add_argument("--timeout", type=float, help="seconds each benchmark may take (120 quick, 900 full)")
    args = parser.parse_args(argv)
    chosen = [b for b in BENCHMARKS if not args.only or b.name in args.only]
    timeout = args.timeout or TIMEOUT[args.quick]
    args.logs.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
    mode = "quick" if args.quick else "full"
    print(f"python -m bench ({mode}): {len(chosen)} benchmarks; load average {load_before:.1f}, {os.cpu_count()} cores")
    started = time.perf_counter()
    outcomes = []
    for benchmark in chosen:
        print(f"  {benchmark.name:<13} {benchmark.what} ...", end="", flush=True)
        outcome = run_one(benchmark, args.quick, args.logs, timeout)
        outcomes.append(outcome)
        print(f" {outcome.status} in {outcome.seconds:.0f} s")
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    print(f"\n{table(outcomes)}\n")
    print(f"{seconds:.0f} s in all; load average {load_before:.1f} before, {load_after:.1f} after; logs in {args.logs}")
    document = {
        "mode": mode,
        "seconds": round(seconds, 1),
        "load_average": {"before": load_before, "after": load_after},
        "cores": os.cpu_count(),
        "benchmarks": [
            {
                "name": o.name,
                "status": o.status,
                "note": o.note,
                "seconds": round(o.seconds, 1),
                "log": str(o.log),
                "report": o.report,
            }
            for o in outcomes
        ],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0 if all(o.status == "ok" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
