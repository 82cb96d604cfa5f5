"""The library's PostgreSQL recorder, except that a large batch goes in as several INSERTs.

psycopg 3.3.9 hangs in pipeline mode once one statement's parameters pass somewhere between 8 and
20 MB: a single 20 MB bytea in a pipeline never completes, while the server waits in ClientRead.
The library inserts a whole batch as one array parameter inside a pipeline, so `timeline load` of
a large file into PostgreSQL hung (10,000 facts did; 5,000 did not). Small batches, the
server's everyday group commits, keep the library's path. A large one takes the same table lock
and NOTIFY, then inserts a slice at a time outside pipeline mode, all in one transaction, so a
file is still stored whole or not at all.

Either way, the log's hash chain (timeline.chain_store) is extended on the same transaction after
the events, while the table lock is held: chain order is commit order, and a chain row commits or
rolls back with its event.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Cursor
from psycopg.rows import DictRow

from timeline import authors, chain_store, idempotency_keys, redaction_store

SLICE_EVENTS = 1000
SLICE_BYTES = 4 * 1024 * 1024  # well under where the hang begins


class SlicingPostgresRecorder(PostgresApplicationRecorder):
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        if len(stored_events) <= SLICE_EVENTS and sum(len(e.state) for e in stored_events) <= SLICE_BYTES:
            inserted: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return inserted
        notification_ids: list[int] = []
        with _integrity_errors(), self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._lock_table(curs)
            self._notify_channel(curs)
            for piece in _slices(stored_events):
                rows = [self.construct_pg_stored_event(e.originator_id, e.originator_version, e.topic, e.state) for e in piece]
                curs.execute(self.insert_events_statement, (rows,))
                notification_ids += [row["notification_id"] for row in curs.fetchall()]
            self._append_side_rows(curs, notification_ids, stored_events, kwargs)
        return notification_ids

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # Called inside the library's insert transaction, after the INSERT, with the table locked.
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        assert notification_ids is not None
        self._append_side_rows(curs, notification_ids, stored_events, kwargs)
        return notification_ids

    def _append_side_rows(self, curs: Any, ids: Sequence[int], stored_events: Sequence[StoredEvent], kwargs: dict[str, Any]) -> None:
        """The chain's rows, who wrote each event (timeline.authors), the writes' keys (timeline.idempotency_keys) and a
        redaction's purge (timeline.redaction_store),
        on the inserting transaction."""
        inserted = list(zip(ids, stored_events, strict=True))
        chain_store.append(curs, chain_store.dialect(self), inserted)
        authors.append(curs, chain_store.dialect(self), inserted, kwargs.get("authors"))
        redaction_store.purge(curs, chain_store.dialect(self), inserted)
        idempotency_keys.append(curs, chain_store.dialect(self), kwargs.get("keys"), max(ids))


@contextlib.contextmanager
def _integrity_errors() -> Iterator[None]:
    """A clash with what another writer stored (an id, a version, a key) as the library's IntegrityError, as its own path raises it."""
    try:
        yield
    except psycopg.IntegrityError as error:
        raise IntegrityError(str(error)) from error


def _slices(events: Sequence[StoredEvent]) -> Iterator[Sequence[StoredEvent]]:
    start, size = 0, 0
    for index, event in enumerate(events):
        if index > start and (index - start >= SLICE_EVENTS or size + len(event.state) > SLICE_BYTES):
            yield events[start:index]
            start, size = index, 0
        size += len(event.state)
    if start < len(events):
        yield events[start:]
