"""Request bodies: refused by their declared size before a byte is read, and read within a time limit.

aiohttp cuts a body off once it passes `client_max_size` (a chunked one included), but only while
reading it: a declared Content-Length over the limit would still be read up to the limit first.
And it never times a body out, so a client sending slowly holds its connection for as long as it
likes. Both are answered here: 413 from the headers alone, 408 past `body_timeout_seconds`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

from timeline.http.keys import SETTINGS


@web.middleware
async def refuse_oversized_bodies(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    limit, declared = request.app[SETTINGS].max_body_bytes, request.content_length
    if declared is not None and declared > limit:
        raise web.HTTPRequestEntityTooLarge(
            max_size=limit, actual_size=declared, text=f"the body is {declared} bytes; this server takes at most {limit}"
        )
    return await handler(request)


async def read_body(request: web.Request) -> bytes:
    """The whole body, within the body timeout (408 past it) and the size limit (413 past it, as it arrives)."""
    timeout = request.app[SETTINGS].body_timeout_seconds
    try:
        async with asyncio.timeout(timeout):
            return await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout(text=f"the body did not arrive within {timeout:g} s") from None
