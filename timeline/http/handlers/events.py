"""The raw log: a page at a time, or as a stream of Server-Sent Events."""

from __future__ import annotations

import asyncio

import orjson
from aiohttp import web

from timeline.app import Timeline
from timeline.errors import FieldError
from timeline.http import params
from timeline.http.cloudevents import BATCH, cloudevent_from_entry
from timeline.http.keys import LOG_WATCH, SETTINGS, STREAMS, TIMELINE
from timeline.http.problems import BadRequest
from timeline.http.render import entry_json
from timeline.http.respond import JSON, off_loop

KEEP_ALIVE_SECONDS = 15.0
STREAM_PAGE = 200
STREAM_RETRY_SECONDS = 5  # Retry-After when every stream slot is taken


async def list_events(request: web.Request) -> web.Response:
    """GET /v1/events?after=POSITION&limit=N, as JSON or (Accept) a CloudEvents batch."""
    after, limit = params.integer(request, "after", 0, low=0), params.limit(request, default=100)
    timeline, as_cloudevents = request.app[TIMELINE], BATCH in request.headers.get("Accept", "")

    def page() -> bytes:
        entries, head = timeline.log(after, limit), timeline.head()
        if as_cloudevents:
            return orjson.dumps([cloudevent_from_entry(e) for e in entries])
        next_after = entries[-1].position if entries else after
        by = timeline.authors(after, next_after)  # who wrote each (a token's name), where a token did
        events = [entry_json(e) | {"by": by.get(e.position)} for e in entries]
        return orjson.dumps({"events": events, "head": head, "next_after": next_after})

    body = await off_loop(request, page)
    return web.Response(body=body, content_type=BATCH if as_cloudevents else JSON)


async def stream_events(request: web.Request) -> web.StreamResponse:
    """GET /v1/events/stream: every event after `Last-Event-ID` (or `after`, or now), then new ones as they come.

    Each event's SSE id is its log position, so a client that reconnects with Last-Event-ID
    gets exactly what it missed: no repeats, no gaps. At most `max_streams` are open at once
    (503 with Retry-After past that); an idle stream waits on the process's one LogWatch and
    reads nothing until the log grows.
    """
    after = _resume_position(request)
    streams, settings, me = request.app[STREAMS], request.app[SETTINGS], asyncio.current_task()
    if len(streams) >= settings.max_streams:
        raise web.HTTPServiceUnavailable(
            text=f"{settings.max_streams} event streams are open, the most this server keeps; try again shortly",
            headers={"Retry-After": str(STREAM_RETRY_SECONDS)},
        )
    streams.add(me)  # taken before any wait, so that streams arriving at once cannot pass the cap together
    try:
        return await _stream(request, after)
    finally:
        streams.discard(me)


async def _stream(request: web.Request, after: int | None) -> web.StreamResponse:
    watch = request.app[LOG_WATCH]
    backlog = after is not None  # resumed: read what was missed at once, whatever the watch has seen so far
    if after is None:
        try:
            after = await watch.now()
        except TimeoutError:
            raise web.HTTPServiceUnavailable(text="the log's head could not be read in time; try again shortly", headers={"Retry-After": "1"}) from None
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    await response.prepare(request)
    await response.write(b"retry: 1000\n: connected\n\n")
    try:
        while True:
            if backlog or watch.head > after:
                frames = await watch.page(after)
                for position, frame in frames:
                    await response.write(frame)
                    after = position
                backlog = len(frames) == STREAM_PAGE
                if frames:
                    continue
            # Nothing (more) to send: wait for the log to grow past what this stream has sent, or past what the
            # watch has seen when a page came back empty (never spin on a head the store did not show).
            if not await watch.wait_past(max(after, watch.head), KEEP_ALIVE_SECONDS):
                await response.write(b": keep-alive\n\n")
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


def read_frames(timeline: Timeline, after: int) -> list[tuple[int, bytes]]:
    """The next page of the log as SSE frames, rendered off the loop (once, for every stream waiting at `after`)."""
    frames = []
    for entry in timeline.log(after, STREAM_PAGE):
        body = entry_json(entry)
        frames.append((entry.position, f"id: {entry.position}\nevent: {body['event']}\ndata: ".encode() + orjson.dumps(body) + b"\n\n"))
    return frames


def _resume_position(request: web.Request) -> int | None:
    name = "Last-Event-ID" if request.headers.get("Last-Event-ID") else "after"
    value = request.headers.get("Last-Event-ID") or request.query.get("after")
    if value is None or value == "":
        return None
    if not params.is_position(value) or int(value) > params.MAX_POSITION:
        raise BadRequest(f"{name} is a log position (e.g. 31)", errors=[FieldError(name, "is not a position")])
    return int(value)
