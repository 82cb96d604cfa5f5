"""Keeps the views current in the background, off the event loop: the server wires it (timeline/http/server.py)
and wakes it after its writes; it knows nothing of HTTP.

Two keepers share what a reader sees (positions, waiting for them): `ViewKeeper` runs the projections on a
thread of the server's process; `projections.projector.ProcessKeeper` runs them in a child process, so that
projection work does not take the GIL from the requests."""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from projections.runner import ProjectionRunner
from timeline.wakeup import Wakeup

log = logging.getLogger(__name__)
# How long a starting server refreshes stale ready answers before it answers: bounded, because a store of many
# subjects after a rebuild would otherwise delay the start by all of them.
WARM_SECONDS = 10.0



@dataclass(frozen=True)
class ProjectorHealth:
    """Where the projections run, and whether they are running: what /healthz says of them."""

    mode: str  # thread or process
    alive: bool
    pid: int | None = None  # the projector process's, while it runs
    deaths: int = 0  # times the projector process ended unasked
    restarts: int = 0  # times it was started again after one


class Keeper(Wakeup, ABC):
    """Catches the views up whenever woken (a write here, a NOTIFY from PostgreSQL) or every `poll` seconds,
    and tells readers how far they are."""

    def __init__(self, poll: float = 0.5) -> None:
        super().__init__(poll)
        self.positions: dict[str, int] = {}
        self.caught_up = asyncio.Condition()

    @abstractmethod
    async def start(self) -> None:
        """Set the views up and bring them to the log's head, before the server answers."""

    @abstractmethod
    async def catch_up(self) -> dict[str, int]:
        """Apply every new event to every view; their positions then."""

    @abstractmethod
    async def rebuild(self, name: str) -> int:
        """Rebuild one view into fresh tables and swap them in; its position then."""

    @abstractmethod
    async def close(self) -> None:
        """Stop, once what is running has finished."""

    async def refresh(self) -> bool:
        """Once caught up (readers told, no write since): compute again a part of what the batches marked stale;
        True when more may remain. The process keeper's child does it after each catch-up, by itself."""
        return False

    def health(self) -> ProjectorHealth:
        return ProjectorHealth("thread", alive=True)

    async def run(self) -> None:
        while True:
            await self.woken()
            try:
                positions = await self.catch_up()
            except Exception:
                # A failed batch left its view as it was; log it and try again on the next wake.
                log.exception("projection batch failed; the views stay at their last position")
                continue
            await self._reached(positions)
            if self.pending():
                continue  # new writes first: under a stream of them, reads compute what is stale (the GIL is shared)
            try:
                if await self.refresh():
                    self.wake()  # the next part after the next catch-up: new writes first
            except Exception:
                log.exception("refreshing the views' ready answers failed; reads compute them meanwhile")

    async def _reached(self, positions: dict[str, int]) -> None:
        async with self.caught_up:
            self.positions = positions
            self.caught_up.notify_all()

    async def wait_for_all(self, position: int, timeout: float) -> bool:
        """Wait until every view has reached `position`; False if they have not within `timeout` seconds."""
        def reached() -> bool:
            return all(at >= position for at in self.positions.values())

        if reached():
            return True
        self.wake()
        async with self.caught_up:
            try:
                await asyncio.wait_for(self.caught_up.wait_for(reached), timeout)
            except TimeoutError:
                return False
        return True


class ViewKeeper(Keeper):
    """Runs the projections on one thread of this process."""

    def __init__(self, runner: ProjectionRunner, poll: float = 0.5) -> None:
        super().__init__(poll)
        self.runner = runner
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeline-projector")

    async def start(self) -> None:
        await asyncio.to_thread(self.runner.setup)
        self.positions = await asyncio.to_thread(self.runner.catch_up)
        await asyncio.to_thread(self.runner.warm, WARM_SECONDS)  # what is left, the loop refreshes as it goes

    async def catch_up(self) -> dict[str, int]:
        return await self._loop.run_in_executor(self._executor, self.runner.catch_up)

    async def refresh(self) -> bool:
        return await self._loop.run_in_executor(self._executor, self.runner.refresh)

    async def rebuild(self, name: str) -> int:
        # Not on the projector's thread: a rebuild is long, and the live views must keep catching up meanwhile.
        return await asyncio.to_thread(self.runner.rebuild, name)

    async def close(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, True)
