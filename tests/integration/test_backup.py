"""Backups taken while writes go on are consistent, and a restored copy answers every view the same."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading

import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import open_store
from projections.timeline import TimelineQuery
from projections.views import Views
from tests.e2e.conftest import rating
from timeline.application import Timeline
from timeline.backup import BackupRefused, backup_sqlite
from timeline.loader import read_record_file, store_record_file
from timeline.parsing import parse_record
from timeline.seed import seed_files


def views_at(database: str, known_at: int) -> dict:
    timeline, store = Timeline(database), open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        runner.catch_up()
        views = Views(store)
        return {
            "status": views.status("force/bedfordshire", as_of=dt.date(2017, 3, 3), known_at=known_at),
            "timeline": views.timeline("force/testshire", TimelineQuery(limit=1000), known_at=known_at),
            "ratings": views.ratings("effectiveness", known_at=known_at),
            "statements": views.statements(speaker="person/kathryn-holloway", known_at=known_at),
            "head": timeline.head(),
        }
    finally:
        store.close()
        timeline.close()


def test_a_backup_taken_during_writes_restores_to_the_same_views(sqlite_database, tmp_path):
    timeline = Timeline(sqlite_database)
    for path in seed_files():
        store_record_file(timeline, read_record_file(path))
    stop, flowing, written = threading.Event(), threading.Event(), []

    def keep_writing():
        while not stop.is_set():
            written.append(timeline.record([parse_record(rating()) for _ in range(5)]))
            if len(written) == 3:
                flowing.set()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert flowing.wait(timeout=30)  # a backup is meant for a store in use: start once writes flow
        target = tmp_path / "copy.sqlite3"
        position = backup_sqlite(sqlite_database, target)
    finally:
        stop.set()
        writer.join()
        timeline.close()
    restored = views_at(str(target), position)
    assert restored["head"] == position > 31
    original = views_at(sqlite_database, position)
    # Everything but how far each view has got (the original has moved on) is the same.
    def answers(views):
        return {name: {k: v for k, v in view.items() if k != "position"} for name, view in views.items() if name != "head"}

    assert answers(restored) == answers(original)
    assert original["head"] >= position


def test_backup_never_overwrites_and_explains_postgres(sqlite_database, tmp_path):
    Timeline(sqlite_database).close()
    existing = tmp_path / "exists.sqlite3"
    existing.write_bytes(b"precious")
    with pytest.raises(BackupRefused, match="never overwritten"):
        backup_sqlite(sqlite_database, existing)
    assert existing.read_bytes() == b"precious"
    with pytest.raises(BackupRefused, match="pg_dump --format=custom --schema=tl"):
        backup_sqlite("postgresql://127.0.0.1:5432/test?schema=tl", tmp_path / "x.dump")


def test_the_backup_command_reports_the_position(sqlite_database, tmp_path):
    timeline = Timeline(sqlite_database)
    timeline.record([parse_record(rating())])
    timeline.close()
    result = subprocess.run(
        [sys.executable, "-m", "timeline", "backup", str(tmp_path / "b.sqlite3"), "--database", sqlite_database],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "log position 1" in result.stdout


@pytest.mark.finding(14)
def test_the_postgres_backup_commands_quote_the_path_for_the_shell(tmp_path):
    import shlex

    from timeline.backup import postgres_instructions

    target = tmp_path / "nightly backups" / "it's $(whoami).dump"
    lines = postgres_instructions("postgresql://ann@db.example:5432/news?schema=tl", target).splitlines()
    dump = next(shlex.split(line) for line in lines if line.strip().startswith("pg_dump"))
    restore = next(shlex.split(line) for line in lines if line.strip().startswith("pg_restore"))
    assert f"--file={target}" in dump and dump[-1] == "host=db.example port=5432 dbname=news user=ann"
    assert restore[-1] == str(target)
