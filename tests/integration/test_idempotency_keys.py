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
from tests.integration.test_recording import DOCUMENT, record
from timeline import idempotency_keys, storage
from timeline.application import Timeline
from timeline.commands import Keyed, RecordRecords, RedactDocument, RedactFact, Retract
from timeline.errors import Conflict, KeyReused
from timeline.loader import FileRefused
from timeline.parsing import parse_record
from timeline.unit_of_work import UnitOfWork


@pytest.fixture
def two_servers(database):
    one, other = Timeline(database), Timeline(database)
    yield one, other
    one.close()
    other.close()


def retract(fact_id):
    return Retract(fact_id, 1, "recorded twice")


def keyed(timeline, name, key, fingerprint, command):
    """Execute a keyed command in a unit of work of its own and commit it; its pending outcome."""
    unit = timeline.unit_of_work()
    pending = timeline.execute(unit, Keyed(name, key, fingerprint, command))
    timeline.commit(unit)
    return pending


def test_a_key_is_stored_with_its_write_and_answers_its_re_send(two_servers):
    one, other = two_servers
    (fact,) = record(one, rating())
    fact_id = uuid.UUID(fact.id)
    first = keyed(one, "alice", "k1", "fingerprint", retract(fact_id))
    assert idempotency_keys.find(other.recorder, "alice", "k1").writes == (("fact", fact_id, 2),)
    resent = keyed(other, "alice", "k1", "fingerprint", retract(fact_id))
    assert resent.result() == [r.__class__(**{**r.__dict__, "created": False}) for r in first.result()]
    assert idempotency_keys.find(other.recorder, "bob", "k1") is None  # keys are per token
    with pytest.raises(KeyReused):
        other.execute(other.unit_of_work(), Keyed("alice", "k1", "another fingerprint", retract(fact_id)))


@pytest.mark.parametrize("redaction", ["document", "fact"])
def test_a_keyed_redaction_re_sent_is_answered_with_its_receipt(timeline, redaction):
    """Its key names the redaction's event, as every keyed write's does: a re-send once answered with nothing."""
    (_document, fact) = record(timeline, DOCUMENT, rating())
    command = RedactDocument("comet-test", "takedown") if redaction == "document" else RedactFact(uuid.UUID(fact.id), "takedown")
    (first,) = keyed(timeline, "", "k7", "fingerprint", command).result()
    (resent,) = keyed(timeline, "", "k7", "fingerprint", command).result()
    assert (resent.id, resent.version, resent.position, resent.created) == (first.id, first.version, first.position, False)
    (again,) = keyed(timeline, "", "k8", "fingerprint", command).result()  # already redacted: the original's receipt
    (again_resent,) = keyed(timeline, "", "k8", "fingerprint", command).result()
    assert again.position == again_resent.position == first.position


def test_the_same_key_committed_meanwhile_by_another_server_answers_a_command_refused_for_it(two_servers):
    """The other server commits the keyed retraction after this one looked the key up, before it read the fact."""
    one, other = two_servers
    (fact,) = record(one, rating())
    fact_id = uuid.UUID(fact.id)

    def the_other_server_first(aggregate_id):
        keyed(other, "", "k2", "fingerprint", retract(fact_id))
        return one.repository.get(aggregate_id)  # so the retraction is refused: the fact is retracted now

    unit = UnitOfWork(the_other_server_first, lambda ids: storage.stored_originators(one.recorder, ids))
    answered = one.execute(unit, Keyed("", "k2", "fingerprint", retract(fact_id)))
    one.commit(unit)
    (receipt,) = answered.result()
    assert (receipt.id, receipt.version, receipt.created) == (str(fact_id), 2, False)


def test_two_servers_staging_one_key_clash_on_it_and_nothing_of_the_later_is_stored(two_servers):
    one, other = two_servers
    first, second = one.unit_of_work(), other.unit_of_work()
    one.execute(first, Keyed("", "k3", "fingerprint", RecordRecords(())))
    (fact,) = record(one, rating())
    other.execute(second, Keyed("", "k3", "fingerprint", retract(uuid.UUID(fact.id))))
    one.commit(first)  # records nothing: its key alone
    head = other.head()
    with pytest.raises(Conflict):
        other.commit(second)
    assert other.head() == head


def test_the_keys_table_is_append_only(sqlite_database):
    timeline = Timeline(sqlite_database)
    try:
        (fact,) = record(timeline, rating())
        keyed(timeline, "", "k4", "fingerprint", retract(uuid.UUID(fact.id)))
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
        first = keyed(source, "alice", "k5", "f" * 64, retract(fact_id))
        keyed(source, "", "k6", "e" * 64, RecordRecords((parse_record(rating(id=str(fact_id))),)))  # stores no event
    finally:
        source.close()
    path = tmp_path / "log.ndjson"
    path.write_bytes(exported(source_database))
    assert b'"keys":[["","k6"' in path.read_bytes() and b'["alice","k5"' in path.read_bytes()
    assert imported(database, path) > 0
    assert exported(database) == path.read_bytes()
    restored = Timeline(database)
    try:
        answered = keyed(restored, "alice", "k5", "f" * 64, retract(fact_id))
        assert [(r.id, r.version, r.position) for r in answered.result()] == [(r.id, r.version, r.position) for r in first.result()]
        with pytest.raises(KeyReused):
            restored.execute(restored.unit_of_work(), Keyed("", "k6", "d" * 64, retract(fact_id)))
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
