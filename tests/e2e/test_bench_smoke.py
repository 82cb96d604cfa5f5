"""scripts/bench.py keeps working: a tiny run prints every figure with its baseline and ratio."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
FIGURES = [
    "batched import (timeline load)",
    "HTTP single-fact POST, 32 clients",
    "rebuild of the facts view",
    "GET .../status, 32 clients",
    "status p99 (minimal app's p99 / ours)",  # inverted, so that higher is better like every other ratio
    "GET .../status, every read computed",  # a new query string each time: no answer-cache hits
    "GET .../timeline?limit=50, 32 clients",
    "status reads with 10% writes",
    "GET .../status at 300 vs 300 events",  # the reads at N events against the same reads at (up to) 10,000
    "status computed at 300 vs 300 events",
    "GET .../timeline at 300 vs 300 events",
]
HTTP_FIGURES = ("writes", "status", "status_computed", "timeline", "mixed", "minimal_app")


def test_a_tiny_benchmark_prints_every_figure_beside_its_baseline(tmp_path):
    output = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--events", "300", "--seconds", "3", "--requests", "64", "--json", str(output)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in FIGURES:
        assert name in result.stdout
    report = json.loads(output.read_text())
    assert [f["name"] for f in report["figures"]] == FIGURES
    assert all(f["value"] > 0 and f["baseline_value"] > 0 and f["ratio"] > 0 for f in report["figures"])
    assert all(report["notes"][name]["errors"] == 0 for name in HTTP_FIGURES)
    assert all(report["notes"][name]["requests"] > 0 for name in HTTP_FIGURES)
    # wrk where the machine has it (scripts/run.py installs it as it installs Chromium); else a warning says so
    assert report["notes"]["load_generator"].startswith("wrk") == (shutil.which("wrk") is not None)
    inverted = report["figures"][FIGURES.index("status p99 (minimal app's p99 / ours)")]
    assert inverted["ratio"] == inverted["baseline_value"] / inverted["value"]
    assert report["notes"]["server_peak_rss_mib"] >= report["notes"]["server_peak_rss_mib_under_load"] > 0
