"""One wake-up per process for every open event stream.

An idle stream must cost nothing: it waits here, never on a timer of its own, and never reads the
store until the log has grown past it. The watch learns that the log grew

- directly, when this process commits (the writer calls `wake`),
- from PostgreSQL's NOTIFY (the same listener that wakes the views),
- and, for commits by other processes on SQLite, by looking every `poll` seconds, only while a
  stream waits. A look is LogHead's: on SQLite `PRAGMA data_version` read on the loop, with no query
  unless something was committed; on PostgreSQL one max-position query for the whole process.

Streams that are woken together read the new events together: one page read per position asked,
shared by every stream waiting at it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Generic, TypeVar

from timeline.http.log_head import LogHead
from timeline.wakeup import Wakeup

log = logging.getLogger(__name__)
Page = TypeVar("Page")


class LogWatch(Wakeup, Generic[Page]):
    def __init__(
        self, log_head: LogHead, head: int, read_page: Callable[[int], Page], executor: Executor, poll: float, timeout: float,
    ) -> None:
        super().__init__(poll)
        self.head = head  # the log reaches at least this far (as last seen)
        self.timeout = timeout
        self._log_head, self._read_page, self._executor = log_head, read_page, executor
        self._moved: asyncio.Future[None] = self._loop.create_future()
        self._reading: dict[int, asyncio.Future[Page]] = {}
        self.waiting = 0  # streams waiting for the log to grow
        # Instrumentation, for tests and operators: how often the watch looked at the store, and how many
        # pages it read for streams. Neither grows with the number of idle streams.
        self.looks = 0
        self.reads = 0
        self._looked = asyncio.Condition()

    async def run(self) -> None:
        while True:
            await self.woken()
            if self.waiting:
                await self._look()

    async def now(self) -> int:
        """The log's head as of now (looked up after this call began; shared with every caller of the moment)."""
        head = await self._log_head.since_now(self.timeout)
        self._saw(head)
        return head

    async def wait_past(self, position: int, timeout: float) -> bool:
        """Wait until the log reaches beyond `position`; False if it has not within `timeout` seconds."""
        if self.head > position:
            return True
        self.waiting += 1
        try:
            async with asyncio.timeout(timeout):
                while self.head <= position:
                    await asyncio.shield(self._moved)  # shared by every stream: one giving up must not cancel it
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        return True

    async def page(self, after: int) -> Page:
        """The log's next page after `after`, read once for every stream asking for it at the moment."""
        reading = self._reading.get(after)
        if reading is None:
            reading = self._loop.run_in_executor(self._executor, self._read_page, after)
            self._reading[after] = reading
            reading.add_done_callback(lambda _: self._reading.pop(after, None))
            self.reads += 1
        return await asyncio.shield(reading)

    async def looked(self, times: int) -> None:
        """Return once the watch has looked at the store `times` times in all (a hook for tests)."""
        async with self._looked:
            await self._looked.wait_for(lambda: self.looks >= times)

    async def _look(self) -> None:
        try:
            self._saw(await self._log_head.since_now(self.timeout))
        except Exception:  # the store did not answer in time: the next wake or poll looks again
            log.warning("the log's head could not be read for the event streams; looking again shortly", exc_info=True)
        self.looks += 1
        async with self._looked:
            self._looked.notify_all()

    def _saw(self, head: int) -> None:
        if head > self.head:
            self.head = head
            moved, self._moved = self._moved, self._loop.create_future()
            moved.set_result(None)
