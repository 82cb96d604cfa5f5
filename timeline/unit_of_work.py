"""A unit of work: the aggregates that commands staged, saved together in one transaction.

The writer gathers every request waiting at a moment into one unit (group commit). Each
command is checked (by the application's use cases) against the log *and* what the unit
has staged before it; a refused command stages nothing, so one bad request never spoils the
others. The unit reads through the functions it is given and calls nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from timeline.authors import Authors
from timeline.commands import Pending, Positions, Receipt
from timeline.facts import Fact
from timeline.frameworks import Framework
from timeline.idempotency_keys import KeyedWrite
from timeline.sources import Document

T = TypeVar("T")
Staged = Fact | Document | Framework
Get = Callable[[UUID], Aggregate]  # an aggregate as the log holds it; AggregateNotFoundError when it holds none
Stored = Callable[[set[UUID]], set[UUID]]  # which of these ids the log holds, in one query
Save = Callable[[list[Staged], Authors, Sequence[KeyedWrite]], Positions]
Earlier = Callable[[str, UUID, int], Receipt | None]  # a write staged before this unit, outside the log (a file being loaded)


class UnitOfWork:
    def __init__(self, get: Get, stored: Stored, earlier: Earlier | None = None) -> None:
        self._get = get
        self._stored = stored
        self._earlier = earlier
        self._staged: dict[UUID, Staged] = {}
        self._pending: list[Pending[Any]] = []
        self._absent: set[UUID] = set()  # ids found not to be in the log, so not looked up one by one
        self._documents: dict[UUID, Document] = {}  # stored documents read once a unit: each can be megabytes
        self.by: str | None = None  # the token name behind the commands being staged (set by the writer)
        self._authors: dict[tuple[UUID, int], str] = {}  # who staged each event, by id and version
        self._keyed: dict[tuple[str, str], tuple[KeyedWrite, Pending[Any]]] = {}  # keys staged, by token name and key

    # Reading

    def aggregate(self, aggregate_id: UUID, local: dict[UUID, Any] | None = None) -> Any:
        """The aggregate as a command sees it: staged by itself (`local`), by an earlier command, or as stored;
        None when there is none. Redacted when the log holds it purged."""
        if local is not None and aggregate_id in local:
            return local[aggregate_id]
        if aggregate_id in self._staged:
            return self._staged[aggregate_id]
        if aggregate_id in self._absent:
            return None
        if aggregate_id in self._documents:
            return self._documents[aggregate_id]
        try:
            aggregate = self._get(aggregate_id)
        except AggregateNotFoundError:
            return None
        if isinstance(aggregate, Document):  # a stored document never changes
            self._documents[aggregate_id] = aggregate
        return aggregate

    def look_up(self, named: set[UUID]) -> None:
        """Find, in one query, which of these ids are not in the log yet (so each is not read alone)."""
        named = named - self._staged.keys()
        if len(named) > 1:  # a single id costs one lookup either way
            self._absent |= named - self._stored(named)

    def mark_absent(self, aggregate_id: UUID) -> None:
        """An id known to be in no log (a fresh random one: a clash would fail the commit)."""
        self._absent.add(aggregate_id)

    def is_staged(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self._staged

    def staged_earlier(self, kind: str, aggregate_id: UUID, version: int) -> Receipt | None:
        """The receipt of a version staged before this unit, outside the log (by an earlier part of a file being
        loaded); None when there is none, so the log is asked."""
        return None if self._earlier is None else self._earlier(kind, aggregate_id, version)

    def key(self, name: str, key: str) -> tuple[KeyedWrite, Pending[Any]] | None:
        """An idempotency key staged by an earlier command of this unit, with that command's outcome."""
        return self._keyed.get((name, key))

    # Staging

    def stage(self, aggregates: Iterable[Staged]) -> None:
        """Stage aggregates' new events, attributed to the token behind the command."""
        for aggregate in aggregates:
            self._staged[aggregate.id] = aggregate
            self._documents.pop(aggregate.id, None)  # the cached copy is as stored: the staged one is read now
            if self.by is not None:
                self._authors[(aggregate.id, aggregate.version)] = self.by

    def stage_key(self, keyed: KeyedWrite, pending: Pending[Any]) -> None:
        self._keyed[(keyed.name, keyed.key)] = (keyed, pending)

    def add(self, pending: Pending[T]) -> Pending[T]:
        """A command's outcome, settled when the unit commits (in the order added)."""
        self._pending.append(pending)
        return pending

    # Committing

    def commit(self, save: Save) -> None:
        """Save every staged event and key in one transaction, then settle every command's outcome."""
        keys = [keyed for keyed, _ in self._keyed.values()]
        positions = save(list(self._staged.values()), self._authors, keys)
        for pending in self._pending:
            pending.settle(positions)
        self._pending.clear()
        self._staged.clear()
        self._authors.clear()
        self._keyed.clear()
        self._absent.clear()
        self._documents.clear()
