"""Facts: sourced claims about subjects, recorded as immutable events.

A fact is an aggregate whose history is its events: Recorded (version 1), then
any number of Corrected, and at most one Retracted. Nothing is updated in place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from timeline.dates import ValidTime
from timeline.errors import FieldError, InvalidRecord


class FactType(StrEnum):
    RATING_PUBLISHED = "rating.published"
    REPORT_PUBLISHED = "report.published"
    FINDING_REPORTED = "finding.reported"
    STATEMENT_MADE = "statement.made"
    DECISION_PENDING = "decision.pending"
    DECISION_MADE = "decision.made"
    ROLE_HELD = "role.held"
    FIGURE_REPORTED = "figure.reported"
    MONITORING_CHANGED = "monitoring.changed"
    SUBJECT_NAMED = "subject.named"
    SUBJECT_MERGED = "subject.merged"


class SourceKind(StrEnum):
    """How authoritative a source is: an `official` record outranks the `press`."""

    OFFICIAL = "official"
    PRESS = "press"
    STATEMENT = "statement"


class Because(StrEnum):
    """Why a fact or a document changed. Reality moving on (a role ending, a new grade) is a new fact, never a change."""

    ERRED = "erred"  # our record was wrong (a transcription error): the source always said the new version
    SOURCE_REVISED = "source-revised"  # the source published a revision, on the date `revised` gives
    SOURCE_RETRACTED = "source-retracted"  # the source withdrew what it said


# An official record outranks the press, which outranks a party's own statement.
AUTHORITY = {SourceKind.OFFICIAL.value: 3, SourceKind.PRESS.value: 2, SourceKind.STATEMENT.value: 1}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a claim comes from; `quote` is verbatim from `document` when both are given, and is
    checked against the document's version `document_version` (its first when not given)."""

    publisher: str
    url: str
    published: ValidTime  # an EDTF date: an undated page may be known only to a month or a span
    kind: SourceKind
    document: str | None = None
    quote: str | None = None
    document_version: int | None = None


def source_from_stored(fields: dict[str, Any]) -> Source:
    """A stored source; sources stored before EDTF publication dates held a calendar day."""
    published = fields["published"]
    if isinstance(published, dt.date):
        fields = fields | {"published": ValidTime(published.isoformat(), published, published)}
    return Source(**fields)


@dataclass(frozen=True)
class FactContent:
    """What a fact claims: everything but its id and its record time."""

    type: FactType
    subject: str
    occurred: ValidTime
    data: dict[str, Any]
    source: Source  # the first source; `further_sources` are the others that report the same claim
    mentions: list[str] = field(default_factory=list)
    disputes: list[str] = field(default_factory=list)  # ids of facts this one contradicts
    supports: list[str] = field(default_factory=list)  # ids of facts this one corroborates
    further_sources: list[Source] = field(default_factory=list)

    @property
    def sources(self) -> list[Source]:
        return [self.source, *self.further_sources]


class Fact(Aggregate):
    """A claim in the log. `original` is what was first recorded; `content` is what stands now."""

    class Recorded(Aggregate.Created):
        class_version = 3

        fact_type: FactType
        subject: str
        occurred: ValidTime
        data: dict[str, Any]
        mentions: list[str]
        source: Source
        disputes: list[str]
        supports: list[str]
        further_sources: list[Source]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["disputes"], state["supports"] = [], []  # facts recorded before links existed link nothing

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["further_sources"] = []  # facts recorded before several sources had one

    class Corrected(Aggregate.Event):
        """Replaces the whole content; carries it all so that readers need no prior state.

        `revised` is set when the source itself published a revision, on that date: the new content
        counts from then, for readers asking what had been reported. Without it the correction
        mends our record (a transcription error), and counts as what the source always said.
        """

        class_version = 5

        fact_type: FactType
        subject: str
        occurred: ValidTime
        data: dict[str, Any]
        mentions: list[str]
        source: Source
        disputes: list[str]
        supports: list[str]
        reason: str
        revised: ValidTime | None
        further_sources: list[Source]
        because: Because  # erred, or source-revised (then `revised` dates it)

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["revised"] = None  # corrections stored before `revised` existed mended our record

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["disputes"], state["supports"] = [], []

        @staticmethod
        def upcast_v3_v4(state: dict[str, Any]) -> None:
            state["further_sources"] = []

        @staticmethod
        def upcast_v4_v5(state: dict[str, Any]) -> None:
            # Before reasons had kinds, a revision date was what told a source's revision from our mending.
            state["because"] = Because.SOURCE_REVISED if state["revised"] is not None else Because.ERRED

        def apply(self, aggregate: Fact) -> None:
            aggregate.content = content_of(self)
            aggregate.last_change = (self.reason, self.revised)

    class Retracted(Aggregate.Event):
        class_version = 2

        reason: str
        because: Because  # erred, or source-retracted

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["because"] = Because.ERRED

        def apply(self, aggregate: Fact) -> None:
            aggregate.retracted = True

    class Redacted(Aggregate.Event):
        """A legal takedown (personal data, defamation): the fact's content is purged from every earlier
        event of it (timeline.redactions), and nothing changes it after. The fact's id and this reason stay."""

        reason: str

        def apply(self, aggregate: Fact) -> None:
            aggregate.redacted = True

    def __init__(
        self,
        fact_type: FactType,
        subject: str,
        occurred: ValidTime,
        data: dict[str, Any],
        mentions: list[str],
        source: Source,
        disputes: list[str],
        supports: list[str],
        further_sources: list[Source],
    ) -> None:
        self.original = FactContent(fact_type, subject, occurred, data, source, mentions, disputes, supports, further_sources)
        self.content = self.original
        self.retracted = False
        self.redacted = False  # only ever True in a batch that stages the redaction: a redacted fact cannot be rebuilt
        self.last_change: tuple[str, ValidTime | None] | None = None  # the latest correction's reason and revision date

    @classmethod
    def record(cls, fact_id: UUID, content: FactContent) -> Fact:
        return cls._create(cls.Recorded, id=fact_id, **_event_fields(content))

    @classmethod
    def recorded_state(cls, content: FactContent) -> dict[str, Any]:
        """The state `record`'s event is stored with (all but its id and version), made without an aggregate:
        a bulk load builds millions. Same fields in the same order, so the same bytes but the timestamp."""
        return {
            "timestamp": cls.Recorded.create_timestamp(),
            "originator_topic": get_topic(cls),
            **_event_fields(content),
            "class_version": cls.Recorded.class_version,
        }

    def correct(self, content: FactContent, reason: str, revised: ValidTime | None = None) -> None:
        self.keeps_type(content.type)
        because = Because.SOURCE_REVISED if revised is not None else Because.ERRED
        self.trigger_event(self.Corrected, reason=reason, revised=revised, because=because, **_event_fields(content))

    def keeps_type(self, fact_type: str) -> None:
        """Refuse a correction to another type: that is another fact (retract this one, record that)."""
        if fact_type != self.content.type:
            raise InvalidRecord([FieldError("type", "a correction cannot change a fact's type; retract it instead")])

    def retract(self, reason: str, because: Because = Because.ERRED) -> None:
        if because not in (Because.ERRED, Because.SOURCE_RETRACTED):
            raise ValueError("a retraction is because we erred or because the source retracted it")
        self.trigger_event(self.Retracted, reason=reason, because=because)

    def redact(self, reason: str) -> None:
        self.trigger_event(self.Redacted, reason=reason)


def content_of(event: Fact.Recorded | Fact.Corrected) -> FactContent:
    """The content an event states."""
    return FactContent(
        event.fact_type, event.subject, event.occurred, event.data, event.source, event.mentions, event.disputes,
        event.supports, event.further_sources,
    )


def _event_fields(content: FactContent) -> dict[str, Any]:
    return {
        "fact_type": content.type,
        "subject": content.subject,
        "occurred": content.occurred,
        "data": content.data,
        "mentions": list(content.mentions),
        "source": content.source,
        "disputes": list(content.disputes),
        "supports": list(content.supports),
        "further_sources": list(content.further_sources),
    }
