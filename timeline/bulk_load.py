"""`timeline load` of a large file: each record checked and its event staged as it is read, then one short commit.

A record file is read one record at a time (timeline.loader's RecordStream). A fact new to the log,
the common case of a load, goes the bulk path: `Timeline.new_fact_event` keeps its rules (quotes,
links) and builds its stored event straight from the record, making no aggregate. Any other record
(a document, a framework, a fact the log or the file holds already) goes through `Timeline.execute`
like every write. Either way its events go to a staging file (timeline.staging), not the log, so
nothing holds every record and no lock is held while the file is read. Only once the whole file is
accepted are the staged events moved into the log in one transaction (all or nothing), which is the
only time other writers wait.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from timeline import storage
from timeline.application import Timeline, named_ids
from timeline.commands import Positions, Receipt, RecordRecords, Stored
from timeline.errors import Conflict, DocumentConflict, FactConflict, InvalidRecord, Redacted
from timeline.loader import FileRefused, Location, Problem, Problems, RecordStream
from timeline.parsing import NewFact
from timeline.sources import Document
from timeline.staging import Staging, commit_staged
from timeline.unit_of_work import Staged, UnitOfWork

CHUNK_RECORDS = 1000  # records whose ids are looked up in one query
Progress = Callable[[int], None]  # the line reached


@dataclass(frozen=True)
class Loaded:
    """What a file added: records by kind, how many were new, and the log's head after it."""

    facts: int
    others: int  # documents and framework editions
    new: int
    head: int
    locked_seconds: float  # how long the commit held the log's lock: what another writer waited, at most


def load_record_file(app: Timeline, stream: RecordStream, progress: Progress | None = None) -> Loaded:
    """Check and stage every record of a file, then store them all in one transaction; FileRefused (nothing stored)
    naming each problem's line."""
    with Staging() as staging:
        loading = _Loading(app, staging)
        for chunk in _chunks(stream):
            if stream.problems.count == 0:  # after a problem the file is only read on, for its other problems
                loading.stage(chunk, stream.problems, progress)
            elif progress is not None:
                progress(chunk[-1][0].line or 0)
        if stream.problems.count:
            raise stream.problems.refusal()
        try:
            head, locked = commit_staged(app, staging)
        except Conflict as error:
            raise FileRefused([Problem(Location(stream.name), None, str(error))]) from None
        return Loaded(loading.facts, loading.others, loading.new, head, locked)


def _chunks(stream: RecordStream) -> Iterator[list[tuple[Location, Any]]]:
    chunk: list[tuple[Location, Any]] = []
    for item in stream:
        chunk.append(item)
        if len(chunk) == CHUNK_RECORDS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Loading:
    """The records of one file staged so far: what a later record of it reads as stored."""

    def __init__(self, app: Timeline, staging: Staging) -> None:
        self.app = app
        self.staging = staging
        self.facts = self.others = self.new = 0
        self._buffer: dict[UUID, StoredEvent] = {}  # bulk events of this chunk, not yet in the staging file
        self._absent: set[UUID] = set()  # ids of this chunk in neither the log nor the staging file
        self._documents: dict[UUID, Aggregate] = {}  # documents read for quotes: each can be megabytes, and is cited often

    def stage(self, chunk: list[tuple[Location, Any]], problems: Problems, progress: Progress | None) -> None:
        records = [record for _, record in chunk]
        named = named_ids(records)
        self._absent = named - storage.stored_originators(self.app.recorder, named) - self.staging.holding(named)
        for location, record in chunk:
            try:
                self._stage_one(record)
            except InvalidRecord as error:
                problems.extend(Problem(location, e.field, e.message) for e in error.errors)
            except (FactConflict, DocumentConflict) as error:
                problems.add(Problem(location, "id", str(error)))
            except (Conflict, Redacted) as error:  # a document withdrawn or redacted, cited or revised
                problems.add(Problem(location, None, str(error)))
            if problems.count:
                break
            if progress is not None:
                progress(location.line or 0)
        self._flush()

    def _stage_one(self, record: Any) -> None:
        if isinstance(record, NewFact) and (record.id is None or (record.id in self._absent and record.id not in self._buffer)):
            fact_id = record.id or uuid.uuid4()
            self._buffer[fact_id] = self.app.new_fact_event(fact_id, record.content, self._find, None)
            self.facts += 1
            self.new += 1
            return
        self._flush()  # the staging file keeps the file's order
        unit = UnitOfWork(self._get, self._stored, self._earlier)
        pending = self.app.execute(unit, RecordRecords((record,)))
        unit.commit(self._save)
        for receipt in pending.result():
            self.facts += receipt.kind == "fact"
            self.others += receipt.kind != "fact"
            self.new += receipt.created

    def _flush(self) -> None:
        if self._buffer:
            self.staging.add(list(self._buffer.values()))
            self._absent -= self._buffer.keys()
            self._buffer.clear()

    # What the rules read: the log, then what this file staged before

    def _find(self, aggregate_id: UUID) -> Any:
        if aggregate_id in self._buffer:
            return self._fold([self.app.mapper.to_domain_event(self._buffer[aggregate_id])])
        if aggregate_id in self._absent:
            return None
        try:
            return self._get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def _get(self, aggregate_id: UUID) -> Aggregate:
        if aggregate_id in self._documents:
            return self._documents[aggregate_id]
        staged = self.staging.events_of(aggregate_id)
        if not staged:
            aggregate: Aggregate = self.app.repository.get(aggregate_id)
        else:  # the log's events of it, if any, then this file's
            stored = list(self.app.repository.event_store.get(aggregate_id))
            aggregate = self._fold([*stored, *map(self.app.mapper.to_domain_event, staged)])
        if isinstance(aggregate, Document):
            self._documents[aggregate_id] = aggregate
        return aggregate

    def _fold(self, events: list[Any]) -> Aggregate:
        aggregate = None
        for event in events:
            aggregate = event.mutate(aggregate)
        assert isinstance(aggregate, Aggregate)
        return aggregate

    def _stored(self, ids: set[UUID]) -> set[UUID]:
        return storage.stored_originators(self.app.recorder, ids) | self.staging.holding(ids) | (ids & self._buffer.keys())

    def _earlier(self, kind: str, aggregate_id: UUID, version: int) -> Receipt | None:
        # A re-send of a record staged earlier in the file. A load only counts receipts: this one names the
        # record by its aggregate id, and has no position yet.
        staged = self.staging.events_of(aggregate_id)
        if len(staged) < version:
            return None
        event = self.app.mapper.to_domain_event(staged[version - 1])
        return Receipt(kind, str(aggregate_id), version, 0, getattr(event, "timestamp", dt.datetime.now(dt.UTC)), created=False)

    def _save(self, aggregates: list[Staged], by: Any, keys: Any) -> Positions:
        events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        self.staging.add([self.app.mapper.to_stored_event(event) for event in events])
        for aggregate in aggregates:
            self._documents.pop(aggregate.id, None)
            self._absent.discard(aggregate.id)
        # Positions are given at commit; a load's receipts are only counted.
        return {(e.originator_id, e.originator_version): Stored(0, e.timestamp) for e in events}

