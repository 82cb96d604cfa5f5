"""What a write asks of the application (commands), and what it answers (receipts).

Commands are plain values: the HTTP handlers, the CLI and the loader build them, and
`Timeline.execute` carries each out. A command's outcome is known only once the unit of
work holding it commits, so executing one gives a `Pending` receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from timeline.dates import ValidTime
from timeline.facts import Because
from timeline.frameworks import FrameworkContent
from timeline.idempotency_keys import Write
from timeline.parsing import NewFact
from timeline.sources import DocumentContent, DocumentRevision

T = TypeVar("T")
Record = NewFact | DocumentContent | DocumentRevision | FrameworkContent


# Commands


@dataclass(frozen=True)
class RecordRecords:
    """New facts, documents and framework editions, all or none; records already stored unchanged are no-ops."""

    records: tuple[Record, ...]


@dataclass(frozen=True)
class Correct:
    """A new version of a fact, replacing the given top-level fields of its content (`revised`: when the
    source published the revision, if it revised itself)."""

    fact_id: UUID
    expected_version: int
    changes: dict[str, Any]
    reason: str
    revised: ValidTime | None = None


@dataclass(frozen=True)
class Patch:
    """A correction given as a JSON Merge Patch of the fact's body (RFC 7396)."""

    fact_id: UUID
    expected_version: int
    patch: Any
    reason: str
    revised: ValidTime | None = None


@dataclass(frozen=True)
class Retract:
    """A fact withdrawn: it stays in the log, marked retracted, with the reason and its kind."""

    fact_id: UUID
    expected_version: int
    reason: str
    because: Because = Because.ERRED


@dataclass(frozen=True)
class WithdrawDocument:
    """A document withdrawn by its source: kept, and every fact citing it flagged."""

    slug: str
    reason: str
    withdrawn: ValidTime | None = None


@dataclass(frozen=True)
class RedactFact:
    """A fact's content taken down (a legal takedown): its earlier events purged as the redaction is stored."""

    fact_id: UUID
    reason: str


@dataclass(frozen=True)
class RedactDocument:
    """A document's content taken down, every version of it."""

    slug: str
    reason: str


@dataclass(frozen=True)
class Keyed:
    """A command sent with an idempotency key (`name`: its token's, "" without one), stored with it;
    `fingerprint` tells a re-send from another request under the same key."""

    name: str
    key: str
    fingerprint: str
    command: Command


Command = RecordRecords | Correct | Patch | Retract | WithdrawDocument | RedactFact | RedactDocument | Keyed


# Receipts


@dataclass(frozen=True)
class Receipt:
    """What a write acknowledges: the record's id and version, and where it stands in the log."""

    kind: str  # "fact", "document" or "framework"
    id: str
    version: int
    position: int
    recorded_at: dt.datetime
    created: bool  # False when the same record was already stored


@dataclass(frozen=True)
class Stored:
    """Where a committed event landed."""

    position: int
    recorded_at: dt.datetime


Positions = dict[tuple[UUID, int], Stored]


class Pending(Generic[T]):
    """A command's outcome, known once its unit of work commits."""

    _result: T  # set by settle(); read only once _done says so

    def __init__(self, resolve: Callable[[Positions], T], writes: tuple[Write, ...] = ()) -> None:
        self._resolve = resolve
        self._done = False
        self.writes = writes  # what its receipts will name, known before the commit (an idempotency key stores it)

    def settle(self, positions: Positions) -> None:
        self._result, self._done = self._resolve(positions), True
        self._resolve = _settled  # drop the closure: what it holds is needed no longer

    def result(self) -> T:
        if not self._done:
            raise RuntimeError("the batch has not been committed")
        return self._result


def _settled(positions: Positions) -> Any:
    raise RuntimeError("already settled")


def receipts(result: Receipt | list[Receipt]) -> list[Receipt]:
    """A command's outcome as a list of receipts (recording answers with several, any other command with one)."""
    return result if isinstance(result, list) else [result]
