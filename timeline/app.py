"""The application service: the only way facts and documents get into, and out of, the log."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Transcoder
from eventsourcing.utils import get_topic

from timeline import storage
from timeline.codec import build_transcoder
from timeline.errors import (
    Conflict,
    DocumentConflict,
    DocumentNotFound,
    FactConflict,
    FactNotFound,
    FactRetracted,
    FieldError,
    InvalidRecord,
    StaleVersion,
)
from timeline.facts import Fact, FactContent
from timeline.sources import Document, DocumentContent, document_aggregate_id, quote_occurs_in
from timeline.vocabulary import NewFact, fact_body, parse_fact

Record = NewFact | DocumentContent


@dataclass(frozen=True)
class Receipt:
    """What a write acknowledges: the record's id and version, and where it stands in the log."""

    kind: str  # "fact" or "document"
    id: str
    version: int
    position: int
    recorded_at: dt.datetime
    created: bool  # False when the same record was already stored


@dataclass(frozen=True)
class LogEntry:
    """One event as the log holds it: its position and the domain event itself."""

    position: int
    event: DomainEventProtocol[UUID]


@dataclass(frozen=True)
class FactVersion:
    version: int
    position: int
    recorded_at: dt.datetime
    change: str  # "recorded", "corrected" or "retracted"
    reason: str | None


@dataclass(frozen=True)
class StoredFact:
    id: UUID
    content: FactContent
    version: int
    retracted: bool
    history: list[FactVersion]


class Timeline(Application[UUID]):
    """Records facts and documents as events; corrections and retractions are new events."""

    name = "Timeline"

    def __init__(self, database: str = storage.DEFAULT_DATABASE) -> None:
        self.database = database
        storage.prepare(database)
        super().__init__(env=storage.eventsourcing_env(database))

    def construct_transcoder(self) -> Transcoder:
        return build_transcoder()

    # Writes

    def record(self, records: Sequence[Record]) -> list[Receipt]:
        """Store a batch atomically: every new record, or none. Re-sent records are no-ops."""
        new_aggregates: list[Fact | Document] = []
        existing: dict[int, Receipt] = {}
        batch_documents: dict[str, DocumentContent] = {}
        batch_facts: dict[UUID, FactContent] = {}
        fact_ids: list[UUID | None] = []
        for index, record in enumerate(records):
            if isinstance(record, DocumentContent):
                fact_ids.append(None)
                stored = batch_documents.get(record.slug) or self._stored_document(record.slug)
                if stored is not None:
                    if stored != record:
                        raise DocumentConflict(record.slug, index)
                    if record.slug not in batch_documents:
                        existing[index] = self._receipt_for_stored("document", document_aggregate_id(record.slug), 1)
                    continue
                batch_documents[record.slug] = record
                new_aggregates.append(Document.record(record))
                continue

            fact_id = record.id or uuid.uuid4()
            fact_ids.append(fact_id)
            self._check_quote(record.content, batch_documents, index)
            original = batch_facts.get(fact_id) or self._original_content(fact_id)
            if original is not None:
                if original != record.content:
                    raise FactConflict(fact_id, index)
                if fact_id not in batch_facts:
                    existing[index] = self._receipt_for_stored("fact", fact_id, 1)
                continue
            batch_facts[fact_id] = record.content
            new_aggregates.append(Fact.record(fact_id, record.content))

        recorded = self._save(*new_aggregates)
        receipts: list[Receipt] = []
        for index, record in enumerate(records):
            if index in existing:
                receipts.append(existing[index])
            else:
                aggregate_id = fact_ids[index] or document_aggregate_id(record.slug)  # type: ignore[union-attr]
                receipts.append(recorded[aggregate_id])
        return receipts

    def correct(self, fact_id: UUID, expected_version: int, changes: dict[str, Any], reason: str) -> Receipt:
        """Replace fields of a fact's content (top-level fields, whole), as a new version."""
        fact = self._fact_for_change(fact_id, expected_version)
        body = fact_body(fact.content) | {k: v for k, v in changes.items() if k not in ("id", "type")}
        if changes.get("type", fact.content.type) != fact.content.type:
            raise InvalidRecord([FieldError("type", "a correction cannot change a fact's type; retract it instead")])
        content = parse_fact(body).content
        self._check_quote(content, {}, None)
        fact.correct(content, reason)
        return self._save(fact)[fact_id]

    def retract(self, fact_id: UUID, expected_version: int, reason: str) -> Receipt:
        """Withdraw a fact: it stays in the log, marked retracted, with the reason."""
        fact = self._fact_for_change(fact_id, expected_version)
        fact.retract(reason)
        return self._save(fact)[fact_id]

    # Reads

    def fact(self, fact_id: UUID) -> StoredFact:
        """A fact as it stands, with every version's position, record time and reason."""
        fact = self._fact(fact_id)
        positions = storage.event_positions(self.recorder, fact_id)
        history = [
            FactVersion(
                version=event.originator_version,
                position=positions[event.originator_version],
                recorded_at=event.timestamp,
                change=_CHANGES[type(event)],
                reason=getattr(event, "reason", None),
            )
            for event in self.repository.event_store.get(fact_id)
        ]
        return StoredFact(fact_id, fact.content, fact.version, fact.retracted, history)

    def document(self, slug: str) -> DocumentContent:
        stored = self._stored_document(slug)
        if stored is None:
            raise DocumentNotFound(slug)
        return stored

    def log(self, after: int = 0, limit: int = 1000) -> list[LogEntry]:
        """Events in log order, strictly after a position (positions can have gaps)."""
        notifications = self.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
        return [LogEntry(n.id, self.mapper.to_domain_event(n)) for n in notifications]

    def iter_log(self, after: int = 0, page: int = 1000) -> Iterator[LogEntry]:
        while entries := self.log(after, page):
            yield from entries
            after = entries[-1].position

    def head(self) -> int:
        """The position of the last stored event; 0 for an empty log."""
        return self.recorder.max_notification_id() or 0

    @property
    def notification_channel(self) -> str | None:
        """The PostgreSQL channel the library NOTIFYs on every insert into the log; None on SQLite."""
        return getattr(self.recorder, "channel_name", None)

    def count_facts(self) -> int:
        return storage.count_by_topic(self.recorder, get_topic(Fact.Recorded))

    def count_documents(self) -> int:
        return storage.count_by_topic(self.recorder, get_topic(Document.Recorded))

    # Helpers

    def _save(self, *aggregates: Fact | Document) -> dict[UUID, Receipt]:
        if not aggregates:
            return {}
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            # Another writer stored the same id or version first: nothing of ours was kept.
            raise Conflict("a concurrent write changed these records first; read them and try again") from None
        return {
            r.domain_event.originator_id: Receipt(
                kind="fact" if isinstance(r.domain_event, Fact.Event) else "document",
                id=_public_id(r.domain_event),
                version=r.domain_event.originator_version,
                position=r.notification.id,
                recorded_at=r.domain_event.timestamp,
                created=True,
            )
            for r in recordings
        }

    def _receipt_for_stored(self, kind: str, aggregate_id: UUID, version: int) -> Receipt:
        event = next(iter(self.events.get(aggregate_id, gt=version - 1, lte=version)))
        return Receipt(
            kind=kind,
            id=_public_id(event),
            version=version,
            position=storage.event_positions(self.recorder, aggregate_id)[version],
            recorded_at=event.timestamp,
            created=False,
        )

    def _fact_for_change(self, fact_id: UUID, expected_version: int) -> Fact:
        fact = self._fact(fact_id)
        if fact.retracted:
            raise FactRetracted(fact_id)
        if fact.version != expected_version:
            raise StaleVersion(fact_id, expected_version, fact.version)
        return fact

    def _fact(self, fact_id: UUID) -> Fact:
        try:
            fact = self.repository.get(fact_id)
        except AggregateNotFoundError:
            raise FactNotFound(fact_id) from None
        if not isinstance(fact, Fact):
            raise FactNotFound(fact_id)
        return fact

    def _original_content(self, fact_id: UUID) -> FactContent | None:
        try:
            fact = self.repository.get(fact_id)
        except AggregateNotFoundError:
            return None
        if not isinstance(fact, Fact):
            raise FactConflict(fact_id)
        return fact.original

    def _stored_document(self, slug: str) -> DocumentContent | None:
        try:
            return self.repository.get(document_aggregate_id(slug)).content
        except AggregateNotFoundError:
            return None

    def _check_quote(self, content: FactContent, batch_documents: dict[str, DocumentContent], index: int | None) -> None:
        source = content.source
        if source.document is None:
            return
        document = batch_documents.get(source.document) or self._stored_document(source.document)
        if document is None:
            raise InvalidRecord([FieldError("source.document", f"no document {source.document!r} is stored; record it first", index)])
        if source.quote is not None and not quote_occurs_in(source.quote, document.text):
            raise InvalidRecord([FieldError("source.quote", f"this quote does not occur in document {source.document!r}", index)])


_CHANGES = {Fact.Recorded: "recorded", Fact.Corrected: "corrected", Fact.Retracted: "retracted"}


def _public_id(event: Any) -> str:
    return event.slug if isinstance(event, Document.Recorded) else str(event.originator_id)
