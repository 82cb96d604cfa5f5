"""Each subject's default status (no `as_of`, `known_at` or `reported_by`), kept with the facts' rows as a ready answer.

The default status is the read most asked for; computing it costs a dozen or more queries. So the `facts`
projection keeps, per subject id the log names, the answer `projections.status.status_answer` gives at the
view's position (without the envelope, which says the position), and `Views.status` reads it in one query.

It stays a projection of the log, by the same rule as the computed answer. After each batch it computes again
the answers of every subject the batch may have moved (`affected`), and of all of them when the batch defined or
revised a framework, redacted a fact or touched a merge of subject ids; when the log's latest day moved on,
of those awaiting a decision by an expected date (whether it is overdue depends on that day). A rebuild fills
the table once its replay is done, from every subject at once; the model-based tests compare the two.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from projections import fact_queries
from projections.fact_queries import Seen
from projections.fact_tables import (
    CORRECTED,
    DOCUMENT_WITHDRAWN,
    FACT_REDACTED,
    FRAMEWORK_DEFINED,
    FRAMEWORK_REVISED,
    RECORDED,
    RETRACTED,
    fact_id_of,
)
from projections.status import status_answer
from projections.store import Cursor, one_row
from timeline.redactions import is_tombstone
from timeline.references import references

DECISIONS = ("decision.pending", "decision.made")
EVERY_SUBJECT = (FRAMEWORK_DEFINED, FRAMEWORK_REVISED, FACT_REDACTED)  # events that may move any subject's status


def create_table(cursor: Cursor, prefix: str) -> None:
    # `expecting`: the answer lists a pending decision with an expected date, so it moves with the log's latest day.
    cursor.execute(f"CREATE TABLE {prefix}_ready (subject TEXT PRIMARY KEY, answer TEXT NOT NULL, expecting INTEGER NOT NULL)")
    # One row: the position the projection has applied, the latest day it knew then, and whether the answers are
    # kept batch by batch (a rebuild's replay leaves them to the fill at its end).
    cursor.execute(f"CREATE TABLE {prefix}_ready_state (position BIGINT NOT NULL, last_day TEXT, kept INTEGER NOT NULL)")
    cursor.execute(f"INSERT INTO {prefix}_ready_state VALUES (0, NULL, 0)")


def read(cursor: Cursor, prefix: str, subject: str) -> dict[str, Any] | None:
    """A subject id's ready default status, or None when there is none (no fact names it)."""
    cursor.execute(f"SELECT answer FROM {prefix}_ready WHERE subject = ?", (subject,))
    row = cursor.fetchone()
    return None if row is None else dict(orjson.loads(row[0]))


def fill(cursor: Cursor, prefix: str) -> None:
    """Compute every subject's answer at the position applied, and keep them from now on (after a rebuild's replay,
    or on a new, empty, generation)."""
    position, _, _ = _state(cursor, prefix)
    _store_all(cursor, prefix, position)
    day = fact_queries.last_day(cursor, prefix, Seen(position))
    cursor.execute(f"UPDATE {prefix}_ready_state SET last_day = ?, kept = 1", (day.isoformat() if day else None,))


def refresh(cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
    """After a batch: the answers of every subject it may have moved, computed again at its last position."""
    position = entries[-1].position
    _, last_day, kept = _state(cursor, prefix)
    cursor.execute(f"UPDATE {prefix}_ready_state SET position = ?", (position,))
    if not kept:
        return
    seen = _seen(cursor, prefix, position)
    day = fact_queries.last_day(cursor, prefix, seen)
    today = day.isoformat() if day else None
    if today != last_day:
        cursor.execute(f"UPDATE {prefix}_ready_state SET last_day = ?", (today,))
    facts: set[str] = set()
    documents: list[str] = []
    for entry in entries:
        if is_tombstone(entry.state):
            continue
        if entry.topic in EVERY_SUBJECT:
            _store_all(cursor, prefix, position)
            return
        if entry.topic in (RECORDED, CORRECTED, RETRACTED):
            facts.add(fact_id_of(entry))
        elif entry.topic == DOCUMENT_WITHDRAWN:
            documents.append(orjson.loads(entry.state)["slug"])
    if _any_merge(cursor, prefix, facts):
        _store_all(cursor, prefix, position)
        return
    subjects = affected(cursor, prefix, seen, facts, documents)
    if today != last_day:
        cursor.execute(f"SELECT subject FROM {prefix}_ready WHERE expecting = 1")
        subjects.update(row[0] for row in cursor.fetchall())
    _store(cursor, prefix, seen, subjects)


def affected(cursor: Cursor, prefix: str, seen: Seen, fact_ids: Iterable[str], documents: Iterable[str]) -> set[str]:
    """Every subject whose default status may read one of these facts (or a fact citing one of these documents), in
    any of their versions: a status reads the facts naming its subject, those joined to them by chains of disputes
    and supports, every decision fact about a decision one of those is about, and the names of every subject any
    of them names. So: the subjects named by the facts' link closure, by the decision facts about decisions those
    are about, and, for a name, the same of every fact naming the named subject; a subject under any of its ids."""
    ids = set(fact_ids)
    documents = list(documents)
    if documents:
        cursor.execute(
            f"SELECT DISTINCT fact_id FROM {prefix}_links WHERE kind = 'cites' AND other IN (SELECT key FROM json_each(?))",
            (_keys(documents),),
        )
        ids.update(row[0] for row in cursor.fetchall())
    ids = _link_closure(cursor, prefix, ids)
    cursor.execute(
        f"SELECT DISTINCT subject FROM {prefix}_versions WHERE type = 'subject.named' AND fact_id IN (SELECT key FROM json_each(?))",
        (_keys(ids),),
    )
    named = _every_id(seen, [row[0] for row in cursor.fetchall()])
    if named:
        cursor.execute(f"SELECT DISTINCT fact_id FROM {prefix}_refs WHERE subject IN (SELECT key FROM json_each(?))", (_keys(named),))
        ids = _link_closure(cursor, prefix, ids | {row[0] for row in cursor.fetchall()})
    # Read by the versions' primary key and named as the refs table names them (it has no index by fact).
    keyed = _keys(ids)
    cursor.execute(f"SELECT type, subject, body FROM {prefix}_versions WHERE fact_id IN (SELECT key FROM json_each(?))", (keyed,))
    versions = cursor.fetchall()
    subjects = _named_by(versions)
    decisions = _every_id(seen, [subject for fact_type, subject, _ in versions if fact_type in DECISIONS])
    if decisions:
        cursor.execute(
            f"SELECT v.type, v.subject, v.body FROM {prefix}_refs r JOIN {prefix}_versions v ON v.fact_id = r.fact_id "
            "AND v.version = r.version WHERE r.subject IN (SELECT key FROM json_each(?)) AND r.type IN ('decision.pending', 'decision.made')",
            (_keys(decisions),),
        )
        subjects |= _named_by(cursor.fetchall())
    return subjects


def _named_by(versions: Iterable[tuple[Any, ...]]) -> set[str]:
    """Every subject these versions (type, subject, body) name."""
    named = set()
    for fact_type, subject, body in versions:
        content = orjson.loads(body)
        named.update(references(fact_type, subject, content["mentions"], content["data"]))
    return named


def _every_id(seen: Seen, subjects: Iterable[str]) -> set[str]:
    """Every id of the subjects these ids name."""
    return {name for subject in subjects for name in seen.names_of(subject)}


def answered_anew(cursor: Cursor, prefix: str) -> dict[str, tuple[str, int]]:
    """The rows every subject would have if every answer were computed again now, by subject (for checking them)."""
    position, _, _ = _state(cursor, prefix)
    return {subject: (orjson.dumps(answer).decode(), expecting) for subject, answer, expecting in _answers(cursor, prefix, _seen(cursor, prefix, position), _named(cursor, prefix))}


def _store_all(cursor: Cursor, prefix: str, position: int) -> None:
    cursor.execute(f"DELETE FROM {prefix}_ready")  # a redaction may have left a subject no fact names
    _store(cursor, prefix, _seen(cursor, prefix, position), _named(cursor, prefix))


def _store(cursor: Cursor, prefix: str, seen: Seen, subjects: set[str]) -> None:
    rows = [(subject, orjson.dumps(answer).decode(), expecting) for subject, answer, expecting in _answers(cursor, prefix, seen, subjects)]
    if not rows:
        return
    cursor.execute(f"DELETE FROM {prefix}_ready WHERE subject IN (SELECT key FROM json_each(?))", (_keys(row[0] for row in rows),))
    cursor.executemany(f"INSERT INTO {prefix}_ready VALUES (?, ?, ?)", rows)


def _answers(cursor: Cursor, prefix: str, seen: Seen, subjects: set[str]) -> list[tuple[str, dict[str, Any], int]]:
    """(id, answer, expecting) for every id naming the subjects these ids name: an id merged into another answers
    for that one, so the ids of one subject move together."""
    frameworks = fact_queries.frameworks(cursor, prefix, seen.position)
    rows = []
    for subject in sorted({seen.subject_of(subject) for subject in subjects}):
        answer = status_answer(cursor, prefix, subject, seen, None, frameworks)
        expecting = int(any(pending["expected"] for pending in answer["pending_decisions"]))
        rows += [(name, answer, expecting) for name in seen.names_of(subject)]
    return rows


def _named(cursor: Cursor, prefix: str) -> set[str]:
    cursor.execute(f"SELECT DISTINCT subject FROM {prefix}_refs")
    return {row[0] for row in cursor.fetchall()}


def _seen(cursor: Cursor, prefix: str, position: int) -> Seen:
    seen = Seen(position, None, fact_queries.withdrawn_documents(cursor, prefix, position, None))
    return dataclasses.replace(seen, merged=fact_queries.merges(cursor, prefix, seen))


def _state(cursor: Cursor, prefix: str) -> tuple[int, str | None, int]:
    cursor.execute(f"SELECT position, last_day, kept FROM {prefix}_ready_state")
    position, last_day, kept = one_row(cursor)
    return int(position), last_day, int(kept)


def _any_merge(cursor: Cursor, prefix: str, fact_ids: set[str]) -> bool:
    """Whether any version of these facts merges subject ids: every subject's ids may then have moved."""
    if not fact_ids:
        return False
    cursor.execute(
        f"SELECT 1 FROM {prefix}_versions WHERE type = 'subject.merged' AND fact_id IN (SELECT key FROM json_each(?)) LIMIT 1",
        (_keys(fact_ids),),
    )
    return cursor.fetchone() is not None


def _link_closure(cursor: Cursor, prefix: str, ids: set[str]) -> set[str]:
    """These facts and every fact joined to them by a chain of disputes and supports, either way, in any version."""
    closure, frontier = set(ids), set(ids)
    while frontier:
        keyed = _keys(frontier)
        cursor.execute(
            f"SELECT other FROM {prefix}_links WHERE kind <> 'cites' AND fact_id IN (SELECT key FROM json_each(?)) UNION "
            f"SELECT fact_id FROM {prefix}_links WHERE kind <> 'cites' AND other IN (SELECT key FROM json_each(?))",
            (keyed, keyed),
        )
        frontier = {row[0] for row in cursor.fetchall()} - closure
        closure |= frontier
    return closure


def _keys(values: Iterable[Any]) -> str:
    """A set as one JSON parameter, unpacked by json_each (the same SQL on SQLite and PostgreSQL)."""
    return orjson.dumps(dict.fromkeys(sorted(values), 0)).decode()
