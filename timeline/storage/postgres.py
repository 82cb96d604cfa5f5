"""The log in a PostgreSQL database (a postgresql:// URL, `?schema=NAME` optional): the library's PostgreSQL
recorder, the queries it does not offer, and `conninfo`, the one way from a URL to a libpq connection string."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline import authors, chain_store, idempotency_keys, redaction_store
from timeline import redactions as redactions_module
from timeline.storage import (
    CONNECT_TIMEOUT_SECONDS,
    POSTGRES_EVENTS_TABLE,
    DatabaseUnavailable,
    LogRow,
    LogStorage,
    as_uuid,
)

if TYPE_CHECKING:
    from eventsourcing.postgres import PostgresApplicationRecorder

    from timeline.staging import Staging
    from timeline.storage.sqlite import CommitProbe


def conninfo(database: str) -> str:
    """libpq's connection string for a postgresql:// URL (its `schema` is ours, not libpq's, so left out)."""
    return _from_env(eventsourcing_env(database))


def eventsourcing_env(database: str) -> dict[str, str]:
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


def _from_env(env: dict[str, str]) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"],
        password=env["POSTGRES_PASSWORD"] or None,
        connect_timeout=env["POSTGRES_CONNECT_TIMEOUT"],
    )


def _why(error: Exception) -> str:
    """libpq's reason on one line: 'Connection refused (is the server running ...?)', 'database "x" does not exist'."""
    first, *hints = [line.strip() for line in str(error).splitlines() if line.strip()]
    reason = first.rpartition(" failed: ")[2] if " failed: " in first else first
    reason = " ".join(reason.removeprefix("FATAL:").split())
    hint = " ".join(" ".join(hints).split())
    return f"{reason} ({hint[:1].lower()}{hint[1:]})" if hint else reason


class PostgresStorage(LogStorage["PostgresApplicationRecorder"]):
    def eventsourcing_env(self, database: str) -> dict[str, str]:
        return eventsourcing_env(database)

    def shown(self, database: str) -> str:
        url = urlsplit(database)
        if url.password is None:
            return database
        host = url.netloc.rpartition("@")[2]
        return url._replace(netloc=f"{url.username}:***@{host}").geturl()

    def check_database(self, database: str, existing: bool) -> None:
        import psycopg

        try:
            env = eventsourcing_env(database)
        except ValueError as error:  # a port that is not a number
            raise DatabaseUnavailable(f"{self.shown(database)} is not a PostgreSQL URL: {error}") from None
        where = f"PostgreSQL at {env['POSTGRES_HOST']}:{env['POSTGRES_PORT']} (database {env['POSTGRES_DBNAME']})"
        try:
            with psycopg.connect(_from_env(env), autocommit=True) as connection:
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
            raise DatabaseUnavailable(f"no log in {place} of {self.shown(database)}; only serve, load and import create one")

    def prepare(self, database: str) -> None:
        env = eventsourcing_env(database)
        if env["POSTGRES_SCHEMA"]:
            import psycopg
            from psycopg import sql

            with psycopg.connect(_from_env(env), autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(env["POSTGRES_SCHEMA"])))

    def file_identity(self, database: str) -> tuple[int, int] | None:
        return None

    def free_bytes(self, database: str) -> int | None:
        return None  # its server's disk is its own

    def checkpoint(self, database: str) -> None:
        return None  # its server's WAL is its own

    def commit_probe(self, database: str) -> CommitProbe | None:
        return None  # only a query can tell

    def protect_log(self, recorder: PostgresApplicationRecorder) -> None:
        from psycopg import sql

        tables = (recorder.events_table_name, chain_store.TABLE, authors.TABLE, idempotency_keys.TABLE)
        message = "the log is append-only: stored events are never updated or deleted"
        events = recorder.events_table_name
        redactions = ", ".join(f"'{topic}'" for topic in redactions_module.TOPICS)
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
        self,
        recorder: PostgresApplicationRecorder,
        batches: Iterable[Sequence[tuple[int, StoredEvent]]],
        by: authors.Authors | None,
        keys: Iterable[idempotency_keys.KeyedWrite],
    ) -> None:
        from psycopg import sql

        table = recorder.events_table_name
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

    def commit_staged(self, recorder: PostgresApplicationRecorder, staging: Staging) -> float:
        import time

        import psycopg

        from timeline.errors import Conflict

        try:
            with recorder.datastore.get_connection() as conn:
                with conn.transaction(), conn.cursor() as curs:
                    locked = self._insert_staged(recorder, staging, curs)
                return time.perf_counter() - locked
        except psycopg.errors.UniqueViolation:
            raise Conflict("another writer stored some of these records first; nothing of this file was stored") from None

    def _insert_staged(self, recorder: PostgresApplicationRecorder, staging: Staging, curs: Any) -> float:
        """COPY the staged events into a temporary table, then take the log's lock and move them in; when the lock was taken."""
        import time

        from psycopg import sql

        events = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
        # COPY into a table of this transaction first: the log's lock is taken only once the rows are here.
        curs.execute(
            "CREATE TEMP TABLE timeline_staged (seq bigint, originator_id uuid, originator_version bigint, topic text, state bytea) "
            "ON COMMIT DROP"
        )
        with curs.copy("COPY timeline_staged (seq, originator_id, originator_version, topic, state) FROM STDIN") as copy:
            for row in staging.rows():
                copy.write_row(row)
        recorder._lock_table(curs)  # the library's insert lock, as its own inserts take it
        locked = time.perf_counter()
        recorder._notify_channel(curs)
        curs.execute(sql.SQL("SELECT COALESCE(MAX(notification_id), 0) AS head FROM {}").format(events))
        found = curs.fetchone()
        head = int(found["head"]) if found is not None else 0
        curs.execute(
            sql.SQL(
                "INSERT INTO {} (originator_id, originator_version, topic, state) "
                "SELECT originator_id, originator_version, topic, state FROM timeline_staged ORDER BY seq"
            ).format(events)
        )
        # The sequence numbers rows in the order the SELECT gives them, and none is drawn elsewhere while the
        # lock is held: the staged order, after head. Where the numbers skip (a sequence cache), read them.
        curs.execute(
            sql.SQL("SELECT MIN(notification_id) AS first, MAX(notification_id) AS last FROM {} WHERE notification_id > %s").format(events),
            (head,),
        )
        span = curs.fetchone()
        assert span is not None
        first, last = int(span["first"]), int(span["last"])
        if last - first + 1 == staging.count:
            positions: Iterable[int] = range(first, last + 1)
        else:
            curs.execute(sql.SQL("SELECT notification_id FROM {} WHERE notification_id > %s ORDER BY notification_id").format(events), (head,))
            positions = [int(row["notification_id"]) for row in curs.fetchall()]
        chained = ((p, i, v, topic, digest) for p, (_, i, v, topic, digest) in zip(positions, staging.digests(), strict=True))
        chain_store.append_digested(curs, chain_store.dialect(recorder), first, chained)
        return locked

    def stored_originators(self, recorder: PostgresApplicationRecorder, originator_ids: list[UUID]) -> set[UUID]:
        from psycopg import sql

        query = sql.SQL("SELECT DISTINCT originator_id FROM {table} WHERE originator_id = ANY({param})").format(
            table=sql.Identifier(recorder.datastore.schema, recorder.events_table_name), param=sql.Placeholder()
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, (originator_ids,))
            return {as_uuid(row["originator_id"] if isinstance(row, dict) else row[0]) for row in cursor.fetchall()}

    def read_log(self, recorder: PostgresApplicationRecorder, after: int, limit: int) -> list[LogRow]:
        notifications = recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
        return [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications]

    def query(self, recorder: PostgresApplicationRecorder, template: str, *params: object) -> list[tuple[Any, ...]]:
        from psycopg import sql

        query = sql.SQL(template).format(
            position=sql.Identifier("notification_id"),
            table=sql.Identifier(recorder.datastore.schema, recorder.events_table_name),
            param=sql.Placeholder(),
        )
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(query, params)
            return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]
