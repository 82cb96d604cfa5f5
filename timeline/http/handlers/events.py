"""The raw log: a page at a time, or as a stream of Server-Sent Events; either filtered by subject and type."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from aiohttp import web
from eventsourcing.utils import get_topic

from timeline import redactions
from timeline.application import Timeline
from timeline.errors import EventNotFound, FieldError
from timeline.facts import Fact, FactContent, content_of
from timeline.http import params
from timeline.http.cloudevents import BATCH, STRUCTURED, binary_from_entry, cloudevent_from_entry
from timeline.http.keys import LOG_WATCH, SETTINGS, STREAMS, TIMELINE
from timeline.http.negotiate import CLOUDEVENT, CLOUDEVENTS_BATCH, EVENT_STREAM, chosen, offers
from timeline.http.negotiate import JSON as JSON_FORMAT
from timeline.http.problems import BadRequest
from timeline.http.render import entry_json
from timeline.http.respond import JSON, off_loop
from timeline.log_records import EVENT_NAMES, LogEntry
from timeline.references import subject_references

KEEP_ALIVE_SECONDS = 15.0
STREAM_PAGE = 200
STREAM_RETRY_SECONDS = 5  # Retry-After when every stream slot is taken
SCAN_PAGE = 16  # log entries read at a time: a page's stored state is bounded as it is read (documents are up to 5 MB)
NEXT_AFTER_HEADER = "Timeline-Next-After"  # where the next page starts: past every event this page looked at
NAMES_BY_TOPIC = {get_topic(cls): name for cls, name in EVENT_NAMES.items()}
FACT_TOPICS = frozenset(get_topic(cls) for cls in (Fact.Recorded, Fact.Corrected, Fact.Retracted))


@dataclass(frozen=True, slots=True)
class About:
    """What a filter looks at in an event: its name, and for a fact's event the fact's type and every subject it names."""

    name: str
    fact_type: str | None = None
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventFilter:
    """Which events a reader asked for: naming one of `subjects` or a subject of one of `kinds`, and of one of `types`
    (an event's name, or its fact's type). Empty sets ask for everything."""

    subjects: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not (self.subjects or self.kinds or self.types)

    def wants(self, about: About) -> bool:
        if self.types and about.name not in self.types and about.fact_type not in self.types:
            return False
        if self.subjects or self.kinds:
            return any(s in self.subjects or s.partition("/")[0] in self.kinds for s in about.subjects)
        return True


def event_filter(request: web.Request) -> EventFilter:
    subjects, kinds = params.subjects_and_kinds(request)
    return EventFilter(subjects, kinds, params.event_types(request, tuple(EVENT_NAMES.values())))


def about(timeline: Timeline, entry: LogEntry) -> About:
    """The name, fact type and subjects of an event; a document's or framework's event names no subject.

    A retraction carries only its reason: its fact's subjects are those of the version it retracted
    (read from the log by version: nothing changes a fact once retracted)."""
    name = NAMES_BY_TOPIC[entry.topic]
    if entry.topic not in FACT_TOPICS or redactions.is_tombstone(entry.state):
        # A purged event (timeline.redactions) names no subject any more: no subject's filter shows it.
        return About(name)  # decided by the topic: a document's megabytes are never decoded to be filtered out
    event = entry.event
    content: FactContent
    if isinstance(event, Fact.Retracted):
        content = timeline.repository.get(event.originator_id, version=event.originator_version - 1).content
    else:
        assert isinstance(event, Fact.Recorded | Fact.Corrected)  # a fact's topic, not a retraction
        content = content_of(event)
    return About(name, content.type.value, tuple(subject_references(content)))


def scan(
    timeline: Timeline, after: int, limit: int, wanted: EventFilter, most: int, budget: int
) -> tuple[list[LogEntry], int]:
    """Up to `limit` events after `after` that the filter wants, looking at no more than `most` events (when
    filtered) and holding no more than `budget` bytes of stored state (a document's event can be megabytes:
    a page ends early rather than hold a thousand of them); and the position of the last event looked at,
    where the next page starts. A page holds at least one event."""
    found: list[LogEntry] = []
    looked, last, held = 0, after, 0
    while len(found) < limit and (wanted.everything or looked < most) and (held < budget or not found):
        chunk = limit - len(found) if wanted.everything else most - looked
        entries = timeline.log(last, min(SCAN_PAGE, chunk))
        if not entries:
            break
        for entry in entries:
            if held >= budget and found:
                return found, last
            looked, last = looked + 1, entry.position
            if wanted.wants(about(timeline, entry)):
                found.append(entry)
                held += len(entry.state)
                if len(found) == limit:
                    break
    return found, last


@offers(JSON_FORMAT, CLOUDEVENTS_BATCH)
async def list_events(request: web.Request) -> web.Response:
    """GET /v1/events?after=POSITION&limit=N[&subject=S][&type=T], as JSON or (Accept) a CloudEvents batch.

    A filtered page looks at no more than `events_scan` events: it may hold fewer than `limit` while
    more follow. Go on from `next_after` (also the Timeline-Next-After header) until it reaches `head`."""
    params.only(request, "after", "limit", "subject", "type")
    after, limit = params.integer(request, "after", 0, low=0), params.limit(request, default=100)
    settings = request.app[SETTINGS]
    wanted, most, budget = event_filter(request), settings.events_scan, settings.events_page_bytes
    timeline, as_cloudevents = request.app[TIMELINE], chosen(request) is CLOUDEVENTS_BATCH

    def page() -> tuple[bytes, int]:
        entries, next_after = scan(timeline, after, limit, wanted, most, budget)
        head = timeline.head()
        if as_cloudevents:
            return orjson.dumps([cloudevent_from_entry(e) for e in entries]), next_after
        by = timeline.authors(after, next_after)  # who wrote each (a token's name), where a token did
        events = [entry_json(e) | {"by": by.get(e.position)} for e in entries]
        return orjson.dumps({"events": events, "head": head, "next_after": next_after}), next_after

    body, next_after = await off_loop(request, page)
    return web.Response(body=body, content_type=BATCH if as_cloudevents else JSON, headers={NEXT_AFTER_HEADER: str(next_after)})


@offers(JSON_FORMAT, CLOUDEVENT)
async def get_event(request: web.Request) -> web.Response:
    """GET /v1/events/{position}: one log event, as JSON with its CloudEvent attributes as ce-* headers
    (binary mode), or as a structured CloudEvent when Accept asks for application/cloudevents+json."""
    params.only(request)
    text = request.match_info["position"]
    position = params.position(text)
    if position is None:
        raise BadRequest("a position is a log position, a whole number", errors=[FieldError("position", "is not a position")])
    timeline = request.app[TIMELINE]

    def read() -> LogEntry:
        entries = timeline.log(position - 1, 1) if position > 0 else []
        if not entries or entries[0].position != position:
            raise EventNotFound(position)
        return entries[0]

    entry = await off_loop(request, read)
    if chosen(request) is CLOUDEVENT:
        return web.Response(body=orjson.dumps(cloudevent_from_entry(entry)), content_type=STRUCTURED)
    headers, body = await off_loop(request, binary_from_entry, entry)
    return web.Response(body=body, content_type=JSON, headers={k: v for k, v in headers.items() if k.lower() != "content-type"})


@offers(EVENT_STREAM)
async def stream_events(request: web.Request) -> web.StreamResponse:
    """GET /v1/events/stream: every event after `Last-Event-ID` (or `after`, or now), then new ones as they come.

    Each event's SSE id is its log position, so a client that reconnects with Last-Event-ID
    gets exactly what it missed: no repeats, no gaps. At most `max_streams` are open at once
    (503 with Retry-After past that); an idle stream waits on the process's one LogWatch and
    reads nothing until the log grows.
    """
    params.only(request, "after", "subject", "type")
    after, wanted = _resume_position(request), event_filter(request)
    streams, settings, me = request.app[STREAMS], request.app[SETTINGS], asyncio.current_task()
    if len(streams) >= settings.max_streams:
        raise web.HTTPServiceUnavailable(
            text=f"{settings.max_streams} event streams are open, the most this server keeps; try again shortly",
            headers={"Retry-After": str(STREAM_RETRY_SECONDS)},
        )
    assert me is not None  # a handler runs in a task
    streams.add(me)  # taken before any wait, so that streams arriving at once cannot pass the cap together
    try:
        return await _stream(request, after, wanted)
    finally:
        streams.discard(me)


async def _stream(request: web.Request, after: int | None, wanted: EventFilter) -> web.StreamResponse:
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
    loop = asyncio.get_running_loop()
    written = loop.time()  # when the stream last sent anything
    try:
        while True:
            if backlog or watch.head > after:
                frames = await watch.page(after)
                for position, frame, said in frames:
                    if wanted.wants(said):
                        await response.write(frame)
                        written = loop.time()
                    after = position  # past what it does not want too: a resume after the last id sent skips it again
                backlog = len(frames) == STREAM_PAGE
                if loop.time() - written >= KEEP_ALIVE_SECONDS:
                    # A filter that wants none of a busy log's events still says it is alive (and finds a closed client).
                    await response.write(b": keep-alive\n\n")
                    written = loop.time()
                if frames:
                    continue
            # Nothing (more) to send: wait for the log to grow past what this stream has sent, or past what the
            # watch has seen when a page came back empty (never spin on a head the store did not show).
            if not await watch.wait_past(max(after, watch.head), KEEP_ALIVE_SECONDS):
                await response.write(b": keep-alive\n\n")
                written = loop.time()
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


def read_frames(timeline: Timeline, after: int) -> list[tuple[int, bytes, About]]:
    """The next page of the log as SSE frames with what filters look at, rendered off the loop (once, for every
    stream waiting at `after`, whatever each one's filter)."""
    frames = []
    for entry in timeline.log(after, STREAM_PAGE):
        body = entry_json(entry)
        frame = f"id: {entry.position}\nevent: {body['event']}\ndata: ".encode() + orjson.dumps(body) + b"\n\n"
        frames.append((entry.position, frame, about(timeline, entry)))
    return frames


def _resume_position(request: web.Request) -> int | None:
    name = "Last-Event-ID" if request.headers.get("Last-Event-ID") else "after"
    value = request.headers.get("Last-Event-ID") or request.query.get("after")
    if value is None or value == "":
        return None
    position = params.position(value)
    if position is None:
        raise BadRequest(f"{name} is a log position (e.g. 31)", errors=[FieldError(name, "is not a position")])
    return position
