"""A short soak: a mixed read/write load on a real server process, with no errors, no descriptor leak,
and memory that settles after warm-up (scripts/soak.py runs the same load for minutes)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from pathlib import Path

from tests.e2e.conftest import free_port, stop_server

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


def load_soak_module():
    spec = importlib.util.spec_from_file_location("soak", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_a_short_soak_has_no_errors_no_descriptor_growth_and_rss_growth_under_10_percent(sqlite_database, report):
    soak = load_soak_module()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", "--port", str(port), "--database", sqlite_database],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output: list[str] = []
    drain = threading.Thread(target=lambda: output.extend(server.stdout), daemon=True)
    try:
        for line in server.stdout:
            if line.startswith("Timeline on http://"):
                break
        drain.start()
        # Half of it warm-up: a thread pool opens its threads' store connections lazily, and on a busy machine late.
        figures = soak.soak(f"http://127.0.0.1:{port}", server.pid, seconds=14, warmup=7)
    finally:
        stop_server(server, drain, output)
    report.append(figures.summary())
    assert figures.requests > 500
    assert figures.errors == 0
    assert figures.fds_at_end <= figures.fds_after_warmup, figures.summary()
    assert figures.rss_growth < 0.10, figures.summary()
