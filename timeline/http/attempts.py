"""Counting failed token checks per client, to slow down guessing."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable


class FailedAttempts:
    """Failed token checks per client address; past `limit` within `window` seconds, the client must wait."""

    def __init__(self, limit: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}

    def wait_seconds(self, client: str) -> int:
        """0 if the client may try; otherwise how long until it may."""
        failures = self._recent(client)
        if len(failures) < self.limit:
            return 0
        return max(1, math.ceil(failures[0] + self.window - self.clock()))

    def failed(self, client: str) -> None:
        failures = self._recent(client)
        failures.append(self.clock())
        self._failures[client] = failures

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.pop(client, deque())
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        if failures:  # quiet clients are forgotten, so the table cannot grow without bound
            self._failures[client] = failures
        return failures
