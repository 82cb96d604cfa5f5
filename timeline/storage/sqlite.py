"""The log in one SQLite file (the default): the library's SQLite recorder, and the queries it does not offer."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline import authors, chain_store, idempotency_keys, redaction_store
from timeline import redactions as redactions_module
from timeline.chain import GENESIS
from timeline.errors import Conflict
from timeline.storage import DatabaseUnavailable, LogRow, LogStorage, as_uuid

if TYPE_CHECKING:
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    from timeline.staging import Staging


class SQLiteStorage(LogStorage["SQLiteApplicationRecorder"]):
    def eventsourcing_env(self, database: str) -> dict[str, str]:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": database,
            "SQLITE_LOCK_TIMEOUT": "10",
            # The library's recorder, but every insert also extends the hash chain (timeline.chain_store).
            "APPLICATION_RECORDER_TOPIC": "timeline.sqlite_recorder:ChainingSQLiteRecorder",
        }

    def shown(self, database: str) -> str:
        return database

    def check_database(self, database: str, existing: bool) -> None:
        path = Path(database).expanduser()
        if path.is_dir():
            raise DatabaseUnavailable(f"{database} is a folder, not a SQLite file")
        if existing and not path.exists():
            raise DatabaseUnavailable(
                f"no database at {database}: give --database (or TIMELINE_DATABASE) an existing log; "
                "only serve, load and import create one"
            )

    def prepare(self, database: str) -> None:
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)

    def file_identity(self, database: str) -> tuple[int, int] | None:
        found = os.stat(database)
        return found.st_dev, found.st_ino

    def free_bytes(self, database: str) -> int | None:
        found = os.statvfs(Path(database).expanduser().resolve().parent)
        return found.f_bavail * found.f_frsize

    def checkpoint(self, database: str) -> None:
        import sqlite3

        connection = sqlite3.connect(database, timeout=5, isolation_level=None)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        finally:
            connection.close()

    def commit_probe(self, database: str) -> CommitProbe | None:
        return CommitProbe(database)

    def protect_log(self, recorder: SQLiteApplicationRecorder) -> None:
        tables = (recorder.events_table_name, chain_store.TABLE, authors.TABLE, idempotency_keys.TABLE)
        message = "the log is append-only: stored events are never updated or deleted"
        events = recorder.events_table_name
        redactions = ", ".join(f"'{topic}'" for topic in redactions_module.TOPICS)
        tombstone = "'{\"redacted\":\"" + "[0-9a-f]" * 64 + "\"}'"
        # SQLite has no sha256: a tombstone's digest is checked by `timeline verify` (the chain covers it).
        purge = (
            f"NEW.rowid = OLD.rowid AND NEW.originator_id = OLD.originator_id AND NEW.originator_version = OLD.originator_version "
            f"AND NEW.topic = OLD.topic AND OLD.topic NOT IN ({redactions}) "
            f"AND length(NEW.state) = {redactions_module.TOMBSTONE_LENGTH} AND CAST(NEW.state AS TEXT) GLOB {tombstone} "
            f"AND NOT CAST(OLD.state AS TEXT) GLOB {tombstone} "
            f"AND EXISTS (SELECT 1 FROM {events} r WHERE r.originator_id = OLD.originator_id "
            f"AND r.originator_version > OLD.originator_version AND r.topic IN ({redactions}))"
        )
        with recorder.datastore.transaction(commit=True) as cursor:
            # Replaced at every start: a log older than redactions has the trigger that refused every UPDATE.
            cursor.execute(f"DROP TRIGGER IF EXISTS {events}_append_only_update")
            cursor.execute(
                f"CREATE TRIGGER {events}_append_only_update BEFORE UPDATE ON {events} WHEN NOT ({purge}) "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
            for table in tables:
                for operation in ("UPDATE", "DELETE"):
                    if table == events and operation == "UPDATE":
                        continue
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{operation.lower()} BEFORE {operation} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                    )

    def restore_events(
        self,
        recorder: SQLiteApplicationRecorder,
        batches: Iterable[Sequence[tuple[int, StoredEvent]]],
        by: authors.Authors | None,
        keys: Iterable[idempotency_keys.KeyedWrite],
    ) -> None:
        table = recorder.events_table_name
        with recorder.datastore.transaction(commit=True) as cursor:
            for batch in batches:
                cursor.executemany(
                    f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                    [(p, as_uuid(e.originator_id).hex, e.originator_version, e.topic, e.state) for p, e in batch],
                )
                chain_store.append(cursor, chain_store.dialect(recorder), batch)
                authors.append(cursor, chain_store.dialect(recorder), batch, by)
                redaction_store.purge(cursor, chain_store.dialect(recorder), batch)
            idempotency_keys.append(cursor, chain_store.dialect(recorder), list(keys))

    def commit_staged(self, recorder: SQLiteApplicationRecorder, staging: Staging) -> float:
        import sqlite3
        import time

        table, names = recorder.events_table_name, chain_store.dialect(recorder)
        staging.chain_after(*chain_store.head(recorder))  # the hashing, before the lock: used unless another writer moves the head
        with recorder.datastore.get_connection(commit=True) as pooled:
            connection = pooled.cursor().sqlite_cursor.connection  # the library's connection, in autocommit mode
            connection.execute("ATTACH DATABASE ? AS staged", (str(staging.path),))  # outside a transaction, as SQLite requires
            try:
                connection.execute("BEGIN IMMEDIATE")  # the log's one writer, from here to COMMIT
                locked = time.perf_counter()
                try:
                    head = int(connection.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM {table}").fetchone()[0])
                    connection.execute(
                        f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
                        "SELECT originator_id, originator_version, topic, state FROM staged.events ORDER BY seq"
                    )
                    # A rowid table gives each new row the largest rowid plus one: the staged order, from head + 1.
                    chain_head = connection.execute(names.sql("SELECT position, link FROM {chain} ORDER BY position DESC LIMIT 1")).fetchone()
                    if (head, *(chain_head or (0, GENESIS))[1:]) == staging.chained_after and (chain_head is None or chain_head[0] == head):
                        connection.execute(names.sql("INSERT INTO {chain} (position, link, content) SELECT position, link, content FROM staged.chain ORDER BY position"))
                    else:  # another writer committed since: link again from the head as it is
                        digests = connection.execute("SELECT originator_id, originator_version, topic, digest FROM staged.events ORDER BY seq")
                        chained = ((head + n, i, v, topic, digest) for n, (i, v, topic, digest) in enumerate(digests, start=1))
                        chain_store.append_digested(connection.cursor(), names, head + 1, chained)
                    connection.execute("COMMIT")
                    return time.perf_counter() - locked
                except sqlite3.IntegrityError:
                    connection.execute("ROLLBACK")
                    raise Conflict("another writer stored some of these records first; nothing of this file was stored") from None
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
            finally:
                connection.execute("DETACH DATABASE staged")

    def stored_originators(self, recorder: SQLiteApplicationRecorder, originator_ids: list[UUID]) -> set[UUID]:
        marks = ", ".join("?" * len(originator_ids))
        statement = f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} WHERE originator_id IN ({marks})"
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [i.hex for i in originator_ids])
            return {UUID(row[0]) for row in cursor.fetchall()}

    def read_log(self, recorder: SQLiteApplicationRecorder, after: int, limit: int) -> list[LogRow]:
        statement = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after, limit))
            return cast("list[LogRow]", [tuple(row) for row in cursor.fetchall()])  # the five columns selected

    def query(self, recorder: SQLiteApplicationRecorder, template: str, *params: object) -> list[tuple[Any, ...]]:
        values = tuple(p.hex if isinstance(p, UUID) else p for p in params)
        statement = template.format(position="rowid", table=recorder.events_table_name, param="?")
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, values)
            return [tuple(row) for row in cursor.fetchall()]


class CommitProbe:
    """Tells, in microseconds and without I/O, whether anyone has committed to a SQLite file since the
    last look: `PRAGMA data_version` on a connection that never writes reads the WAL index in shared
    memory. It never waits for a lock (no busy timeout): busy means "don't know" (None)."""

    def __init__(self, path: str) -> None:
        import sqlite3

        self._connection = sqlite3.connect(path, timeout=0, check_same_thread=False, isolation_level=None)

    def __call__(self) -> int | None:
        import sqlite3

        try:
            return int(self._connection.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            return None

    def close(self) -> None:
        self._connection.close()
