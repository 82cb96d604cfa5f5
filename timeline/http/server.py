"""The server's composition root, the aiohttp application factory: every resource is opened and closed in a
cleanup context."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import sys
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from projections import all_projections
from projections.keeper import Keeper, ViewKeeper
from projections.notify import listener_for
from projections.projector import ProcessKeeper
from projections.runner import ProjectionRunner
from projections.store import ViewStore, open_store
from projections.views import Views
from timeline.application import Timeline
from timeline.config import Settings
from timeline.http.answers import AnswerCache
from timeline.http.attempts import FailedAttempts
from timeline.http.auth import require_token_for_writes
from timeline.http.bodies import refuse_oversized_bodies
from timeline.http.handlers.events import read_frames
from timeline.http.hosts import require_known_host
from timeline.http.keys import (
    ANSWERS,
    FAILED_ATTEMPTS,
    KEEPER,
    LOG_HEAD,
    LOG_WATCH,
    METRICS,
    READS,
    REBUILDS,
    RUNNER,
    SETTINGS,
    STREAMS,
    TIMELINE,
    VIEWS,
    WRITER,
)
from timeline.http.log_head import LogHead
from timeline.http.log_watch import LogWatch
from timeline.http.metrics import Metrics, counting
from timeline.http.negotiate import negotiation_middleware
from timeline.http.problems import problems_middleware
from timeline.http.request_ids import HEADER as REQUEST_ID_HEADER
from timeline.http.request_ids import add_request_id, request_ids
from timeline.http.routes import add_routes
from timeline.http.security import add_security_headers
from timeline.seed import sync_frameworks, sync_seed
from timeline.storage import commit_probe
from timeline.writer import Writer

log = logging.getLogger(__name__)


def tune_process() -> None:
    """Let the event loop's thread take the GIL back sooner from the worker threads (reads, writer, projector).

    With the default 5 ms switch interval, a loop callback that waits behind three busy threads
    can take tens of milliseconds of wall time while doing almost nothing.
    """
    sys.setswitchinterval(0.001)
    # Large view reads allocate many short-lived objects; collect the young generation less
    # often, so that a full collection (which stops every thread, the loop's too) is rare.
    gc.set_threshold(20_000, 20, 20)


def create_app(settings: Settings) -> web.Application:
    metrics = Metrics()
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[
            request_ids, counting(metrics), problems_middleware, refuse_oversized_bodies, require_known_host,
            require_token_for_writes, negotiation_middleware,
        ],
    )
    app[SETTINGS] = settings
    app[METRICS] = metrics
    app[REBUILDS] = {}
    app[STREAMS] = set()
    app[FAILED_ATTEMPTS] = FailedAttempts()
    app[ANSWERS] = AnswerCache()
    app.on_response_prepare.append(add_security_headers)
    app.on_response_prepare.append(add_request_id)
    app.cleanup_ctx.append(_reads)
    app.cleanup_ctx.append(_timeline)
    app.cleanup_ctx.append(_views)
    app.cleanup_ctx.append(_writer)
    app.on_shutdown.append(_finish_rebuilds)
    app.on_shutdown.append(_end_streams)
    add_routes(app)
    if settings.cors_origins:
        allow_cors(app, settings.cors_origins)
    return app


def allow_cors(app: web.Application, origins: tuple[str, ...]) -> None:
    """Let pages from the configured origins call the API (aiohttp-cors answers the preflights)."""
    import aiohttp_cors

    options = aiohttp_cors.ResourceOptions(
        allow_credentials=False,
        allow_methods=["GET", "POST"],
        allow_headers=("Authorization", "Content-Type", "If-Match", "If-None-Match", "Last-Event-ID", REQUEST_ID_HEADER),
        expose_headers=("ETag", "Location", "Retry-After", REQUEST_ID_HEADER),
    )
    cors = aiohttp_cors.setup(app, defaults=dict.fromkeys(origins, options))
    for route in list(app.router.routes()):
        cors.add(route)


async def _reads(app: web.Application) -> AsyncIterator[None]:
    app[READS] = ThreadPoolExecutor(max_workers=app[SETTINGS].read_threads, thread_name_prefix="timeline-read")
    yield
    app[READS].shutdown(wait=True)


async def _timeline(app: web.Application) -> AsyncIterator[None]:
    """The log, opened (and seeded if empty) on the thread that will do all the writing."""
    settings = app[SETTINGS]
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeline-writer")
    loop = asyncio.get_running_loop()
    timeline = await loop.run_in_executor(executor, Timeline, settings.database)
    if settings.seed:
        await loop.run_in_executor(executor, _keep_seed_current, timeline)
    await loop.run_in_executor(executor, _keep_frameworks_current, timeline)
    app[TIMELINE] = timeline
    app[WRITER] = Writer(timeline, executor)
    probe = await loop.run_in_executor(executor, commit_probe, settings.database)
    app[LOG_HEAD] = LogHead(timeline.head, probe)
    head = await loop.run_in_executor(executor, timeline.head)
    read_page = functools.partial(read_frames, timeline)
    app[LOG_WATCH] = LogWatch(app[LOG_HEAD], head, read_page, app[READS], poll=settings.view_poll_seconds, timeout=settings.read_wait_seconds)
    yield
    await asyncio.to_thread(app[LOG_HEAD].close)
    if probe is not None:
        probe.close()
    await loop.run_in_executor(executor, timeline.close)
    executor.shutdown(wait=True)


async def _views(app: web.Application) -> AsyncIterator[None]:
    """Open the view store, bring every view up to the log, and keep it there."""
    settings, timeline = app[SETTINGS], app[TIMELINE]
    store = await asyncio.to_thread(open_store, settings.database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    keeper = _keeper(settings, runner)
    await keeper.start()
    await _open_connections_on_every_read_thread(app[READS], settings.read_threads, timeline, store)
    watch = app[LOG_WATCH]

    def committed_elsewhere() -> None:  # PostgreSQL's NOTIFY, on the listener's thread
        keeper.wake_threadsafe()
        watch.wake_threadsafe()

    listener = listener_for(settings.database, timeline.notification_channel, committed_elsewhere)
    if listener:
        listener.start()
    task = asyncio.create_task(keeper.run(), name="timeline-views")
    app[RUNNER], app[VIEWS], app[KEEPER] = runner, Views(store), keeper
    gc.freeze()  # what start-up built lives as long as the server: keep it out of every collection
    yield
    await _cancel(task)
    if listener:
        await asyncio.to_thread(listener.stop)
    await keeper.close()
    await asyncio.to_thread(store.close)


def _keeper(settings: Settings, runner: ProjectionRunner) -> Keeper:
    """The projections on a thread of this process, or in a child process (`--projector`)."""
    if settings.projector == "process":
        return ProcessKeeper(settings.database, poll=settings.view_poll_seconds)
    return ViewKeeper(runner, poll=settings.view_poll_seconds)


async def _open_connections_on_every_read_thread(reads: ThreadPoolExecutor, threads: int, timeline: Timeline, store: ViewStore) -> None:
    """Start every read thread now, each with its connections, so the server does not grow them under load.

    A barrier makes the tasks run on distinct threads at once; a steady number of open files
    after start-up is then something a soak can check.
    """
    barrier = threading.Barrier(threads)

    def touch() -> None:
        barrier.wait(timeout=30)
        timeline.head()
        with store.read():
            pass

    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(reads, touch) for _ in range(threads)))


async def _writer(app: web.Application) -> AsyncIterator[None]:
    writer, watch = app[WRITER], app[LOG_WATCH]
    writer.on_commit(app[KEEPER].wake)
    writer.on_commit(watch.wake)  # this process's commits wake the event streams directly
    writer.on_batch(app[METRICS].observe_batch)
    task = asyncio.create_task(writer.run(), name="timeline-writer")
    watching = asyncio.create_task(watch.run(), name="timeline-log-watch")
    yield
    await _cancel(watching)
    await _cancel(task)


async def _end_streams(app: web.Application) -> None:
    """An event stream never ends by itself: end each one, so that shutdown does not wait out its timeout."""
    streams = app[STREAMS]
    for stream in list(streams):
        stream.cancel()


async def _finish_rebuilds(app: web.Application) -> None:
    for task in list(app[REBUILDS].values()):
        with contextlib.suppress(Exception):
            await task  # a rebuild runs in a thread and cannot be interrupted; let it finish its swap


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _keep_frameworks_current(timeline: Timeline) -> None:
    recorded = sync_frameworks(timeline)
    if recorded:
        log.info("recorded %d framework editions or revisions", recorded)


def _keep_seed_current(timeline: Timeline) -> None:
    added = sync_seed(timeline)
    if added:
        log.info("seeded %d records", added)
