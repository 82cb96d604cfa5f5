#!/usr/bin/env python3
"""Benchmark Timeline against baselines measured in the same run, on the same machine.

    python scripts/bench.py --events 100000 [--database postgresql://...] [--json bench.json]

Every figure is printed beside its baseline and their ratio, because absolute numbers on a
shared two-core machine say little. Baselines: raw sqlite3 + orjson inserts (batched, and one
row per commit), a raw scan + orjson.loads of the same rows, and a minimal aiohttp app answering
a fixed orjson body under the same load generator. With a postgresql:// database, the raw
baselines are psycopg's (COPY, batched inserts, one row per commit, scan and decode) and the
status reads are also compared with the same reads on SQLite.

HTTP figures come from wrk (Debian's package; installed here when missing and running as root),
one thread and 32 connections for --seconds each. A Python load generator saturates before the
minimal app does and so flatters the server; it is used only where wrk cannot be had, with a
warning, and the report says so.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
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
    inverted: bool = False  # for times, where lower is better: the ratio is baseline / value
    inverted_target: float | None = None

    def __post_init__(self) -> None:
        if self.inverted:
            self.target = self.inverted_target

    @property
    def ratio(self) -> float:
        top, bottom = (self.baseline_value, self.value) if self.inverted else (self.value, self.baseline_value)
        return top / bottom if bottom else float("nan")


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


def postgres_baselines(url: str, rows: list[tuple], single_rows: int) -> dict[str, float]:
    """psycopg's raw figures on the same server: COPY, 1000-row batched inserts, one row per commit,
    and a scan with orjson.loads, in a schema of their own that is dropped afterwards."""
    import psycopg

    from timeline.storage.postgres import conninfo

    schema = f"bench_raw_{uuid.uuid4().hex[:8]}"
    figures: dict[str, float] = {}
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            conn.execute(f'SET search_path TO "{schema}"')
            for table in ("copied", "batched", "single"):
                conn.execute(f"CREATE TABLE {table} (id TEXT, version INTEGER, topic TEXT, state BYTEA, PRIMARY KEY (id, version))")
            started = time.perf_counter()
            with conn.transaction(), conn.cursor().copy("COPY copied (id, version, topic, state) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            figures["copy"] = len(rows) / (time.perf_counter() - started)
            started = time.perf_counter()
            with conn.cursor() as cursor:
                for start in range(0, len(rows), 1000):
                    with conn.transaction():
                        cursor.executemany("INSERT INTO batched VALUES (%s, %s, %s, %s)", rows[start : start + 1000])
            figures["batched"] = len(rows) / (time.perf_counter() - started)
            started = time.perf_counter()
            for row in rows[:single_rows]:
                conn.execute("INSERT INTO single VALUES (%s, %s, %s, %s)", row)  # autocommit: one row a commit
            figures["single"] = single_rows / (time.perf_counter() - started)
            started = time.perf_counter()
            with conn.cursor("scan") as cursor, conn.transaction():
                cursor.execute("SELECT state FROM copied")
                count = sum(1 for (state,) in cursor if orjson.loads(state))
            figures["scan"] = count / (time.perf_counter() - started)
        finally:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return figures


# Load generators


class Load:
    """What a load generator drives: GETs over `paths` (or, with `as_of_from`, the first path as of a new
    day each request, so that no answer comes from the server's cache), and every `write_every`th
    request a POST of `write_body` with a fresh id in place of `__ID__`."""

    def __init__(self, paths: list[str], *, as_of_from: dt.date | None = None,
                 write_body: bytes | None = None, write_every: int = 0) -> None:
        self.paths, self.as_of_from, self.write_body, self.write_every = paths, as_of_from, write_body, write_every

    def request(self, n: int) -> tuple[str, str, bytes | None]:
        if self.write_every and n % self.write_every == 0:
            assert self.write_body is not None
            fresh = str(uuid.UUID(int=random.getrandbits(128), version=4)).encode()
            return "POST", "/v1/facts", self.write_body.replace(b"__ID__", fresh)
        path = self.paths[n % len(self.paths)]
        if self.as_of_from is not None:
            path += f"?as_of={self.as_of_from + dt.timedelta(days=n)}"
        return "GET", path, None

    def lua(self) -> str:
        """The same load as a wrk script; done() prints one JSON line the bench reads."""
        paths = ", ".join(_lua_string(p) for p in self.paths)
        body = _lua_string(self.write_body.decode()) if self.write_body else "nil"
        as_of = (
            f"os.time({{year={self.as_of_from.year}, month={self.as_of_from.month}, day={self.as_of_from.day}, hour=12}})"
            if self.as_of_from else "nil"
        )
        return f"""
local paths = {{{paths}}}
local body, write_every, as_of = {body}, {self.write_every}, {as_of}
local n, tag = 0, math.random(0, 2147483647)
local json_headers = {{["Content-Type"] = "application/json"}}
request = function()
  n = n + 1
  if write_every > 0 and n % write_every == 0 then
    local id = string.format("%08x-0000-4000-8000-%012x", tag, n)
    return wrk.format("POST", "/v1/facts", json_headers, (body:gsub("__ID__", id)))
  end
  local path = paths[(n % #paths) + 1]
  if as_of then path = path .. "?as_of=" .. os.date("%Y-%m-%d", as_of + n * 86400) end
  return wrk.format("GET", path)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {{"requests": %d, "seconds": %f, "errors": %d, "p50_ms": %f, "p99_ms": %f}}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def _lua_string(text: str) -> str:
    assert text.isascii(), "Lua 5.1 reads no \\u escapes"
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for these (ASCII) texts


def ensure_wrk() -> str | None:
    """wrk's path, installing Debian's package where we can; None, with a warning, where we cannot."""
    found = shutil.which("wrk")
    if not found and shutil.which("apt-get") and os.name == "posix" and os.geteuid() == 0:
        print("installing Debian's wrk for the HTTP figures ...", file=sys.stderr, flush=True)
        env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.call(["apt-get", "install", "-y", "-q", "wrk"], env=env, stdout=subprocess.DEVNULL) != 0:
            subprocess.call(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.call(["apt-get", "install", "-y", "-q", "wrk"], env=env, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        print("WARNING: wrk is not installed and cannot be installed here (apt-get install wrk).\n"
              "         The HTTP figures come from a Python load generator, which saturates before the\n"
              "         server does: they flatter the server and are not comparable with wrk's.",
              file=sys.stderr, flush=True)
    return found


class LoadGenerator:
    """wrk where we have it, else the Python generator; the same Load for both."""

    def __init__(self, wrk: str | None, seconds: float, requests: int, folder: Path) -> None:
        self.wrk, self.seconds, self.requests, self.folder = wrk, seconds, requests, folder
        self.name = "wrk, 1 thread, 32 connections" if wrk else "Python aiohttp client, 32 connections (wrk missing)"

    def run(self, url: str, load: Load) -> dict:
        return self._wrk(url, load) if self.wrk else asyncio.run(_python_load(url, load, self.requests, 32))

    def _wrk(self, url: str, load: Load) -> dict:
        script = self.folder / "load.lua"
        script.write_text(load.lua())
        command = [self.wrk, "-t1", "-c32", f"-d{self.seconds}s", "--timeout", "10s", "-s", str(script), url]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        line = next(line for line in result.stdout.splitlines() if line.startswith("WRK "))
        figures = json.loads(line[4:])
        return {"rps": figures["requests"] / figures["seconds"], "p50_ms": figures["p50_ms"],
                "p99_ms": figures["p99_ms"], "errors": figures["errors"], "requests": figures["requests"]}


async def _python_load(url: str, load: Load, requests: int, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(1, requests + 1))
    async with aiohttp.ClientSession(url, connector=aiohttp.TCPConnector(limit=concurrency)) as http:

        async def client() -> None:
            nonlocal errors
            for n in counter:
                method, path, body = load.request(n)
                started = time.perf_counter()
                headers = {"Content-Type": "application/json"} if body else None
                async with http.request(method, path, data=body, headers=headers) as response:
                    await response.read()
                    errors += response.status >= 400
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {"rps": requests / elapsed, "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000, "errors": errors,
            "requests": requests}


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
        """The server's peak RSS, plus its child processes' (a --projector process): their sum at most."""
        pid = self.process.pid
        # Each thread's children: the projector is started from a worker thread.
        children = [child for task in Path(f"/proc/{pid}/task").iterdir() for child in _read(task / "children").split()]
        return sum(_peak_rss_mib(p) for p in [str(pid), *children])

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:  # a thread or a child that has just ended
        return ""


def _peak_rss_mib(pid: str) -> float:
    for line in _read(Path(f"/proc/{pid}/status")).splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(
    events: int, database: str | None, seed: int, generator: LoadGenerator, folder: Path, projector: str = "thread"
) -> tuple[list[Figure], dict]:
    from projections import all_projections
    from projections.runner import ProjectionRunner
    from projections.store import open_store
    from timeline.application import Timeline
    from timeline.bulk_load import load_record_file
    from timeline.loader import RecordStream
    from timeline.storage import is_postgres

    notes: dict = {"load_generator": generator.name, "projector": projector}
    facts = corpus(events, seed)
    rows = raw_rows(facts)
    corpus_file = folder / "corpus.ndjson"
    corpus_file.write_bytes(b"\n".join(orjson.dumps(f) for f in facts) + b"\n")
    postgres = database is not None and is_postgres(database)
    if postgres:
        assert database is not None
        raw = postgres_baselines(database, rows, min(len(rows), 2000))
        batched, single, scan, copied = raw["batched"], raw["single"], raw["scan"], raw["copy"]
        kind = "psycopg"
    else:
        batched = baseline_batched_inserts(folder, rows)
        single = baseline_row_per_commit(folder, rows[: min(len(rows), 2000)])
        scan = baseline_scan_decode(folder)
        kind = "sqlite3"
    database = database or str(folder / "timeline.sqlite3")

    def import_into(store: str, path: Path) -> float:
        timeline = Timeline(store)
        elapsed, loaded = timed(lambda: load_record_file(timeline, RecordStream(path)))
        timeline.close()
        notes["import_locked_seconds"] = loaded.locked_seconds  # the log's lock held: what other writers wait at most
        return elapsed

    imported = events / import_into(database, corpus_file)
    timeline = Timeline(database)
    store = open_store(database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    runner.setup()  # the views' first generation, at position 0: the rebuild replays the whole log beside it
    elapsed, _ = timed(runner.rebuild, "facts")
    for name in runner.projections.keys() - {"facts"}:  # the other views: a replay is quicker than catching up
        runner.rebuild(name)
    rebuilt = timeline.head() / elapsed
    store.close()
    timeline.close()

    last_year = max(int(fact["occurred"][:4]) for fact in facts)
    del facts, rows  # a million of each is gigabytes the servers below could use

    port, minimal_port = free_port(), free_port()
    write_body = orjson.dumps(corpus(1, seed + 1)[0] | {"id": "__ID__"})  # each write gets a fresh id
    # The forces the small store names too (its corpus is a prefix of this one): an unnamed subject is a 404.
    forces = sorted({f["subject"] for f in corpus(min(events, SMALL_STORE), seed) if f["subject"] in FORCES})
    status = Load([f"/v1/subjects/{force}/status" for force in forces])
    timelines = Load([f"/v1/subjects/{force}/timeline?limit=50" for force in forces])
    # Each as of another day after every fact (the corpus runs a year per 430 events: to 4339 at 1,000,000): the
    # same status, but a key the answer cache has not seen.
    after_every_fact = dt.date(last_year + 1, 1, 1)
    computed = Load([f"/v1/subjects/{force}/status" for force in forces], as_of_from=after_every_fact)
    writes = Load([], write_body=write_body, write_every=1)
    # Reads while one request in ten is a write, so cached answers go stale as in real use.
    mixed = Load(status.paths, write_body=write_body, write_every=10)
    with Server([sys.executable, "-c", MINIMAL_APP, str(minimal_port)], "listening"):
        base = generator.run(f"http://127.0.0.1:{minimal_port}", Load(["/x"]))

    def serve(store: str) -> Server:
        command = [sys.executable, "-m", "timeline", "serve", "--no-seed", "--port", str(port), "--database", store,
                   "--projector", projector]
        return Server(command, "Timeline on http://")

    url = f"http://127.0.0.1:{port}"
    # The same reads on a small store, to show whether their cost grows with the log.
    small = str(folder / "small.sqlite3")
    if postgres:
        small = database.replace("schema=", "schema=small_") if "schema=" in database else f"{database}{'&' if '?' in database else '?'}schema=bench_small"
    small_events = min(events, SMALL_STORE)
    small_file = folder / "small.ndjson"
    small_file.write_bytes(b"\n".join(orjson.dumps(f) for f in corpus(small_events, seed)) + b"\n")
    import_into(small, small_file)
    with serve(small):
        small_figures = {name: generator.run(url, load) for name, load in
                         (("status", status), ("status_computed", computed), ("timeline", timelines))}
    if postgres:  # the same corpus and reads on SQLite, the embedded default
        on_sqlite = str(folder / "same-on-sqlite.sqlite3")
        import_into(on_sqlite, corpus_file)
        with serve(on_sqlite):
            sqlite_figures = {name: generator.run(url, load) for name, load in (("status", status), ("status_computed", computed))}

    with serve(database) as server:
        figures = {name: generator.run(url, load) for name, load in
                   (("status", status), ("status_computed", computed), ("timeline", timelines),
                    ("writes", writes), ("mixed", mixed))}
        notes["server_peak_rss_mib_under_load"] = server.peak_rss_mib()
        elapsed, _ = timed(lambda: asyncio.run(rebuild_on_server(url)))
        notes["server_rebuild_seconds"] = elapsed
        notes["server_peak_rss_mib"] = server.peak_rss_mib()
    notes |= {"minimal_app": base, "small_store_events": small_events}
    notes |= figures | {f"{name}_small": figure for name, figure in small_figures.items()}

    minimal = "minimal aiohttp app"
    at = f"at {events:,} vs {small_events:,} events"
    same_small = f"the same reads at {small_events:,} events"
    results = [
        Figure("batched import (timeline load)", imported, "events/s", f"raw {kind} executemany, 1000 a transaction", batched, 0.6),
        Figure("HTTP single-fact POST, 32 clients", figures["writes"]["rps"], "writes/s", f"raw {kind}, one row a commit", single, 0.5),
        Figure("rebuild of the facts view", rebuilt, "events/s", f"raw {kind} scan + orjson.loads", scan, 0.25),
        Figure("GET .../status, 32 clients", figures["status"]["rps"], "requests/s", minimal, base["rps"], 0.7),
        # Inverted so that, like every other ratio, higher is better: the target is p99 at most twice the minimal app's.
        Figure("status p99 (minimal app's p99 / ours)", figures["status"]["p99_ms"], "ms", "the minimal app's p99",
               base["p99_ms"], None, inverted=True, inverted_target=0.5),
        Figure("GET .../status, every read computed", figures["status_computed"]["rps"], "requests/s", minimal, base["rps"], 0.15),
        Figure("GET .../timeline?limit=50, 32 clients", figures["timeline"]["rps"], "requests/s", minimal, base["rps"], None),
        Figure("status reads with 10% writes", figures["mixed"]["rps"], "requests/s", minimal, base["rps"], 0.15),
        Figure(f"GET .../status {at}", figures["status"]["rps"], "requests/s", same_small, small_figures["status"]["rps"], 1 / 1.2),
        Figure(f"status computed {at}", figures["status_computed"]["rps"], "requests/s", same_small,
               small_figures["status_computed"]["rps"], 1 / 1.2),
        Figure(f"GET .../timeline {at}", figures["timeline"]["rps"], "requests/s", same_small, small_figures["timeline"]["rps"], 1 / 1.2),
    ]
    if postgres:
        results += [
            Figure("batched import vs raw COPY", imported, "events/s", "raw psycopg COPY", copied, None),
            Figure("GET .../status on PostgreSQL vs SQLite", figures["status"]["rps"], "requests/s",
                   "the same reads on SQLite", sqlite_figures["status"]["rps"], 0.5),
            Figure("status computed on PostgreSQL vs SQLite", figures["status_computed"]["rps"], "requests/s",
                   "the same reads on SQLite", sqlite_figures["status_computed"]["rps"], None),
        ]
        notes |= {f"{name}_on_sqlite": figure for name, figure in sqlite_figures.items()}
    return results, notes


LATENCIES = ("status", "status_computed", "timeline", "writes", "mixed", "status_small", "status_computed_small",
             "timeline_small", "status_on_sqlite", "status_computed_on_sqlite", "minimal_app")


def table(figures: list[Figure], notes: dict) -> str:
    lines = [
        f"{'figure':<44} {'value':>12} {'baseline':>12} {'ratio':>7} {'target':>7}  baseline is",
        "-" * 124,
    ]
    for f in figures:
        target = f">={f.target:.2f}" if f.target is not None else ""
        lines.append(f"{f.name:<44} {f.value:>12,.1f} {f.baseline_value:>12,.1f} {f.ratio:>7.2f} {target:>7}  {f.baseline} ({f.unit})")
    for name in LATENCIES:
        if name in notes:
            n = notes[name]
            lines.append(f"latency {name:<32} p50 {n['p50_ms']:.1f} ms, p99 {n['p99_ms']:.1f} ms, "
                         f"{n['requests']:,} requests, errors {n['errors']}")
    lines.append(
        f"server peak RSS: {notes['server_peak_rss_mib_under_load']:.0f} MiB under load, "
        f"{notes['server_peak_rss_mib']:.0f} MiB after a rebuild of the facts view ({notes['server_rebuild_seconds']:.0f} s); target < 300 MiB"
    )
    lines.append(f"import: the log's write lock held {notes['import_locked_seconds']:.2f} s, in one commit at the end of the file")
    lines.append(f"HTTP load: {notes['load_generator']}; the server's projections: --projector {notes['projector']}")
    return "\n".join(lines)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="corpus size (default 100,000)")
    parser.add_argument("--database", help="a postgresql:// URL to bench instead of a fresh SQLite file")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's duration per HTTP figure (default 10)")
    parser.add_argument("--requests", type=int, default=2000,
                        help="requests per HTTP figure where wrk is missing and the Python generator stands in (default 2,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--projector", choices=["thread", "process"], default="thread",
                        help="where the benched servers run the projections (timeline serve --projector; default thread)")
    parser.add_argument("--json", type=Path, help="also write the table as JSON here")
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as folder:
        generator = LoadGenerator(wrk, args.seconds, args.requests, Path(folder))
        figures, notes = run(args.events, args.database, args.seed, generator, Path(folder), args.projector)
    print(f"Timeline benchmark: {args.events:,} events on {machine()}")
    print(table(figures, notes))
    if args.json:
        payload = {"events": args.events, "machine": machine(), "figures": [asdict(f) | {"ratio": f.ratio} for f in figures], "notes": notes}
        args.json.write_text(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
