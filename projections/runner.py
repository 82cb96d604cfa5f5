"""Runs projections: tracking, catch-up, and blue/green rebuilds.

Each projection's rows and its tracking position commit in one transaction, so a
view is exactly as far as its position says, whatever fails or restarts. Positions
can have gaps (a rolled-back insert burns an id): the runner always asks for events
strictly after the last position it applied, never for `last + 1`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from projections.base import Projection
from projections.store import Cursor, ViewStore, dialect_of, one_row

log = logging.getLogger(__name__)
ReadLog = Callable[[int, int], Sequence[Any]]  # (after, limit) -> entries with .position and .event


@dataclass(frozen=True)
class Progress:
    view: str
    position: int
    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


class ProjectionRunner:
    """Keeps views up to date with the log; can rebuild any view while the old one keeps serving."""

    def __init__(
        self, store: ViewStore, read_log: ReadLog, projections: Sequence[Projection], batch_size: int = 500,
        rebuild_batch_size: int | None = None, analyze_after: int = 1000,
    ):
        self.store = store
        self.read_log = read_log
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        # A rebuild writes tables no reader uses yet: larger batches, fewer transactions.
        self.rebuild_batch_size = rebuild_batch_size or batch_size * 10
        # PostgreSQL: the position each live generation's statistics were last refreshed at (see _keep_statistics).
        self.analyze_after = analyze_after
        self._analyzed: dict[tuple[str, int], int] = {}

    # Set-up and reading

    def setup(self, progress: Callable[[Progress], None] | None = None) -> None:
        """Create the tracking tables and a first generation of every view that has none; rebuild
        every view whose live tables have another shape than its projection now makes (an upgrade)."""
        with self.store.write() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS view_tracking ("
                "view TEXT NOT NULL, generation INTEGER NOT NULL, position BIGINT NOT NULL, "
                "active INTEGER NOT NULL, PRIMARY KEY (view, generation))"
            )
            # Which shape each generation's tables have (views made before this table are shape 1).
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS view_shapes (view TEXT NOT NULL, generation INTEGER NOT NULL, "
                "shape INTEGER NOT NULL, PRIMARY KEY (view, generation))"
            )
            outdated = []
            for name, projection in self.projections.items():
                generation = _active(cursor, name)
                if generation is None:
                    _drop_inactive(cursor, projection)
                    projection.create_tables(cursor, _prefix(name, 1))
                    projection.create_indexes(cursor, _prefix(name, 1))
                    cursor.execute("INSERT INTO view_tracking VALUES (?, 1, 0, 1)", (name,))
                    cursor.execute("INSERT INTO view_shapes VALUES (?, 1, ?)", (name, projection.shape))
                    projection.create_sql_views(cursor, _prefix(name, 1), self.store.dialect)
                elif _shape(cursor, name, generation) != projection.shape:
                    outdated.append(name)
        for name in outdated:
            log.info("the %s view's tables have an older shape: rebuilding it from the log", name)
            self.rebuild(name, progress)

    def positions(self) -> dict[str, int]:
        """Each view's position: the last log position it reflects."""
        with self.store.read() as cursor:
            cursor.execute("SELECT view, position FROM view_tracking WHERE active = 1")
            return {view: position for view, position in cursor.fetchall() if view in self.projections}

    # Keeping up

    def catch_up(self, name: str | None = None) -> dict[str, int]:
        """Apply every new event to the live generation of one or all views; returns their positions."""
        return {view: self._run(view, active=True) for view in ([name] if name else self.projections)}

    def refresh(self) -> bool:
        """Compute again, a part per live view, what its batches only marked stale: in a read transaction at its
        position, then kept in a short write transaction, so that no batch holds the write lock for it (SQLite has
        one). Call it once caught up: a view catching up from far behind would compute what its next batches move
        again. True when a view may have more to refresh."""
        more = False
        for name, projection in self.projections.items():
            with self.store.read() as cursor:
                generation = _active(cursor, name)
                position = _tracked(cursor, name, generation)
                if generation is None or position is None:
                    continue
                recomputed, left = projection.recompute(cursor, _prefix(name, generation), position)
            if not recomputed:
                continue
            with self.store.write() as cursor:
                if _active(cursor, name) == generation:  # not swapped out meanwhile (its tables may be dropped)
                    projection.store(cursor, _prefix(name, generation), position, recomputed)
            more = more or left
        return more

    def warm(self, seconds: float) -> bool:
        """Refresh stale ready answers for at most about `seconds` (a part can run over): as the server starts, so
        that its first reads find them ready instead of all computing at once (a 100,000-event store served fresh
        answered its first 4 seconds of status reads at p99 464 ms, the next at 25 ms). True when some remain."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.refresh():
                return False
        return True

    def _run(
        self, name: str, *, active: bool, generation: int | None = None, progress: Callable[[int, int], None] | None = None,
        filling: bool = False,
    ) -> int:
        while True:
            with self.store.read() as cursor:
                generation = _active(cursor, name) if active else generation
                position = _tracked(cursor, name, generation)
            if position is None or generation is None:  # that generation was dropped by a rebuild meanwhile
                return self._run(name, active=True) if active else 0
            entries = self.read_log(position, self.batch_size if active else self.rebuild_batch_size)
            if not entries:
                return position
            applied = self.apply(name, generation, entries, filling=filling)
            if active:
                self._keep_statistics(name, generation, position, applied)
            if progress:
                progress(applied, len(entries))

    def apply(self, name: str, generation: int, entries: Sequence[Any], filling: bool = False) -> int:
        """Apply a batch in one transaction; events at or before the tracked position are skipped. A rebuild's
        first pass is `filling`: the projection may leave what depends on every row to its `settle`."""
        projection = self.projections[name]
        prefix = _prefix(name, generation)
        with self.store.write() as cursor:
            # Locks the tracking row on PostgreSQL, so runners in several processes take turns
            # (SQLite's BEGIN IMMEDIATE already serialises writers).
            position = _tracked(cursor, name, generation, lock=self.store.dialect == "postgres")
            if position is None:
                return 0
            fresh = [entry for entry in entries if entry.position > position]
            if fresh:
                (projection.fill if filling else projection.apply)(cursor, prefix, fresh)
                position = fresh[-1].position
            cursor.execute(
                "UPDATE view_tracking SET position = ? WHERE view = ? AND generation = ?", (position, name, generation)
            )
            return position

    def _keep_statistics(self, name: str, generation: int, before: int, after: int) -> None:
        """On PostgreSQL, analyze a live view's tables each time it has doubled since this runner last did.

        Autovacuum refreshes statistics about once a minute; a view catching up on a bulk load grows faster, its
        batches' queries are planned for the empty tables it started as, and scan: a catch-up of 20,000 events took
        380 s, batches slowing from 0.5 s to 27 s; analyzing as it doubles, 15 s. Doubling keeps the cost a
        logarithm of the growth; a view this runner finds already large is left to autovacuum until it doubles."""
        if self.store.dialect != "postgres":
            return
        last = self._analyzed.setdefault((name, generation), before)
        if after < max(2 * last, last + self.analyze_after):
            return
        with self.store.write() as cursor:
            for table in self.projections[name].table_names(_prefix(name, generation)):
                cursor.execute(f"ANALYZE {table}")
        self._analyzed[(name, generation)] = after

    # Rebuilding

    def rebuild(self, name: str, progress: Callable[[Progress], None] | None = None) -> int:
        """Replay the whole log into fresh tables, then make them live in one transaction.

        Readers keep the old tables until the swap; the live view keeps being updated meanwhile.
        """
        projection = self.projections[name]
        with self.store.write() as cursor:
            _drop_inactive(cursor, projection)
            cursor.execute("SELECT MAX(generation) FROM view_tracking WHERE view = ?", (name,))
            generation = (one_row(cursor)[0] or 0) + 1
            projection.create_tables(cursor, _prefix(name, generation))
            cursor.execute("INSERT INTO view_tracking VALUES (?, ?, 0, 0)", (name, generation))
            cursor.execute("DELETE FROM view_shapes WHERE view = ? AND generation = ?", (name, generation))
            cursor.execute("INSERT INTO view_shapes VALUES (?, ?, ?)", (name, generation, projection.shape))

        started, events = time.monotonic(), 0

        def report(position: int, count: int) -> None:
            nonlocal events
            events += count
            if progress:
                progress(Progress(name, position, events, time.monotonic() - started))

        position = self._run(name, active=False, generation=generation, progress=report, filling=True)
        with self.store.write() as cursor:
            projection.create_indexes(cursor, _prefix(name, generation))
            if self.store.dialect == "postgres":
                # Filled tables have no statistics until autovacuum comes: planned blind, settle's joins took seconds each.
                for table in projection.table_names(_prefix(name, generation)):
                    cursor.execute(f"ANALYZE {table}")
        settled: str | None = None
        while True:  # a part per transaction: writers to the log wait on SQLite's lock a part's time, not the whole
            with self.store.write() as cursor:
                settled = projection.settle(cursor, _prefix(name, generation), position, settled)
            if settled is None:
                break
        while not self._swap(name, generation):
            self._run(name, active=False, generation=generation)  # the live view moved on meanwhile: follow it
        # Whatever was recorded during the swap is applied now, to the new live tables.
        return self._run(name, active=True)

    def _swap(self, name: str, generation: int) -> bool:
        """Make a generation live, in one transaction, only if it is not behind the live one: a view never
        goes live behind a position readers were already given. False when it is behind.

        The old generation's tables stay (readers may still be using their names: dropping them under a
        reader fails it); the next rebuild drops them."""
        with self.store.write() as cursor:
            old = _active(cursor, name)
            # Locked on PostgreSQL, so that the live view cannot move on until the swap commits.
            live = _tracked(cursor, name, old, lock=self.store.dialect == "postgres") if old is not None else 0
            if (_tracked(cursor, name, generation) or 0) < (live or 0):
                return False
            cursor.execute(
                "UPDATE view_tracking SET active = CASE WHEN generation = ? THEN 1 ELSE 0 END WHERE view = ?", (generation, name)
            )
            # The stable SQL views follow the swap in its transaction: no reader sees them over a dropped or stale generation.
            self.projections[name].create_sql_views(cursor, _prefix(name, generation), self.store.dialect)
        return True


def live_prefix(cursor: Cursor, name: str) -> tuple[str, int]:
    """The live generation's table prefix and position, read in the caller's snapshot."""
    cursor.execute("SELECT generation, position FROM view_tracking WHERE view = ? AND active = 1", (name,))
    row = cursor.fetchone()
    if row is None:
        raise LookupError(f"view {name!r} has not been set up")
    return _prefix(name, row[0]), row[1]


def generation_of(prefix: str) -> int:
    """The generation a table prefix names."""
    return int(prefix.rsplit("_g", 1)[1])


def _prefix(name: str, generation: int) -> str:
    return f"{name}_g{generation}"


def _active(cursor: Cursor, name: str) -> int | None:
    cursor.execute("SELECT generation FROM view_tracking WHERE view = ? AND active = 1", (name,))
    row = cursor.fetchone()
    return row[0] if row else None


def _shape(cursor: Cursor, name: str, generation: int) -> int:
    cursor.execute("SELECT shape FROM view_shapes WHERE view = ? AND generation = ?", (name, generation))
    row = cursor.fetchone()
    return row[0] if row else 1


def _tracked(cursor: Cursor, name: str, generation: int | None, lock: bool = False) -> int | None:
    statement = "SELECT position FROM view_tracking WHERE view = ? AND generation = ?"
    cursor.execute(statement + (" FOR UPDATE" if lock else ""), (name, generation))
    row = cursor.fetchone()
    return row[0] if row else None


def _drop_inactive(cursor: Cursor, projection: Projection) -> None:
    """Remove generations that are not live: those an earlier rebuild replaced, or left half-built.

    On PostgreSQL a generation is dropped only if all its tables can be locked at once without waiting: a
    reader still in one of them keeps it for the next rebuild. Waiting would deadlock with a reader that
    holds one of the tables and asks for another (a reader must never be the deadlock's victim)."""
    cursor.execute("SELECT generation FROM view_tracking WHERE view = ? AND active = 0", (projection.name,))
    for (generation,) in cursor.fetchall():
        tables = projection.table_names(_prefix(projection.name, generation))
        if dialect_of(cursor) == "postgres" and not _locked_without_waiting(cursor, tables):
            continue
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("DELETE FROM view_tracking WHERE view = ? AND generation = ?", (projection.name, generation))
    cursor.execute(
        "DELETE FROM view_shapes WHERE view = ? AND generation NOT IN (SELECT generation FROM view_tracking WHERE view = ?)",
        (projection.name, projection.name),
    )


def _locked_without_waiting(cursor: Cursor, tables: list[str]) -> bool:
    """Take ACCESS EXCLUSIVE locks on every one of these tables that exists, all or none, never waiting."""
    existing = []
    for table in tables:
        cursor.execute("SELECT to_regclass(?) IS NOT NULL", (table,))
        if one_row(cursor)[0]:
            existing.append(table)
    if not existing:
        return True
    import psycopg

    cursor.execute("SAVEPOINT drop_generation")
    try:
        cursor.execute(f"LOCK TABLE {', '.join(existing)} IN ACCESS EXCLUSIVE MODE NOWAIT")
    except psycopg.errors.LockNotAvailable:
        cursor.execute("ROLLBACK TO SAVEPOINT drop_generation")
        return False
    cursor.execute("RELEASE SAVEPOINT drop_generation")
    return True
