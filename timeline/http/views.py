"""HTTP handlers: parse the request, call the application off the event loop, render JSON."""

from __future__ import annotations

import asyncio

import orjson
from aiohttp import web

from timeline.http.keys import RUNNER, TIMELINE


def json_response(body: object, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


async def healthz(request: web.Request) -> web.Response:
    timeline, runner = request.app[TIMELINE], request.app[RUNNER]
    views = await asyncio.to_thread(runner.positions)  # before the head, so that lag is never negative
    facts, position = await asyncio.gather(asyncio.to_thread(timeline.count_facts), asyncio.to_thread(timeline.head))
    return json_response(
        {
            "status": "ok",
            "facts": facts,
            "position": position,
            "views": {name: {"position": at, "lag": position - at} for name, at in sorted(views.items())},
        }
    )
