"""Keeps the views current in the background, off the event loop: the server wires it (timeline/http/server.py)
and wakes it after its writes; it knows nothing of HTTP."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from projections.runner import ProjectionRunner
from timeline.wakeup import Wakeup

log = logging.getLogger(__name__)


class ViewKeeper(Wakeup):
    """Runs the projections whenever woken (a write here, a NOTIFY from PostgreSQL) or every `poll` seconds."""

    def __init__(self, runner: ProjectionRunner, positions: dict[str, int], poll: float = 0.5) -> None:
        super().__init__(poll)
        self.runner = runner
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeline-projector")
        self.positions = positions
        self.caught_up = asyncio.Condition()

    async def run(self) -> None:
        while True:
            await self.woken()
            try:
                positions = await self._loop.run_in_executor(self._executor, self.runner.catch_up)
            except Exception:
                # A failed batch left its view as it was; log it and try again on the next wake.
                log.exception("projection batch failed; the views stay at their last position")
                continue
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

    def close(self) -> None:
        self._executor.shutdown(wait=True)
