"""bench.interactions still runs: two interactions of each kind (it measures nothing here; no timing is checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.interactions import SCENARIOS
from tests.processes import ROOT


def test_the_quick_benchmark_runs_every_kind_of_interaction(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    arguments = ["--quick", "--n", "2", "--cold-n", "2", "--concurrency", "1", "2", "--json", str(figures)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.interactions", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = json.loads(figures.read_text())
    rows = written["details"]["results"]
    measured = {(row["interaction"], row["cache"], row["concurrency"]) for row in rows}
    assert measured == {(kind, "warm", c) for kind in SCENARIOS for c in (1, 2)} | {
        (kind, "cold", 1) for kind in SCENARIOS
    }
    headline = {figure["figure"].split(":")[0] for figure in written["headline"]}
    assert headline >= {kind for kind in SCENARIOS if kind != "/about"}  # each kind's CPU against /about
