"""The library's SQLite recorder, except that every insert also extends the log's hash chain,
records who wrote each event (timeline.authors), when a token did, the idempotency keys of the writes
they belong to (timeline.idempotency_keys), and a redaction purges the content it takes down
(timeline.redaction_store).

The chain rows (timeline.chain_store) go in on the same cursor, after the events, inside the
single writer's transaction: they commit, or roll back, with the events they chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from timeline import authors, chain_store, idempotency_keys, redaction_store


class ChainingSQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        assert positions is not None  # the application recorder returns every rowid
        inserted = list(zip(positions, stored_events, strict=True))
        chain_store.append(c, chain_store.dialect(self), inserted)
        authors.append(c, chain_store.dialect(self), inserted, kwargs.get("authors"))
        redaction_store.purge(c, chain_store.dialect(self), inserted)
        idempotency_keys.append(c, chain_store.dialect(self), kwargs.get("keys"), max(positions))
        return positions
