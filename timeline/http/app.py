"""The aiohttp application factory: every resource is opened and closed in a cleanup context."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from timeline.app import Timeline
from timeline.config import Settings
from timeline.http.keys import SETTINGS, TIMELINE, WRITER
from timeline.http.routes import add_routes
from timeline.loader import read_record_file, store_record_file
from timeline.seed import seed_files

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_timeline)
    add_routes(app)
    return app


async def _timeline(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeline-writer")
    loop = asyncio.get_running_loop()
    timeline = await loop.run_in_executor(writer, Timeline, settings.database)
    if settings.seed:
        await loop.run_in_executor(writer, _seed_if_empty, timeline)
    app[TIMELINE], app[WRITER] = timeline, writer
    yield
    await loop.run_in_executor(writer, timeline.close)
    writer.shutdown(wait=True)


def _seed_if_empty(timeline: Timeline) -> None:
    if timeline.head() > 0:
        return
    for path in seed_files():
        receipts = store_record_file(timeline, read_record_file(path))
        log.info("seeded %s: %d records", path.name, len(receipts))
