"""The unit of work (timeline.unit_of_work) on its own: what it reads, stages and commits, with plain functions
standing in for the log."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from eventsourcing.application import AggregateNotFoundError

from timeline.commands import Pending, Stored
from timeline.facts import Fact
from timeline.idempotency_keys import KeyedWrite
from timeline.parsing import parse_document, parse_record
from timeline.sources import Document
from timeline.unit_of_work import UnitOfWork

DOCUMENT = parse_document({
    "type": "document", "id": "comet-test", "publisher": "The Comet", "url": "https://example.org/comet",
    "published": "2017-03-02", "kind": "press", "text": "Beds police is the only force deemed inadequate.",
})  # fmt: skip


def a_fact() -> Fact:
    fact_id = uuid.uuid4()
    record = parse_record({
        "id": str(fact_id), "type": "rating.published", "subject": "force/anyshire", "occurred": "2017-03-02",
        "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2016", "inspectorate": "org/hmic"},
        "source": {"publisher": "The Comet", "url": "https://example.org/comet", "published": "2017-03-02", "kind": "press"},
    })  # fmt: skip
    return Fact.record(fact_id, record.content)


class Log:
    """A log as the unit reads it: aggregates by id, counting the reads."""

    def __init__(self, *aggregates: Fact | Document) -> None:
        self.held = {aggregate.id: aggregate for aggregate in aggregates}
        self.reads: list[uuid.UUID] = []
        self.queries: list[set[uuid.UUID]] = []

    def get(self, aggregate_id: uuid.UUID) -> Fact | Document:
        self.reads.append(aggregate_id)
        if aggregate_id not in self.held:
            raise AggregateNotFoundError(aggregate_id)
        return self.held[aggregate_id]

    def stored(self, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        self.queries.append(set(ids))
        return ids & self.held.keys()

    def unit(self) -> UnitOfWork:
        return UnitOfWork(self.get, self.stored)


def test_a_stored_document_is_read_once_a_unit_and_a_missing_aggregate_is_none():
    document = Document.record(DOCUMENT)
    log = Log(document)
    unit = log.unit()
    assert unit.aggregate(document.id) is unit.aggregate(document.id) is document
    assert unit.aggregate(uuid.UUID(int=1)) is None
    assert log.reads == [document.id, uuid.UUID(int=1)]


def test_ids_looked_up_together_and_not_in_the_log_are_never_read_one_by_one():
    fact = a_fact()
    log = Log(fact)
    unit = log.unit()
    absent = uuid.UUID(int=2)
    unit.look_up({fact.id, absent})
    assert log.queries == [{fact.id, absent}]
    assert unit.aggregate(absent) is None and unit.aggregate(fact.id) is fact
    assert log.reads == [fact.id]


def test_a_single_id_is_not_queried_apart_from_its_read():
    log = Log()
    log.unit().look_up({uuid.UUID(int=3)})
    assert log.queries == []


def test_what_a_command_staged_is_what_later_commands_read():
    log = Log()
    unit = log.unit()
    fact = a_fact()
    unit.stage([fact])
    assert unit.is_staged(fact.id) and unit.aggregate(fact.id) is fact
    assert log.reads == []


def test_a_commit_saves_the_staged_events_with_their_authors_and_keys_then_settles_outcomes_in_order():
    unit = Log().unit()
    fact = a_fact()
    unit.by = "alice"
    unit.stage([fact])
    settled: list[str] = []
    first = unit.add(Pending(lambda positions: settled.append("first") or positions[(fact.id, 1)].position))
    second = unit.add(Pending(lambda positions: settled.append("second") or first.result() + 1))
    key = KeyedWrite("alice", "k", "f" * 64, (("fact", fact.id, 1),))
    unit.stage_key(key, first)
    saved = []

    def save(aggregates, authors, keys):
        saved.append((aggregates, dict(authors), list(keys)))
        return {(fact.id, 1): Stored(7, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))}

    with pytest.raises(RuntimeError, match="not been committed"):
        first.result()
    unit.commit(save)
    assert saved == [([fact], {(fact.id, 1): "alice"}, [key])]
    assert (first.result(), second.result(), settled) == (7, 8, ["first", "second"])
    assert unit.key("alice", "k") is None and not unit.is_staged(fact.id)  # a committed unit starts afresh


def test_a_unit_with_nothing_staged_saves_nothing_and_settles_nothing():
    unit = Log().unit()
    saved = []
    unit.commit(lambda aggregates, authors, keys: saved.append((aggregates, authors, keys)) or {})
    assert saved == [([], {}, [])]
