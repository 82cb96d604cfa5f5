"""What the application refuses, as exceptions the edges (HTTP, CLI) translate once."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class FieldError:
    """One reason a record was refused; `field` is a dotted path such as `data.grade`."""

    field: str
    message: str
    index: int | None = None  # the record's position in its batch, when it came in one


class TimelineError(Exception):
    """Base of every refusal; none of them changes the log."""


class InvalidRecord(TimelineError):
    """The input is malformed or breaks a rule; `errors` says where and why."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))


class Conflict(TimelineError):
    """The write contradicts what the log already holds."""


class FactConflict(Conflict):
    def __init__(self, fact_id: UUID, index: int | None = None):
        self.fact_id, self.index = fact_id, index
        super().__init__(f"fact {fact_id} is already recorded with other content; correct it instead")


class DocumentConflict(Conflict):
    def __init__(self, slug: str, index: int | None = None):
        self.slug, self.index = slug, index
        super().__init__(
            f"document {slug!r} is already recorded with other content; send a `reason` to record this as its next version"
        )


class StaleVersion(Conflict):
    def __init__(self, fact_id: UUID, expected: int, actual: int):
        self.fact_id, self.expected, self.actual = fact_id, expected, actual
        super().__init__(f"fact {fact_id} is at version {actual}, not the expected {expected}")


class FactRetracted(Conflict):
    def __init__(self, fact_id: UUID):
        self.fact_id = fact_id
        super().__init__(f"fact {fact_id} is retracted; record a new fact instead")


class KeyReused(TimelineError):
    """An idempotency key sent again with another request than the one that first used it."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"the Idempotency-Key {key!r} was sent before with another request; nothing was stored")


class NotFound(TimelineError):
    pass


class FactNotFound(NotFound):
    def __init__(self, fact_id: UUID):
        self.fact_id = fact_id
        super().__init__(f"no fact {fact_id}")


class UnknownSubject(NotFound):
    """No fact in the log has ever named the subject (as its subject, a mention, or in its data)."""

    def __init__(self, subject: str):
        self.subject = subject
        super().__init__(f"no fact names {subject}")


class DocumentNotFound(NotFound):
    def __init__(self, slug: str, version: int | None = None):
        self.slug = slug
        super().__init__(f"no document {slug!r}" if version is None else f"document {slug!r} has no version {version}")


class DocumentWithdrawn(Conflict):
    def __init__(self, slug: str):
        self.slug = slug
        super().__init__(f"document {slug!r} was withdrawn by its source already")


class EventNotFound(NotFound):
    def __init__(self, position: int):
        self.position = position
        super().__init__(f"no event at position {position}")


class StoreUnavailable(TimelineError):
    """The store cannot take writes: its SQLite file was deleted or replaced while open."""


class Redacted(TimelineError):
    """The record was taken down by a redaction: its content is gone from the log (only its digest stays).

    Raised with the record's id only where an event is decoded; the application names the record,
    the redaction's position and its reason."""

    def __init__(self, record: str, position: int | None = None, reason: str | None = None):
        self.record, self.position, self.reason = record, position, reason
        super().__init__(f"{record} was redacted" + (f" (position {position}): {reason}" if reason is not None else ""))


class AlreadyRedacted(Conflict):
    def __init__(self, record: str, reason: str):
        self.record, self.reason = record, reason
        super().__init__(f"{record} was already redacted for another reason: {reason}")
