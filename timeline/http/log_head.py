"""The log's head as of a moment, for read-your-writes: a read waits until the views reach a head
looked up after the read arrived, so it reflects every write acknowledged before it, by this
server or by any other writer of the same store (`timeline load`, another server).

One look-up answers every read that arrived before it started; reads arriving while it runs
wait for the next one. Under load that is one query per burst of reads, not one per read. Where
the store can say cheaply that nothing was committed since the last look-up (SQLite's
data_version, read on the loop in microseconds), that look-up's head still holds and no query runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


class LogHead:
    def __init__(self, look_up: Callable[[], int], probe: Callable[[], int | None] | None = None) -> None:
        self._look_up = look_up
        self._probe = probe
        self._known: tuple[int, int] | None = None  # (probe token read before a look-up began, its head)
        self._probing: asyncio.Future[int | None] | None = None  # one probe for the reads of a loop iteration
        # Its own thread: a look-up must not queue behind long view reads.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="timeline-head")
        self._running: asyncio.Future[int] | None = None
        self._next: asyncio.Future[int] | None = None
        self.look_ups = 0  # queries run (a probe that saw no commit runs none)

    async def since_now(self, timeout: float) -> int:
        """A head read from the store after this call began (or one no commit has passed since);
        TimeoutError past `timeout` seconds."""
        token = await self._probed() if self._probe is not None else None
        if token is not None and self._known is not None and self._known[0] == token:
            return self._known[1]  # nobody has committed since that head was read
        if self._running is None:
            self._running = self._start()
            shared = self._running
        else:
            # The running look-up may have read the store before we arrived: wait for the next one.
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
            shared = self._next
        # Shielded: one reader giving up must not cancel the look-up the others share.
        return await asyncio.wait_for(asyncio.shield(shared), timeout)

    def _probed(self) -> asyncio.Future[int | None]:
        """A probe taken after this call, shared by every read that asks before it runs (at the end of
        this loop iteration): one probe per burst of arrivals, not one per read."""
        if self._probing is None:
            loop = asyncio.get_running_loop()
            self._probing = loop.create_future()
            loop.call_soon(self._probe_now)
        return self._probing

    def _probe_now(self) -> None:
        probing, self._probing = self._probing, None
        assert probing is not None
        assert self._probe is not None
        probing.set_result(self._probe())

    def _start(self) -> asyncio.Future[int]:
        token = self._probe() if self._probe is not None else None  # before the query: a later commit changes it
        self.look_ups += 1
        running = asyncio.get_running_loop().run_in_executor(self._executor, self._look_up)
        running.add_done_callback(self._finished)
        if token is not None:
            running.add_done_callback(lambda done: self._remember(token, done))
        return running

    def _remember(self, token: int, done: asyncio.Future[int]) -> None:
        if not done.cancelled() and done.exception() is None:
            self._known = (token, done.result())

    def _finished(self, done: asyncio.Future[int]) -> None:
        self._running = None
        waiting, self._next = self._next, None
        if waiting is None:
            return
        try:
            self._running = self._start()
        except RuntimeError as error:  # closed: no look-up will run again
            waiting.set_exception(error)
            return
        self._running.add_done_callback(lambda finished: _settle(waiting, finished))

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def _settle(waiting: asyncio.Future[int], finished: asyncio.Future[int]) -> None:
    if waiting.done():
        return
    if finished.cancelled():
        waiting.cancel()
    elif (error := finished.exception()) is not None:
        waiting.set_exception(error)
    else:
        waiting.set_result(finished.result())
