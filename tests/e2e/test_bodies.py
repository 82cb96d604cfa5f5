"""Request bodies (issue 16, finding 9): refused by their declared size before a byte is read, cut off at the
limit when chunked, timed out when slow, counted before any record is looked at, and decoded off the loop
when large. Raw sockets, so that the tests control exactly which bytes arrive and when."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import orjson
import pytest

from tests.e2e.conftest import rating
from timeline.http import respond
from timeline.http.handlers import facts
from timeline.http.server import create_app

pytestmark = pytest.mark.finding(9)

GUARD = 30  # seconds: a regression fails rather than hangs; no assertion is about speed
LIMIT = 4096


@pytest.fixture
async def small(aiohttp_client, settings):
    """A server taking bodies of at most 4 KiB, whole within half a second, batches of at most 3 records."""
    return await aiohttp_client(create_app(dataclasses.replace(settings, max_body_bytes=LIMIT, max_batch=3, body_timeout_seconds=0.5)))


async def send(client, head: dict[str, str], body: bytes = b"") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a connection and send a POST's request line and headers, then `body` (however little of it)."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    lines = ["POST /v1/facts HTTP/1.1", f"Host: 127.0.0.1:{client.server.port}", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in head.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    return reader, writer


async def answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], dict]:
    """The response's status, headers and problem body, however long the server keeps the connection."""
    async with asyncio.timeout(GUARD):
        status = int((await reader.readline()).split()[1])
        headers = {}
        while (line := (await reader.readline()).decode().rstrip("\r\n")) != "":
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers["content-length"]))
    return status, headers, orjson.loads(body)


async def test_a_declared_length_over_the_limit_is_413_before_a_byte_of_the_body_is_sent(small):
    reader, writer = await send(small, {"Content-Length": str(100 * 1024 * 1024)})  # 100 MiB announced, none sent

    status, headers, problem = await answer(reader)

    assert status == 413 and headers["content-type"] == "application/problem+json"
    assert str(LIMIT) in problem["detail"]
    assert headers["connection"] == "close"  # the rest of that body is not waited for on this connection
    writer.close()


async def test_a_chunked_body_is_cut_off_at_the_limit_without_waiting_for_its_end(small):
    chunk = b"x" * 1024
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(LIMIT // len(chunk) + 2))  # past the limit; never ended
    reader, writer = await send(small, {"Transfer-Encoding": "chunked"}, framed)

    status, headers, _ = await answer(reader)

    assert status == 413 and headers["connection"] == "close"
    writer.close()


async def test_a_body_that_stops_arriving_is_408_and_its_connection_is_ended(small, report):
    start = b'{"type": "rating.published", '
    reader, writer = await send(small, {"Content-Length": "1000"}, start)  # a tenth of what was announced, then nothing

    status, headers, problem = await answer(reader)

    assert status == 408 and headers["content-type"] == "application/problem+json"
    assert "did not arrive within 0.5 s" in problem["detail"]
    assert headers["connection"] == "close"
    writer.close()
    report.append("bodies: declared over the limit 413 unread; chunked cut off at the limit (413); stalled 408 after the body timeout")


async def test_a_batch_over_the_limit_is_refused_before_any_of_its_records_is_looked_at(small, monkeypatch):
    unwrapped = []
    original = facts.fact_from_cloudevent
    monkeypatch.setattr(facts, "fact_from_cloudevent", lambda event, index=None: unwrapped.append(index) or original(event, index))
    events = [{"specversion": "1.0", "id": str(n), "source": "/t", "type": "rating.published", "data": {}} for n in range(4)]

    response = await small.post("/v1/facts", data=orjson.dumps(events), headers={"Content-Type": "application/cloudevents-batch+json"})

    assert response.status == 413
    assert "at most 3 records" in (await response.json(content_type=None))["detail"]
    assert unwrapped == []


async def test_a_large_body_is_decoded_off_the_event_loop(client, monkeypatch):
    decoded_on = []
    original = respond.decode_json
    monkeypatch.setattr(respond, "decode_json", lambda raw: decoded_on.append(threading.current_thread()) or original(raw))
    batch = [rating(data=rating()["data"] | {"summary": "x" * 1900}) for _ in range(40)]  # about 100 KiB
    small_one = rating()

    assert (await client.post("/v1/facts", json=batch)).status == 201
    assert (await client.post("/v1/facts", json=small_one)).status == 201

    loop_thread = threading.current_thread()  # the test server runs on this loop, in this thread
    assert decoded_on[0] is not loop_thread  # the large one, on a read thread
    assert decoded_on[1] is loop_thread  # a small one costs microseconds: on the loop, no hand-off
