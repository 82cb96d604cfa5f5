"""Where the log lives: one SQLite file by default, or a PostgreSQL database.

Translates a `--database` value into the eventsourcing library's settings, and
holds the few queries the library does not offer (positions of a stored event,
counts by topic, restoring an exported log at its positions). Nothing else
touches SQL on the write side.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline import authors, chain_store, idempotency_keys, redaction_store
from timeline import redactions as redactions_module
from timeline.recorders import SQLRecorder

DEFAULT_DATABASE = "timeline.sqlite3"
POSTGRES_EVENTS_TABLE = "timeline_events"  # what the library calls the Timeline application's events table
CONNECT_TIMEOUT_SECONDS = 5


class DatabaseUnavailable(Exception):
    """The store cannot be used as given: no log where one must be, or a server that cannot be reached or refuses us.
    The message is one line that names the database (its password masked) and says why."""

LogRow = chain_store.Event  # (position, originator id (its hex on SQLite), version, topic, state)


def is_postgres(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


def shown(database: str) -> str:
    """The database as it may be printed: a URL's password masked."""
    if not is_postgres(database):
        return database
    url = urlsplit(database)
    if url.password is None:
        return database
    host = url.netloc.rpartition("@")[2]
    return url._replace(netloc=f"{url.username}:***@{host}").geturl()


def eventsourcing_env(database: str) -> dict[str, str]:
    """The library's environment for a SQLite path or a postgresql:// URL (`?schema=NAME` optional)."""
    if not is_postgres(database):
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": database,
            "SQLITE_LOCK_TIMEOUT": "10",
            # The library's recorder, but every insert also extends the hash chain (timeline.chain_store).
            "APPLICATION_RECORDER_TOPIC": "timeline.sqlite_recorder:ChainingSQLiteRecorder",
        }
    url = urlsplit(database)
    query = parse_qs(url.query)
    timeout = query.get("connect_timeout", [str(CONNECT_TIMEOUT_SECONDS)])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "") or os.environ.get("PGUSER") or getpass.getuser(),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": query.get("schema", [""])[0],
        # The library waits forever for its table lock by default; a stuck writer must fail instead.
        "POSTGRES_LOCK_TIMEOUT": "5",
        # The library's recorder, but large batches are inserted in slices (see the module for why).
        "APPLICATION_RECORDER_TOPIC": "timeline.postgres_recorder:SlicingPostgresRecorder",
        "POSTGRES_CONNECT_TIMEOUT": timeout,  # seconds; ?connect_timeout=N, as libpq's URLs have it
    }


def check_database(database: str, existing: bool) -> None:
    """Refuse, in one line, a store that cannot be used, before anything is created or waited for.

    With `existing` (the commands that only read), a log must already be there: a SQLite file (a typo
    in the path must not create an empty log and report nothing), or the events table in the
    PostgreSQL schema. A PostgreSQL server is connected to once, so that one that is unreachable or
    refuses the connection, the login or the database is named at once, not after the pool's timeout.
    """
    if not is_postgres(database):
        path = Path(database).expanduser()
        if path.is_dir():
            raise DatabaseUnavailable(f"{database} is a folder, not a SQLite file")
        if existing and not path.exists():
            raise DatabaseUnavailable(
                f"no database at {database}: give --database (or TIMELINE_DATABASE) an existing log; "
                "only serve, load and import create one"
            )
        return
    import psycopg

    try:
        env = eventsourcing_env(database)
    except ValueError as error:  # a port that is not a number
        raise DatabaseUnavailable(f"{shown(database)} is not a PostgreSQL URL: {error}") from None
    where = f"PostgreSQL at {env['POSTGRES_HOST']}:{env['POSTGRES_PORT']} (database {env['POSTGRES_DBNAME']})"
    try:
        with psycopg.connect(_conninfo(env), autocommit=True) as connection:
            if not existing:
                return
            schema = env["POSTGRES_SCHEMA"]
            quoted = schema.replace('"', '""')
            table = f'"{quoted}".{POSTGRES_EVENTS_TABLE}' if schema else POSTGRES_EVENTS_TABLE
            row = connection.execute("SELECT to_regclass(%s)", (table,)).fetchone()
            found = row[0] if row else None
    except psycopg.Error as error:
        raise DatabaseUnavailable(f"cannot connect to {where}: {_why(error)}") from None
    if found is None:
        place = f"schema {env['POSTGRES_SCHEMA']}" if env["POSTGRES_SCHEMA"] else "its default schema"
        raise DatabaseUnavailable(f"no log in {place} of {shown(database)}; only serve, load and import create one")


def _why(error: Exception) -> str:
    """libpq's reason on one line: 'Connection refused (is the server running ...?)', 'database "x" does not exist'."""
    first, *hints = [line.strip() for line in str(error).splitlines() if line.strip()]
    reason = first.rpartition(" failed: ")[2] if " failed: " in first else first
    reason = " ".join(reason.removeprefix("FATAL:").split())
    hint = " ".join(" ".join(hints).split())
    return f"{reason} ({hint[:1].lower()}{hint[1:]})" if hint else reason


def prepare(database: str) -> None:
    """Make the place the log goes: the SQLite file's folder, or the PostgreSQL schema."""
    if not is_postgres(database):
        Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        return
    env = eventsourcing_env(database)
    if env["POSTGRES_SCHEMA"]:
        import psycopg
        from psycopg import sql

        with psycopg.connect(_conninfo(env), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(env["POSTGRES_SCHEMA"])))


def file_identity(database: str) -> tuple[int, int] | None:
    """The SQLite file's (device, inode), to tell it from a file later put at its path; None on PostgreSQL."""
    if is_postgres(database):
        return None
    found = os.stat(database)
    return found.st_dev, found.st_ino


# Below this, a SQLite store is reported unable to write: a commit appends to the WAL, and a checkpoint grows the file.
MIN_FREE_BYTES = 1024 * 1024


def free_bytes(database: str) -> int | None:
    """Bytes free to us on the filesystem holding a SQLite file; None on PostgreSQL (its server's disk is its own)."""
    if is_postgres(database):
        return None
    found = os.statvfs(Path(database).expanduser().resolve().parent)
    return found.f_bavail * found.f_frsize


def is_full(error: BaseException) -> bool:
    """Whether a failed write failed for lack of space: SQLite's SQLITE_FULL, PostgreSQL's disk_full, or ENOSPC
    (the library wraps the driver's error: its causes are looked at too)."""
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


def checkpoint(path: str) -> None:
    """Copy a SQLite file's WAL into it and truncate the WAL, on a connection of its own (never mid-transaction)."""
    import sqlite3

    connection = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        connection.close()


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


def commit_probe(database: str) -> CommitProbe | None:
    """A probe for other writers' commits; None for PostgreSQL (where only a query can tell)."""
    return None if is_postgres(database) else CommitProbe(database)


def _conninfo(env: dict[str, str]) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=env["POSTGRES_CONNECT_TIMEOUT"],
    )


def protect_log(recorder: SQLRecorder) -> None:
    """Make the events table, and the side tables written with it (the hash chain, who wrote what, writes' keys),
    append-only in the database itself: UPDATE and DELETE are refused.

    Corrections and retractions are new events; nothing, not even a stray SQL session, may rewrite one.
    The one exception is a redaction's purge (timeline.redaction_store): an event of a record whose
    redaction is stored may have its state replaced by the tombstone that keeps the state's sha256
    (checked here on PostgreSQL; on SQLite, which has no sha256, by `timeline verify`), and nothing else.
    """
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    tables = (recorder.events_table_name, chain_store.TABLE, authors.TABLE, idempotency_keys.TABLE)
    message = "the log is append-only: stored events are never updated or deleted"
    events = recorder.events_table_name
    redactions = ", ".join(f"'{topic}'" for topic in redactions_module.TOPICS)
    if isinstance(recorder, SQLiteApplicationRecorder):
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
        return

    from psycopg import sql

    schema = recorder.datastore.schema
    statements = []
    # The one UPDATE allowed: a redaction's purge of an earlier event of its record, to the tombstone of its state.
    allowed = sql.SQL(
        "IF TG_OP = 'UPDATE' AND NEW.notification_id = OLD.notification_id AND NEW.originator_id = OLD.originator_id "
        "AND NEW.originator_version = OLD.originator_version AND NEW.topic = OLD.topic AND OLD.topic NOT IN ({redactions}) "
        "AND NEW.state = convert_to('{{\"redacted\":\"' || encode(sha256(OLD.state), 'hex') || '\"}}', 'UTF8') "
        "AND NOT OLD.state LIKE convert_to('{{\"redacted\":\"%', 'UTF8') "
        "AND EXISTS (SELECT 1 FROM {events} r WHERE r.originator_id = OLD.originator_id "
        "AND r.originator_version > OLD.originator_version AND r.topic IN ({redactions})) THEN RETURN NEW; END IF; "
    ).format(redactions=sql.SQL(redactions), events=sql.Identifier(schema, events))
    for table in tables:
        function = sql.Identifier(schema, f"{table}_refuse_change")
        statements += [
            sql.SQL(
                "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN {purge}RAISE EXCEPTION '{message} (% refused)', TG_OP; END $$"
            ).format(function=function, message=sql.SQL(message), purge=allowed if table == events else sql.SQL("")),
            sql.SQL(
                "CREATE OR REPLACE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION {function}()"
            ).format(trigger=sql.Identifier(f"{table}_append_only"), table=sql.Identifier(schema, table), function=function),
            sql.SQL(
                "CREATE OR REPLACE TRIGGER {trigger} BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            ).format(trigger=sql.Identifier(f"{table}_no_truncate"), table=sql.Identifier(schema, table), function=function),
        ]
    with recorder.datastore.transaction(commit=True) as cursor:
        # Several servers may start at once: take a lock so that their trigger DDL does not collide.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{schema}.{recorder.events_table_name}.append-only",))
        for statement in statements:
            cursor.execute(statement)


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
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    table = recorder.events_table_name
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=True) as cursor:
            for batch in batches:
                cursor.executemany(
                    f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                    [(p, _uuid(e.originator_id).hex, e.originator_version, e.topic, e.state) for p, e in batch],
                )
                chain_store.append(cursor, chain_store.dialect(recorder), batch)
                authors.append(cursor, chain_store.dialect(recorder), batch, by)
                redaction_store.purge(cursor, chain_store.dialect(recorder), batch)
            idempotency_keys.append(cursor, chain_store.dialect(recorder), list(keys))
        return

    from psycopg import sql

    qualified = sql.Identifier(recorder.datastore.schema, table)
    insert = sql.SQL(
        "INSERT INTO {} (notification_id, originator_id, originator_version, topic, state) VALUES (%s, %s, %s, %s, %s)"
    ).format(qualified)
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(qualified))
        for batch in batches:
            cursor.executemany(insert, [(p, e.originator_id, e.originator_version, e.topic, e.state) for p, e in batch])
            chain_store.append(cursor, chain_store.dialect(recorder), batch)
            authors.append(cursor, chain_store.dialect(recorder), batch, by)
            redaction_store.purge(cursor, chain_store.dialect(recorder), batch)
        idempotency_keys.append(cursor, chain_store.dialect(recorder), list(keys))
        # The next event the library records goes after the restored ones.
        cursor.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), (SELECT MAX(notification_id) FROM {}))").format(qualified),
            (f'"{recorder.datastore.schema}"."{table}"',),
        )


def event_positions(recorder: SQLRecorder, originator_id: UUID) -> dict[int, int]:
    """Log position of each stored version of one aggregate."""
    rows = _query(
        recorder,
        "SELECT originator_version, {position} FROM {table} WHERE originator_id = {param}",
        originator_id,
    )
    return {int(version): int(position) for version, position in rows}


def stored_originators(recorder: SQLRecorder, originator_ids: set[UUID]) -> set[UUID]:
    """Which of these aggregates have events in the log: one query per thousand ids, not one each."""
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    ids, found = list(originator_ids), set[UUID]()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        if isinstance(recorder, SQLiteApplicationRecorder):
            marks = ", ".join("?" * len(chunk))
            statement = f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} WHERE originator_id IN ({marks})"
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, [i.hex for i in chunk])
                found.update(UUID(row[0]) for row in cursor.fetchall())
            continue
        from psycopg import sql

        query = sql.SQL("SELECT DISTINCT originator_id FROM {table} WHERE originator_id = ANY({param})").format(
            table=sql.Identifier(recorder.datastore.schema, recorder.events_table_name), param=sql.Placeholder()
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, (chunk,))
            found.update(_uuid(row["originator_id"] if isinstance(row, dict) else row[0]) for row in cursor.fetchall())
    return found


def _uuid(value: object) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def read_log(recorder: SQLRecorder, after: int, limit: int) -> list[LogRow]:
    """Stored events strictly after a position, in log order, as (position, originator id, version, topic, state).

    On SQLite the rows are read as they are (the id as hex): the library would build a notification
    object per row, which costs more than a replay does with the row.
    """
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if isinstance(recorder, SQLiteApplicationRecorder):
        statement = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {recorder.events_table_name} "
            "WHERE rowid > ? ORDER BY rowid LIMIT ?"
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, (after, limit))
            return cast("list[LogRow]", [tuple(row) for row in cursor.fetchall()])  # the five columns selected
    notifications = recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
    return [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]


def count_by_topic(recorder: SQLRecorder, topic: str, after: int = 0) -> tuple[int, int]:
    """How many stored events after position `after` have this topic, and the last position counted.

    Reads only the events after `after` (by position), so a caller keeping a running count pays for
    what is new. Positions commit in order (SQLite has one writer; the library locks the table on
    PostgreSQL), so nothing can later appear at or before the last position counted."""
    count, last = _query(
        recorder, "SELECT COUNT(CASE WHEN topic = {param} THEN 1 END), MAX({position}) FROM {table} WHERE {position} > {param}",
        topic, after,
    )[0]
    return int(count), int(last) if last is not None else after


def _query(recorder: SQLRecorder, template: str, *params: object) -> list[tuple[Any, ...]]:
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if isinstance(recorder, SQLiteApplicationRecorder):
        values = tuple(p.hex if isinstance(p, UUID) else p for p in params)
        statement = template.format(position="rowid", table=recorder.events_table_name, param="?")
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, values)
            return [tuple(row) for row in cursor.fetchall()]

    from psycopg import sql

    query = sql.SQL(template).format(
        position=sql.Identifier("notification_id"),
        table=sql.Identifier(recorder.datastore.schema, recorder.events_table_name),
        param=sql.Placeholder(),
    )
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(query, params)
        return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]


def connection_string(database: str) -> str:
    """libpq's connection string for a postgresql:// URL (its `schema` is ours, not libpq's, so left out)."""
    return _conninfo(eventsourcing_env(database))
