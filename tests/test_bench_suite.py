"""`python -m bench`: the runner reports every benchmark however it ends, and the new benchmarks still run (they
measure nothing here and no timing is checked; what is checked is what they count)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.__main__ import Benchmark, run_one, table
from bench.reminders import PG_ENV
from bench.report import figure
from tests.processes import ROOT

FAKES = {
    "fake_ok": """
        import json, sys
        from bench.report import figure, write
        from pathlib import Path
        write(Path(sys.argv[sys.argv.index("--json") + 1]), "fake_ok",
              [figure("speed", 2.0, "ms", baseline="slow way", baseline_value=8.0, target="< 5 ms", met=True,
                      runs=3, samples=[1.0, 2.0, 3.0])], {})
    """,
    "fake_bare": """
        import json, sys
        open(sys.argv[sys.argv.index("--json") + 1], "w").write(json.dumps({"results": [1, 2]}))
    """,
    "fake_broken": """
        raise SystemExit("the database is gone")
    """,
    "fake_old": """
        import argparse
        argparse.ArgumentParser().parse_args()
    """,
}


@pytest.fixture
def fakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, source in FAKES.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}:{ROOT}")
    logs = tmp_path / "logs"
    logs.mkdir()
    return logs


def test_the_runner_reports_every_benchmark_however_it_ends(fakes: Path) -> None:
    outcomes = [run_one(Benchmark(name, name), False, fakes, 60, module=name) for name in FAKES]
    assert [o.status for o in outcomes] == ["ok", "no headline", "failed", "failed"]
    assert outcomes[0].headline[0]["ratio"] == 0.25
    assert outcomes[1].note == "JSON keys: results"
    assert "the database is gone" in outcomes[2].note
    assert "does not take these options yet" in outcomes[3].note
    shown = table(outcomes)
    assert "1/4" in shown
    assert "met" in shown
    assert "NO HEADLINE: JSON keys: results" in shown
    assert "FAILED" in shown


def test_a_benchmark_that_runs_too_long_is_stopped(fakes: Path) -> None:
    (fakes.parent / "fake_slow.py").write_text("import time\ntime.sleep(60)\n")
    outcome = run_one(Benchmark("fake_slow", "sleeps"), True, fakes, 1, module="fake_slow")
    assert outcome.status == "timed out"


def test_a_figure_is_its_ratio_to_the_baseline_with_percentiles_when_there_are_enough_runs() -> None:
    few = figure("x", 10.0, "ms", baseline_value=5.0, samples=[1.0, 2.0, 3.0])
    assert few["ratio"] == 2.0
    assert (few["p50"], few["p95"], few["p99"]) == (2.0, None, None)
    many = figure("x", 1.0, "ms", samples=[float(n) for n in range(1, 101)])
    assert many["ratio"] is None
    assert (many["p50"], many["p95"], many["p99"]) == (51.0, 95.0, 99.0)


def bench(module: str, *arguments: str, tmp_path: Path) -> dict[str, object]:
    result = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *arguments, "--json", str(result)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    document: dict[str, object] = json.loads(result.read_text())
    return document


def test_reminders_due_at_once_are_each_posted_exactly_once(tmp_path: Path) -> None:
    """On SQLite by one bot process, and on PostgreSQL (when the tests have it) by two sharing the queue."""
    arguments = ["--quick", "--backend", "both", "--parties", "40", "--guilds", "3", "--lead", "3"]
    document = bench("reminders", *arguments, tmp_path=tmp_path)
    results = document["details"]["results"]  # type: ignore[index]
    assert [r["processes"] for r in results] == ([1, 2] if os.environ.get(PG_ENV) else [1])
    for result in results:
        assert (result["posted"], result["not_posted"], result["duplicates"]) == (40, 0, 0)
        assert result["states"] == {"sent": 40}
    assert {f["figure"].split(" (")[0] for f in document["headline"]} == {  # type: ignore[attr-defined]
        "reminders: duplicates",
        "reminders: due → posted",
        "reminders: posted per second",
        "reminders: per second of bot CPU",
    }


def test_memory_is_read_from_the_bot_process_at_scale_and_at_the_baseline(tmp_path: Path) -> None:
    document = bench("memory", "--quick", "--guilds", "3", "--reviews", "300", "--exercised", "1", tmp_path=tmp_path)
    details = document["details"]
    for variant in ("baseline", "scale"):
        measured = details[variant]  # type: ignore[index]
        assert measured["commands"] == 5
        assert 0 < measured["connected_mb"]["VmRSS"] <= measured["after_commands_mb"]["VmHWM"]
    assert len(document["headline"]) == 3  # type: ignore[arg-type]
