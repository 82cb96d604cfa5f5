"""`timeline serve` as a real process: a fresh store is seeded and reports its health over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(database: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", "--port", str(port), "--database", database],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    drain = threading.Thread(target=lambda: process.stdout.read(), daemon=True)
    try:
        # The server prints its address once it is listening: wait for that line, not for time to pass.
        for line in process.stdout:
            if line.startswith("Timeline on http://"):
                break
        else:
            pytest.fail(f"server exited with {process.wait()} before listening")
        # Keep draining its log so that a full pipe never stalls the server.
        drain.start()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        if drain.ident is not None:  # started
            drain.join(timeout=30)
        process.stdout.close()


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        return json.loads(response.read())


def test_serve_seeds_an_empty_store_and_healthz_reports_it(server):
    health = get_json(f"{server}/healthz")
    assert (health["status"], health["facts"], health["position"]) == ("ok", 30, 31)
    # The views are brought up to the log before the server starts listening.
    assert health["views"] == {"documents": {"position": 31, "lag": 0}, "facts": {"position": 31, "lag": 0}}
