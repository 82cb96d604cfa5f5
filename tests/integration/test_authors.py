"""Who wrote each event is stored with it, in the same transaction, on both backends."""

from __future__ import annotations

import io

import pytest

from tests.integration.test_recording import DOCUMENT, rating
from timeline.application import Timeline
from timeline.commands import RecordRecords
from timeline.errors import Conflict
from timeline.log_file import export_log, import_log
from timeline.parsing import parse_record

pytestmark = pytest.mark.finding("authors")


def record_by(timeline: Timeline, by: str | None, *bodies: dict) -> list:
    (receipts,) = timeline.write([RecordRecords(tuple(parse_record(body) for body in bodies))], by=by)
    return receipts


def test_each_event_is_stored_with_the_name_of_the_token_that_wrote_it(timeline):
    _document, _first = record_by(timeline, None, DOCUMENT, rating())
    (second,) = record_by(timeline, "alice", rating(subject="force/kent"))
    assert timeline.authors(0, timeline.head()) == {second.position: "alice"}


def test_a_large_batch_inserted_in_slices_keeps_its_authors(postgres_database, monkeypatch):
    from timeline import postgres_recorder

    monkeypatch.setattr(postgres_recorder, "SLICE_EVENTS", 2)
    timeline = Timeline(postgres_database)
    try:
        receipts = record_by(timeline, "bob", DOCUMENT, *[rating(subject=f"force/f{n}") for n in range(4)])
        assert timeline.authors(0, timeline.head()) == {r.position: "bob" for r in receipts}
    finally:
        timeline.close()


def test_an_author_is_not_kept_for_a_write_that_failed(timeline, database):
    record_by(timeline, None, DOCUMENT)
    head = timeline.head()
    from tests.integration.test_chain import execute

    zeros = "0" * 64
    # The next positions taken, so the write's chain row clashes: a sequence may skip ids (PostgreSQL does
    # after a rolled-back insert), so block a run of them rather than head + 1 alone.
    for position in range(head + 1, head + 101):
        execute(database, f"INSERT INTO log_chain (position, link, content) VALUES ({position}, '{zeros}', '{zeros}')")
    with pytest.raises(Conflict):
        record_by(timeline, "alice", rating())
    assert timeline.authors(0, head + 200) == {}


def test_an_export_moves_authors_between_backends(sqlite_database, postgres_database, tmp_path):
    source = Timeline(sqlite_database)
    try:
        record_by(source, "alice", DOCUMENT, rating())
        out = io.BytesIO()
        export_log(source, out)
    finally:
        source.close()
    path = tmp_path / "log.ndjson"
    path.write_bytes(out.getvalue())
    target = Timeline(postgres_database)
    try:
        import_log(target, path)
        assert target.authors(0, target.head()) == {1: "alice", 2: "alice"}
    finally:
        target.close()
