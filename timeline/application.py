"""The application service: the only way facts and documents get into, and out of, the log."""

from __future__ import annotations

import copy
import dataclasses
import functools
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic

from timeline import authors, chain_store, idempotency_keys, storage
from timeline.chain import Broken, Verified, verify
from timeline.codec import OrjsonTranscoder, build_transcoder
from timeline.commands import (
    Command,
    Correct,
    Keyed,
    Patch,
    Pending,
    Positions,
    Receipt,
    Record,
    RecordRecords,
    RedactDocument,
    RedactFact,
    Retract,
    Stored,
    WithdrawDocument,
    receipts,
)
from timeline.dates import ValidTime
from timeline.errors import (
    AlreadyRedacted,
    Conflict,
    DocumentConflict,
    DocumentNotFound,
    DocumentWithdrawn,
    FactConflict,
    FactNotFound,
    FactRetracted,
    KeyReused,
    Redacted,
    StaleVersion,
    StoreUnavailable,
    TimelineError,
)
from timeline.fact_bodies import corrected_body
from timeline.facts import Because, Fact, FactContent
from timeline.frameworks import Framework, FrameworkContent, framework_aggregate_id
from timeline.idempotency_keys import KeyedWrite, Write
from timeline.log_records import (
    CHANGES,
    DocumentVersion,
    FactVersion,
    LogEntry,
    RedactingMapper,
    StoredDocument,
    StoredFact,
    Withdrawal,
    document_event,
    public_id,
    recorded,
)
from timeline.parsing import parse_fact
from timeline.patches import changes_from_patch
from timeline.recorders import SQLRecorder, sql_recorder
from timeline.sources import Document, DocumentContent, DocumentRevision, document_aggregate_id
from timeline.unit_of_work import UnitOfWork
from timeline.write_rules import Find, check_links, check_quotes

FACT_RECORDED = get_topic(Fact.Recorded)
_PLAIN_FACT_FIELDS = frozenset({"data", "mentions", "disputes", "supports"})  # parsed from JSON: JSON's own values only


class Timeline(Application[UUID]):
    """Records facts and documents as events; corrections and retractions are new events."""

    name = "Timeline"
    recorder: SQLRecorder  # the library's SQLite or PostgreSQL recorder (construct_recorder checks)

    def __init__(self, database: str = storage.DEFAULT_DATABASE) -> None:
        self.database = database
        self._counted: dict[str, tuple[int, int]] = {}  # topic -> (events counted, through position)
        self._counting = threading.Lock()
        storage.prepare(database)
        super().__init__(env=storage.eventsourcing_env(database))
        chain_store.create(self.recorder)  # and chain a log written before the chain existed
        authors.create(self.recorder)
        idempotency_keys.create(self.recorder)
        storage.protect_log(self.recorder)  # the events and both side tables
        self._identity = storage.file_identity(database)
        self._full: str | None = None  # why the last commit failed for lack of space, until one succeeds

    def construct_transcoder(self) -> Transcoder:
        return build_transcoder()

    def construct_recorder(self) -> SQLRecorder:
        return sql_recorder(super().construct_recorder())

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = super().construct_mapper()
        return RedactingMapper(transcoder=mapper.transcoder, compressor=mapper.compressor, cipher=mapper.cipher)

    # Writes: a use case per command, staging its events in a unit of work; committing the unit stores them

    def unit_of_work(self) -> UnitOfWork:
        """An empty unit of work reading this log: execute commands in it, then `commit` it."""
        return UnitOfWork(self.repository.get, lambda ids: storage.stored_originators(self.recorder, ids))

    def execute(self, unit: UnitOfWork, command: Command) -> Pending[Any]:
        """Stage a command in `unit`, checked against the log and what `unit` staged before it; its outcome,
        known once `unit` commits. A refused command raises and stages nothing."""
        match command:
            case RecordRecords(records):
                return self._record_new(unit, records)
            case Correct(fact_id, expected_version, changes, reason, revised):
                return self._correct(unit, fact_id, expected_version, changes, reason, revised)
            case Patch(fact_id, expected_version, patch, reason, revised):
                fact = unit.aggregate(fact_id)
                if not isinstance(fact, Fact):
                    raise FactNotFound(fact_id)
                return self._correct(unit, fact_id, expected_version, changes_from_patch(fact.content, patch), reason, revised)
            case Retract(fact_id, expected_version, reason, because):
                fact = _fact_for_change(unit, fact_id, expected_version)
                fact.retract(reason, because)
                return _staged_change(unit, fact)
            case WithdrawDocument(slug, reason, withdrawn):
                return self._withdraw_document(unit, slug, reason, withdrawn)
            case RedactFact(fact_id, reason):
                return self._redact_fact(unit, fact_id, reason)
            case RedactDocument(slug, reason):
                return self._redact_document(unit, slug, reason)
            case Keyed():
                return self._keyed(unit, command)
        raise TypeError(f"not a command: {command!r}")

    def look_ahead(self, unit: UnitOfWork, commands: Sequence[Command]) -> None:
        """Find in one query which ids the records of these commands name are not in the log yet, before
        `execute`ing them in `unit`: a group of single-fact writes then reads the log once, not once a fact."""
        named: set[UUID] = set()
        for command in commands:
            inner = command.command if isinstance(command, Keyed) else command
            if isinstance(inner, RecordRecords):
                named |= named_ids(inner.records)
        unit.look_up(named)

    def commit(self, unit: UnitOfWork) -> None:
        """Store what `unit` staged in one transaction, and settle its commands' outcomes."""
        unit.commit(self.save_staged)

    def write(self, commands: Sequence[Command], by: str | None = None) -> list[Any]:
        """Execute commands in one unit of work and commit it: all or none (the first refusal raises); their
        outcomes. `by` names the token that sent them."""
        unit = self.unit_of_work()
        unit.by = by
        self.look_ahead(unit, commands)
        pending = [self.execute(unit, command) for command in commands]
        self.commit(unit)
        return [p.result() for p in pending]

    def record(self, records: Sequence[Record]) -> list[Receipt]:
        """Store a batch atomically: every new record, or none. Re-sent records are no-ops."""
        (receipts,) = self.write([RecordRecords(tuple(records))])
        return list(receipts)

    def correct(
        self, fact_id: UUID, expected_version: int, changes: dict[str, Any], reason: str, revised: ValidTime | None = None
    ) -> Receipt:
        """Replace fields of a fact's content (top-level fields, whole), as a new version."""
        return self._one(Correct(fact_id, expected_version, changes, reason, revised))

    def retract(self, fact_id: UUID, expected_version: int, reason: str, because: Because = Because.ERRED) -> Receipt:
        """Withdraw a fact: it stays in the log, marked retracted, with the reason (we erred, or its source retracted it)."""
        return self._one(Retract(fact_id, expected_version, reason, because))

    def withdraw_document(self, slug: str, reason: str, withdrawn: ValidTime | None = None) -> Receipt:
        """Record that a document's source withdrew it: every fact citing it is flagged, none is changed."""
        return self._one(WithdrawDocument(slug, reason, withdrawn))

    def redact_fact(self, fact_id: UUID, reason: str) -> Receipt:
        """Take a fact's content down (a legal takedown): a redaction event, and every earlier event of it purged."""
        return self._one(RedactFact(fact_id, reason))

    def redact_document(self, slug: str, reason: str) -> Receipt:
        """Take a document's content down, every version of it: a redaction event, and its earlier events purged."""
        return self._one(RedactDocument(slug, reason))

    def _one(self, command: Command) -> Receipt:
        (receipt,) = self.write([command])
        assert isinstance(receipt, Receipt)
        return receipt

    def _record_new(self, unit: UnitOfWork, records: Sequence[Record]) -> Pending[list[Receipt]]:
        """New facts, documents and framework editions, all or none; records already stored unchanged are no-ops."""
        local: dict[UUID, Fact | Document | Framework] = {}
        outcomes: list[Receipt | _New] = []
        unit.look_up(named_ids(records))
        for index, record in enumerate(records):
            if isinstance(record, FrameworkContent):
                outcomes.append(self._framework(unit, record, local))
                continue
            if isinstance(record, DocumentContent | DocumentRevision):
                outcomes.append(self._document(unit, record, local, index))
                continue
            fact_id = record.id
            if fact_id is None:
                fact_id = uuid.uuid4()
                unit.mark_absent(fact_id)
            find = functools.partial(unit.aggregate, local=local)
            check_quotes(record.content, find, index)
            check_links(fact_id, record.content, find, index)
            original = _original(unit, fact_id, local)
            if original is None:
                local[fact_id] = Fact.record(fact_id, record.content)
            elif original != record.content:
                raise FactConflict(fact_id, index)
            outcomes.append(self._outcome(unit, "fact", fact_id, local))
        unit.stage(local.values())

        def resolve(positions: Positions) -> list[Receipt]:
            return [o if isinstance(o, Receipt) else o.receipt(positions) for o in outcomes]

        writes = tuple(_written(o) if isinstance(o, Receipt) else o.write for o in outcomes)
        return unit.add(Pending(resolve, writes))

    def new_fact_event(self, fact_id: UUID, content: FactContent, find: Find, index: int | None) -> StoredEvent:
        """The event `record` stores for a fact whose id no log or batch holds yet, built straight from its content
        (the bulk path of `timeline load`, which makes no aggregate), after the same rules: its quotes and links."""
        check_quotes(content, find, index)
        check_links(fact_id, content, find, index)
        transcoder = self.mapper.transcoder
        fields = Fact.recorded_state(content)
        state = transcoder.encode_state(fields, _PLAIN_FACT_FIELDS) if isinstance(transcoder, OrjsonTranscoder) else transcoder.encode(fields)
        if self.mapper.compressor:  # as the mapper stores any event (neither is configured today)
            state = self.mapper.compressor.compress(state)
        if self.mapper.cipher:
            state = self.mapper.cipher.encrypt(state)
        return StoredEvent(originator_id=fact_id, originator_version=1, topic=FACT_RECORDED, state=state)

    def _correct(
        self, unit: UnitOfWork, fact_id: UUID, expected_version: int, changes: dict[str, Any], reason: str, revised: ValidTime | None
    ) -> Pending[Receipt]:
        """A new version of a fact. A retry of the correction that made its latest version (same reason, and its
        result already holds) is answered with that version's receipt, as any re-send is."""
        retried = self._retried_correction(unit, fact_id, expected_version, changes, reason, revised)
        if retried is not None:
            return unit.add(Pending(lambda positions: retried, (_written(retried),)))
        fact = _fact_for_change(unit, fact_id, expected_version)
        fact.keeps_type(changes.get("type", fact.content.type))  # before the body is read: the type decides its schema
        content = parse_fact(corrected_body(fact.content, changes)).content
        check_quotes(content, unit.aggregate, None)
        check_links(fact_id, content, unit.aggregate, None)
        fact.correct(content, reason, revised)
        return _staged_change(unit, fact)

    def _retried_correction(
        self, unit: UnitOfWork, fact_id: UUID, expected_version: int, changes: dict[str, Any], reason: str, revised: ValidTime | None
    ) -> Receipt | None:
        if unit.is_staged(fact_id):  # changed in this very unit: not yet a version a retry could be answered with
            return None
        fact = unit.aggregate(fact_id)
        if not isinstance(fact, Fact) or fact.retracted or fact.version != expected_version + 1 or fact.last_change != (reason, revised):
            return None
        if parse_fact(corrected_body(fact.content, changes)).content != fact.content:
            return None
        return self.receipt_for_stored("fact", fact_id, fact.version)

    def _withdraw_document(self, unit: UnitOfWork, slug: str, reason: str, withdrawn: ValidTime | None) -> Pending[Receipt]:
        aggregate_id = document_aggregate_id(slug)
        document = unit.aggregate(aggregate_id)
        if not isinstance(document, Document):
            raise DocumentNotFound(slug)
        if document.withdrawn or document.redacted:
            raise Redacted(f"document {slug!r}") if document.redacted else DocumentWithdrawn(slug)
        if not unit.is_staged(aggregate_id):
            document = copy.deepcopy(document)  # the unit's cached copy stays as stored until it commits
        document.withdraw(reason, withdrawn)
        unit.stage([document])
        return unit.add(_New.of(document, document.version, created=True).pending())

    def _redact_fact(self, unit: UnitOfWork, fact_id: UUID, reason: str) -> Pending[Receipt]:
        """A redaction re-sent with the same reason is answered with the original's receipt."""
        try:
            fact = unit.aggregate(fact_id)
        except Redacted:
            return self._redacted_again(unit, "fact", fact_id, f"fact {fact_id}", reason)
        if not isinstance(fact, Fact):
            raise FactNotFound(fact_id)
        if fact.redacted:
            raise Redacted(f"fact {fact_id}")  # by an earlier command of this unit
        fact.redact(reason)
        return _staged_change(unit, fact)

    def _redact_document(self, unit: UnitOfWork, slug: str, reason: str) -> Pending[Receipt]:
        aggregate_id = document_aggregate_id(slug)
        try:
            document = unit.aggregate(aggregate_id)
        except Redacted:
            return self._redacted_again(unit, "document", aggregate_id, f"document {slug!r}", reason)
        if not isinstance(document, Document):
            raise DocumentNotFound(slug)
        if document.redacted:
            raise Redacted(f"document {slug!r}")
        if not unit.is_staged(aggregate_id):
            document = copy.deepcopy(document)  # the unit's cached copy stays as stored until it commits
        document.redact(reason)
        unit.stage([document])
        return unit.add(_New.of(document, document.version, created=True).pending())

    def _redacted_again(self, unit: UnitOfWork, kind: str, aggregate_id: UUID, record: str, reason: str) -> Pending[Receipt]:
        receipt, stored_reason = self.redaction_receipt(kind, aggregate_id)
        if stored_reason != reason:
            raise AlreadyRedacted(record, stored_reason)
        return unit.add(Pending(lambda positions: receipt, (_written(receipt),)))

    def _keyed(self, unit: UnitOfWork, keyed: Keyed) -> Pending[list[Receipt]]:
        """A command sent with an idempotency key, staged with its key.

        A key already stored, or staged by an earlier command of this unit, is not run again: the request
        that used it first is answered, as not created (a re-send); the same key with another request
        (`fingerprint`) is refused. Two servers staging one key at once clash on the key's row: the later
        commit fails, and the writer's retry finds the key stored."""
        name, key, fingerprint = keyed.name, keyed.key, keyed.fingerprint
        earlier = unit.key(name, key)
        if earlier is not None:
            first, pending = earlier
            if first.fingerprint != fingerprint:
                raise KeyReused(key)
            return unit.add(Pending(lambda positions: [dataclasses.replace(r, created=False) for r in receipts(pending.result())], first.writes))
        stored = idempotency_keys.find(self.recorder, name, key)
        if stored is None:
            try:
                pending = self.execute(unit, keyed.command)
            except TimelineError:
                # Refused for what it read: if another server's commit of this very key came between the key's
                # lookup and that read (a version moved on, a fact retracted), it is a re-send after all.
                stored = idempotency_keys.find(self.recorder, name, key)
                if stored is None:
                    raise
            else:
                unit.stage_key(KeyedWrite(name, key, fingerprint, pending.writes), pending)
                return unit.add(Pending(lambda positions: receipts(pending.result()), pending.writes))
        if stored.fingerprint != fingerprint:
            raise KeyReused(key)
        answers = [self.receipt_for_stored(kind, aggregate_id, version) for kind, aggregate_id, version in stored.writes]
        return unit.add(Pending(lambda positions: answers, stored.writes))

    def _outcome(self, unit: UnitOfWork, kind: str, aggregate_id: UUID, local: dict[UUID, Any], version: int = 1) -> Receipt | _New:
        # New in this unit: its position is known after commit. Staged by an earlier command of the unit,
        # this one is a re-send of it: it gets the same receipt, as not created (one answer for every re-send).
        if aggregate_id in local:
            return _New.of(local[aggregate_id], version, created=True)
        if unit.is_staged(aggregate_id):
            return _New.of(unit.aggregate(aggregate_id), version, created=False)
        return unit.staged_earlier(kind, aggregate_id, version) or self.receipt_for_stored(kind, aggregate_id, version)

    def _framework(self, unit: UnitOfWork, record: FrameworkContent, local: dict[UUID, Any]) -> Receipt | _New:
        """Define a framework edition, or revise it when its definition changed (editing its file appends a version)."""
        aggregate_id = framework_aggregate_id(record.slug)
        framework = unit.aggregate(aggregate_id, local)
        if framework is None:
            local[aggregate_id] = Framework.define(record)
        elif not isinstance(framework, Framework):
            raise FactConflict(aggregate_id)
        elif framework.content != record:
            framework.revise(record)
            local[aggregate_id] = framework
        return self._outcome(unit, "framework", aggregate_id, local, framework.version if framework is not None else 1)

    def _document(
        self, unit: UnitOfWork, record: DocumentContent | DocumentRevision, local: dict[UUID, Any], index: int
    ) -> Receipt | _New:
        """Record a document, or revise it when the record gives a reason; a version already stored is a re-send."""
        content = record.content if isinstance(record, DocumentRevision) else record
        aggregate_id = document_aggregate_id(content.slug)
        document = unit.aggregate(aggregate_id, local)
        if document is None:
            local[aggregate_id] = Document.record(content)
            return self._outcome(unit, "document", aggregate_id, local)
        if not isinstance(document, Document):
            raise DocumentConflict(content.slug, index)
        version = document.version_of(content)
        if version is not None:
            return self._outcome(unit, "document", aggregate_id, local, version)
        if not isinstance(record, DocumentRevision):
            raise DocumentConflict(content.slug, index)
        if document.withdrawn or document.redacted:
            raise Redacted(f"document {content.slug!r}") if document.redacted else DocumentWithdrawn(content.slug)
        if aggregate_id not in local:  # revise a copy: a command refused later must leave no event behind
            document = copy.deepcopy(document)
        document.revise(record)
        local[aggregate_id] = document
        return self._outcome(unit, "document", aggregate_id, local, document.version)

    def forget_purged(self) -> None:
        """After a redaction, ask SQLite to copy the WAL into the file and truncate it, so that the old page images
        of purged events do not linger there (best effort: a reader mid-read can keep it; PostgreSQL: see docs)."""
        if self._identity is not None:
            storage.checkpoint(self.database)

    def save_staged(
        self, aggregates: list[Fact | Document | Framework], by: authors.Authors | None = None, keys: Sequence[KeyedWrite] = ()
    ) -> Positions:
        """Save aggregates' pending events in one transaction; where each event landed.

        `by` names the token that wrote each event (by id and version), and `keys` are the idempotency keys of
        the writes staged, both stored in the same transaction."""
        if not aggregates and not keys:
            return {}
        self.check_store()
        try:
            if not aggregates:  # keyed writes that found every record stored already: their keys alone
                idempotency_keys.store(self.recorder, keys)
                return {}
            recordings = self.save(*aggregates, authors=by or {}, keys=keys)  # the library hands these kwargs to the recorder
        except IntegrityError:
            # Another writer stored the same id or version first: nothing of ours was kept.
            raise Conflict("a concurrent write changed these records first; read them and try again") from None
        except Exception as error:
            if not storage.is_full(error):
                raise
            self._full = f"the store is full ({error}): nothing was stored; free some space"
            raise StoreUnavailable(self._full) from None
        self._full = None
        return {
            (r.domain_event.originator_id, r.domain_event.originator_version): Stored(
                r.notification.id, recorded(r.domain_event).timestamp
            )
            for r in recordings
        }

    def check_store(self) -> None:
        """Raise StoreUnavailable if the SQLite file this log was opened from is no longer at its path."""
        if self._identity is None:
            return
        # SQLite goes on writing to a deleted file's inode: every write would be acknowledged, then lost.
        try:
            now = storage.file_identity(self.database)
        except OSError:
            now = None
        if now != self._identity:
            raise StoreUnavailable(
                f"the database file {self.database} was deleted or replaced while the server had it open; "
                "writes are refused until the server is restarted on the right file"
            )

    def check_writable(self) -> None:
        """Raise StoreUnavailable when the store cannot take a write now: its SQLite file gone or replaced, or the
        disk holding it (nearly) full; on PostgreSQL, the last commit refused for lack of space (until one succeeds)."""
        self.check_store()
        free = storage.free_bytes(self.database)
        if free is None:  # PostgreSQL: its server's disk cannot be measured from here, only a failed commit tells
            if self._full is not None:
                raise StoreUnavailable(self._full)
            return
        if free < storage.MIN_FREE_BYTES:
            raise StoreUnavailable(
                f"the disk holding {self.database} is full ({free:,} bytes free, under {storage.MIN_FREE_BYTES:,}): writes would fail"
            )
        self._full = None  # space is back: the next commit will tell (a server taken out of rotation must come back)

    def receipt_for_stored(self, kind: str, aggregate_id: UUID, version: int) -> Receipt:
        """The receipt of an event already in the log (for re-sent records)."""
        event = next(iter(self.events.get(aggregate_id, gt=version - 1, lte=version)))
        # A document's revision names its slug; a framework's, only its v1. A fact is named by its id.
        named = event if hasattr(event, "slug") or kind == "fact" else next(iter(self.events.get(aggregate_id, lte=1)))
        return Receipt(
            kind=kind,
            id=public_id(named),
            version=version,
            position=storage.event_positions(self.recorder, aggregate_id)[version],
            recorded_at=recorded(event).timestamp,
            created=False,
        )

    # Reads

    def fact(self, fact_id: UUID) -> StoredFact:
        """A fact as it stands, with every version's position, record time and reason; Redacted, naming the
        redaction, once taken down."""
        try:
            fact = self._fact(fact_id)
        except Redacted:
            raise self._redacted(f"fact {fact_id}", fact_id) from None
        positions = storage.event_positions(self.recorder, fact_id)
        history = [
            FactVersion(
                version=event.originator_version,
                position=positions[event.originator_version],
                recorded_at=event.timestamp,
                change=CHANGES[type(event)],
                reason=getattr(event, "reason", None),
                because=getattr(event, "because", None),
            )
            for event in map(recorded, self.repository.event_store.get(fact_id))
        ]
        return StoredFact(fact_id, fact.content, fact.version, fact.retracted, history)

    def has_record(self, record: Record) -> bool:
        """Whether a record (a document, a framework edition, or a fact with an id) is in the log (redacted or not)."""
        try:
            return self._has_record(record)
        except Redacted:
            return True

    def _has_record(self, record: Record) -> bool:
        if isinstance(record, DocumentRevision):
            stored = self._stored(document_aggregate_id(record.content.slug))
            return isinstance(stored, Document) and stored.version_of(record.content) is not None
        if isinstance(record, DocumentContent):
            return self._stored_document(record.slug) is not None
        if isinstance(record, FrameworkContent):
            aggregate_id = framework_aggregate_id(record.slug)
        elif record.id is not None:
            aggregate_id = record.id
        else:
            return False
        return bool(storage.stored_originators(self.recorder, {aggregate_id}))

    def document(self, slug: str, version: int | None = None) -> StoredDocument:
        """A document's version (its latest when not given), with the history of its versions; Redacted, naming
        the redaction, once taken down."""
        try:
            document = self._stored(document_aggregate_id(slug))
        except Redacted:
            raise self._redacted(f"document {slug!r}", document_aggregate_id(slug)) from None
        if not isinstance(document, Document):
            raise DocumentNotFound(slug)
        content = document.content if version is None else document.at_version(version)
        if content is None:
            raise DocumentNotFound(slug, version)
        positions = storage.event_positions(self.recorder, document.id)
        history: list[DocumentVersion] = []
        withdrawal = None
        for event in map(document_event, self.repository.event_store.get(document.id)):
            position = positions[event.originator_version]
            if isinstance(event, Document.Withdrawn):
                withdrawal = Withdrawal(position, event.timestamp, event.reason, event.withdrawn)
                continue
            history.append(
                DocumentVersion(
                    version=event.originator_version, position=position, recorded_at=event.timestamp,
                    reason=getattr(event, "reason", None), revised=getattr(event, "revised", None),
                    because=getattr(event, "because", None), sha256=event.sha256,
                )
            )
        return StoredDocument(content, version or len(document.versions), history, withdrawal)

    # The library's `log` is a deprecated alias of its notification_log, which nothing here uses.
    def log(self, after: int = 0, limit: int = 1000) -> list[LogEntry]:  # type: ignore[override]
        """Events in log order, strictly after a position (positions can have gaps)."""
        mapper = self.mapper
        return [LogEntry(*row, mapper) for row in storage.read_log(self.recorder, after, limit)]

    def iter_log(self, after: int = 0, page: int = 1000) -> Iterator[LogEntry]:
        while entries := self.log(after, page):
            yield from entries
            after = entries[-1].position

    def head(self) -> int:
        """The position of the last stored event; 0 for an empty log."""
        return self.recorder.max_notification_id() or 0

    def authors(self, after: int, through: int) -> dict[int, str]:
        """The token name that wrote each event with a position in (after, through], where one did."""
        return authors.between(self.recorder, after, through)

    def chain_head(self) -> tuple[int, str]:
        """The hash chain's last position and link (the last row of its table; nothing is recomputed)."""
        return chain_store.head(self.recorder)

    def verify(self) -> Verified | Broken:
        """Recompute the hash chain from genesis over the whole log (as of now) and compare every link,
        and every document's text with its sha256; the first position that fails, if any."""
        through = self.head()
        # Events and chain rows commit together, so both read up to one head agree unless tampered with.
        events = (row for row in self._rows_through(through))
        rows = (row for row in chain_store.all_rows(self.recorder) if row.position <= through)
        return verify(events, rows)

    def _rows_through(self, through: int) -> Iterator[chain_store.Event]:
        after = 0
        while rows := storage.read_log(self.recorder, after, 1000):
            for row in rows:
                if row[0] > through:
                    return
                yield row[0], row[1], row[2], row[3], chain_store.state_bytes(row[4])
            after = rows[-1][0]

    @property
    def notification_channel(self) -> str | None:
        """The PostgreSQL channel the library NOTIFYs on every insert into the log; None on SQLite."""
        return getattr(self.recorder, "channel_name", None)

    def count_facts(self) -> int:
        return self._count(get_topic(Fact.Recorded))

    def count_documents(self) -> int:
        return self._count(get_topic(Document.Recorded))

    def _count(self, topic: str) -> int:
        """A running count: each call reads only the events stored since the last (health checks call it often)."""
        with self._counting:
            counted, through = self._counted.get(topic, (0, 0))
            added, through = storage.count_by_topic(self.recorder, topic, after=through)
            self._counted[topic] = (counted + added, through)
            return counted + added

    # Helpers

    def _redacted(self, record: str, aggregate_id: UUID) -> Redacted:
        """The error naming a redacted record's redaction: its position and reason (the record's last event)."""
        (event,) = self.events.get(aggregate_id, desc=True, limit=1)
        position = storage.event_positions(self.recorder, aggregate_id)[event.originator_version]
        return Redacted(record, position, getattr(event, "reason", None))

    def redaction_receipt(self, kind: str, aggregate_id: UUID) -> tuple[Receipt, str]:
        """A redacted record's redaction, as a re-sent redaction is answered, and its reason."""
        (event,) = self.events.get(aggregate_id, desc=True, limit=1)
        return self.receipt_for_stored(kind, aggregate_id, event.originator_version), str(getattr(event, "reason", ""))

    def _fact(self, fact_id: UUID) -> Fact:
        try:
            fact: Aggregate = self.repository.get(fact_id)
        except AggregateNotFoundError:
            raise FactNotFound(fact_id) from None
        if not isinstance(fact, Fact):
            raise FactNotFound(fact_id)
        return fact

    def _stored_document(self, slug: str) -> DocumentContent | None:
        document = self._stored(document_aggregate_id(slug))
        return document.content if isinstance(document, Document) else None

    def _stored(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None


@dataclass(frozen=True)
class _New:
    """An event a unit of work staged: its receipt, once the commit says where it landed."""

    kind: str
    public_id: str
    aggregate_id: UUID
    version: int
    created: bool

    @classmethod
    def of(cls, aggregate: Fact | Document | Framework, version: int, created: bool) -> _New:
        # How the API names a record: a document's or framework's slug, else the fact's id (see `public_id`).
        if isinstance(aggregate, Document):
            return cls("document", aggregate.content.slug, aggregate.id, version, created)
        if isinstance(aggregate, Framework):
            return cls("framework", aggregate.content.slug, aggregate.id, version, created)
        return cls("fact", str(aggregate.id), aggregate.id, version, created)

    @property
    def write(self) -> Write:
        return (self.kind, self.aggregate_id, self.version)

    def receipt(self, positions: Positions) -> Receipt:
        stored = positions[(self.aggregate_id, self.version)]
        return Receipt(self.kind, self.public_id, self.version, stored.position, stored.recorded_at, created=self.created)

    def pending(self) -> Pending[Receipt]:
        return Pending(self.receipt, (self.write,))


def _written(receipt: Receipt) -> Write:
    """What a receipt names, as an idempotency key stores it."""
    if receipt.kind == "document":
        return (receipt.kind, document_aggregate_id(receipt.id), receipt.version)
    if receipt.kind == "framework":
        return (receipt.kind, framework_aggregate_id(receipt.id), receipt.version)
    return (receipt.kind, UUID(receipt.id), receipt.version)


def named_ids(records: Sequence[Record]) -> set[UUID]:
    """Every id these records name: their own, and the documents and facts they cite or link to."""
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
    return named


def _original(unit: UnitOfWork, fact_id: UUID, local: dict[UUID, Any]) -> FactContent | None:
    fact = unit.aggregate(fact_id, local)
    if fact is None:
        return None
    if not isinstance(fact, Fact):
        raise FactConflict(fact_id)
    return fact.original


def _fact_for_change(unit: UnitOfWork, fact_id: UUID, expected_version: int) -> Fact:
    fact = unit.aggregate(fact_id)
    if not isinstance(fact, Fact):
        raise FactNotFound(fact_id)
    if fact.redacted:
        raise Redacted(f"fact {fact_id}")
    if fact.retracted:
        raise FactRetracted(fact_id)
    if fact.version != expected_version:
        raise StaleVersion(fact_id, expected_version, fact.version)
    return fact


def _staged_change(unit: UnitOfWork, fact: Fact) -> Pending[Receipt]:
    unit.stage([fact])
    return unit.add(_New.of(fact, fact.version, created=True).pending())


