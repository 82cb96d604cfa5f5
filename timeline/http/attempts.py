"""Counting failed token checks per client, to slow down guessing."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class FailedAttempts:
    """Failed token checks per client address; past `limit` within `window` seconds, the client must wait.

    At most `max_clients` addresses are remembered, the most recently failing ones, so a flood of
    addresses cannot grow the table without bound.
    """

    def __init__(
        self, limit: int = 10, window: float = 60.0, clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000
    ) -> None:
        self.limit, self.window, self.clock, self.max_clients = limit, window, clock, max_clients
        self._failures: dict[str, deque[float]] = {}  # in order of last failure: the oldest is forgotten first
        self._lock = threading.Lock()

    def wait_seconds(self, client: str) -> int:
        """0 if the client may try; otherwise how long until it may."""
        with self._lock:
            failures = self._recent(client)
            if len(failures) < self.limit:
                return 0
            return max(1, math.ceil(failures[0] + self.window - self.clock()))

    def failed(self, client: str) -> None:
        with self._lock:
            failures = self._recent(client)
            failures.append(self.clock())
            self._failures.pop(client, None)
            self._failures[client] = failures
            while len(self._failures) > self.max_clients:
                del self._failures[next(iter(self._failures))]

    def clients(self) -> int:
        """How many addresses are remembered."""
        return len(self._failures)

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.get(client) or deque(maxlen=self.limit)
        while failures and failures[0] <= self.clock() - self.window:
            failures.popleft()
        if not failures:  # quiet clients are forgotten
            self._failures.pop(client, None)
        return failures
