"""Recording facts on both stores: immutable, idempotent, optimistic, quote-checked, atomic."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from timeline.commands import Correct, Keyed, RecordRecords, Retract
from timeline.errors import FactConflict, FactRetracted, InvalidRecord, StaleVersion
from timeline.parsing import parse_record
from timeline.writer import Writer

ARTICLE = "Beds police is the only force out of the 28 across the UK to be deemed \u2018inadequate\u2019."
DOCUMENT = {
    "type": "document", "id": "comet-test", "publisher": "The Comet", "url": "https://example.org/comet",
    "published": "2017-03-02", "kind": "press", "text": ARTICLE,
}


def rating(**changes):
    body = {
        "id": str(uuid.uuid4()),
        "type": "rating.published",
        "subject": "force/bedfordshire",
        "occurred": "2017-03-02",
        "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2016", "inspectorate": "org/hmic"},
        "source": {
            "publisher": "The Comet", "url": "https://example.org/comet", "published": "2017-03-02", "kind": "press",
            "document": "comet-test", "quote": "the only force out of the 28 across the UK to be deemed 'inadequate'",
        },
    }
    body.update(changes)
    return body


def record(timeline, *bodies):
    return timeline.record([parse_record(body) for body in bodies])


def recording(*bodies):
    return RecordRecords(tuple(parse_record(body) for body in bodies))


def test_a_recorded_fact_gets_a_version_a_position_and_a_utc_record_time(timeline):
    document_receipt, fact_receipt = record(timeline, DOCUMENT, rating())
    assert (fact_receipt.version, fact_receipt.created) == (1, True)
    assert fact_receipt.position > document_receipt.position
    assert fact_receipt.recorded_at.utcoffset().total_seconds() == 0
    assert timeline.head() == fact_receipt.position


def test_re_recording_the_same_fact_is_a_no_op_that_returns_the_original(timeline):
    body = rating()
    (_, first) = record(timeline, DOCUMENT, body)
    head = timeline.head()
    (again,) = record(timeline, copy.deepcopy(body))
    assert again.created is False
    assert (again.id, again.version, again.position, again.recorded_at) == (
        first.id, first.version, first.position, first.recorded_at,
    )
    assert timeline.head() == head


def test_the_same_id_with_other_content_is_refused(timeline):
    body = rating()
    record(timeline, DOCUMENT, body)
    head = timeline.head()
    body["data"] = body["data"] | {"grade": "good"}
    with pytest.raises(FactConflict):
        record(timeline, body)
    assert timeline.head() == head


def test_a_correction_is_a_new_version_and_the_original_stays_in_the_history(timeline):
    body = rating()
    record(timeline, DOCUMENT, body)
    fact_id = uuid.UUID(body["id"])
    receipt = timeline.correct(fact_id, 1, {"occurred": "2017-03"}, "the article gives no day")
    stored = timeline.fact(fact_id)
    assert (receipt.version, stored.version, stored.content.occurred.edtf) == (2, 2, "2017-03")
    assert [(v.version, v.change, v.reason) for v in stored.history] == [
        (1, "recorded", None), (2, "corrected", "the article gives no day"),
    ]
    assert stored.history[1].position == receipt.position
    assert timeline.log()[1].event.occurred.edtf == "2017-03-02"  # the original event is untouched


def test_a_stale_correction_is_refused(timeline):
    body = rating()
    record(timeline, DOCUMENT, body)
    fact_id = uuid.UUID(body["id"])
    timeline.correct(fact_id, 1, {"occurred": "2017-03"}, "first")
    head = timeline.head()
    with pytest.raises(StaleVersion, match="version 2, not the expected 1"):
        timeline.correct(fact_id, 1, {"occurred": "2017"}, "second, from an old read")
    assert timeline.head() == head


def test_a_retracted_fact_is_kept_and_cannot_be_corrected(timeline):
    body = rating()
    record(timeline, DOCUMENT, body)
    fact_id = uuid.UUID(body["id"])
    timeline.retract(fact_id, 1, "wrong force")
    stored = timeline.fact(fact_id)
    assert (stored.retracted, stored.version, stored.content.data["grade"]) == (True, 2, "inadequate")
    with pytest.raises(FactRetracted):
        timeline.correct(fact_id, 2, {"occurred": "2017"}, "too late")


def test_a_correction_that_breaks_the_schema_is_refused(timeline):
    body = rating()
    record(timeline, DOCUMENT, body)
    with pytest.raises(InvalidRecord, match=r"data\.grade"):
        timeline.correct(uuid.UUID(body["id"]), 1, {"data": body["data"] | {"grade": "Superb!"}}, "typo")
    assert timeline.fact(uuid.UUID(body["id"])).version == 1


def test_a_quote_not_in_its_document_is_refused(timeline):
    record(timeline, DOCUMENT)
    head = timeline.head()
    misquote = rating()
    misquote["source"]["quote"] = "the worst force in the whole UK"
    with pytest.raises(InvalidRecord) as refused:
        record(timeline, misquote)
    assert [(e.field, e.index) for e in refused.value.errors] == [("source.quote", 0)]
    assert timeline.head() == head


def test_a_quote_citing_an_unknown_document_is_refused(timeline):
    with pytest.raises(InvalidRecord, match="no document 'comet-test'"):
        record(timeline, rating())
    assert timeline.head() == 0


def test_a_batch_with_one_bad_record_stores_nothing(timeline):
    good, bad = rating(), rating()
    bad["source"]["quote"] = "not in the article"
    with pytest.raises(InvalidRecord) as refused:
        record(timeline, DOCUMENT, good, bad)
    assert refused.value.errors[0].index == 2
    assert timeline.head() == 0


def test_a_batch_may_hold_a_document_and_the_facts_that_quote_it(timeline):
    receipts = record(timeline, DOCUMENT, rating(), rating())
    assert [r.kind for r in receipts] == ["document", "fact", "fact"]
    assert timeline.count_facts() == 2 and timeline.count_documents() == 1
    assert timeline.document("comet-test").content.text == ARTICLE


def test_the_log_reads_in_order_after_a_position(timeline):
    record(timeline, DOCUMENT, rating(), rating())
    positions = [entry.position for entry in timeline.log()]
    assert positions == sorted(positions) and len(positions) == 3
    assert [entry.position for entry in timeline.log(after=positions[0])] == positions[1:]


def test_commands_in_one_unit_of_work_commit_together_and_a_refused_one_stages_nothing(timeline):
    record(timeline, DOCUMENT)
    first, misquoted, third = rating(), rating(), rating()
    misquoted["source"]["quote"] = "never said"
    unit = timeline.unit_of_work()
    ok_1 = timeline.execute(unit, recording(first))
    with pytest.raises(InvalidRecord):
        timeline.execute(unit, recording(misquoted))
    ok_2 = timeline.execute(unit, recording(third))
    head = timeline.head()
    timeline.commit(unit)
    positions = [ok_1.result()[0].position, ok_2.result()[0].position]
    assert positions == [head + 1, head + 2]
    assert timeline.count_facts() == 2


def test_later_commands_in_a_unit_of_work_see_the_earlier_ones(timeline):
    record(timeline, DOCUMENT)
    body = rating()
    fact_id = uuid.UUID(body["id"])
    unit = timeline.unit_of_work()
    timeline.execute(unit, recording(body))
    again = timeline.execute(unit, recording(copy.deepcopy(body)))  # the same fact twice: one event
    corrected = timeline.execute(unit, Correct(fact_id, 1, {"occurred": "2017-03"}, "month only"))
    with pytest.raises(StaleVersion):
        timeline.execute(unit, Retract(fact_id, 1, "stale: the correction is version 2"))
    retracted = timeline.execute(unit, Retract(fact_id, 2, "withdrawn"))
    timeline.commit(unit)
    assert [r.version for r in again.result()] == [1]
    assert (corrected.result().version, retracted.result().version) == (2, 3)
    assert [v.change for v in timeline.fact(fact_id).history] == ["recorded", "corrected", "retracted"]


def test_the_application_refuses_what_is_not_a_command_and_stages_nothing_for_it(timeline):
    record(timeline, DOCUMENT)
    unit = timeline.unit_of_work()
    with pytest.raises(TypeError, match="not a command"):
        timeline.execute(unit, "record this")
    with pytest.raises(TypeError, match="not a command"):
        timeline.execute(unit, Keyed("", "k", "f" * 64, "record this"))
    head = timeline.head()
    timeline.commit(unit)
    assert timeline.head() == head


def test_a_write_is_all_or_none_the_first_refused_command_stores_nothing(timeline):
    record(timeline, DOCUMENT)
    misquoted = rating()
    misquoted["source"]["quote"] = "never said"
    head = timeline.head()
    with pytest.raises(InvalidRecord):
        timeline.write([recording(rating()), recording(misquoted)])
    assert timeline.head() == head
    corrected = rating()
    first, second = timeline.write([recording(corrected), Correct(uuid.UUID(corrected["id"]), 1, {"occurred": "2017-03"}, "month only")])
    assert ([r.version for r in first], second.version, second.position) == ([1], 2, first[0].position + 1)


def test_a_committed_unit_of_work_is_freed_at_once_without_waiting_for_the_cycle_collector(timeline):
    import gc
    import weakref

    record(timeline, DOCUMENT)
    gc.disable()
    try:
        unit = timeline.unit_of_work()
        pending = timeline.execute(unit, recording(rating()))
        timeline.commit(unit)
        staged = weakref.ref(unit)
        assert pending.result()[0].version == 1
        del unit
        assert staged() is None  # no reference cycle keeps the unit of work and its aggregates alive
    finally:
        gc.enable()



def test_a_batch_larger_than_one_insert_takes_is_stored_whole_at_consecutive_positions(timeline):
    # About 25 MB of events. On PostgreSQL a batch this size is inserted in slices
    # (timeline/postgres_recorder.py): as one statement it hangs psycopg's pipeline mode.
    bodies = [big_rating() for _ in range(10_000)]
    done: list = []
    writer = threading.Thread(target=lambda: done.append(timeline.record([parse_record(body) for body in bodies])), daemon=True)
    writer.start()
    writer.join(timeout=300)  # a guard: a hang fails the test instead of the whole run
    assert done, "recording the batch did not finish"

    assert [r.position for r in done[0]] == list(range(1, 10_001)) and timeline.head() == 10_000
    assert [str(e.event.originator_id) for e in timeline.log(0, 10_000)] == [body["id"] for body in bodies]


def test_a_sliced_batch_that_fails_in_its_last_slice_stores_nothing(postgres_database, sqlite_database):
    from eventsourcing.persistence import IntegrityError

    from timeline.application import Timeline
    from timeline.postgres_recorder import SLICE_EVENTS

    scratch = Timeline(sqlite_database)  # only to make stored events
    scratch.record([parse_record(big_rating()) for _ in range(SLICE_EVENTS * 2 + 1)])
    events = scratch.recorder.select_notifications(start=0, limit=SLICE_EVENTS * 3)
    scratch.close()
    timeline = Timeline(postgres_database)
    try:
        with pytest.raises(IntegrityError):
            timeline.recorder.insert_events([*events, events[0]])  # the duplicate is in the last slice
        assert timeline.head() == 0
        positions = timeline.recorder.insert_events(events)  # the failed attempt used up sequence numbers: a gap
        assert positions == list(range(positions[0], positions[0] + len(events))) and timeline.head() == positions[-1]
    finally:
        timeline.close()


def big_rating():
    from tests.e2e.conftest import rating as official_rating

    body = official_rating()
    return body | {"data": body["data"] | {"summary": "x" * 2000}}


def test_fact_counts_keep_up_with_writes_from_any_process(database):
    from tests.e2e.conftest import rating as official_rating
    from timeline.application import Timeline

    counting, other = Timeline(database), Timeline(database)
    try:
        assert counting.count_facts() == 0
        counting.record([parse_record(official_rating()) for _ in range(3)])
        assert counting.count_facts() == 3
        other.record([parse_record(official_rating()) for _ in range(2)])  # as another server would
        fact_id = uuid.UUID(other.record([parse_record(official_rating())])[0].id)
        other.correct(fact_id, 1, {"occurred": "2019-05"}, "month only")  # a new version, not a new fact
        assert counting.count_facts() == 6 and other.count_facts() == 6
        assert counting.count_documents() == 0
    finally:
        counting.close()
        other.close()


def uncited_rating():
    """A rating citing no document: its own id is the only one it names."""
    body = rating()
    body["source"] = {"publisher": "The Comet", "url": "https://example.org/comet", "published": "2017-03-02", "kind": "press"}
    return body


class CountingReads:
    """The log's reads of one aggregate at a time (the repository's `get`), by id."""

    def __init__(self, timeline, monkeypatch):
        self.ids: list[uuid.UUID] = []
        get = timeline.repository.get

        def counted(aggregate_id, *args, **kwargs):
            self.ids.append(aggregate_id)
            return get(aggregate_id, *args, **kwargs)

        monkeypatch.setattr(timeline.repository, "get", counted)


def test_a_write_reads_only_the_records_its_commands_name_that_the_log_holds(timeline, monkeypatch):
    stored = uncited_rating()
    record(timeline, stored)
    reads = CountingReads(timeline, monkeypatch)
    new = [uncited_rating() for _ in range(3)]
    outcomes = timeline.write([recording(body) for body in new] + [recording(copy.deepcopy(stored))])
    assert [receipt.created for (receipt,) in outcomes] == [True, True, True, False]
    assert reads.ids == [uuid.UUID(stored["id"])]  # the new facts were found absent together, none read alone


async def test_the_writer_looks_up_a_group_of_new_facts_together_and_reads_none_of_them(timeline, monkeypatch):
    reads = CountingReads(timeline, monkeypatch)
    new = [uncited_rating() for _ in range(4)]
    with ThreadPoolExecutor(max_workers=1) as executor:
        writer = Writer(timeline, executor)
        # Submitted before the writer runs: the four wait together and share one group.
        submitted = [asyncio.ensure_future(writer.submit(recording(body))) for body in new]
        running = asyncio.ensure_future(writer.run())
        receipts = [receipt for (receipt,) in await asyncio.gather(*submitted)]
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    assert writer.batches == 1 and [r.created for r in receipts] == [True] * 4
    assert reads.ids == []
