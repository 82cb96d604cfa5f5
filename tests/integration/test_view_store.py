"""The view store's transactions: what a reader and a writer of the views can count on, on both backends."""

from __future__ import annotations

import threading

import pytest

from projections.store import open_store


@pytest.fixture
def store(database):
    opened = open_store(database)
    with opened.write() as cursor:
        cursor.execute("CREATE TABLE probe (n INTEGER NOT NULL)")
        cursor.execute("INSERT INTO probe VALUES (1)")
    yield opened
    opened.close()


def _count(cursor) -> int:
    cursor.execute("SELECT COUNT(*) FROM probe")
    return int(cursor.fetchone()[0])


def test_a_read_sees_one_snapshot_whatever_commits_during_it(store):
    """A status is several statements: they must all see the views at one position."""
    with store.read() as cursor:
        assert _count(cursor) == 1
        # Another thread's write commits while this read is open (PostgreSQL: another pooled connection).
        writer = threading.Thread(target=lambda: _insert(store))
        writer.start()
        writer.join()
        assert _count(cursor) == 1
    with store.read() as cursor:
        assert _count(cursor) == 2


def _insert(store) -> None:
    with store.write() as cursor:
        cursor.execute("INSERT INTO probe VALUES (2)")


def test_on_postgresql_a_read_cannot_write_and_leaves_the_next_write_able_to(postgres_database):
    import psycopg

    store = open_store(postgres_database)
    try:
        with store.write() as cursor:
            cursor.execute("CREATE TABLE probe (n INTEGER NOT NULL)")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), store.read() as cursor:
            cursor.execute("INSERT INTO probe VALUES (1)")
        for _ in range(3):  # the pool hands the same connections back: a read's settings must not stay on them
            with store.read() as cursor:
                _count(cursor)
            _insert(store)
        with store.read() as cursor:
            assert _count(cursor) == 3
    finally:
        store.close()


def test_on_postgresql_the_views_are_queried_without_jit(postgres_database):
    """JIT compiled a 130 ms timeline query for another 80 ms: the views' queries are too short to repay it."""
    store = open_store(postgres_database)
    try:
        with store.read() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone()[0] == "off"
    finally:
        store.close()
