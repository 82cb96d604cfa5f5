"""scripts/bench.py keeps working: a tiny run prints every figure with its baseline and ratio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
FIGURES = [
    "batched import (timeline load)",
    "HTTP single-fact POST, 32 clients",
    "rebuild of the facts view",
    "GET .../status, 32 clients",
    "GET .../status, every read computed",  # a new query string each time: no answer-cache hits
    "GET .../timeline?limit=50, 32 clients",
    "GET .../status at 300 vs 300 events",  # the reads at N events against the same reads at (up to) 10,000
    "status computed at 300 vs 300 events",
    "GET .../timeline at 300 vs 300 events",
]


def test_a_tiny_benchmark_prints_every_figure_beside_its_baseline(tmp_path):
    output = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--events", "300", "--requests", "64", "--json", str(output)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for name in FIGURES:
        assert name in result.stdout
    report = json.loads(output.read_text())
    assert [f["name"] for f in report["figures"]] == FIGURES
    assert all(f["value"] > 0 and f["baseline_value"] > 0 and f["ratio"] > 0 for f in report["figures"])
    assert all(report["notes"][name]["errors"] == 0 for name in ("writes", "status", "status_uncached", "timeline"))
    assert report["notes"]["server_peak_rss_mib"] >= report["notes"]["server_peak_rss_mib_under_load"] > 0
