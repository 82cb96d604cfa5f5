#!/usr/bin/env python3
"""How many statements a status read sends to the view store, per subject of the bundled seed.

    python scripts/count_queries.py [--database postgresql://127.0.0.1/test?schema=count_queries]

Loads the seed into a fresh store (a temporary SQLite file, or the given PostgreSQL schema, dropped after),
catches the views up, and counts each cursor's `execute` calls (one round trip each on PostgreSQL) in
`Views.status` without times (before the ready answers are refreshed, so computed, then after: ready) and with
`as_of`. A measuring aid, not part of the service.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import open_store
from projections.views import Views
from timeline.application import Timeline
from timeline.seed import sync_frameworks, sync_seed


class Counting:
    """A cursor that counts the statements it executes."""

    def __init__(self, cursor: Any, counter: list[int]) -> None:
        self._cursor, self._counter = cursor, counter

    def execute(self, *args: Any) -> Any:
        self._counter[0] += 1
        return self._cursor.execute(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def counted(store: Any, counter: list[int]) -> None:
    read = store.read

    @contextlib.contextmanager
    def counting_read() -> Iterator[Any]:
        with read() as cursor:
            yield Counting(cursor, counter)

    store.read = counting_read


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="count-queries-")
    database = args.database or str(Path(folder) / "timeline.sqlite3")
    timeline = Timeline(database)
    sync_seed(timeline)
    sync_frameworks(timeline)
    store = open_store(database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    runner.setup()
    runner.catch_up()
    views = Views(store)
    counter = [0]
    counted(store, counter)
    with store.read() as cursor:
        cursor.execute("SELECT generation FROM view_tracking WHERE view = 'facts' AND active = 1")
        prefix = f"facts_g{cursor.fetchone()[0]}"
        cursor.execute(f"SELECT DISTINCT subject FROM {prefix}_refs WHERE subject LIKE ? OR subject LIKE ?", ("force/%", "person/%"))
        subjects = sorted(row[0] for row in cursor.fetchall())
    for label, as_of in (("stale", None), ("ready", None), ("as_of", dt.date(2100, 1, 1))):
        if label == "ready":
            while runner.refresh():  # as the server's keeper does once caught up
                pass
        counts = []
        for subject in subjects:
            counter[0] = 0
            views.status(subject, as_of=as_of)
            counts.append(counter[0])
        print(f"{store.dialect:8} {label:6} subjects={len(counts)} statements per status: "
              f"min {min(counts)} median {statistics.median(counts)} max {max(counts)}")
    store.close()
    timeline.close()
    if args.database:
        import psycopg

        from timeline.storage import eventsourcing_env
        from timeline.storage.postgres import conninfo

        schema = eventsourcing_env(args.database)["POSTGRES_SCHEMA"]
        with psycopg.connect(conninfo(args.database), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return 0


if __name__ == "__main__":
    sys.exit(main())
