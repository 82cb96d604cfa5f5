"""The aiohttp application factory: every resource is opened and closed in a cleanup context."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from projections import all_projections
from projections.notify import listener_for
from projections.runner import ProjectionRunner
from projections.store import open_store
from projections.views import Views
from timeline.app import Timeline
from timeline.config import Settings
from timeline.http.keeper import ViewKeeper
from timeline.http.keys import KEEPER, RUNNER, SETTINGS, TIMELINE, VIEWS, WRITER
from timeline.http.routes import add_routes
from timeline.loader import read_record_file, store_record_file
from timeline.seed import seed_files

log = logging.getLogger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application()
    app[SETTINGS] = settings
    app.cleanup_ctx.append(_timeline)
    app.cleanup_ctx.append(_views)
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


async def _views(app: web.Application) -> AsyncIterator[None]:
    """Open the view store, bring every view up to the log, and keep it there."""
    settings, timeline = app[SETTINGS], app[TIMELINE]
    store = await asyncio.to_thread(open_store, settings.database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    await asyncio.to_thread(runner.setup)
    await asyncio.to_thread(runner.catch_up)
    keeper = ViewKeeper(runner)
    listener = listener_for(settings.database, timeline.notification_channel, keeper.wake_threadsafe)
    if listener:
        listener.start()
    task = asyncio.create_task(keeper.run(), name="timeline-views")
    app[RUNNER], app[VIEWS], app[KEEPER] = runner, Views(store), keeper
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if listener:
        await asyncio.to_thread(listener.stop)
    await asyncio.to_thread(keeper.close)
    await asyncio.to_thread(store.close)


def _seed_if_empty(timeline: Timeline) -> None:
    if timeline.head() > 0:
        return
    for path in seed_files():
        receipts = store_record_file(timeline, read_record_file(path))
        log.info("seeded %s: %d records", path.name, len(receipts))
