"""The projector process: the views kept current by a child process, so that projection work never takes the
GIL from the server's requests.

The server's `ProcessKeeper` starts the child (spawned: never a fork of a process with threads and open
connections), wakes it and learns the views' positions over a pipe the event loop watches; the child opens its
own log reader and view store from the same database and runs the same `ProjectionRunner`.

Parent to child: ("catch_up",), ("rebuild", name), ("stop",).
Child to parent: ("positions", {view: position}), ("failed", why), ("rebuilt", name, position),
("rebuild_failed", name, why).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from projections import all_projections
from projections.keeper import WARM_SECONDS, Keeper, ProjectorHealth
from projections.runner import ProjectionRunner
from projections.store import open_store
from timeline import logs

log = logging.getLogger(__name__)

STOP_SECONDS = 30.0  # how long closing waits for the child to finish its batch before ending it
MAX_BACKOFF_SECONDS = 30.0  # the longest wait before starting again a child that keeps dying at start


class ProjectorDied(RuntimeError):
    """The projector process ended before it answered."""


@dataclass
class _Child:
    process: BaseProcess
    connection: Connection
    answered: bool = False  # it has set the views up and caught up once


class ProcessKeeper(Keeper):
    """Runs the projections in a child process, started again whenever it dies."""

    def __init__(self, database: str, poll: float = 0.5) -> None:
        super().__init__(poll)
        self.database = database
        self._child: _Child | None = None
        self._positions: asyncio.Future[dict[str, int]] | None = None  # the answer to the catch-up asked for
        self._rebuilds: dict[str, asyncio.Future[int]] = {}
        self._deaths = self._restarts = self._failed_starts = 0
        self._start_after = 0.0  # monotonic time before which a child that died at start is not started again
        self._closing = False
        self._asking = asyncio.Lock()  # one question at a time: a catch-up's answer, or a (re)start, is awaited whole
        self.died = asyncio.Event()  # set whenever a child dies unasked (cleared when one starts)

    async def start(self) -> None:
        self.positions = await self._spawn()

    async def catch_up(self) -> dict[str, int]:
        async with self._asking:
            if self._child is None:
                return await self._restart()
            return await self._ask(("catch_up",))

    async def rebuild(self, name: str) -> int:
        async with self._asking:
            if self._child is None:
                await self._reached(await self._restart())
            assert self._child is not None
            done: asyncio.Future[int] = self._loop.create_future()
            self._rebuilds[name] = done
            self._child.connection.send(("rebuild", name))
        try:
            return await done
        finally:
            self._rebuilds.pop(name, None)

    def health(self) -> ProjectorHealth:
        child = self._child
        return ProjectorHealth(
            "process", alive=child is not None, pid=child.process.pid if child else None,
            deaths=self._deaths, restarts=self._restarts,
        )

    async def close(self) -> None:
        self._closing = True
        child, self._child = self._child, None
        if child is None:
            return
        self._unwatch(child)
        with contextlib.suppress(OSError):
            child.connection.send(("stop",))
        await asyncio.to_thread(child.process.join, STOP_SECONDS)
        if child.process.is_alive():
            log.error("the projector process did not stop within %.0f s; ending it", STOP_SECONDS)
            child.process.kill()
            await asyncio.to_thread(child.process.join)
        child.connection.close()

    # The child, seen from here

    async def _restart(self) -> dict[str, int]:
        if time.monotonic() < self._start_after:
            raise ProjectorDied("the projector process died at start; starting it again shortly")
        self._restarts += 1
        log.warning("starting the projector process again (restart %d)", self._restarts)
        return await self._spawn()

    async def _spawn(self) -> dict[str, int]:
        """Start a child; its positions once it has set the views up and caught them up."""
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=project, args=(self.database, theirs, logs.chosen()), name="timeline-projector", daemon=True
        )
        self._positions = self._loop.create_future()
        await asyncio.to_thread(process.start)  # spawning starts an interpreter: seconds on a busy machine
        theirs.close()  # only the child holds its end now: its death is our end's EOF
        child = self._child = _Child(process, ours)
        self.died.clear()
        self._loop.add_reader(ours.fileno(), self._receive, child)
        self._loop.add_reader(process.sentinel, self._ended, child)
        log.info("projector process %d started", process.pid)
        return await self._positions

    async def _ask(self, message: tuple[str, ...]) -> dict[str, int]:
        assert self._child is not None
        self._positions = self._loop.create_future()
        self._child.connection.send(message)
        return await self._positions

    def _receive(self, child: _Child) -> None:
        try:
            while child is self._child and child.connection.poll():
                self._handle(child, child.connection.recv())
        except (EOFError, OSError):
            self._ended(child)

    def _handle(self, child: _Child, message: tuple[Any, ...]) -> None:
        match message:
            case ("positions", positions):
                child.answered = True
                _resolve(self._positions, positions)
            case ("failed", why):
                _fail(self._positions, RuntimeError(f"the projector process could not catch up: {why}"))
            case ("rebuilt", name, position):
                _resolve(self._rebuilds.get(name), position)
            case ("rebuild_failed", name, why):
                _fail(self._rebuilds.get(name), RuntimeError(f"rebuilding {name} failed: {why}"))

    def _ended(self, child: _Child) -> None:
        """The child is gone (its sentinel or its pipe says so): say so, fail what waited on it, start again later."""
        if child is not self._child:
            return
        self._child = None
        self._unwatch(child)
        child.process.join(timeout=1)  # its sentinel is ready: this reaps it at once
        child.connection.close()
        if self._closing:
            return
        self._deaths += 1
        log.error("the projector process %s ended unasked (exit code %s); starting it again", child.process.pid, child.process.exitcode)
        died = ProjectorDied(f"the projector process ended (exit code {child.process.exitcode})")
        _fail(self._positions, died)
        for future in self._rebuilds.values():
            _fail(future, died)
        self._failed_starts = 0 if child.answered else self._failed_starts + 1
        # A child that keeps dying before it answers is started again ever more slowly, not in a busy loop.
        backoff = min(self.poll * 2 ** (self._failed_starts - 1), MAX_BACKOFF_SECONDS) if self._failed_starts else 0.0
        self._start_after = time.monotonic() + backoff
        self.died.set()
        self.wake()  # start it again now, not at the next poll: readers may be waiting

    def _unwatch(self, child: _Child) -> None:
        self._loop.remove_reader(child.connection.fileno())
        self._loop.remove_reader(child.process.sentinel)


def _resolve(future: asyncio.Future[Any] | None, value: Any) -> None:
    if future is not None and not future.done():
        future.set_result(value)


def _fail(future: asyncio.Future[Any] | None, error: BaseException) -> None:
    if future is not None and not future.done():
        future.set_exception(error)
        future.exception()  # retrieved: nobody may be awaiting it any more (a read gave up), and that is fine


# The child

def refresh(runner: ProjectionRunner, connection: Connection) -> None:
    """Once caught up and the parent told: compute again what the batches marked stale, a part at a time, for as
    long as the parent asks nothing (a catch-up asked for comes first)."""
    try:
        while not connection.poll() and runner.refresh():
            pass
    except Exception:
        log.exception("refreshing the views' ready answers failed; reads compute them meanwhile")


def project(database: str, connection: Connection, logging_as: tuple[str, str] | None) -> None:
    """The projector process's life: set the views up, then catch up and rebuild when asked, until told to stop
    or until the server is gone (the pipe's EOF)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's ^C is the server's to handle; it stops us
    if logging_as:
        logs.configure(*logging_as)
    from timeline.application import Timeline

    timeline = Timeline(database)
    store = open_store(database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    sending = threading.Lock()  # rebuilds answer from their own threads

    def send(message: tuple[Any, ...]) -> None:
        with sending:
            connection.send(message)

    def rebuild(name: str) -> None:
        try:
            send(("rebuilt", name, runner.rebuild(name)))
        except Exception as error:
            log.exception("rebuilding %s failed; the live view is unchanged", name)
            send(("rebuild_failed", name, str(error)))

    rebuilds: list[threading.Thread] = []
    try:
        runner.setup()
        positions = runner.catch_up()
        runner.warm(WARM_SECONDS)  # before the server answers, as the thread keeper does
        send(("positions", positions))
        while True:
            try:
                message = connection.recv()
            except EOFError:
                break  # the server is gone
            if message == ("stop",):
                break
            if message == ("catch_up",):
                try:
                    send(("positions", runner.catch_up()))
                except Exception as error:
                    log.exception("projection batch failed; the views stay at their last position")
                    send(("failed", str(error)))
                    continue
                refresh(runner, connection)
            elif message[0] == "rebuild":
                # On its own thread: the live views keep catching up meanwhile, as they do in the server.
                thread = threading.Thread(target=rebuild, args=(message[1],), name=f"rebuild-{message[1]}")
                thread.start()
                rebuilds.append(thread)
    finally:
        for thread in rebuilds:
            thread.join()  # a rebuild cannot be interrupted; let it finish its swap
        store.close()
        timeline.close()
