"""Where the log lives: one SQLite file by default, or a PostgreSQL database.

Translates a `--database` value into the eventsourcing library's settings, and
holds the few queries the library does not offer (positions of a stored event,
counts by topic, restoring an exported log at its positions). Nothing else
touches SQL on the write side.

`LogStorage` names what a backend does; `timeline.storage.sqlite` and
`timeline.storage.postgres` do it. The functions below are what the rest of the
code calls: each picks the backend, from the `--database` value or from the
recorder, in one place (`for_database`, `for_recorder`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline import authors, chain_store, idempotency_keys
from timeline.recorders import SQLRecorder

if TYPE_CHECKING:
    from timeline.staging import Staging
    from timeline.storage.sqlite import CommitProbe

DEFAULT_DATABASE = "timeline.sqlite3"
POSTGRES_EVENTS_TABLE = "timeline_events"  # what the library calls the Timeline application's events table
CONNECT_TIMEOUT_SECONDS = 5

# Below this, a SQLite store is reported unable to write: a commit appends to the WAL, and a checkpoint grows the file.
MIN_FREE_BYTES = 1024 * 1024


class DatabaseUnavailable(Exception):
    """The store cannot be used as given: no log where one must be, or a server that cannot be reached or refuses us.
    The message is one line that names the database (its password masked) and says why."""

LogRow = chain_store.Event  # (position, originator id (its hex on SQLite), version, topic, state)

Recorder = TypeVar("Recorder", bound=SQLRecorder)


class LogStorage(ABC, Generic[Recorder]):
    """What the code needs of the database that holds the log, beyond the library's recorder.

    The methods that take a `database` are for before the recorder exists (settings, checks, the
    log's place); the ones that take the `recorder` query or change the log it keeps."""

    @abstractmethod
    def eventsourcing_env(self, database: str) -> dict[str, str]:
        """The library's environment for this database."""

    @abstractmethod
    def shown(self, database: str) -> str:
        """The database as it may be printed: a password masked."""

    @abstractmethod
    def check_database(self, database: str, existing: bool) -> None:
        """Refuse, in one line (DatabaseUnavailable), a store that cannot be used; see `check_database`."""

    @abstractmethod
    def prepare(self, database: str) -> None:
        """Make the place the log goes."""

    @abstractmethod
    def file_identity(self, database: str) -> tuple[int, int] | None:
        """The file's (device, inode), to tell it from a file later put at its path; None if there is no file."""

    @abstractmethod
    def free_bytes(self, database: str) -> int | None:
        """Bytes free to us where the log is written; None where that is the server's own business."""

    @abstractmethod
    def checkpoint(self, database: str) -> None:
        """Fold the write-ahead log into the store, where we own it (SQLite); nothing otherwise."""

    @abstractmethod
    def commit_probe(self, database: str) -> CommitProbe | None:
        """A probe for other writers' commits, where one can tell without a query; None otherwise."""

    @abstractmethod
    def protect_log(self, recorder: Recorder) -> None:
        """Make the log and its side tables append-only in the database itself; see `protect_log`."""

    @abstractmethod
    def restore_events(
        self,
        recorder: Recorder,
        batches: Iterable[Sequence[tuple[int, StoredEvent]]],
        by: authors.Authors | None,
        keys: Iterable[idempotency_keys.KeyedWrite],
    ) -> None:
        """Insert events at the positions they held, in one transaction; see `restore_events`."""

    @abstractmethod
    def commit_staged(self, recorder: Recorder, staging: Staging) -> float:
        """Append a load's staged events to the log in one transaction; see `commit_staged`."""

    @abstractmethod
    def stored_originators(self, recorder: Recorder, originator_ids: list[UUID]) -> set[UUID]:
        """Which of these (at most a thousand) aggregates have events in the log, in one query."""

    @abstractmethod
    def read_log(self, recorder: Recorder, after: int, limit: int) -> list[LogRow]:
        """Stored events strictly after a position, in log order; see `read_log`."""

    @abstractmethod
    def query(self, recorder: Recorder, template: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows of a query on the events table: `template` names `{table}`, `{position}` and one `{param}` per value."""


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


def for_database(database: str) -> LogStorage[Any]:
    """The backend a `--database` value names: a postgresql:// URL, or else a SQLite path."""
    if is_postgres(database):
        from timeline.storage.postgres import PostgresStorage

        return PostgresStorage()
    from timeline.storage.sqlite import SQLiteStorage

    return SQLiteStorage()


def for_recorder(recorder: SQLRecorder) -> LogStorage[Any]:
    """The backend a recorder keeps its log in."""
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if isinstance(recorder, SQLiteApplicationRecorder):
        from timeline.storage.sqlite import SQLiteStorage

        return SQLiteStorage()
    from timeline.storage.postgres import PostgresStorage

    return PostgresStorage()


def shown(database: str) -> str:
    """The database as it may be printed: a URL's password masked."""
    return for_database(database).shown(database)


def eventsourcing_env(database: str) -> dict[str, str]:
    """The library's environment for a SQLite path or a postgresql:// URL (`?schema=NAME` optional)."""
    return for_database(database).eventsourcing_env(database)


def check_database(database: str, existing: bool) -> None:
    """Refuse, in one line, a store that cannot be used, before anything is created or waited for.

    With `existing` (the commands that only read), a log must already be there: a SQLite file (a typo
    in the path must not create an empty log and report nothing), or the events table in the
    PostgreSQL schema. A PostgreSQL server is connected to once, so that one that is unreachable or
    refuses the connection, the login or the database is named at once, not after the pool's timeout.
    """
    for_database(database).check_database(database, existing)


def prepare(database: str) -> None:
    """Make the place the log goes: the SQLite file's folder, or the PostgreSQL schema."""
    for_database(database).prepare(database)


def file_identity(database: str) -> tuple[int, int] | None:
    """The SQLite file's (device, inode), to tell it from a file later put at its path; None on PostgreSQL."""
    return for_database(database).file_identity(database)


def free_bytes(database: str) -> int | None:
    """Bytes free to us on the filesystem holding a SQLite file; None on PostgreSQL (its server's disk is its own)."""
    return for_database(database).free_bytes(database)


def checkpoint(database: str) -> None:
    """Copy a SQLite file's WAL into it and truncate the WAL, on a connection of its own (never mid-transaction);
    nothing on PostgreSQL (its server's WAL is its own)."""
    for_database(database).checkpoint(database)


def commit_probe(database: str) -> CommitProbe | None:
    """A probe for other writers' commits; None for PostgreSQL (where only a query can tell)."""
    return for_database(database).commit_probe(database)


def is_full(error: BaseException) -> bool:
    """Whether a failed write failed for lack of space: SQLite's SQLITE_FULL, PostgreSQL's disk_full, or ENOSPC
    (the library wraps the driver's error: its causes are looked at too). Either backend's error is recognised,
    so that no recorder is needed to ask."""
    import errno
    import sqlite3

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, sqlite3.Error) and getattr(seen, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return True
        if getattr(seen, "sqlstate", None) == "53100" or (isinstance(seen, OSError) and seen.errno == errno.ENOSPC):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def protect_log(recorder: SQLRecorder) -> None:
    """Make the events table, and the side tables written with it (the hash chain, who wrote what, writes' keys),
    append-only in the database itself: UPDATE and DELETE are refused.

    Corrections and retractions are new events; nothing, not even a stray SQL session, may rewrite one.
    The one exception is a redaction's purge (timeline.redaction_store): an event of a record whose
    redaction is stored may have its state replaced by the tombstone that keeps the state's sha256
    (checked here on PostgreSQL; on SQLite, which has no sha256, by `timeline verify`), and nothing else.
    """
    for_recorder(recorder).protect_log(recorder)


def restore_events(
    recorder: SQLRecorder,
    batches: Iterable[Sequence[tuple[int, StoredEvent]]],
    by: authors.Authors | None = None,
    keys: Iterable[idempotency_keys.KeyedWrite] = (),
) -> None:
    """Insert events at the log positions they held where they were exported, all in one transaction,
    each batch chained (timeline.chain_store) as it goes in, with its events' authors (`by`, timeline.authors),
    then the writes' idempotency keys (read with the batches: known once they are all in).

    Only `timeline import` calls this, on an empty log: positions are part of what a restore
    keeps (views, cursors and clients' `known_at` name them), and the library always picks its own.
    If `batches` raises, the transaction rolls back and nothing is stored.
    """
    for_recorder(recorder).restore_events(recorder, batches, by, keys)


def event_positions(recorder: SQLRecorder, originator_id: UUID) -> dict[int, int]:
    """Log position of each stored version of one aggregate."""
    rows = for_recorder(recorder).query(
        recorder,
        "SELECT originator_version, {position} FROM {table} WHERE originator_id = {param}",
        originator_id,
    )
    return {int(version): int(position) for version, position in rows}


def commit_staged(recorder: SQLRecorder, staging: Staging) -> float:
    """Append a load's staged events (timeline.staging) to the log, in their order, in one transaction that holds the
    log's insert lock only to move them in and extend the hash chain over them; positions are given here. Conflict
    when another writer stored one of their ids or versions first: then nothing is stored. The seconds the lock
    was held: what another writer waited, at most."""
    return for_recorder(recorder).commit_staged(recorder, staging)


def stored_originators(recorder: SQLRecorder, originator_ids: set[UUID]) -> set[UUID]:
    """Which of these aggregates have events in the log: one query per thousand ids, not one each."""
    backend = for_recorder(recorder)
    ids, found = list(originator_ids), set[UUID]()
    for start in range(0, len(ids), 1000):
        found |= backend.stored_originators(recorder, ids[start : start + 1000])
    return found


def as_uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def read_log(recorder: SQLRecorder, after: int, limit: int) -> list[LogRow]:
    """Stored events strictly after a position, in log order, as (position, originator id, version, topic, state).

    On SQLite the rows are read as they are (the id as hex): the library would build a notification
    object per row, which costs more than a replay does with the row.
    """
    return for_recorder(recorder).read_log(recorder, after, limit)


def count_by_topic(recorder: SQLRecorder, topic: str, after: int = 0) -> tuple[int, int]:
    """How many stored events after position `after` have this topic, and the last position counted.

    Reads only the events after `after` (by position), so a caller keeping a running count pays for
    what is new. Positions commit in order (SQLite has one writer; the library locks the table on
    PostgreSQL), so nothing can later appear at or before the last position counted."""
    count, last = for_recorder(recorder).query(
        recorder, "SELECT COUNT(CASE WHEN topic = {param} THEN 1 END), MAX({position}) FROM {table} WHERE {position} > {param}",
        topic, after,
    )[0]
    return int(count), int(last) if last is not None else after
