"""The `facts` projection: every version of every fact, with the log interval it was known in.

A row holds one version and `known_from`/`known_to`, the positions at which it became
and stopped being the latest; so "the facts as known at position K" is a plain filter,
and every view can answer `known_at` without replaying anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

from projections.base import Projection
from projections.store import Cursor
from timeline.dates import ValidTime
from timeline.facts import Fact, content_of
from timeline.vocabulary import fact_body, references, subject_references

_COLUMNS = (
    "fact_id, version, known_from, known_from_at, first_position, first_recorded_at, change, reason, "
    "retracted, type, subject, occurred, occurred_lower, occurred_upper, source_kind, document, body"
)


@dataclass(frozen=True)
class FactState:
    """A fact as it stood at some log position."""

    id: str
    version: int
    known_from: int  # position of this version
    known_from_at: str  # its record time (UTC, ISO 8601)
    position: int  # position of the fact's first version: where it entered the log
    recorded_at: str
    change: str  # recorded | corrected | retracted
    reason: str | None
    retracted: bool
    type: str
    subject: str
    occurred: ValidTime
    source_kind: str
    document: str | None
    body: dict[str, Any]

    @property
    def data(self) -> dict[str, Any]:
        return self.body["data"]

    @property
    def source(self) -> dict[str, Any]:
        return self.body["source"]

    @property
    def mentions(self) -> list[str]:
        return self.body["mentions"]

    @property
    def refs(self) -> list[str]:
        """Every subject this fact is about or names."""
        return references(self.type, self.subject, self.mentions, self.data)

    @property
    def sort_key(self) -> tuple[str, str, int]:
        """Timeline order: valid time's lower bound, then upper bound, then log position."""
        return (self.occurred.lower.isoformat(), self.occurred.upper.isoformat(), self.position)


def record_time(event: Any) -> str:
    return event.timestamp.astimezone(dt.UTC).isoformat(timespec="microseconds")


class FactsProjection(Projection):
    name = "facts"

    def table_names(self, prefix: str) -> list[str]:
        return [f"{prefix}_versions", f"{prefix}_refs"]

    def create_tables(self, cursor: Cursor, prefix: str) -> None:
        cursor.execute(
            f"CREATE TABLE {prefix}_versions ("
            "fact_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "known_from BIGINT NOT NULL, known_from_at TEXT NOT NULL, known_to BIGINT, known_to_at TEXT, "
            "first_position BIGINT NOT NULL, first_recorded_at TEXT NOT NULL, "
            "change TEXT NOT NULL, reason TEXT, retracted INTEGER NOT NULL, "
            "type TEXT NOT NULL, subject TEXT NOT NULL, occurred TEXT NOT NULL, "
            "occurred_lower TEXT NOT NULL, occurred_upper TEXT NOT NULL, "
            "source_kind TEXT NOT NULL, document TEXT, body TEXT NOT NULL, "
            "PRIMARY KEY (fact_id, version))"
        )
        cursor.execute(
            f"CREATE TABLE {prefix}_refs ("
            "subject TEXT NOT NULL, fact_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "PRIMARY KEY (subject, fact_id, version))"
        )
        cursor.execute(f"CREATE INDEX {prefix}_versions_type ON {prefix}_versions (type, known_from)")
        cursor.execute(f"CREATE INDEX {prefix}_versions_document ON {prefix}_versions (document)")
        cursor.execute(f"CREATE INDEX {prefix}_versions_known_at ON {prefix}_versions (known_from_at)")

    def apply(self, cursor: Cursor, prefix: str, position: int, event: Any) -> None:
        if isinstance(event, Fact.Recorded):
            at = record_time(event)
            self._insert(cursor, prefix, event, position, at, position, at, "recorded", None, content_of(event))
        elif isinstance(event, (Fact.Corrected, Fact.Retracted)):
            fact_id, version = str(event.originator_id), event.originator_version
            cursor.execute(
                f"SELECT first_position, first_recorded_at, body FROM {prefix}_versions WHERE fact_id = ? AND version = ?",
                (fact_id, version - 1),
            )
            first_position, first_recorded_at, body = cursor.fetchone()
            at = record_time(event)
            cursor.execute(
                f"UPDATE {prefix}_versions SET known_to = ?, known_to_at = ? WHERE fact_id = ? AND version = ?",
                (position, at, fact_id, version - 1),
            )
            if isinstance(event, Fact.Corrected):
                content = content_of(event)
                self._insert(cursor, prefix, event, position, at, first_position, first_recorded_at, "corrected", event.reason, content)
            else:
                self._insert_retraction(cursor, prefix, event, position, at, first_position, first_recorded_at, body)

    def _insert(self, cursor, prefix, event, position, at, first_position, first_at, change, reason, content) -> None:
        body = fact_body(content)
        fact_id, version = str(event.originator_id), event.originator_version
        cursor.execute(
            f"INSERT INTO {prefix}_versions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fact_id, version, position, at, first_position, first_at, change, reason, 0,
                content.type.value, content.subject, content.occurred.edtf,
                content.occurred.lower.isoformat(), content.occurred.upper.isoformat(),
                content.source.kind.value, content.source.document, orjson.dumps(body).decode(),
            ),
        )
        cursor.executemany(
            f"INSERT INTO {prefix}_refs (subject, fact_id, version) VALUES (?, ?, ?)",
            [(subject, fact_id, version) for subject in subject_references(content)],
        )

    def _insert_retraction(self, cursor, prefix, event, position, at, first_position, first_at, body) -> None:
        # A retraction keeps the content it withdraws, so that asking for retracted facts still shows what was said.
        fact_id, version = str(event.originator_id), event.originator_version
        cursor.execute(
            f"INSERT INTO {prefix}_versions ({_COLUMNS}) "
            f"SELECT fact_id, ?, ?, ?, first_position, first_recorded_at, 'retracted', ?, 1, type, subject, occurred, "
            f"occurred_lower, occurred_upper, source_kind, document, body "
            f"FROM {prefix}_versions WHERE fact_id = ? AND version = ?",
            (version, position, at, event.reason, fact_id, version - 1),
        )
        cursor.execute(
            f"INSERT INTO {prefix}_refs (subject, fact_id, version) "
            f"SELECT subject, fact_id, ? FROM {prefix}_refs WHERE fact_id = ? AND version = ?",
            (version, fact_id, version - 1),
        )


# Reading

_KNOWN_AT = "v.known_from <= ? AND (v.known_to IS NULL OR v.known_to > ?)"


def states_referencing(cursor: Cursor, prefix: str, subject: str, known_at: int) -> list[FactState]:
    """Facts about or naming a subject, each as it stood at position `known_at`."""
    cursor.execute(
        f"SELECT {_prefixed('v')} FROM {prefix}_refs r JOIN {prefix}_versions v "
        f"ON v.fact_id = r.fact_id AND v.version = r.version WHERE r.subject = ? AND {_KNOWN_AT}",
        (subject, known_at, known_at),
    )
    return [_state(row) for row in cursor.fetchall()]


def states_of_type(cursor: Cursor, prefix: str, fact_type: str, known_at: int) -> list[FactState]:
    cursor.execute(
        f"SELECT {_prefixed('v')} FROM {prefix}_versions v WHERE v.type = ? AND {_KNOWN_AT}",
        (fact_type, known_at, known_at),
    )
    return [_state(row) for row in cursor.fetchall()]


def states_citing(cursor: Cursor, prefix: str, document: str | None, known_at: int) -> list[FactState]:
    """Facts citing one document, or any document when `document` is None."""
    which, params = ("v.document = ?", (document,)) if document is not None else ("v.document IS NOT NULL", ())
    cursor.execute(
        f"SELECT {_prefixed('v')} FROM {prefix}_versions v WHERE {which} AND {_KNOWN_AT}",
        (*params, known_at, known_at),
    )
    return [_state(row) for row in cursor.fetchall()]


def history(cursor: Cursor, prefix: str, fact_ids: list[str], known_at: int) -> dict[str, list[dict[str, Any]]]:
    """Each fact's versions known at `known_at`, oldest first."""
    if not fact_ids:
        return {}
    marks = ", ".join("?" * len(fact_ids))
    cursor.execute(
        f"SELECT fact_id, version, known_from, known_from_at, change, reason FROM {prefix}_versions "
        f"WHERE fact_id IN ({marks}) AND known_from <= ? ORDER BY fact_id, version",
        (*fact_ids, known_at),
    )
    versions: dict[str, list[dict[str, Any]]] = {}
    for fact_id, version, position, at, change, reason in cursor.fetchall():
        versions.setdefault(fact_id, []).append(
            {"version": version, "position": position, "recorded_at": at, "change": change, "reason": reason}
        )
    return versions


def position_known_at(cursor: Cursor, prefix: str, instant: str) -> int:
    """The last fact position recorded at or before a UTC instant (ISO 8601)."""
    cursor.execute(f"SELECT MAX(known_from) FROM {prefix}_versions WHERE known_from_at <= ?", (instant,))
    return cursor.fetchone()[0] or 0


def subjects(cursor: Cursor, prefix: str, kind: str | None, known_at: int) -> list[tuple[str, int]]:
    """Subjects named by facts known at `known_at`, with how many facts name each."""
    like = f"{kind}/%" if kind else "%"
    cursor.execute(
        f"SELECT r.subject, COUNT(*) FROM {prefix}_refs r JOIN {prefix}_versions v "
        f"ON v.fact_id = r.fact_id AND v.version = r.version "
        f"WHERE r.subject LIKE ? AND v.retracted = 0 AND {_KNOWN_AT} GROUP BY r.subject ORDER BY r.subject",
        (like, known_at, known_at),
    )
    return [(subject, count) for subject, count in cursor.fetchall()]


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in _COLUMNS.split(","))


def _state(row: tuple[Any, ...]) -> FactState:
    (fact_id, version, known_from, known_from_at, first_position, first_recorded_at, change, reason,
     retracted, fact_type, subject, occurred, lower, upper, source_kind, document, body) = row
    return FactState(
        id=fact_id, version=version, known_from=known_from, known_from_at=known_from_at,
        position=first_position, recorded_at=first_recorded_at, change=change, reason=reason,
        retracted=bool(retracted), type=fact_type, subject=subject,
        occurred=ValidTime(occurred, dt.date.fromisoformat(lower), dt.date.fromisoformat(upper)),
        source_kind=source_kind, document=document, body=orjson.loads(body),
    )
