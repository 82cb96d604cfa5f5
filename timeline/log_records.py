"""The log as its readers see it: entries in log order, stored facts and documents with their
histories, what each event is called, and the mapper that decodes them (refusing purged ones)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEvent, DomainEventProtocol
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from timeline import redactions
from timeline.dates import ValidTime
from timeline.errors import Redacted
from timeline.facts import Because, Fact, FactContent
from timeline.frameworks import Framework
from timeline.sources import Document, DocumentContent

MAX_POSITION = 2**63 - 1  # positions are 64-bit in both stores



class LogEntry:
    """One event as the log holds it: its position, topic and stored state; the domain event on demand.

    Projections read `state` (the transcoder's JSON) directly, in one orjson pass, so replaying
    a long log builds no event objects; everything else reads `event`.
    """

    __slots__ = ("_event", "_mapper", "originator_id", "originator_version", "position", "state", "topic")

    def __init__(
        self, position: int, originator_id: UUID | str, originator_version: int, topic: str, state: bytes, mapper: Mapper[UUID]
    ) -> None:
        self.position = position
        self.originator_id = originator_id  # a UUID, or its hex as SQLite stores it
        self.originator_version = originator_version
        self.topic = topic
        self.state = state
        self._mapper = mapper
        self._event: DomainEvent | None = None

    @property
    def event(self) -> DomainEvent:
        if self._event is None:
            originator = self.originator_id
            originator = originator if isinstance(originator, UUID) else UUID(originator)
            self._event = recorded(
                self._mapper.to_domain_event(StoredEvent(originator, self.originator_version, self.topic, self.state))
            )
        return self._event

    def __repr__(self) -> str:
        return f"LogEntry(position={self.position}, topic={self.topic!r})"


@dataclass(frozen=True)
class FactVersion:
    version: int
    position: int
    recorded_at: dt.datetime
    change: str  # "recorded", "corrected" or "retracted"
    reason: str | None
    because: Because | None  # why it changed: None for the version first recorded


@dataclass(frozen=True)
class StoredFact:
    id: UUID
    content: FactContent
    version: int
    retracted: bool
    history: list[FactVersion]


@dataclass(frozen=True)
class DocumentVersion:
    version: int
    position: int
    recorded_at: dt.datetime
    reason: str | None  # None for the first version
    revised: ValidTime | None  # when the source published the revision, if it revised itself
    because: Because | None  # None for the first version
    sha256: str


@dataclass(frozen=True)
class Withdrawal:
    position: int
    recorded_at: dt.datetime
    reason: str
    withdrawn: ValidTime | None  # when the source withdrew it, if known


@dataclass(frozen=True)
class StoredDocument:
    content: DocumentContent  # the version asked for
    version: int
    history: list[DocumentVersion]
    withdrawal: Withdrawal | None


CHANGES: dict[type[Any], str] = {Fact.Recorded: "recorded", Fact.Corrected: "corrected", Fact.Retracted: "retracted"}



class RedactingMapper(Mapper[UUID]):
    """The library's mapper, except that a purged event (timeline.redactions) is refused as Redacted:
    its record cannot be rebuilt, and readers say so rather than fail on a state that is only a digest."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        if redactions.is_tombstone(stored_event.state):
            raise Redacted(f"record {stored_event.originator_id}")
        return super().to_domain_event(stored_event)

# What each event is called wherever the log is shown (the API's log and stream, the CLI).
EVENT_NAMES: dict[type[Any], str] = {
    Fact.Recorded: "fact.recorded",
    Fact.Corrected: "fact.corrected",
    Fact.Retracted: "fact.retracted",
    Fact.Redacted: "fact.redacted",
    Document.Recorded: "document.recorded",
    Document.Revised: "document.revised",
    Document.Withdrawn: "document.withdrawn",
    Document.Redacted: "document.redacted",
    Framework.Defined: "framework.defined",
    Framework.Revised: "framework.revised",
}
EVENT_NAMES_BY_TOPIC = {get_topic(cls): name for cls, name in EVENT_NAMES.items()}  # for events that cannot be decoded (purged)


def recorded(event: DomainEventProtocol[UUID]) -> DomainEvent:
    """An event of this log as what it is, the library's dataclass event, with its record time (`timestamp`):
    the library's readers type what they return by the protocol, which has none."""
    if not isinstance(event, DomainEvent):
        raise TypeError(f"not an event of a Timeline's log: {type(event).__qualname__}")
    return event


def document_event(event: DomainEventProtocol[UUID]) -> Document.Recorded | Document.Revised | Document.Withdrawn:
    """An event of a document's aggregate as what it is (see `recorded`); a document read is never redacted."""
    if not isinstance(event, Document.Recorded | Document.Revised | Document.Withdrawn):
        raise TypeError(f"not an event of a document: {type(event).__qualname__}")
    return event


def public_id(event: Any) -> str:
    """How the API names the record an event belongs to: a document's or framework's slug, else the fact's id."""
    named = Document.Recorded | Document.Revised | Document.Withdrawn | Document.Redacted | Framework.Defined | Framework.Revised
    return event.slug if isinstance(event, named) else str(event.originator_id)
