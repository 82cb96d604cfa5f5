#!/usr/bin/env python3
"""Benchmark Timeline against baselines measured in the same run, on the same machine.

    python scripts/bench.py --events 100000 [--database postgresql://...] [--json bench.json]

Every figure is printed beside its baseline and their ratio, because absolute numbers on a
shared two-core machine say little. Baselines: raw sqlite3 + orjson inserts (batched, and one
row per commit), a raw scan + orjson.loads of the same rows, and a minimal aiohttp app answering
a fixed orjson body under the same load generator.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Self

import aiohttp
import orjson

PILLARS = ["effectiveness", "efficiency", "legitimacy"]
GRADES = ["outstanding", "good", "requires-improvement", "inadequate"]
STANCES = ["welcomes", "refutes", "disputes", "commits", "acknowledges"]
FORCES = [f"force/force-{n:02d}" for n in range(43)]
SMALL_STORE = 10_000  # events in the store the read figures are compared with


# The corpus


def corpus(events: int, seed: int) -> list[dict]:
    """Years of PEEL ratings, reports, findings and statements for 43 forces, deterministic by seed."""
    rng, facts, year = random.Random(seed), [], 2014
    source = {"publisher": "HMICFRS", "url": "https://example.org/peel", "published": "2020-01-01", "kind": "official"}
    while len(facts) < events:
        for force in FORCES:
            slug = force.split("/")[1]
            report = f"report/peel-{year}-{slug}"
            day = f"{year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            facts.append(_fact(rng, "report.published", report, day, {"title": f"PEEL {year}: {slug}", "issued_by": "org/hmicfrs"}, source))
            for pillar in PILLARS:
                data = {"pillar": pillar, "grade": rng.choice(GRADES), "inspection": f"PEEL {year}", "inspectorate": "org/hmicfrs"}
                facts.append(_fact(rng, "rating.published", force, day, data, source, [report]))
            for _ in range(rng.randrange(2, 5)):
                data = {"report": report, "nature": rng.choice(["concern", "strength"]), "summary": "a finding " * rng.randrange(2, 12)}
                facts.append(_fact(rng, "finding.reported", force, day, data, source))
            for _ in range(rng.randrange(1, 4)):
                data = {"speaker": f"person/chief-{slug}", "role": "Chief Constable", "stance": rng.choice(STANCES), "summary": "said " * 8}
                press = source | {"publisher": "Local Paper", "kind": "press"}
                facts.append(_fact(rng, "statement.made", force, rng.choice([day, f"{year}", f"{year}-21"]), data, press))
        year += 1
    return facts[:events]


def _fact(rng, fact_type, subject, occurred, data, source, mentions=()):
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "type": fact_type, "subject": subject, "occurred": occurred, "data": data,
        "mentions": list(mentions), "source": source,
    }


# Measuring


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: str
    baseline_value: float
    target: float | None  # the lowest acceptable ratio, where the issue sets one

    @property
    def ratio(self) -> float:
        return self.value / self.baseline_value if self.baseline_value else float("nan")


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - started, result


def raw_rows(facts: list[dict]) -> list[tuple]:
    return [(f["id"], 1, "fact.recorded", orjson.dumps(f)) for f in facts]


def baseline_batched_inserts(folder: Path, rows: list[tuple]) -> float:
    conn = sqlite3.connect(folder / "raw-batched.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE events (id TEXT, version INTEGER, topic TEXT, state BLOB, PRIMARY KEY (id, version))")
    started = time.perf_counter()
    for start in range(0, len(rows), 1000):
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", rows[start : start + 1000])
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def baseline_row_per_commit(folder: Path, rows: list[tuple]) -> float:
    conn = sqlite3.connect(folder / "raw-single.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE events (id TEXT, version INTEGER, topic TEXT, state BLOB, PRIMARY KEY (id, version))")
    started = time.perf_counter()
    for row in rows:
        conn.execute("BEGIN")
        conn.execute("INSERT INTO events VALUES (?, ?, ?, ?)", row)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return len(rows) / elapsed


def baseline_scan_decode(folder: Path) -> float:
    conn = sqlite3.connect(folder / "raw-batched.sqlite3")
    started = time.perf_counter()
    count = sum(1 for (state,) in conn.execute("SELECT state FROM events ORDER BY rowid") if orjson.loads(state))
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed


async def load_generator(url: str, paths: list[str], requests: int, concurrency: int, post_bodies: list | None = None) -> dict:
    """Send `requests` requests from `concurrency` clients; requests/s and latency percentiles."""
    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    async with aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=concurrency)) as http:

        async def client() -> None:
            nonlocal errors
            for n in counter:
                started = time.perf_counter()
                if post_bodies is not None:
                    request = http.post(paths[0], data=post_bodies[n], headers={"Content-Type": "application/json"})
                else:
                    request = http.get(paths[n % len(paths)])
                async with request as response:
                    await response.read()
                    errors += response.status >= 400
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"rps": requests / elapsed, "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000, "errors": errors}


async def rebuild_on_server(url: str) -> None:
    """Ask the server to rebuild the facts view, and wait until it has swapped it in."""
    async with aiohttp.ClientSession(url) as http:
        async with http.post("/v1/projections/facts/rebuild") as response:
            assert response.status == 202, await response.text()
        while True:
            async with http.get("/v1/projections") as response:
                listed = await response.json()
            if not any(p["rebuilding"] for p in listed["projections"]):
                return
            await asyncio.sleep(0.5)  # polling a long rebuild from the outside: no event to wait on


MINIMAL_APP = """
import sys, orjson
from aiohttp import web
body = orjson.dumps({"status": "ok", "facts": [1, 2, 3], "position": 31})
async def answer(request):
    return web.Response(body=body, content_type="application/json")
app = web.Application()
app.router.add_get("/{tail:.*}", answer)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=lambda *_: print("listening", flush=True), access_log=None)
"""


class Server:
    """A server process, started and watched (RSS) for the length of a `with` block."""

    def __init__(self, args: list[str], ready: str, environment: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ | (environment or {}))
        for line in self.process.stdout:
            if ready in line:
                break
        else:
            raise RuntimeError(f"{args[:4]} exited before it was ready")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def peak_rss_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(events: int, database: str | None, seed: int, requests: int, folder: Path) -> tuple[list[Figure], dict]:
    from projections import all_projections
    from projections.runner import ProjectionRunner
    from projections.store import open_store
    from timeline.app import Timeline
    from timeline.loader import read_record_file, store_record_file
    from timeline.storage import is_postgres

    notes: dict = {}
    facts = corpus(events, seed)
    rows = raw_rows(facts)
    corpus_file = folder / "corpus.ndjson"
    corpus_file.write_bytes(b"\n".join(orjson.dumps(f) for f in facts) + b"\n")
    database = database or str(folder / "timeline.sqlite3")

    batched = baseline_batched_inserts(folder, rows)
    single = baseline_row_per_commit(folder, rows[: min(len(rows), 2000)])
    scan = baseline_scan_decode(folder)

    timeline = Timeline(database)
    elapsed, _ = timed(lambda: store_record_file(timeline, read_record_file(corpus_file)))
    imported = events / elapsed
    store = open_store(database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    runner.setup()
    runner.catch_up()
    elapsed, _ = timed(runner.rebuild, "facts")
    rebuilt = timeline.head() / elapsed
    store.close()
    timeline.close()

    del facts, rows  # a million of each is gigabytes the servers below could use

    port, minimal_port = free_port(), free_port()
    posts = [orjson.dumps(f) for f in corpus(requests, seed + 1)]  # other ids than the imported corpus
    # The forces the small store names too (its corpus is a prefix of this one): an unnamed subject is a 404.
    forces = sorted({f["subject"] for f in corpus(min(events, SMALL_STORE), seed) if f["subject"] in FORCES})
    status_paths = [f"/v1/subjects/{force}/status" for force in forces]
    timeline_paths = [f"/v1/subjects/{force}/timeline?limit=50" for force in forces]
    # A query string seen once misses the server's answer cache: every one of these is computed.
    # Each as of another day after every fact: the same status, but a key the answer cache has not seen.
    uncached_paths = [
        f"/v1/subjects/{forces[n % len(forces)]}/status?as_of={dt.date(2100, 1, 1) + dt.timedelta(days=n)}" for n in range(requests)
    ]
    with Server([sys.executable, "-c", MINIMAL_APP, str(minimal_port)], "listening"):
        base = asyncio.run(load_generator(f"http://127.0.0.1:{minimal_port}", ["/x"], requests, 32))

    # The same reads on a small store, to show whether their cost grows with the log.
    small = str(folder / "small.sqlite3")
    if is_postgres(database):
        small = database.replace("schema=", "schema=small_") if "schema=" in database else f"{database}{'&' if '?' in database else '?'}schema=bench_small"
    small_events = min(events, SMALL_STORE)
    small_file = folder / "small.ndjson"
    small_file.write_bytes(b"\n".join(orjson.dumps(f) for f in corpus(small_events, seed)) + b"\n")
    small_timeline = Timeline(small)
    store_record_file(small_timeline, read_record_file(small_file))
    small_timeline.close()
    with Server([sys.executable, "-m", "timeline", "serve", "--no-seed", "--port", str(port), "--database", small],
                "Timeline on http://"):
        url = f"http://127.0.0.1:{port}"
        small_status = asyncio.run(load_generator(url, status_paths, requests, 32))
        small_uncached = asyncio.run(load_generator(url, uncached_paths, requests, 32))
        small_timeline_reads = asyncio.run(load_generator(url, timeline_paths, requests, 32))

    with Server([sys.executable, "-m", "timeline", "serve", "--no-seed", "--port", str(port), "--database", database],
                "Timeline on http://") as server:
        url = f"http://127.0.0.1:{port}"
        status = asyncio.run(load_generator(url, status_paths, requests, 32))
        uncached = asyncio.run(load_generator(url, uncached_paths, requests, 32))
        timeline_reads = asyncio.run(load_generator(url, timeline_paths, requests, 32))
        writes = asyncio.run(load_generator(url, ["/v1/facts"], requests, 32, post_bodies=posts))
        notes["server_peak_rss_mib_under_load"] = server.peak_rss_mib()
        elapsed, _ = timed(lambda: asyncio.run(rebuild_on_server(url)))
        notes["server_rebuild_seconds"] = elapsed
        notes["server_peak_rss_mib"] = server.peak_rss_mib()
    notes.update({"minimal_app": base, "writes": writes, "status": status, "timeline": timeline_reads,
                  "status_uncached": uncached, "status_uncached_small": small_uncached,
                  "small_store_events": small_events, "status_small": small_status, "timeline_small": small_timeline_reads})

    figures = [
        Figure("batched import (timeline load)", imported, "events/s", "raw sqlite3 executemany, 1000 a transaction", batched, 0.6),
        Figure("HTTP single-fact POST, 32 clients", writes["rps"], "writes/s", "raw sqlite3, one row a commit", single, 0.5),
        Figure("rebuild of the facts view", rebuilt, "events/s", "raw scan + orjson.loads", scan, 0.25),
        Figure("GET .../status, 32 clients", status["rps"], "requests/s", "minimal aiohttp app", base["rps"], 0.6),
        Figure("GET .../status, every read computed", uncached["rps"], "requests/s", "minimal aiohttp app", base["rps"], None),
        Figure("GET .../timeline?limit=50, 32 clients", timeline_reads["rps"], "requests/s", "minimal aiohttp app", base["rps"], None),
        Figure(f"GET .../status at {events:,} vs {small_events:,} events", status["rps"], "requests/s",
               f"the same reads at {small_events:,} events", small_status["rps"], 1 / 1.2),
        Figure(f"status computed at {events:,} vs {small_events:,} events", uncached["rps"], "requests/s",
               f"the same reads at {small_events:,} events", small_uncached["rps"], 1 / 1.2),
        Figure(f"GET .../timeline at {events:,} vs {small_events:,} events", timeline_reads["rps"], "requests/s",
               f"the same reads at {small_events:,} events", small_timeline_reads["rps"], 1 / 1.2),
    ]
    return figures, notes


def table(figures: list[Figure], notes: dict) -> str:
    lines = [
        f"{'figure':<40} {'value':>12} {'baseline':>12} {'ratio':>7} {'target':>7}  baseline is",
        "-" * 120,
    ]
    for f in figures:
        target = f">={f.target:.2f}" if f.target is not None else ""
        lines.append(f"{f.name:<40} {f.value:>12,.0f} {f.baseline_value:>12,.0f} {f.ratio:>7.2f} {target:>7}  {f.baseline} ({f.unit})")
    for name in ("status", "status_uncached", "timeline", "status_small", "status_uncached_small", "timeline_small", "writes", "minimal_app"):
        n = notes[name]
        lines.append(f"latency {name:<32} p50 {n['p50_ms']:.1f} ms, p99 {n['p99_ms']:.1f} ms, errors {n['errors']}")
    lines.append(
        f"server peak RSS: {notes['server_peak_rss_mib_under_load']:.0f} MiB under load, "
        f"{notes['server_peak_rss_mib']:.0f} MiB after a rebuild of the facts view ({notes['server_rebuild_seconds']:.0f} s)"
    )
    return "\n".join(lines)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="corpus size (default 100,000)")
    parser.add_argument("--database", help="a postgresql:// URL to bench instead of a fresh SQLite file")
    parser.add_argument("--requests", type=int, default=2000, help="requests per HTTP figure (default 2,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as folder:
        figures, notes = run(args.events, args.database, args.seed, args.requests, Path(folder))
    print(f"Timeline benchmark: {args.events:,} events on {machine()}")
    print(table(figures, notes))
    if args.json:
        payload = {"events": args.events, "machine": machine(), "figures": [asdict(f) | {"ratio": f.ratio} for f in figures], "notes": notes}
        args.json.write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
