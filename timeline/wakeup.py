"""A background loop's wake-up: woken by a commit (from the loop or another thread), else every `poll` seconds."""

from __future__ import annotations

import asyncio
import contextlib


class Wakeup:
    def __init__(self, poll: float) -> None:
        self.poll = poll
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def wake(self) -> None:
        """Something was committed: go now rather than at the next poll."""
        self._event.set()

    def wake_threadsafe(self) -> None:
        self._loop.call_soon_threadsafe(self._event.set)

    def pending(self) -> bool:
        """Woken since the last `woken` returned: something was committed meanwhile."""
        return self._event.is_set()

    async def woken(self) -> None:
        """Return once woken, or once `poll` seconds have passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=self.poll)
        self._event.clear()
