"""Where `timeline load` keeps a file's events until the whole file is accepted: a SQLite file of its own.

Staging holds no lock on the log: other writers go on while a large file is read and checked. Each
event's state is hashed here too, so that the commit (timeline.storage's `commit_staged`), which holds
the log's lock, only moves rows and links the chain. Removed with its folder when the load ends.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline import storage
from timeline.application import Timeline
from timeline.chain import extend_digested

Staged = tuple[int, str, int, str, bytes]  # order, originator id hex, version, topic, state or its sha256


class Staging:
    """A load's staged events, in the order they were staged (the order they will have in the log)."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="timeline-load-")
        self.path = Path(self._folder.name) / "staged.sqlite3"
        self._connection = sqlite3.connect(self.path, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=OFF")  # a load that fails stores nothing: nothing to recover
        self._connection.execute("PRAGMA synchronous=OFF")
        self._connection.execute(
            "CREATE TABLE events (seq INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, "
            "topic TEXT NOT NULL, state BLOB NOT NULL, digest BLOB NOT NULL, UNIQUE (originator_id, originator_version))"
        )
        self._connection.execute("BEGIN")
        self.count = 0
        self.chained_after: tuple[int, str] | None = None  # the log's head the staged chain rows follow, once computed

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        self._connection.close()
        self._folder.cleanup()

    def add(self, events: list[StoredEvent]) -> None:
        rows = [
            (storage.as_uuid(e.originator_id).hex, e.originator_version, e.topic, e.state, hashlib.sha256(e.state).digest())
            for e in events
        ]
        self._connection.executemany(
            "INSERT INTO events (originator_id, originator_version, topic, state, digest) VALUES (?, ?, ?, ?, ?)", rows
        )
        self.count += len(rows)

    def holding(self, ids: set[UUID]) -> set[UUID]:
        """Which of these ids have events staged."""
        found: set[UUID] = set()
        hexes = [i.hex for i in ids]
        for start in range(0, len(hexes), 500):
            part = hexes[start : start + 500]
            marks = ", ".join("?" * len(part))
            found |= {UUID(row[0]) for row in self._connection.execute(f"SELECT DISTINCT originator_id FROM events WHERE originator_id IN ({marks})", part)}
        return found

    def events_of(self, aggregate_id: UUID) -> list[StoredEvent]:
        """An aggregate's staged events, by version."""
        rows = self._connection.execute(
            "SELECT originator_version, topic, state FROM events WHERE originator_id = ? ORDER BY originator_version", (aggregate_id.hex,)
        )
        return [StoredEvent(aggregate_id, version, topic, state) for version, topic, state in rows]

    def chain_after(self, position: int, link: str) -> None:
        """Link the staged events into the hash chain as if they followed `position` and `link` (the log's head now),
        before the log's lock is taken: the commit uses these rows if the head has not moved by then."""
        self._connection.execute("CREATE TABLE IF NOT EXISTS chain (position INTEGER PRIMARY KEY, link TEXT NOT NULL, content TEXT NOT NULL)")
        self._connection.execute("BEGIN")
        self._connection.execute("DELETE FROM chain")
        events = ((position + n, i, v, topic, digest) for n, (_, i, v, topic, digest) in enumerate(self.digests(), start=1))
        rows = ((row.position, row.link, row.content) for row in extend_digested(link, events))
        self._connection.executemany("INSERT INTO chain (position, link, content) VALUES (?, ?, ?)", rows)
        self._connection.execute("COMMIT")
        self.chained_after = (position, link)

    def finish(self) -> None:
        """Make what was staged readable from another connection (the commit's)."""
        if self._connection.in_transaction:
            self._connection.execute("COMMIT")

    def rows(self) -> Iterator[Staged]:
        """Every staged event with its state, in order."""
        yield from self._connection.execute("SELECT seq, originator_id, originator_version, topic, state FROM events ORDER BY seq")

    def digests(self) -> Iterator[Staged]:
        """Every staged event with its state's sha256, in order."""
        yield from self._connection.execute("SELECT seq, originator_id, originator_version, topic, digest FROM events ORDER BY seq")


def commit_staged(app: Timeline, staging: Staging) -> tuple[int, float]:
    """Move every staged event into the log in one transaction, extending its hash chain; the log's head after, and the
    seconds the log's lock was held. Conflict when another writer stored one of these ids or versions since they were staged."""
    staging.finish()
    locked = 0.0
    if staging.count:
        app.check_store()
        locked = storage.commit_staged(app.recorder, staging)
    return app.head(), locked
