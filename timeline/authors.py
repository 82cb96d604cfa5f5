"""Who wrote what: the configured name of the token behind each event written over HTTP.

The `log_authors (position, name)` table sits beside the events; the recorders write its rows on
the transaction that inserts the events (as they do the chain's, timeline.chain_store), so a name
commits or rolls back with its event. Only names are kept, never tokens. Events written without
a token (the command line, a server without tokens) have no row. Names are not part of the hash
chain: they say who, the chain says what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline.chain_store import Dialect, _rows, create_side_table, dialect
from timeline.recorders import SQLRecorder

TABLE = "log_authors"

Authors = Mapping[tuple[UUID, int], str]  # (originator id, version) -> token name


def _table(names: Dialect) -> str:
    return names.table(TABLE)


def create(recorder: SQLRecorder) -> None:
    create_side_table(recorder, TABLE, "position BIGINT PRIMARY KEY, name TEXT NOT NULL")


def append(cursor: Any, names: Dialect, inserted: Iterable[tuple[int, StoredEvent]], authors: Authors | None) -> None:
    """Record the author of each event just inserted on this cursor's transaction, where one is known."""
    if not authors:
        return
    rows = [
        (position, name)
        for position, event in inserted
        if (name := authors.get((_uuid(event.originator_id), event.originator_version))) is not None
    ]
    if rows:
        p = names.param
        cursor.executemany(f"INSERT INTO {_table(names)} (position, name) VALUES ({p}, {p})", rows)


def between(recorder: SQLRecorder, after: int, through: int) -> dict[int, str]:
    """Authors of the events with positions in (after, through]."""
    names = dialect(recorder)
    p = names.param
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT position, name FROM {_table(names)} WHERE position > {p} AND position <= {p}", (after, through))
        return {int(position): str(name) for position, name in _rows(cursor)}


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
