"""Event streams at scale (issue 16, finding 9): capped, and idle streams cost the store nothing.

Every stream waits on the process's one LogWatch: woken directly by this process's commits, by
PostgreSQL's NOTIFY, and (SQLite, other processes) by one look per poll for the whole process,
which reads `PRAGMA data_version` and runs no query while nothing was committed. These tests count
the store's reads and the watch's looks; none of them measures time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys

import orjson
import pytest

from tests.e2e.conftest import rating
from tests.e2e.sse import GUARD, connected, next_event
from timeline.config import Settings
from timeline.http.keys import LOG_HEAD, LOG_WATCH, STREAMS, TIMELINE
from timeline.http.server import create_app

pytestmark = pytest.mark.finding(9)


def count_log_reads(app) -> list[int]:
    """Count every read of the log's events from now on (the streams' pages among them)."""
    timeline, reads = app[TIMELINE], [0]
    read = timeline.log

    def counted(*args, **kwargs):
        reads[0] += 1
        return read(*args, **kwargs)

    timeline.log = counted  # the instance's attribute: every caller looking it up from now on is counted
    return reads


@pytest.fixture
def settings(sqlite_database) -> Settings:
    return Settings(database=sqlite_database, read_wait_seconds=30, view_poll_seconds=0.02)


async def test_idle_streams_wait_on_one_watch_that_reads_nothing_and_one_write_wakes_them_all(aiohttp_client, settings, report):
    client = await aiohttp_client(create_app(settings))
    app, streams = client.app, 12
    watch, log_head = app[LOG_WATCH], app[LOG_HEAD]
    reads = count_log_reads(app)
    opened = [await connected(client) for _ in range(streams)]

    looks, queries = watch.looks, log_head.look_ups
    async with asyncio.timeout(GUARD):
        await watch.looked(looks + 5)  # five polls of the store for other processes' commits, while all are idle
    assert watch.waiting == streams
    assert reads[0] == 0  # no idle stream read the store
    assert log_head.look_ups == queries  # and the watch's looks ran no query: data_version said nothing changed
    assert [task.get_name() for task in asyncio.all_tasks()].count("timeline-log-watch") == 1

    receipt = await (await client.post("/v1/facts", json=rating())).json()
    events = [await next_event(stream) for stream in opened]
    assert {(int(e["id"]), e["event"]) for e in events} == {(receipt["position"], "fact.recorded")}
    assert reads[0] == 1  # one page read, shared by the twelve streams it woke
    for stream in opened:
        stream.close()
    report.append(f"SSE: {streams} idle streams over 5 polls: 0 store reads, 0 head queries; one write woke all {streams} with 1 page read")


async def test_streams_past_the_cap_are_refused_with_503_and_retry_after_and_a_closed_one_frees_its_slot(aiohttp_client, settings):
    client = await aiohttp_client(create_app(dataclasses.replace(settings, max_streams=2)))
    first = await connected(client)
    (first_task,) = client.app[STREAMS]
    second = await connected(client)

    refused = await client.get("/v1/events/stream")
    assert refused.status == 503
    assert refused.content_type == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
    assert "2 event streams" in (await refused.json(content_type=None))["detail"]
    assert (await client.get("/healthz")).status == 200  # the cap is on streams, not on the server

    first.close()
    async with asyncio.timeout(GUARD):
        await asyncio.wait([first_task])  # the server has ended that stream
    third = await connected(client)
    receipt = await (await client.post("/v1/facts", json=rating())).json()
    assert int((await next_event(third))["id"]) == int((await next_event(second))["id"]) == receipt["position"]
    second.close()
    third.close()


def load_elsewhere(database: str, tmp_path) -> None:
    """Record one fact from another process (`timeline load`), as a second writer of the store would."""
    path = tmp_path / "elsewhere.ndjson"
    path.write_bytes(orjson.dumps(rating(subject="force/elsewhere")) + b"\n")
    done = subprocess.run([sys.executable, "-m", "timeline", "load", str(path), "--database", database], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


async def test_a_commit_by_another_process_wakes_sqlite_streams_through_data_version(aiohttp_client, settings, tmp_path):
    client = await aiohttp_client(create_app(settings))
    opened = [await connected(client) for _ in range(3)]

    await asyncio.to_thread(load_elsewhere, settings.database, tmp_path)

    events = [await next_event(stream) for stream in opened]
    assert len({e["id"] for e in events}) == 1 and events[0]["event"] == "fact.recorded"
    for stream in opened:
        stream.close()


async def test_a_commit_by_another_process_wakes_postgres_streams_through_notify(aiohttp_client, postgres_database, tmp_path):
    # Polls an hour apart: only NOTIFY can wake the streams within the guard.
    settings = Settings(database=postgres_database, read_wait_seconds=30, view_poll_seconds=3600)
    client = await aiohttp_client(create_app(settings))
    opened = [await connected(client) for _ in range(3)]

    await asyncio.to_thread(load_elsewhere, postgres_database, tmp_path)

    events = [await next_event(stream) for stream in opened]
    assert len({e["id"] for e in events}) == 1 and events[0]["event"] == "fact.recorded"
    for stream in opened:
        stream.close()
