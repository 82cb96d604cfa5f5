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

from timeline.dates import ValidTime


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


class SourceKind(StrEnum):
    """How authoritative a source is: an `official` record outranks the `press`."""

    OFFICIAL = "official"
    PRESS = "press"
    STATEMENT = "statement"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a claim comes from; `quote` is verbatim from `document` when both are given."""

    publisher: str
    url: str
    published: dt.date
    kind: SourceKind
    document: str | None = None
    quote: str | None = None


@dataclass(frozen=True)
class FactContent:
    """What a fact claims: everything but its id and its record time."""

    type: FactType
    subject: str
    occurred: ValidTime
    data: dict[str, Any]
    source: Source
    mentions: list[str] = field(default_factory=list)
    disputes: list[str] = field(default_factory=list)  # ids of facts this one contradicts
    supports: list[str] = field(default_factory=list)  # ids of facts this one corroborates


class Fact(Aggregate):
    """A claim in the log. `original` is what was first recorded; `content` is what stands now."""

    class Recorded(Aggregate.Created):
        class_version = 2

        fact_type: FactType
        subject: str
        occurred: ValidTime
        data: dict[str, Any]
        mentions: list[str]
        source: Source
        disputes: list[str]
        supports: list[str]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["disputes"], state["supports"] = [], []  # facts recorded before links existed link nothing

    class Corrected(Aggregate.Event):
        """Replaces the whole content; carries it all so that readers need no prior state.

        `revised` is set when the source itself published a revision, on that date: the new content
        counts from then, for readers asking what had been reported. Without it the correction
        mends our record (a transcription error), and counts as what the source always said.
        """

        class_version = 3

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

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["revised"] = None  # corrections stored before `revised` existed mended our record

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["disputes"], state["supports"] = [], []


        def apply(self, aggregate: Fact) -> None:
            aggregate.content = content_of(self)

    class Retracted(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Fact) -> None:
            aggregate.retracted = True

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
    ) -> None:
        self.original = FactContent(fact_type, subject, occurred, data, source, mentions, disputes, supports)
        self.content = self.original
        self.retracted = False

    @classmethod
    def record(cls, fact_id: UUID, content: FactContent) -> Fact:
        return cls._create(cls.Recorded, id=fact_id, **_event_fields(content))

    def correct(self, content: FactContent, reason: str, revised: ValidTime | None = None) -> None:
        if content.type != self.content.type:
            raise ValueError("a correction cannot change a fact's type; retract it and record a new fact")
        self.trigger_event(self.Corrected, reason=reason, revised=revised, **_event_fields(content))

    def retract(self, reason: str) -> None:
        self.trigger_event(self.Retracted, reason=reason)


def content_of(event: Fact.Recorded | Fact.Corrected) -> FactContent:
    """The content an event states."""
    return FactContent(
        event.fact_type, event.subject, event.occurred, event.data, event.source, event.mentions, event.disputes, event.supports
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
    }
