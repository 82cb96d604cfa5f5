"""Health, views' positions, and rebuilding a view while the server keeps answering."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

from aiohttp import web

from timeline.http.keys import KEEPER, METRICS, REBUILDS, RUNNER, STREAMS, TIMELINE
from timeline.http.metrics import CONTENT_TYPE
from timeline.http.negotiate import PROMETHEUS, offers
from timeline.http.respond import json_response, off_loop

log = logging.getLogger(__name__)


async def healthz(request: web.Request) -> web.Response:
    timeline, runner = request.app[TIMELINE], request.app[RUNNER]
    await off_loop(request, timeline.check_writable)  # a store that cannot keep writes (gone, full) is not healthy
    views = await off_loop(request, runner.positions)  # before the head, so that lag is never negative
    facts, position, (chained, link) = await asyncio.gather(
        off_loop(request, timeline.count_facts), off_loop(request, timeline.head), off_loop(request, timeline.chain_head)
    )
    projector = request.app[KEEPER].health()
    return json_response(
        {
            # Degraded while the projector process is down: reads wait for it, and answer 503 past read_wait_seconds.
            "status": "ok" if projector.alive else "degraded",
            "projector": dataclasses.asdict(projector),
            "facts": facts,
            "position": position,
            "views": {name: {"position": at, "lag": position - at} for name, at in sorted(views.items())},
            "chain": {"position": chained, "link": link},
        }
    )


@offers(PROMETHEUS)
async def metrics(request: web.Request) -> web.Response:
    """GET /metrics: Prometheus' text format; the log's head and the views' positions are read off the loop, as /healthz reads them."""
    timeline, runner, metrics = request.app[TIMELINE], request.app[RUNNER], request.app[METRICS]
    views = await off_loop(request, runner.positions)  # before the head, so that lag is never negative
    head = await off_loop(request, timeline.head)
    metrics.observe_log(head, views, len(request.app[STREAMS]))
    body = await off_loop(request, metrics.exposition)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})


async def list_projections(request: web.Request) -> web.Response:
    runner, timeline, rebuilds = request.app[RUNNER], request.app[TIMELINE], request.app[REBUILDS]
    positions = await off_loop(request, runner.positions)
    head = await off_loop(request, timeline.head)
    return json_response(
        {
            "head": head,
            "projections": [
                {"name": name, "position": at, "lag": head - at, "rebuilding": name in rebuilds}
                for name, at in sorted(positions.items())
            ],
        }
    )


async def rebuild_projection(request: web.Request) -> web.Response:
    """POST /v1/projections/{name}/rebuild: replay into fresh tables in the background; 202 at once."""
    name, runner, rebuilds, keeper = request.match_info["name"], request.app[RUNNER], request.app[REBUILDS], request.app[KEEPER]
    if name not in runner.projections:
        raise web.HTTPNotFound(text=f"no projection {name!r}; projections are {', '.join(runner.projections)}")
    if name in rebuilds:
        raise web.HTTPConflict(text=f"{name} is already being rebuilt")
    # Where the projections run (the keeper's thread or process), not on the read threads: a rebuild is long,
    # and reads must keep being answered meanwhile.
    task = asyncio.create_task(keeper.rebuild(name), name=f"rebuild-{name}")
    rebuilds[name] = task
    task.add_done_callback(lambda done: _finished(rebuilds, name, done))
    return json_response({"name": name, "rebuilding": True}, status=202, headers={"Location": "/v1/projections"})


def _finished(rebuilds: dict[str, asyncio.Task[int]], name: str, task: asyncio.Task[int]) -> None:
    rebuilds.pop(name, None)
    if not task.cancelled() and task.exception() is not None:
        log.error("rebuilding %s failed; the live view is unchanged", name, exc_info=task.exception())
