"""Views in the PostgreSQL schema that holds the log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from projections.store import Cursor, ViewStore
from timeline.storage import eventsourcing_env
from timeline.storage.postgres import conninfo


class _Cursor:
    """A psycopg cursor that takes the SQLite-style `?` placeholders the views are written with."""

    dialect = "postgres"

    def __init__(self, cursor: psycopg.Cursor[TupleRow]) -> None:
        self._cursor = cursor

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(statement.replace("?", "%s"), params)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> Any:
        return self._cursor.executemany(statement.replace("?", "%s"), rows)

    def copy_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        with self._cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cursor.fetchone()

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cursor.fetchall()


class PostgresViewStore(ViewStore):
    dialect = "postgres"
    missing_table = (psycopg.errors.UndefinedTable,)

    def __init__(self, url: str, max_size: int = 8) -> None:
        env = eventsourcing_env(url)
        self.schema = env["POSTGRES_SCHEMA"] or "public"
        # No JIT: a view's queries are short, and a plan costed high (a timeline's claims on 100,000 events) spent
        # 80 ms compiling for a query that runs in 130.
        options = f"-c search_path={self.schema} -c idle_in_transaction_session_timeout=10000 -c jit=off"
        self.pool = ConnectionPool(
            conninfo(url), min_size=1, max_size=max_size, kwargs={"options": options}, open=True
        )

    @contextmanager
    def write(self) -> Iterator[Cursor]:
        with self.pool.connection() as connection:
            connection.isolation_level, connection.read_only = None, None  # the server's defaults
            with connection.transaction(), connection.cursor() as cursor:
                yield _Cursor(cursor)

    @contextmanager
    def read(self) -> Iterator[Cursor]:
        with self.pool.connection() as connection:
            # One snapshot for every statement of the read, as SQLite's WAL read transaction gives. Set on the
            # connection, psycopg says it in its BEGIN: a round trip fewer than a SET TRANSACTION after it.
            connection.isolation_level, connection.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
            with connection.transaction(), connection.cursor() as cursor:
                yield _Cursor(cursor)

    def _table_exists(self, cursor: Cursor, name: str) -> Any:
        cursor.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", (self.schema, name)
        )
        return cursor.fetchone()

    def close(self) -> None:
        self.pool.close()
