"""Where the hash chain (timeline.chain) is kept: the `log_chain` table beside the events.

Rows are written by the recorders (timeline.sqlite_recorder, timeline.postgres_recorder) inside
the transaction that inserts the events, after the insert, so under the log's insert lock (SQLite's
single writer; the library's `LOCK TABLE ... IN EXCLUSIVE MODE` on PostgreSQL): chain order is
commit order, and a chain row commits or rolls back with its event. A log written before the
chain existed is chained once, when a Timeline opens it (`catch_up`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline.chain import GENESIS, ChainRow, extend, extend_digested
from timeline.recorders import SQLRecorder

TABLE = "log_chain"
PAGE = 1000

Event = tuple[int, UUID | str, int, str, bytes]  # position, originator id, version, topic, state


@dataclass(frozen=True)
class Dialect:
    """The few names that differ between SQLite and PostgreSQL."""

    chain: str  # the chain table, qualified
    events: str  # the events table, qualified
    position: str  # the events' position column
    param: str
    schema: str = ""  # what qualifies a table name: "" on SQLite, '"schema".' on PostgreSQL

    def table(self, name: str) -> str:
        """Another side table's name, qualified like the chain's."""
        return self.schema + _quoted(name)

    def sql(self, template: str) -> str:
        return template.format(chain=self.chain, events=self.events, position=self.position, p=self.param)


def dialect(recorder: SQLRecorder) -> Dialect:
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if isinstance(recorder, SQLiteApplicationRecorder):
        return Dialect(TABLE, recorder.events_table_name, "rowid", "?")
    schema = _quoted(recorder.datastore.schema)
    return Dialect(f"{schema}.{_quoted(TABLE)}", f"{schema}.{_quoted(recorder.events_table_name)}", "notification_id", "%s", f"{schema}.")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def state_bytes(state: Any) -> bytes:
    """A stored state as bytes: a hand-edited SQLite row may hold TEXT where the library stores a BLOB."""
    return state.encode() if isinstance(state, str) else bytes(state)


def _rows(cursor: Any) -> list[tuple[Any, ...]]:
    return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]


def append(cursor: Any, names: Dialect, inserted: Iterable[tuple[int, StoredEvent]]) -> None:
    """Chain events just inserted on this cursor's transaction (which holds the insert lock).

    Events between the chain's head and the first of these (a writer without the chain, in an
    older version) are chained first, from the table, so the chain never skips a position."""
    inserted = sorted(inserted, key=lambda pair: pair[0])
    if not inserted:
        return
    previous, behind = _head_and_behind(cursor, names, inserted[0][0])
    events = [*behind, *((p, e.originator_id, e.originator_version, e.topic, e.state) for p, e in inserted)]
    _insert(cursor, names, extend(previous, events))


def append_digested(cursor: Any, names: Dialect, first: int, inserted: Iterable[tuple[int, UUID | str, int, str, bytes]]) -> None:
    """Chain a bulk load's events just inserted on this cursor's transaction (which holds the insert lock), given in
    position order from `first` with their states' sha256 (timeline.staging hashed them before the lock was taken)."""
    previous, behind = _head_and_behind(cursor, names, first)
    previous = _insert(cursor, names, extend(previous, behind)) or previous
    if hasattr(cursor, "copy"):  # psycopg: COPY the rows, many times faster than inserting them, while the lock is held
        with cursor.copy(names.sql("COPY {chain} (position, link, content) FROM STDIN")) as copy:
            for row in extend_digested(previous, inserted):
                copy.write_row((row.position, row.link, row.content))
        return
    page: list[tuple[int, UUID | str, int, str, bytes]] = []
    for event in inserted:
        page.append(event)
        if len(page) == PAGE * 10:
            previous = _insert(cursor, names, extend_digested(previous, page)) or previous
            page = []
    _insert(cursor, names, extend_digested(previous, page))



def _head_and_behind(cursor: Any, names: Dialect, first: int) -> tuple[str, list[Event]]:
    """The chain's last link, and the events stored after its head and before `first` (a writer without the
    chain, in an older version, stored them): chained first, so that the chain never skips a position."""
    cursor.execute(names.sql("SELECT position, link FROM {chain} ORDER BY position DESC LIMIT 1"))
    found = _rows(cursor)
    through, previous = found[0] if found else (0, GENESIS)
    cursor.execute(
        names.sql(
            "SELECT {position}, originator_id, originator_version, topic, state FROM {events} "
            "WHERE {position} > {p} AND {position} < {p} ORDER BY {position}"
        ),
        (through, first),
    )
    return previous, [(r[0], r[1], r[2], r[3], state_bytes(r[4])) for r in _rows(cursor)]


def _insert(cursor: Any, names: Dialect, rows: Iterable[ChainRow]) -> str | None:
    values = [(r.position, r.link, r.content) for r in rows]
    if values:
        cursor.executemany(names.sql("INSERT INTO {chain} (position, link, content) VALUES ({p}, {p}, {p})"), values)
    return values[-1][1] if values else None


def create(recorder: SQLRecorder) -> None:
    """Create the chain table if missing, and chain whatever the log holds beyond it."""
    create_side_table(recorder, TABLE, "position BIGINT PRIMARY KEY, link TEXT NOT NULL, content TEXT NOT NULL")
    catch_up(recorder)


def create_side_table(recorder: SQLRecorder, name: str, columns: str) -> None:
    """Create a table kept beside the events (the chain, authors, keys) if missing, qualified as the chain is."""
    names = dialect(recorder)
    with recorder.datastore.transaction(commit=True) as cursor:
        if names.param == "%s":
            # Several servers may start at once: their CREATE TABLEs must not collide.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{names.table(name)}.create",))
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {names.table(name)} ({columns})")


def catch_up(recorder: SQLRecorder) -> int:
    """Extend the chain over events stored after its head (once, for a log older than the chain); how many."""
    names = dialect(recorder)
    if head(recorder)[0] == (recorder.max_notification_id() or 0):
        return 0
    with _locked(recorder) as cursor:
        cursor.execute(names.sql("SELECT position, link FROM {chain} ORDER BY position DESC LIMIT 1"))
        found = _rows(cursor)
        through, previous = found[0] if found else (0, GENESIS)
        added = 0
        while True:
            cursor.execute(
                names.sql(
                    "SELECT {position}, originator_id, originator_version, topic, state FROM {events} "
                    "WHERE {position} > {p} ORDER BY {position} LIMIT {p}"
                ),
                (through, PAGE),
            )
            page = [(r[0], r[1], r[2], r[3], state_bytes(r[4])) for r in _rows(cursor)]
            if not page:
                return added
            previous = _insert(cursor, names, extend(previous, page)) or previous
            through, added = page[-1][0], added + len(page)


class _locked:
    """A write transaction holding the log's insert lock: BEGIN IMMEDIATE on SQLite, the table lock on PostgreSQL."""

    def __init__(self, recorder: SQLRecorder) -> None:
        self.recorder = recorder

    def __enter__(self) -> Any:
        from eventsourcing.sqlite import SQLiteApplicationRecorder

        recorder = self.recorder
        if isinstance(recorder, SQLiteApplicationRecorder):
            self._connection = recorder.datastore.get_connection(commit=True)
            self._conn = self._connection.__enter__()
            cursor = self._conn.cursor()
            cursor.execute("BEGIN IMMEDIATE")  # a deferred BEGIN that later writes fails at once when busy
            self._sqlite = True
            return cursor
        self._sqlite = False
        self._transaction = recorder.datastore.transaction(commit=True)
        locked = self._transaction.__enter__()
        for statement in recorder.lock_table_statements:
            locked.execute(statement)
        return locked

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if not self._sqlite:
            self._transaction.__exit__(kind, error, traceback)
            return
        try:
            if kind is None:
                self._conn.commit()
            else:
                self._conn.rollback()
        finally:
            self._connection.__exit__(kind, error, traceback)


def head(recorder: SQLRecorder) -> tuple[int, str]:
    """The chain's last position and link: (0, GENESIS) for an empty log. One indexed row, no hashing."""
    names = dialect(recorder)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(names.sql("SELECT position, link FROM {chain} ORDER BY position DESC LIMIT 1"))
        found = _rows(cursor)
    return (int(found[0][0]), str(found[0][1])) if found else (0, GENESIS)


def rows(recorder: SQLRecorder, after: int, through: int) -> list[ChainRow]:
    """Chain rows with positions in (after, through], in order."""
    return _select(recorder, "WHERE position > {p} AND position <= {p} ORDER BY position", (after, through))


def all_rows(recorder: SQLRecorder) -> Iterator[ChainRow]:
    after = 0
    while page := _page(recorder, after):
        yield from page
        after = page[-1].position


def _page(recorder: SQLRecorder, after: int) -> Sequence[ChainRow]:
    return _select(recorder, "WHERE position > {p} ORDER BY position LIMIT {p}", (after, PAGE))


def _select(recorder: SQLRecorder, where: str, params: tuple[int, int]) -> list[ChainRow]:
    names = dialect(recorder)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(names.sql("SELECT position, link, content FROM {chain} " + where), params)
        return [ChainRow(int(p), str(link), str(content)) for p, link, content in _rows(cursor)]


