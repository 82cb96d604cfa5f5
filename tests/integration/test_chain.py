"""The log's hash chain on both backends: written with the events, verified by `timeline verify`."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from tests.conftest import SEEDED_HEAD
from tests.integration.test_cli import timeline as run
from tests.integration.test_recording import DOCUMENT, rating, record
from timeline import chain_store
from timeline.application import Timeline
from timeline.chain import DOCUMENT_CHANGED, EVENT_CHANGED, LINK_CHANGED, Verified
from timeline.cli import VERIFY_FAILED
from timeline.errors import Conflict
from timeline.parsing import parse_record
from timeline.seed import framework_files, seed_files
from timeline.storage import eventsourcing_env, is_postgres


@pytest.fixture
def seeded(database):
    result = run("load", *[str(p) for p in seed_files()], database=database)
    assert result.returncode == 0, result.stderr
    return database


def execute(database: str, *statements: str) -> None:
    """Run SQL straight on the store, as someone with the database's password could."""
    if not is_postgres(database):
        with sqlite3.connect(database) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    import psycopg

    from timeline.storage.postgres import conninfo

    schema = eventsourcing_env(database)["POSTGRES_SCHEMA"]
    with psycopg.connect(conninfo(database), autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        for statement in statements:
            conn.execute(statement)


def flip_one_byte_of_the_state(database: str, position: int) -> None:
    """Drop the append-only triggers (storage.protect_log), then change one byte of one stored event."""
    if is_postgres(database):
        execute(
            database,
            "DROP TRIGGER timeline_events_append_only ON timeline_events",
            f"UPDATE timeline_events SET state = overlay(state placing '\\x58'::bytea from 3 for 1) WHERE notification_id = {position}",
        )
    else:
        execute(
            database,
            "DROP TRIGGER stored_events_append_only_update",
            f"UPDATE stored_events SET state = CAST(substr(state, 1, 2) || x'58' || substr(state, 4) AS BLOB) WHERE rowid = {position}",
        )


@pytest.mark.finding("chain")
def test_a_fresh_seeded_store_verifies_and_names_its_chain_head(seeded):
    result = run("verify", database=seeded)
    timeline = Timeline(seeded)
    try:
        position, link = timeline.chain_head()
    finally:
        timeline.close()
    assert result.returncode == 0, result.stdout + result.stderr
    assert position == SEEDED_HEAD - len(framework_files())
    assert result.stdout.strip() == f"verified {position} events; chain head {link}"


@pytest.mark.finding("chain")
def test_verify_names_the_position_of_an_event_whose_stored_state_lost_a_byte(seeded):
    flip_one_byte_of_the_state(seeded, 7)
    result = run("verify", database=seeded)
    assert result.returncode == VERIFY_FAILED
    assert result.stdout.strip() == f"verification failed at position 7: {EVENT_CHANGED}"


@pytest.mark.finding("chain")
def test_verify_names_the_position_of_a_changed_chain_link(seeded):
    drop = "DROP TRIGGER log_chain_append_only ON log_chain" if is_postgres(seeded) else "DROP TRIGGER log_chain_append_only_update"
    execute(seeded, drop, "UPDATE log_chain SET link = '" + "0" * 64 + "' WHERE position = 5")
    result = run("verify", database=seeded)
    assert (result.returncode, result.stdout.strip()) == (VERIFY_FAILED, f"verification failed at position 5: {LINK_CHANGED}")


@pytest.mark.finding("chain")
def test_a_log_written_before_the_chain_is_chained_once_when_opened_giving_the_same_links(database):
    timeline = Timeline(database)
    try:
        record(timeline, DOCUMENT, rating(), rating(subject="force/kent"))
        before = list(chain_store.all_rows(timeline.recorder))
    finally:
        timeline.close()
    execute(database, "DROP TABLE log_chain")  # as an older version left it

    timeline = Timeline(database)
    try:
        assert list(chain_store.all_rows(timeline.recorder)) == before
        assert [row.position for row in before] == [entry.position for entry in timeline.log()]
        assert isinstance(timeline.verify(), Verified)
    finally:
        timeline.close()


@pytest.mark.finding("chain")
def test_a_document_whose_text_was_changed_before_the_chain_existed_is_named(database):
    timeline = Timeline(database)
    try:
        position = record(timeline, DOCUMENT, rating())[0].position
    finally:
        timeline.close()
    # Change "Beds" to "Bads" in the stored text, then chain the changed log as an upgrade would.
    if is_postgres(database):
        execute(
            database,
            "DROP TRIGGER timeline_events_append_only ON timeline_events",
            "UPDATE timeline_events SET state = convert_to(replace(convert_from(state, 'UTF8'), 'Beds', 'Bads'), 'UTF8')",
            "DROP TABLE log_chain",
        )
    else:
        execute(
            database,
            "DROP TRIGGER stored_events_append_only_update",
            "UPDATE stored_events SET state = CAST(replace(CAST(state AS TEXT), 'Beds', 'Bads') AS BLOB)",
            "DROP TABLE log_chain",
        )
    result = run("verify", database=database)
    assert (result.returncode, result.stdout.strip()) == (VERIFY_FAILED, f"verification failed at position {position}: {DOCUMENT_CHANGED}")


@pytest.mark.finding("chain")
def test_events_whose_chain_row_cannot_be_written_are_not_stored(timeline, database):
    record(timeline, DOCUMENT)
    head = timeline.head()
    zeros = "0" * 64
    execute(database, f"INSERT INTO log_chain (position, link, content) VALUES ({head + 1}, '{zeros}', '{zeros}')")  # in the way
    with pytest.raises(Conflict):
        record(timeline, rating())
    assert timeline.head() == head  # the event went with its chain row


@pytest.mark.finding("chain")
def test_concurrent_writers_chain_in_commit_order(database):
    timelines = [Timeline(database) for _ in range(3)]
    record(timelines[0], DOCUMENT)
    errors: list[BaseException] = []

    def write(timeline: Timeline) -> None:
        try:
            for n in range(8):
                timeline.record([parse_record(rating(subject=f"force/f{id(timeline)}-{n}"))])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(t,)) for t in timelines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        outcome = timelines[0].verify()
        assert outcome == Verified(25, timelines[0].head(), timelines[0].chain_head()[1])
    finally:
        for timeline in timelines:
            timeline.close()


@pytest.mark.finding("chain")
def test_a_large_batch_inserted_in_slices_is_chained(postgres_database, monkeypatch):
    from timeline import postgres_recorder

    monkeypatch.setattr(postgres_recorder, "SLICE_EVENTS", 2)
    timeline = Timeline(postgres_database)
    try:
        record(timeline, DOCUMENT, *[rating(subject=f"force/f{n}") for n in range(5)])
        assert timeline.chain_head()[0] == timeline.head() == 6
        assert isinstance(timeline.verify(), Verified)
    finally:
        timeline.close()


@pytest.mark.parametrize("table", [pytest.param("log_chain", marks=pytest.mark.finding("chain")), pytest.param("log_authors", marks=pytest.mark.finding("authors"))])
def test_the_side_tables_written_with_the_log_are_append_only_too(database, table):
    timeline = Timeline(database)
    try:
        record(timeline, DOCUMENT)
    finally:
        timeline.close()
    execute(database, "INSERT INTO log_authors (position, name) VALUES (1, 'alice')")
    for statement in (f"UPDATE {table} SET position = 9", f"DELETE FROM {table}"):
        with pytest.raises(Exception, match="append-only"):
            execute(database, statement)
