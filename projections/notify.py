"""Waking the runner when the log grows: PostgreSQL pushes with LISTEN/NOTIFY; SQLite cannot.

The eventsourcing library NOTIFYs its events table's channel on every insert. On
SQLite the server's own writer wakes the runner, and a short poll catches writes
made by other processes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from timeline.storage import is_postgres
from timeline.storage.postgres import conninfo


class PostgresListener:
    """A thread that calls `on_notify` whenever a new event is committed to the log."""

    def __init__(self, database: str, channel: str, on_notify: Callable[[], None]) -> None:
        self.database, self.on_notify, self.channel = database, on_notify, channel
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="timeline-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _listen(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo(self.database), autocommit=True) as conn:
                    conn.execute(f'LISTEN "{self.channel}"')
                    self.on_notify()  # anything committed before LISTEN took effect
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self.on_notify()
            except psycopg.OperationalError:
                self._stop.wait(1.0)  # the server went away: retry, the poll covers the gap


def listener_for(database: str, channel: str | None, on_notify: Callable[[], None]) -> PostgresListener | None:
    return PostgresListener(database, channel, on_notify) if is_postgres(database) and channel else None
