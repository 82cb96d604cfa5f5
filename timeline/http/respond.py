"""Reading request bodies, and answering view reads with read-your-writes, positions and ETags."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from aiohttp import web

from timeline.errors import FieldError
from timeline.http.bodies import read_body
from timeline.http.keys import ANSWERS, KEEPER, LOG_HEAD, READS, SETTINGS
from timeline.http.negotiate import chosen
from timeline.http.params import integer
from timeline.http.problems import BadRequest
from timeline.validation import MAX_DEPTH, nesting_depth

JSON = "application/json"
INLINE_BODY_BYTES = 64 * 1024  # a body this small decodes on the loop in microseconds; a larger one on a read thread
POSITION_HEADER = "Timeline-Position"  # the log position a view answer reflects
T = TypeVar("T")


async def off_loop(request: web.Request, function: Callable[..., T], *args: Any) -> T:
    """Run a blocking read on the server's read threads, never on the event loop.

    The pool is small on purpose: reads are CPU-bound Python, and more threads than cores
    only take the GIL away from the loop.
    """
    # In the request's context, so that what the read logs names the request (timeline.logs.REQUEST_ID).
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(request.app[READS], functools.partial(context.run, function, *args))


def json_response(body: object, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type=JSON, headers=headers)


async def read_json(request: web.Request, accepted: tuple[str, ...] = (JSON,)) -> Any:
    """The body as JSON, refusing other content types and malformed JSON (invalid UTF-8 included).

    Its size was checked before it was read (and as it arrived); a large one is decoded off the loop."""
    if request.content_type not in accepted:
        raise BadRequest(f"send {' or '.join(accepted)}, not {request.content_type or 'no content type'}", status=415)
    raw = await read_body(request)
    if len(raw) <= INLINE_BODY_BYTES:
        return decode_json(raw)
    return await off_loop(request, decode_json, raw)


def decode_json(raw: bytes) -> Any:
    """A body's JSON, not nested deeper than records ever are."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"the body is not valid JSON: {error}") from None
    if nesting_depth(body) > MAX_DEPTH:
        raise BadRequest(f"the body nests more than {MAX_DEPTH} levels deep")
    return body


async def view_response(
    request: web.Request,
    compute: Callable[[], dict[str, Any]],
    render: Callable[[dict[str, Any]], bytes] = orjson.dumps,
    content_type: str = JSON,
    filename: str | None = None,
) -> web.Response:
    """Run a view read off the loop once the views reflect every write acknowledged before the read
    arrived (and `min_position`, if asked); answer with an ETag and the position it reflects, or 304.

    `render` turns the view into the body (JSON unless an export format asks otherwise); an export gives
    the `filename` a browser saves it under (Content-Disposition: attachment)."""
    positions = await _reflect_acknowledged_writes(request)
    # The views at these positions answer this request the same way every time (min_position only waits).
    # Every view's position is in the key: a view (sources) may read another's tables too. So is the format, which
    # Accept may have chosen (the query then does not say it).
    query = tuple(sorted((k, v) for k, v in request.query.items() if k != "min_position"))
    key = (positions, request.path, chosen(request).name, query)
    answers = request.app[ANSWERS]
    cached = answers.get(key)
    if cached is None:
        cached = await off_loop(request, _rendered, compute, render)
        answers.put(key, cached)
    body, etag = cached
    reflects = {POSITION_HEADER: str(min(position for _, position in positions))}
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x". A malformed header matches nothing: a full answer.
    if any(f'"{tag.value}"' == etag for tag in request.if_none_match or ()):
        return web.Response(status=304, headers={"ETag": etag, **reflects})
    saved = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else {}
    return web.Response(body=body, headers={"ETag": etag, "Content-Type": content_type, **reflects, **saved})


async def _reflect_acknowledged_writes(request: web.Request) -> tuple[tuple[str, int], ...]:
    """Wait until every view has reached the log's head as of now (or `min_position`); their positions then.

    Read-your-writes by default: a write acknowledged before this read arrived is at or below that head.
    Across servers sharing a store, `min_position` (a write's receipt position) gives the same guarantee.
    """
    minimum = integer(request, "min_position", None, low=0)
    keeper, wait = request.app[KEEPER], request.app[SETTINGS].read_wait_seconds
    try:
        head = await request.app[LOG_HEAD].since_now(wait)
    except TimeoutError:
        raise web.HTTPServiceUnavailable(text="the log's head could not be read in time; try again shortly", headers={"Retry-After": "1"}) from None
    if minimum is not None and minimum > head:
        # Every acknowledged write is at or below the head: this position was never handed out.
        message = f"nothing has been recorded at position {minimum}; the log ends at {head}"
        raise BadRequest(message, errors=[FieldError("min_position", message)])
    if not await keeper.wait_for_all(head, wait):
        raise web.HTTPServiceUnavailable(
            text=f"the views have not reached position {head} yet; try again shortly", headers={"Retry-After": "1"}
        )
    return tuple(sorted(keeper.positions.items()))


def _rendered(compute: Callable[[], dict[str, Any]], render: Callable[[dict[str, Any]], bytes]) -> tuple[bytes, str]:
    # Rendering and hashing a large view is real work: it belongs off the loop too.
    body = render(compute())
    return body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'

