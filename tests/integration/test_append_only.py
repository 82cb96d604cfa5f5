"""The log is append-only in the database itself: UPDATE and DELETE on stored events are refused."""

from __future__ import annotations

import sqlite3

import pytest

from tests.integration.test_recording import DOCUMENT, rating, record


def test_sqlite_refuses_to_update_or_delete_stored_events(sqlite_database):
    from timeline.application import Timeline

    timeline = Timeline(sqlite_database)
    try:
        record(timeline, DOCUMENT, rating())
    finally:
        timeline.close()
    with sqlite3.connect(sqlite_database) as conn:
        before = conn.execute("SELECT * FROM stored_events ORDER BY rowid").fetchall()
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE stored_events SET state = x'00'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM stored_events")
        assert conn.execute("SELECT * FROM stored_events ORDER BY rowid").fetchall() == before


def test_postgres_refuses_to_update_delete_or_truncate_stored_events(postgres_database):
    import psycopg

    from timeline.application import Timeline
    from timeline.storage import eventsourcing_env
    from timeline.storage.postgres import conninfo

    timeline = Timeline(postgres_database)
    table = timeline.recorder.events_table_name
    try:
        record(timeline, DOCUMENT, rating())
    finally:
        timeline.close()
    schema = eventsourcing_env(postgres_database)["POSTGRES_SCHEMA"]
    with psycopg.connect(conninfo(postgres_database), autocommit=True) as conn:
        qualified = f'"{schema}"."{table}"'
        before = conn.execute(f"SELECT * FROM {qualified} ORDER BY notification_id").fetchall()
        for statement in (f"UPDATE {qualified} SET topic = 'x'", f"DELETE FROM {qualified}", f"TRUNCATE {qualified}"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
        assert conn.execute(f"SELECT * FROM {qualified} ORDER BY notification_id").fetchall() == before


def test_protecting_the_log_twice_is_harmless(database):
    from timeline.application import Timeline

    for _ in range(2):
        Timeline(database).close()
