"""The two recorders a Timeline keeps its log with: the library's SQLite and PostgreSQL ones.

The library types an application's recorder as the abstract ApplicationRecorder; the side tables
(timeline.chain_store, timeline.authors) and the queries of timeline.storage reach into the
datastore and table names that only these two have. `sql_recorder` checks which one it is, once,
when a Timeline builds its recorder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from eventsourcing.persistence import ApplicationRecorder

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresApplicationRecorder
    from eventsourcing.sqlite import SQLiteApplicationRecorder

SQLRecorder: TypeAlias = "SQLiteApplicationRecorder | PostgresApplicationRecorder"


def sql_recorder(recorder: ApplicationRecorder) -> SQLRecorder:
    """The recorder as one of the two a Timeline runs on; TypeError for any other (the library's in-memory one)."""
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if isinstance(recorder, SQLiteApplicationRecorder):
        return recorder
    from eventsourcing.postgres import PostgresApplicationRecorder  # only reached on PostgreSQL: already imported

    if isinstance(recorder, PostgresApplicationRecorder):
        return recorder
    raise TypeError(f"a Timeline keeps its log in SQLite or PostgreSQL, not with {type(recorder).__name__}")
