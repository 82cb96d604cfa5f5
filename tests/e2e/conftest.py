"""A real server in-process (aiohttp's test server on a real socket) over a real store."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest

from timeline.config import Settings, hash_token
from timeline.http.server import create_app

TOKEN = "test-token-" + uuid.uuid4().hex


@pytest.fixture
def settings(sqlite_database) -> Settings:
    # A read waits for the views to reach what was acknowledged before it (woken, not polled): on a busy machine that
    # can take seconds. The one test of running out of time sets its own.
    return Settings(database=sqlite_database, read_wait_seconds=30)


@pytest.fixture
async def client(aiohttp_client, settings):
    return await aiohttp_client(create_app(settings))


@pytest.fixture
async def secured(aiohttp_client, settings):
    """A server that needs a bearer token for writes."""
    return await aiohttp_client(create_app(dataclasses.replace(settings, token_hashes=(hash_token(TOKEN),))))


def rating(**changes):
    body = {
        "id": str(uuid.uuid4()),
        "type": "rating.published",
        "subject": "force/testshire",
        "occurred": "2019-05-01",
        "data": {"pillar": "effectiveness", "grade": "good", "inspection": "PEEL 2018", "inspectorate": "org/hmic"},
        "source": {"publisher": "HMICFRS", "url": "https://example.org/peel", "published": "2019-05-01", "kind": "official"},
    }
    return body | changes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def run_server() -> Iterator[Callable[..., str]]:
    """Start `timeline serve` as a real process; returns its base URL once it is listening."""
    stops = []

    def start(database: str, **environment: str) -> str:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "timeline", "serve", "--port", str(port), "--database", database],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=os.environ | {"TIMELINE_READ_WAIT_SECONDS": "30"} | environment,  # as the settings fixture: a busy machine
        )
        drain = threading.Thread(target=process.stdout.read, daemon=True)
        stops.append(lambda: _stop(process, drain))
        # The server prints its address once it is listening: wait for that line, not for time to pass.
        for line in process.stdout:
            if line.startswith("Timeline on http://"):
                break
        else:
            pytest.fail(f"server exited with {process.wait()} before listening")
        # Keep draining its log so that a full pipe never stalls the server.
        drain.start()
        return f"http://127.0.0.1:{port}"

    yield start
    for stop in stops:
        stop()


def _stop(process: subprocess.Popen, drain: threading.Thread) -> None:
    stop_server(process, drain)


def stop_server(process: subprocess.Popen, drain: threading.Thread, output: list[str] | None = None) -> None:
    """SIGTERM, then wait; a server that does not stop is made to print its threads' stacks, killed, and reported."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGUSR1)  # faulthandler: every thread's stack, into the captured output
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        if drain.ident is not None:
            drain.join(timeout=30)
        process.stdout.close()
        pytest.fail("the server did not stop within 30 s of SIGTERM:\n" + "".join(output or [])[-8000:])
    if drain.ident is not None:  # started
        drain.join(timeout=30)
    process.stdout.close()
