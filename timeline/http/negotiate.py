"""Content negotiation: each resource names the formats it has, and `?format=` or `Accept` picks one.

A handler declares its formats with `@offers(...)` (a handler that declares none offers JSON). The
middleware picks one before the handler runs, so that a request no format satisfies is a 406, and a
write is refused before it is made:

- `?format=` (where a resource takes it) names a format outright, and `Accept` is then not consulted;
- else `Accept`, through python-mimeparse: the client's highest q-value wins, then the most specific
  range that names it (`text/csv` over `*/*`), then the resource's own order (its first format is its
  default). Ranges it cannot parse are left out; a missing or empty Accept means `*/*`;
- a format with no media type of its own (TimelineJS is JSON in another shape) is only had by name.

The handler reads the chosen format with `chosen(request)`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mimeparse  # type: ignore[import-untyped]  # one small module without annotations; its results are checked here
from aiohttp import web

from timeline.errors import FieldError
from timeline.http.problems import BadRequest


@dataclass(frozen=True)
class Format:
    name: str  # what ?format= calls it, where the resource takes that parameter
    media_type: str | None  # what Accept calls it; None: only had through ?format=
    content_type: str  # what the response is sent as


JSON = Format("json", "application/json", "application/json")
CSV = Format("csv", "text/csv", "text/csv; charset=utf-8")
NDJSON = Format("ndjson", "application/x-ndjson", "application/x-ndjson")
TIMELINEJS = Format("timelinejs", None, "application/json")
CLOUDEVENT = Format("cloudevent", "application/cloudevents+json", "application/cloudevents+json")
CLOUDEVENTS_BATCH = Format("cloudevents", "application/cloudevents-batch+json", "application/cloudevents-batch+json")
EVENT_STREAM = Format("event-stream", "text/event-stream", "text/event-stream")
HTML = Format("html", "text/html", "text/html; charset=utf-8")
PROMETHEUS = Format("prometheus", "text/plain", "text/plain; version=0.0.4; charset=utf-8")  # Prometheus' text format

FORMAT = web.RequestKey("format", Format)  # the format chosen for this request
_OFFERS = "__timeline_formats__"
_BY_PARAMETER = "__timeline_format_parameter__"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def offers(*formats: Format, by_parameter: bool = False) -> Callable[[Handler], Handler]:
    """Declare a handler's formats, its default first; `by_parameter`: `?format=NAME` picks one too."""

    def declare(handler: Handler) -> Handler:
        setattr(handler, _OFFERS, formats)
        setattr(handler, _BY_PARAMETER, by_parameter)
        return handler

    return declare


def formats_of(handler: Any) -> tuple[Format, ...]:
    return getattr(handler, _OFFERS, (JSON,))


def chosen(request: web.Request) -> Format:
    """The format the middleware picked for this request (JSON where nothing was negotiated)."""
    found: Format = request.get(FORMAT, JSON)
    return found


# Accept


_TOKEN = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")
_QUALITY = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")


def media_ranges(header: str) -> list[tuple[str, str, dict[str, str]]]:
    """The header's media ranges as python-mimeparse parses them, leaving out any that is malformed
    (no `/`, an empty part, `*/json`, a q-value that is not a number from 0 to 1)."""
    ranges = []
    for member in header.lower().split(","):
        if not member.strip():
            continue
        try:
            kind, subtype, parameters = mimeparse.parse_mime_type(member)
        except ValueError:
            continue
        if not (_TOKEN.fullmatch(kind) and _TOKEN.fullmatch(subtype)) or (kind == "*" and subtype != "*"):
            continue
        if "q" in parameters and not _QUALITY.fullmatch(parameters["q"]):
            continue
        parameters.setdefault("q", "1")
        ranges.append((kind, subtype, parameters))
    return ranges


def best(header: str | None, formats: tuple[Format, ...]) -> Format | None:
    """The format an Accept header prefers among `formats` (those with a media type), or None if it accepts none."""
    # Clients send a few Accept headers over and over: parse each once (the usual short ones; any is bounded by aiohttp).
    return _best(header, formats) if header is None or len(header) <= 256 else _best.__wrapped__(header, formats)


@lru_cache(maxsize=256)
def _best(header: str | None, formats: tuple[Format, ...]) -> Format | None:
    candidates = [f for f in formats if f.media_type is not None]
    if header is None or not header.strip():
        return candidates[0] if candidates else None
    ranges = media_ranges(header)
    ranked = []
    for order, candidate in enumerate(candidates):
        quality, fitness = mimeparse.quality_and_fitness_parsed(candidate.media_type, ranges)
        if quality > 0:
            ranked.append((quality, fitness, -order, candidate))
    return max(ranked, key=lambda r: r[:3])[3] if ranked else None


def negotiate(request: web.Request, formats: tuple[Format, ...], by_parameter: bool) -> Format:
    """The format to answer in, by `?format=` (where taken) else by Accept; a 400 or 406 problem otherwise."""
    named = {f.name: f for f in formats}
    if by_parameter and request.query.get("format"):
        value = request.query["format"]
        if value not in named:
            message = f"format is one of {', '.join(named)}"
            raise BadRequest(message, errors=[FieldError("format", message)])
        return named[value]
    found = best(request.headers.get("Accept"), formats)
    if found is None:
        available = [f.media_type for f in formats if f.media_type is not None]
        by_name = f"; or ask by name with format={' or format='.join(named)}" if by_parameter else ""
        raise BadRequest(
            f"this resource is available as {', '.join(available)}{by_name}; "
            f"the request's Accept ({_shortened(request.headers.get('Accept', ''))}) allows none of them",
            status=406,
            available=available,
        )
    return found


def _shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@web.middleware
async def negotiation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Pick the response's format before the handler runs; say `Vary: Accept` where Accept can change it."""
    route = request.match_info.route
    if request.method == "OPTIONS" or route.resource is None or isinstance(route.resource, web.StaticResource):
        return await handler(request)  # CORS preflights, static files, and no route at all (a 404 or 405 follows)
    original = request.match_info.handler
    formats = formats_of(original)
    request[FORMAT] = negotiate(request, formats, getattr(original, _BY_PARAMETER, False))
    response = await handler(request)
    if sum(f.media_type is not None for f in formats) > 1 and not response.prepared:
        response.headers.add("Vary", "Accept")
    return response
