"""Reading Server-Sent Events from /v1/events/stream in tests."""

from __future__ import annotations

import asyncio

GUARD = 30  # seconds: a regression fails rather than hangs; no assertion is about speed


async def connected(client, params: dict[str, str] | None = None, headers: dict[str, str] | None = None):
    """A stream, read up to its greeting (so the server is past its setup)."""
    stream = await client.get("/v1/events/stream", params=params or {}, headers=headers or {})
    assert stream.status == 200, await stream.text()
    assert await stream.content.readline() == b"retry: 1000\n"
    assert await stream.content.readline() == b": connected\n"
    assert await stream.content.readline() == b"\n"
    return stream


async def next_event(stream) -> dict[str, str]:
    """The next event's fields (id, event, data), comments skipped."""
    event: dict[str, str] = {}
    async with asyncio.timeout(GUARD):
        async for raw in stream.content:
            line = raw.decode().rstrip("\n")
            if line == "" and "id" in event:
                return event
            if line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                event[name] = value
    raise AssertionError(f"the stream ended before an event; got {event}")
