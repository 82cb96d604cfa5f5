"""View storage: the same SQL on SQLite and PostgreSQL, in the database that holds the log.

SQL is written once with `?` placeholders; the PostgreSQL store turns them into `%s`.
Write transactions are serialised (`BEGIN IMMEDIATE` on SQLite) so that a view's rows
and its tracking position always commit together.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class Cursor(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> Any: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...
    def fetchall(self) -> list[tuple[Any, ...]]: ...


def dialect_of(cursor: Cursor) -> str:
    """Which SQL a cursor speaks, for the few statements that differ (full-text search): "sqlite" or "postgres"."""
    return str(getattr(cursor, "dialect", "sqlite"))  # sqlite3's own cursor has no such attribute


def insert_rows(cursor: Cursor, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows into a table: PostgreSQL's COPY where the cursor has it (one stream, no statement per
    row), else one executemany."""
    copy_rows = getattr(cursor, "copy_rows", None)
    if copy_rows is not None:
        copy_rows(table, columns, rows)
        return
    cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)


def one_row(cursor: Cursor) -> tuple[Any, ...]:
    """The row of a query that always has one: an aggregate's (MAX, COUNT), or a row the log vouches for."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("a query that always returns a row returned none")
    return row


class ViewStore(ABC):
    """Transactions on the views' tables."""

    dialect: str
    missing_table: tuple[type[Exception], ...]  # what a statement naming a table that is not there raises

    @abstractmethod
    def write(self) -> AbstractContextManager[Cursor]:
        """A write transaction; commits on success, rolls back on any exception."""

    @abstractmethod
    def read(self) -> AbstractContextManager[Cursor]:
        """A read-only transaction on one consistent snapshot."""

    @abstractmethod
    def close(self) -> None:
        """Release every connection."""

    def table_exists(self, cursor: Cursor, name: str) -> bool:
        return bool(self._table_exists(cursor, name))

    @abstractmethod
    def _table_exists(self, cursor: Cursor, name: str) -> Any: ...


def open_store(database: str) -> ViewStore:
    """The view store beside the log: a SQLite file, or a postgresql:// URL."""
    from timeline.storage import is_postgres, prepare

    prepare(database)
    if is_postgres(database):
        from projections.store.postgres import PostgresViewStore

        return PostgresViewStore(database)
    from projections.store.sqlite import SQLiteViewStore

    return SQLiteViewStore(database)
