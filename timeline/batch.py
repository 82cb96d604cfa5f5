"""A group of writes staged together and committed in one transaction.

The writer gathers every request waiting at a moment into one batch (group commit).
Each command is checked against the log *and* the commands staged before it, and a
command that is refused stages nothing, so one bad request never spoils the others.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from timeline import idempotency_keys, storage
from timeline.dates import ValidTime
from timeline.errors import (
    AlreadyRedacted,
    DocumentConflict,
    DocumentNotFound,
    DocumentWithdrawn,
    FactConflict,
    FactNotFound,
    FactRetracted,
    FieldError,
    InvalidRecord,
    KeyReused,
    Redacted,
    StaleVersion,
    TimelineError,
)
from timeline.facts import Because, Fact, FactContent, Source
from timeline.frameworks import Framework, FrameworkContent, framework_aggregate_id
from timeline.idempotency_keys import KeyedWrite, Write
from timeline.patches import changes_from_patch
from timeline.sources import (
    Document,
    DocumentContent,
    DocumentRevision,
    document_aggregate_id,
    quote_occurs_in_document,
)
from timeline.vocabulary import NewFact, corrected_body, parse_fact

if TYPE_CHECKING:
    from timeline.application import Receipt, Timeline

T = TypeVar("T")
Record = NewFact | DocumentContent | DocumentRevision | FrameworkContent


@dataclass(frozen=True)
class Stored:
    """Where a committed event landed."""

    position: int
    recorded_at: dt.datetime


Positions = dict[tuple[UUID, int], Stored]


class Pending(Generic[T]):
    """A command's outcome, known once its batch commits."""

    _result: T  # set by settle(); read only once _done says so

    def __init__(self, resolve: Callable[[Positions], T], writes: tuple[Write, ...] = ()) -> None:
        self._resolve = resolve
        self._done = False
        self.writes = writes  # what its receipts will name, known before the commit (an idempotency key stores it)

    def settle(self, positions: Positions) -> None:
        self._result, self._done = self._resolve(positions), True
        self._resolve = _settled  # drop the closure: it refers back to the batch, a cycle only the GC could free

    def result(self) -> T:
        if not self._done:
            raise RuntimeError("the batch has not been committed")
        return self._result


def _settled(positions: Positions) -> Any:
    raise RuntimeError("already settled")


def _listed(result: Receipt | list[Receipt]) -> list[Receipt]:
    return result if isinstance(result, list) else [result]


def _written(receipt: Receipt) -> Write:
    """What a receipt names, as an idempotency key stores it."""
    if receipt.kind == "document":
        return (receipt.kind, document_aggregate_id(receipt.id), receipt.version)
    if receipt.kind == "framework":
        return (receipt.kind, framework_aggregate_id(receipt.id), receipt.version)
    return (receipt.kind, UUID(receipt.id), receipt.version)


class WriteBatch:
    def __init__(self, timeline: Timeline) -> None:
        self._timeline = timeline
        self._staged: dict[UUID, Fact | Document | Framework] = {}
        self._pending: list[Pending[Any]] = []
        self._absent: set[UUID] = set()  # ids found not to be in the log, so not looked up one by one
        self._documents: dict[UUID, Document] = {}  # stored documents read once a batch: each can be megabytes
        self.by: str | None = None  # the token name behind the commands being staged (set by the writer)
        self._authors: dict[tuple[UUID, int], str] = {}  # who staged each event, by id and version
        self._keyed: dict[tuple[str, str], tuple[KeyedWrite, Pending[Any]]] = {}  # keys staged, by token name and key

    # Commands

    def record(self, records: Sequence[Record]) -> Pending[list[Receipt]]:
        """Stage new facts and documents, all or none; records already stored unchanged are no-ops."""
        from timeline.application import Receipt

        local: dict[UUID, Fact | Document | Framework] = {}
        outcomes: list[Receipt | tuple[str, UUID, int, bool]] = []
        self._look_up(records)
        for index, record in enumerate(records):
            if isinstance(record, FrameworkContent):
                outcomes.append(self._framework(record, local))
                continue
            if isinstance(record, DocumentContent | DocumentRevision):
                outcomes.append(self._stage_document(record, local, index))
                continue
            fact_id = record.id
            if fact_id is None:
                fact_id = uuid.uuid4()
                self._absent.add(fact_id)  # a fresh random id is in no log: a clash would fail the commit
            self._check_quote(record.content, local, index)
            self._check_links(fact_id, record.content, local, index)
            original = self._original(fact_id, local)
            if original is None:
                local[fact_id] = Fact.record(fact_id, record.content)
            elif original != record.content:
                raise FactConflict(fact_id, index)
            outcomes.append(self._outcome("fact", fact_id, local))
        self._staged.update(local)
        self._attribute(local.values())

        def resolve(positions: Positions) -> list[Receipt]:
            return [o if isinstance(o, Receipt) else self._receipt(*o, positions) for o in outcomes]

        writes = tuple(_written(o) if isinstance(o, Receipt) else (o[0], o[1], o[2]) for o in outcomes)
        return self._add(Pending(resolve, writes))

    def correct(
        self, fact_id: UUID, expected_version: int, changes: dict[str, Any], reason: str, revised: ValidTime | None = None
    ) -> Pending[Receipt]:
        """Stage a new version replacing the given top-level fields of a fact's content
        (`revised`: the date the source published the revision, when it revised itself). A retry of the
        correction that made the latest version (same reason, and its result already holds) is answered
        with that version's receipt, as any re-send is."""
        retried = self._retried_correction(fact_id, expected_version, changes, reason, revised)
        if retried is not None:
            return self._add(Pending(lambda positions: retried, (_written(retried),)))
        fact = self._fact_for_change(fact_id, expected_version)
        if changes.get("type", fact.content.type) != fact.content.type:
            raise InvalidRecord([FieldError("type", "a correction cannot change a fact's type; retract it instead")])
        content = parse_fact(corrected_body(fact.content, changes)).content
        self._check_quote(content, {}, None)
        self._check_links(fact_id, content, {}, None)
        fact.correct(content, reason, revised)
        return self._staged_change(fact)

    def patch(
        self, fact_id: UUID, expected_version: int, patch: Any, reason: str, revised: ValidTime | None = None
    ) -> Pending[Receipt]:
        """Stage a correction given as a JSON Merge Patch of the fact's body (RFC 7396)."""
        fact = self._aggregate(fact_id, {})
        if not isinstance(fact, Fact):
            raise FactNotFound(fact_id)
        return self.correct(fact_id, expected_version, changes_from_patch(fact.content, patch), reason, revised)

    def retract(self, fact_id: UUID, expected_version: int, reason: str, because: Because = Because.ERRED) -> Pending[Receipt]:
        """Stage a retraction: the fact stays in the log, marked retracted, with the reason and its kind."""
        fact = self._fact_for_change(fact_id, expected_version)
        fact.retract(reason, because)
        return self._staged_change(fact)

    def withdraw_document(self, slug: str, reason: str, withdrawn: ValidTime | None = None) -> Pending[Receipt]:
        """Stage a document's withdrawal by its source: kept, and every fact citing it flagged."""
        aggregate_id = document_aggregate_id(slug)
        document = self._aggregate(aggregate_id, {})
        if not isinstance(document, Document):
            raise DocumentNotFound(slug)
        if document.withdrawn or document.redacted:
            raise Redacted(f"document {slug!r}") if document.redacted else DocumentWithdrawn(slug)
        if aggregate_id not in self._staged:
            document = copy.deepcopy(document)  # the cached copy stays as stored until the batch commits
        document.withdraw(reason, withdrawn)
        self._staged[aggregate_id] = document
        self._documents.pop(aggregate_id, None)
        self._attribute([document])
        version = document.version
        return self._add(Pending(lambda positions: self._receipt("document", aggregate_id, version, True, positions), (("document", aggregate_id, version),)))

    def keyed(self, name: str, key: str, fingerprint: str, command: Callable[[WriteBatch], Pending[Any]]) -> Pending[list[Receipt]]:
        """Stage a command sent with an idempotency key (`name`: the token's, "" without one), and the key with it.

        A key already stored, or staged by an earlier command of this batch, is not run again: the request
        that used it first is answered, as not created (a re-send); the same key with another request
        (`fingerprint`) is refused. Two servers staging one key at once clash on the key's row: the later
        commit fails, and the writer's retry finds the key stored."""
        earlier = self._keyed.get((name, key))
        if earlier is not None:
            first, pending = earlier
            if first.fingerprint != fingerprint:
                raise KeyReused(key)
            return self._add(Pending(lambda positions: [dataclasses.replace(r, created=False) for r in _listed(pending.result())], first.writes))
        stored = idempotency_keys.find(self._timeline.recorder, name, key)
        if stored is None:
            try:
                pending = command(self)
            except TimelineError:
                # Refused for what it read: if another server's commit of this very key came between the key's
                # lookup and that read (a version moved on, a fact retracted), it is a re-send after all.
                stored = idempotency_keys.find(self._timeline.recorder, name, key)
                if stored is None:
                    raise
            else:
                self._keyed[(name, key)] = (KeyedWrite(name, key, fingerprint, pending.writes), pending)
                return self._add(Pending(lambda positions: _listed(pending.result()), pending.writes))
        if stored.fingerprint != fingerprint:
            raise KeyReused(key)
        receipts = [self._timeline.receipt_for_stored(kind, aggregate_id, version) for kind, aggregate_id, version in stored.writes]
        return self._add(Pending(lambda positions: receipts, stored.writes))

    def redact_fact(self, fact_id: UUID, reason: str) -> Pending[Receipt]:
        """Stage a fact's redaction (a legal takedown): its earlier events are purged as the redaction is stored.
        A redaction re-sent with the same reason is answered with the original's receipt."""
        try:
            fact = self._aggregate(fact_id, {})
        except Redacted:
            return self._redacted_again("fact", fact_id, f"fact {fact_id}", reason)
        if not isinstance(fact, Fact):
            raise FactNotFound(fact_id)
        if fact.redacted:
            raise Redacted(f"fact {fact_id}")  # by an earlier command of this batch
        fact.redact(reason)
        return self._staged_change(fact)

    def redact_document(self, slug: str, reason: str) -> Pending[Receipt]:
        """Stage a document's redaction: every version's content is purged as the redaction is stored."""
        aggregate_id = document_aggregate_id(slug)
        try:
            document = self._aggregate(aggregate_id, {})
        except Redacted:
            return self._redacted_again("document", aggregate_id, f"document {slug!r}", reason)
        if not isinstance(document, Document):
            raise DocumentNotFound(slug)
        if document.redacted:
            raise Redacted(f"document {slug!r}")
        if aggregate_id not in self._staged:
            document = copy.deepcopy(document)  # the cached copy stays as stored until the batch commits
        document.redact(reason)
        self._staged[aggregate_id] = document
        self._documents.pop(aggregate_id, None)
        self._attribute([document])
        version = document.version
        return self._add(Pending(lambda positions: self._receipt("document", aggregate_id, version, True, positions)))

    def _redacted_again(self, kind: str, aggregate_id: UUID, record: str, reason: str) -> Pending[Receipt]:
        receipt, stored_reason = self._timeline.redaction_receipt(kind, aggregate_id)
        if stored_reason != reason:
            raise AlreadyRedacted(record, stored_reason)
        return self._add(Pending(lambda positions: receipt))

    # Committing

    def commit(self) -> None:
        """Save every staged event in one transaction, then settle every command's outcome."""
        keys = [keyed for keyed, _ in self._keyed.values()]
        positions = self._timeline.save_staged(list(self._staged.values()), by=self._authors, keys=keys)
        for pending in self._pending:
            pending.settle(positions)
        self._pending.clear()
        self._staged.clear()
        self._authors.clear()
        self._keyed.clear()
        self._absent.clear()
        self._documents.clear()

    # Helpers

    def _add(self, pending: Pending[T]) -> Pending[T]:
        self._pending.append(pending)
        return pending

    def _attribute(self, aggregates: Iterable[Fact | Document | Framework]) -> None:
        if self.by is not None:
            for aggregate in aggregates:
                self._authors[(aggregate.id, aggregate.version)] = self.by

    def _staged_change(self, fact: Fact) -> Pending[Receipt]:
        self._staged[fact.id] = fact
        self._attribute([fact])
        version = fact.version
        return self._add(Pending(lambda positions: self._receipt("fact", fact.id, version, True, positions), (("fact", fact.id, version),)))

    def _outcome(
        self, kind: str, aggregate_id: UUID, local: dict[UUID, Any], version: int = 1
    ) -> Receipt | tuple[str, UUID, int, bool]:
        # New in this batch: its position is known after commit. Staged by an earlier command of the batch,
        # this one is a re-send of it: it gets the same receipt, as not created (one answer for every re-send).
        if aggregate_id in local:
            return (kind, aggregate_id, version, True)
        if aggregate_id in self._staged:
            return (kind, aggregate_id, version, False)
        return self._timeline.receipt_for_stored(kind, aggregate_id, version)

    def _framework(self, record: FrameworkContent, local: dict[UUID, Any]) -> Receipt | tuple[str, UUID, int, bool]:
        """Define a framework edition, or revise it when its definition changed (editing its file appends a version)."""
        aggregate_id = framework_aggregate_id(record.slug)
        framework = self._aggregate(aggregate_id, local)
        if framework is None:
            local[aggregate_id] = Framework.define(record)
        elif not isinstance(framework, Framework):
            raise FactConflict(aggregate_id)
        elif framework.content != record:
            framework.revise(record)
            local[aggregate_id] = framework
        return self._outcome("framework", aggregate_id, local, framework.version if framework is not None else 1)

    def _stage_document(
        self, record: DocumentContent | DocumentRevision, local: dict[UUID, Any], index: int
    ) -> Receipt | tuple[str, UUID, int, bool]:
        """Record a document, or revise it when the record gives a reason; a version already stored is a re-send."""
        content = record.content if isinstance(record, DocumentRevision) else record
        aggregate_id = document_aggregate_id(content.slug)
        document = self._aggregate(aggregate_id, local)
        if document is None:
            local[aggregate_id] = Document.record(content)
            return self._outcome("document", aggregate_id, local)
        if not isinstance(document, Document):
            raise DocumentConflict(content.slug, index)
        version = document.version_of(content)
        if version is not None:
            return self._outcome("document", aggregate_id, local, version)
        if not isinstance(record, DocumentRevision):
            raise DocumentConflict(content.slug, index)
        if document.withdrawn or document.redacted:
            raise Redacted(f"document {content.slug!r}") if document.redacted else DocumentWithdrawn(content.slug)
        if aggregate_id not in local:  # revise a copy: a command refused later must leave no event behind
            document = copy.deepcopy(document)
        document.revise(record)
        local[aggregate_id] = document
        self._documents.pop(aggregate_id, None)
        return self._outcome("document", aggregate_id, local, document.version)

    def _receipt(self, kind: str, aggregate_id: UUID, version: int, created: bool, positions: Positions) -> Receipt:
        from timeline.application import Receipt

        stored = positions[(aggregate_id, version)]
        aggregate = self._staged[aggregate_id]
        public_id = aggregate.content.slug if isinstance(aggregate, Document | Framework) else str(aggregate_id)
        return Receipt(kind, public_id, version, stored.position, stored.recorded_at, created=created)

    def _look_up(self, records: Sequence[Record]) -> None:
        """Find, in one query, which of the ids these records name are not in the log yet."""
        named: set[UUID] = set()
        for record in records:
            if isinstance(record, FrameworkContent):
                named.add(framework_aggregate_id(record.slug))
                continue
            if isinstance(record, DocumentContent | DocumentRevision):
                slug = record.content.slug if isinstance(record, DocumentRevision) else record.slug
                named.add(document_aggregate_id(slug))
                continue
            if record.id is not None:
                named.add(record.id)
            named.update(document_aggregate_id(s.document) for s in record.content.sources if s.document is not None)
            named.update(UUID(linked) for linked in (*record.content.disputes, *record.content.supports))
        named -= self._staged.keys()
        if len(named) > 1:  # a single id costs one lookup either way
            self._absent |= named - storage.stored_originators(self._timeline.recorder, named)

    def _aggregate(self, aggregate_id: UUID, local: dict[UUID, Any]) -> Any:
        if aggregate_id in local:
            return local[aggregate_id]
        if aggregate_id in self._staged:
            return self._staged[aggregate_id]
        if aggregate_id in self._absent:
            return None
        if aggregate_id in self._documents:
            return self._documents[aggregate_id]
        try:
            aggregate: Aggregate = self._timeline.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        if isinstance(aggregate, Document):  # a stored document never changes
            self._documents[aggregate_id] = aggregate
        return aggregate

    def _original(self, fact_id: UUID, local: dict[UUID, Any]) -> FactContent | None:
        fact = self._aggregate(fact_id, local)
        if fact is None:
            return None
        if not isinstance(fact, Fact):
            raise FactConflict(fact_id)
        return fact.original

    def _retried_correction(
        self, fact_id: UUID, expected_version: int, changes: dict[str, Any], reason: str, revised: ValidTime | None
    ) -> Receipt | None:
        if fact_id in self._staged:  # changed in this very batch: not yet a version a retry could be answered with
            return None
        fact = self._aggregate(fact_id, {})
        if not isinstance(fact, Fact) or fact.retracted or fact.version != expected_version + 1 or fact.last_change != (reason, revised):
            return None
        if parse_fact(corrected_body(fact.content, changes)).content != fact.content:
            return None
        return self._timeline.receipt_for_stored("fact", fact_id, fact.version)

    def _fact_for_change(self, fact_id: UUID, expected_version: int) -> Fact:
        fact = self._aggregate(fact_id, {})
        if not isinstance(fact, Fact):
            raise FactNotFound(fact_id)
        if fact.redacted:
            raise Redacted(f"fact {fact_id}")
        if fact.retracted:
            raise FactRetracted(fact_id)
        if fact.version != expected_version:
            raise StaleVersion(fact_id, expected_version, fact.version)
        return fact

    def _check_links(self, fact_id: UUID, content: FactContent, local: dict[UUID, Any], index: int | None) -> None:
        """A fact disputes or supports only facts recorded already (or earlier in the batch), never itself."""
        for field, linked in (("disputes", content.disputes), ("supports", content.supports)):
            for other in linked:
                if UUID(other) == fact_id:
                    raise InvalidRecord([FieldError(field, "a fact cannot dispute or support itself", index)])
                try:
                    linked_fact = self._aggregate(UUID(other), local)
                except Redacted:
                    raise InvalidRecord([FieldError(field, f"fact {other} was redacted: it cannot be linked", index)]) from None
                if not isinstance(linked_fact, Fact):
                    raise InvalidRecord([FieldError(field, f"no fact {other} is recorded; record it first", index)])

    def _check_quote(self, content: FactContent, local: dict[UUID, Any], index: int | None) -> None:
        """Each source that cites a document says what that document's version says of itself (publisher,
        kind, publication date, address), and its quote occurs in it."""
        several = len(content.sources) > 1
        for number, source in enumerate(content.sources):
            if source.document is None:
                continue
            field = f"sources.{number}" if several else "source"
            try:
                document = self._aggregate(document_aggregate_id(source.document), local)
            except Redacted:
                raise InvalidRecord([FieldError(f"{field}.document", f"document {source.document!r} was redacted: it cannot be cited", index)]) from None
            if not isinstance(document, Document) or document.redacted:
                raise InvalidRecord([FieldError(f"{field}.document", f"no document {source.document!r} is stored; record it first", index)])
            cited = source.document_version or 1
            text = document.at_version(cited)
            if text is None:
                raise InvalidRecord([FieldError(f"{field}.document_version", f"document {source.document!r} has versions 1 to {len(document.versions)}", index)])
            errors = _disagreements(source, text, f"{field}.", index)
            if source.quote is not None and not quote_occurs_in_document(source.quote, text):
                later = [n for n in range(cited + 1, len(document.versions) + 1) if quote_occurs_in_document(source.quote, document.versions[n - 1])]
                hint = f"; it occurs in version {later[0]}: cite it with document_version" if later else ""
                errors.append(FieldError(f"{field}.quote", f"this quote does not occur in document {source.document!r} (version {cited}){hint}", index))
            if errors:
                raise InvalidRecord(errors)


def _disagreements(source: Source, document: DocumentContent, prefix: str, index: int | None) -> list[FieldError]:
    """A source citing a stored document cannot describe it otherwise: its kind decides which claim stands,
    so a mistyped publisher or kind would change answers. The address may be the document's or its archived copy."""
    said = {
        "publisher": (source.publisher, document.publisher),
        "kind": (source.kind.value, document.kind.value),
        "published": (source.published.edtf, document.published.edtf),
    }
    errors = [
        FieldError(f"{prefix}{name}", f"is {given!r}, but document {document.slug!r} says {stored!r}", index)
        for name, (given, stored) in said.items()
        if given != stored
    ]
    if source.url not in (document.url, document.archived_url):
        errors.append(FieldError(f"{prefix}url", f"is {source.url!r}, but document {document.slug!r} is at {document.url!r}", index))
    return errors
