"""Idempotency keys in the log's database (timeline.idempotency_keys), on both backends: stored with their
write, clashing across servers on their primary key, found again when another server's commit of the same
key came between a command's lookup and its read, and append-only like the log."""

from __future__ import annotations

import sqlite3
import uuid

import orjson
import pytest

from tests.e2e.conftest import rating
from tests.integration.test_log_file import exported, imported
from tests.integration.test_recording import record
from timeline import idempotency_keys
from timeline.application import Timeline
from timeline.errors import Conflict, KeyReused
from timeline.loader import FileRefused
from timeline.vocabulary import parse_record


@pytest.fixture
def two_servers(database):
    one, other = Timeline(database), Timeline(database)
    yield one, other
    one.close()
    other.close()


def retract(fact_id):
    return lambda batch: batch.retract(fact_id, 1, "recorded twice")


def test_a_key_is_stored_with_its_write_and_answers_its_re_send(two_servers):
    one, other = two_servers
    (fact,) = record(one, rating())
    fact_id = uuid.UUID(fact.id)
    batch = one.batch()
    first = batch.keyed("alice", "k1", "fingerprint", retract(fact_id))
    batch.commit()
    assert idempotency_keys.find(other.recorder, "alice", "k1").writes == (("fact", fact_id, 2),)
    again = other.batch()
    resent = again.keyed("alice", "k1", "fingerprint", retract(fact_id))
    again.commit()
    assert resent.result() == [r.__class__(**{**r.__dict__, "created": False}) for r in first.result()]
    assert idempotency_keys.find(other.recorder, "bob", "k1") is None  # keys are per token
    with pytest.raises(KeyReused):
        other.batch().keyed("alice", "k1", "another fingerprint", retract(fact_id))


def test_the_same_key_committed_meanwhile_by_another_server_answers_a_command_refused_for_it(two_servers):
    """The other server commits the keyed retraction after this one looked the key up, before it read the fact."""
    one, other = two_servers
    (fact,) = record(one, rating())
    fact_id = uuid.UUID(fact.id)

    def the_other_server_first(batch):
        elsewhere = other.batch()
        elsewhere.keyed("", "k2", "fingerprint", retract(fact_id))
        elsewhere.commit()
        return batch.retract(fact_id, 1, "recorded twice")  # refused: the fact is retracted now

    batch = one.batch()
    answered = batch.keyed("", "k2", "fingerprint", the_other_server_first)
    batch.commit()
    (receipt,) = answered.result()
    assert (receipt.id, receipt.version, receipt.created) == (str(fact_id), 2, False)


def test_two_servers_staging_one_key_clash_on_it_and_nothing_of_the_later_is_stored(two_servers):
    one, other = two_servers
    first, second = one.batch(), other.batch()
    first.keyed("", "k3", "fingerprint", lambda batch: batch.record([]))
    (fact,) = record(one, rating())
    second.keyed("", "k3", "fingerprint", retract(uuid.UUID(fact.id)))
    first.commit()  # records nothing: its key alone
    head = other.head()
    with pytest.raises(Conflict):
        second.commit()
    assert other.head() == head


def test_the_keys_table_is_append_only(sqlite_database):
    timeline = Timeline(sqlite_database)
    try:
        (fact,) = record(timeline, rating())
        batch = timeline.batch()
        batch.keyed("", "k4", "fingerprint", retract(uuid.UUID(fact.id)))
        batch.commit()
    finally:
        timeline.close()
    with sqlite3.connect(sqlite_database) as conn:
        for statement in (f"UPDATE {idempotency_keys.TABLE} SET fingerprint = 'x'", f"DELETE FROM {idempotency_keys.TABLE}"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement)


def test_keys_travel_in_an_export_and_answer_re_sends_on_the_imported_store(database, tmp_path):
    """Kept as long as the log: moved with it by export and import (SQLite to either backend), byte for byte."""
    source_database = str(tmp_path / "source.sqlite3")
    source = Timeline(source_database)
    try:
        (fact,) = record(source, rating())
        fact_id = uuid.UUID(fact.id)
        batch = source.batch()
        first = batch.keyed("alice", "k5", "f" * 64, retract(fact_id))
        batch.commit()
        again = source.batch()
        again.keyed("", "k6", "e" * 64, lambda batch: batch.record([parse_record(rating(id=str(fact_id)))]))  # stores no event
        again.commit()
    finally:
        source.close()
    path = tmp_path / "log.ndjson"
    path.write_bytes(exported(source_database))
    assert b'"keys":[["","k6"' in path.read_bytes() and b'["alice","k5"' in path.read_bytes()
    assert imported(database, path) > 0
    assert exported(database) == path.read_bytes()
    restored = Timeline(database)
    try:
        resent = restored.batch()
        answered = resent.keyed("alice", "k5", "f" * 64, retract(fact_id))
        resent.commit()
        assert [(r.id, r.version, r.position) for r in answered.result()] == [(r.id, r.version, r.position) for r in first.result()]
        with pytest.raises(KeyReused):
            restored.batch().keyed("", "k6", "d" * 64, retract(fact_id))
    finally:
        restored.close()


@pytest.mark.parametrize(
    ("keys", "reason"),
    [
        ([["", "k", "f" * 64, [["fact", str(uuid.UUID(int=1)), 1]]]], "which no line up to this one holds"),
        ([["", "k", "not a sha", []]], "a key is 1 to 200 printable ASCII characters"),
        ([["bad name!", "k", "f" * 64, []]], "is not a token's name"),
        ("k", "is a list of"),
    ],
)
def test_an_export_whose_keys_are_wrong_is_refused(sqlite_database, tmp_path, keys, reason):
    source = Timeline(sqlite_database)
    try:
        record(source, rating())
    finally:
        source.close()
    lines = exported(sqlite_database).splitlines()
    event = orjson.loads(lines[1]) | {"keys": keys}
    body = b"\n".join([orjson.dumps(event)]) + b"\n"  # one event, without header or end marker: reported unverified
    path = tmp_path / "log.ndjson"
    path.write_bytes(body)
    with pytest.raises(FileRefused, match=reason):
        imported(str(tmp_path / "restored.sqlite3"), path)
