"""Kill the server with SIGKILL mid-write, again and again: nothing acknowledged is lost, nothing is half-stored."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import open_store
from tests.e2e.conftest import free_port, rating
from tests.tables import dump_view
from timeline.application import Timeline
from timeline.facts import Fact

TRIALS = 20
WRITERS = 4
BATCH = 3


def start(database: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", "--no-seed", "--port", str(port), "--database", database],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    for line in process.stdout:
        if line.startswith("Timeline on http://"):
            return process, f"http://127.0.0.1:{port}"
    raise AssertionError(f"server exited with {process.wait()} before listening")


def post(url: str, body: object) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_acknowledged_facts_survive_sigkill_exactly_once_and_views_equal_a_rebuild(database, report):
    rng = random.Random(20170302)
    acknowledged: set[str] = set()
    unacknowledged: list[list[str]] = []
    lock = threading.Lock()

    for _ in range(TRIALS):
        process, base = start(database)
        flowing = threading.Event()
        drain = threading.Thread(target=process.stdout.read, daemon=True)
        drain.start()

        def write(base: str = base, flowing: threading.Event = flowing) -> None:
            while True:
                batch = [rating(id=str(uuid.uuid4())) for _ in range(BATCH)]
                ids = [b["id"] for b in batch]
                try:
                    status = post(f"{base}/v1/facts", batch)
                except (urllib.error.URLError, ConnectionError, OSError):
                    with lock:
                        unacknowledged.append(ids)
                    return
                with lock:
                    assert status == 201
                    acknowledged.update(ids)
                flowing.set()

        writers = [threading.Thread(target=write) for _ in range(WRITERS)]
        for writer in writers:
            writer.start()
        assert flowing.wait(timeout=30)
        # The random moment to kill at, somewhere in the next half second of writing (not a synchronisation).
        threading.Event().wait(rng.uniform(0.0, 0.5))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        for writer in writers:
            writer.join(timeout=30)
        drain.join(timeout=30)
        process.stdout.close()

    timeline = Timeline(database)
    try:
        recorded = Counter(str(e.event.originator_id) for e in timeline.iter_log() if isinstance(e.event, Fact.Recorded))
        store = open_store(database)
        try:
            runner = ProjectionRunner(store, timeline.log, all_projections())
            runner.setup()
            runner.catch_up()
            live = {name: dump_view(runner, name) for name in runner.projections}
            for name in runner.projections:
                runner.rebuild(name)
            rebuilt = {name: dump_view(runner, name) for name in runner.projections}
        finally:
            store.close()
    finally:
        timeline.close()

    assert all(recorded[fact_id] == 1 for fact_id in acknowledged), "an acknowledged fact is missing or doubled"
    assert max(recorded.values()) == 1
    half_stored = [ids for ids in unacknowledged if 0 < sum(recorded[i] for i in ids) < len(ids)]
    assert half_stored == []
    assert live == rebuilt
    found = sum(recorded[fact_id] for fact_id in acknowledged)
    unacked_stored = sum(1 for ids in unacknowledged if recorded[ids[0]])
    report.append(
        f"crash safety [{'postgres' if database.startswith('postgres') else 'sqlite'}]: "
        f"{TRIALS} SIGKILL trials, {len(acknowledged)} facts acknowledged, {found} found exactly once; "
        f"{len(unacknowledged)} batches cut off, {unacked_stored} of them stored whole, none in part"
    )

