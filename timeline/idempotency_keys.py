"""Where idempotency keys are kept: the `log_idempotency_keys` table beside the events.

A write sent with a key is stored with one row: the token's name and the key (the primary key, so a
key is taken once per token, whichever server takes it), the request's fingerprint, what the
write recorded: (kind, aggregate id, version) of each of its receipts, and the log position it was
stored at (its last event's, or the head's when it recorded none), by which exports carry it. The row goes in on the
transaction that inserts the write's events (the recorders call `append`, as they do for the chain
and the authors), so it commits or rolls back with them; a write that recorded nothing new (every
record already stored) stores its row alone, under the log's insert lock. Rows are never updated
or deleted (timeline.storage.protect_log): a key lasts as long as the log.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import orjson
import psycopg
from eventsourcing.persistence import IntegrityError

from timeline.chain_store import Dialect, _locked, _rows, create_side_table, dialect
from timeline.recorders import SQLRecorder

TABLE = "log_idempotency_keys"
KEY = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, as the IETF draft's examples are
KINDS = ("fact", "document", "framework")

Write = tuple[str, UUID, int]  # a receipt's kind ("fact", "document", "framework"), aggregate id and version


@dataclass(frozen=True)
class KeyedWrite:
    """A write's key (per token name: "" without a token), the fingerprint of the request that used it,
    and what it recorded."""

    name: str
    key: str
    fingerprint: str
    writes: tuple[Write, ...]
    position: int = 0  # where the log stood once it was stored; set as it is stored


def as_line(keyed: KeyedWrite) -> list[Any]:
    """A key as an export carries it: [name, key, fingerprint, [[kind, aggregate id, version], ...]]."""
    return [keyed.name, keyed.key, keyed.fingerprint, [[kind, str(aggregate), version] for kind, aggregate, version in keyed.writes]]


def _table(names: Dialect) -> str:
    return names.table(TABLE)


def create(recorder: SQLRecorder) -> None:
    create_side_table(
        recorder, TABLE,
        "name TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, writes TEXT NOT NULL, position BIGINT NOT NULL, "
        "PRIMARY KEY (name, key)",
    )  # fmt: skip


def append(cursor: Any, names: Dialect, keyed: Sequence[KeyedWrite] | None, position: int | None = None) -> None:
    """Store the keys of writes whose events are being inserted on this cursor's transaction, at `position`
    (the last of them), or each at its own. A key already taken (by another server, a moment ago) fails the
    insert, and with it the events."""
    if not keyed:
        return
    p = names.param
    cursor.executemany(
        f"INSERT INTO {_table(names)} (name, key, fingerprint, writes, position) VALUES ({p}, {p}, {p}, {p}, {p})",
        [(k.name, k.key, k.fingerprint, _encoded(k.writes), k.position if position is None else position) for k in keyed],
    )


def store(recorder: SQLRecorder, keyed: Sequence[KeyedWrite]) -> None:
    """Store keys of writes that recorded no new event, on a transaction of their own under the log's insert lock."""
    names = dialect(recorder)
    try:
        with _locked(recorder) as cursor:
            cursor.execute(names.sql("SELECT MAX({position}) FROM {events}"))
            append(cursor, names, keyed, int(_rows(cursor)[0][0] or 0))
    except (sqlite3.IntegrityError, psycopg.IntegrityError) as error:
        raise IntegrityError(str(error)) from error


def find(recorder: SQLRecorder, name: str, key: str) -> KeyedWrite | None:
    names = dialect(recorder)
    p = names.param
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT name, key, fingerprint, writes, position FROM {_table(names)} WHERE name = {p} AND key = {p}", (name, key))
        found = _rows(cursor)
    return _keyed(found[0]) if found else None


def between(recorder: SQLRecorder, after: int, through: int) -> dict[int, list[KeyedWrite]]:
    """Keys stored at positions in (after, through], by position, each position's in (name, key) order."""
    names = dialect(recorder)
    p = names.param
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(
            f"SELECT name, key, fingerprint, writes, position FROM {_table(names)} "
            f"WHERE position > {p} AND position <= {p} ORDER BY position, name, key",
            (after, through),
        )
        rows = _rows(cursor)
    found: dict[int, list[KeyedWrite]] = {}
    for row in rows:
        keyed = _keyed(row)
        found.setdefault(keyed.position, []).append(keyed)
    return found


def _keyed(row: tuple[Any, ...]) -> KeyedWrite:
    name, key, fingerprint, writes, position = row
    decoded = tuple((str(kind), UUID(aggregate), int(version)) for kind, aggregate, version in orjson.loads(writes))
    return KeyedWrite(str(name), str(key), str(fingerprint), decoded, int(position))


def _encoded(writes: Iterable[Write]) -> str:
    return orjson.dumps([[kind, str(aggregate), version] for kind, aggregate, version in writes]).decode()
