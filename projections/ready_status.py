"""Each subject's default status (no `as_of`, `known_at` or `reported_by`), kept with the facts' rows as a ready answer.

The default status is the read most asked for; computing it costs a dozen or more queries. So the `facts`
projection keeps, per subject id the log names, the answer `projections.status.status_answer` gives (without the
envelope, which says the position), and `Views.status` reads it in one query while it is valid.

Keeping it is split in two, so that SQLite's one write lock is never held to compute a status:

- a batch only marks (`mark`, in its own transaction): each subject it may have moved gets `touched_at`, the
  batch's position; a batch that may move every subject (a framework defined or revised, a fact redacted, a merge
  of subject ids touched) moves `everyone_at`, and one that moves the log's latest day moves `day_moved_at`, which
  counts for the answers awaiting a decision by an expected date (overdue is judged against that day);
- once the view has caught up, the runner refreshes (`recompute` in a read transaction, then `store` in a short
  write one): a stale subject's answer computed at the position read, stored with that position as its
  `computed_at` unless a later one is stored already.

A row is valid while its `computed_at` is at or past all three marks: no batch since has moved what it says, so
it is the answer computing it now gives. A reader, in one snapshot, sees a position and the marks it made: an
answer computed before a batch that moved it is stale beside that batch's position, and the read computes it.
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
# Subjects a refresh computes per part (a few milliseconds each): the keeper catches up between parts, so new
# writes reach the views without waiting for a whole refresh.
REFRESHED_PER_PART = 32
# The one condition of a valid row (r: the subject's row, s: the marks), shared by readers and the refresh.
VALID = "r.computed_at >= r.touched_at AND r.computed_at >= s.everyone_at AND (r.expecting = 0 OR r.computed_at >= s.day_moved_at)"

Answer = tuple[str, str | None, int]  # (subject id, its answer as JSON or None when no fact names it now, expecting)


def create_table(cursor: Cursor, prefix: str) -> None:
    # `expecting`: the answer lists a pending decision with an expected date, so it moves with the log's latest day.
    cursor.execute(
        f"CREATE TABLE {prefix}_ready (subject TEXT PRIMARY KEY, answer TEXT, expecting INTEGER NOT NULL DEFAULT 0, "
        "computed_at BIGINT NOT NULL DEFAULT 0, touched_at BIGINT NOT NULL)"
    )
    # One row: the marks that stale many subjects at once, and the latest day as of the last batch.
    cursor.execute(f"CREATE TABLE {prefix}_ready_state (everyone_at BIGINT NOT NULL, day_moved_at BIGINT NOT NULL, last_day TEXT)")
    cursor.execute(f"INSERT INTO {prefix}_ready_state VALUES (0, 0, NULL)")


def read(cursor: Cursor, prefix: str, generation: int, subject: str) -> tuple[int, dict[str, Any]] | None:
    """The facts view's position and a subject id's ready default status, in one statement, if the generation with
    this prefix is live and the answer valid; else None (the caller computes it)."""
    cursor.execute(
        f"SELECT t.position, (SELECT r.answer FROM {prefix}_ready r, {prefix}_ready_state s WHERE r.subject = ? AND {VALID}) "
        "FROM view_tracking t WHERE t.view = 'facts' AND t.active = 1 AND t.generation = ?",
        (subject, generation),
    )
    row = cursor.fetchone()
    return None if row is None or row[1] is None else (row[0], dict(orjson.loads(row[1])))


def mark(cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
    """In a batch's transaction: mark stale the answers of every subject it may have moved (computing none)."""
    position = entries[-1].position
    facts: set[str] = set()
    documents: list[str] = []
    everyone = False
    for entry in entries:
        if is_tombstone(entry.state):
            continue
        everyone = everyone or entry.topic in EVERY_SUBJECT
        if entry.topic in (RECORDED, CORRECTED, RETRACTED):
            facts.add(fact_id_of(entry))
        elif entry.topic == DOCUMENT_WITHDRAWN:
            documents.append(orjson.loads(entry.state)["slug"])
    _mark_day(cursor, prefix, entries[0].position, position, everyone)
    if everyone or _any_merge(cursor, prefix, facts):
        cursor.execute(f"UPDATE {prefix}_ready_state SET everyone_at = ?", (position,))
        subjects = _named_by(_versions(cursor, prefix, facts))  # only for their rows: every answer is stale already
    elif facts or documents:
        subjects = affected(cursor, prefix, _seen(cursor, prefix, position), facts, documents)
    else:
        subjects = set()
    _touch(cursor, prefix, subjects, position)


def _mark_day(cursor: Cursor, prefix: str, first: int, position: int, everyone: bool) -> None:
    """Move `day_moved_at` if the batch moved the log's latest day. Versions only add days (a retraction keeps its
    version's), so the batch's own rows tell, read by position; only a redaction takes days away (and stales
    every answer): then the day is read whole."""
    cursor.execute(f"SELECT last_day FROM {prefix}_ready_state")
    last_day = one_row(cursor)[0]
    if everyone:
        day = fact_queries.last_day(cursor, prefix, Seen(position))
        today = day.isoformat() if day else None
    else:
        # Not MAX(): SQLite would read it down the index on days, past every older version, to the batch's first.
        cursor.execute(f"SELECT occurred_upper FROM {prefix}_versions WHERE known_from >= ?", (first,))
        today = max(filter(None, (last_day, *(row[0] for row in cursor.fetchall()))), default=None)
    if today != last_day:
        cursor.execute(f"UPDATE {prefix}_ready_state SET last_day = ?, day_moved_at = ?", (today, position))


def mark_everyone(cursor: Cursor, prefix: str, position: int) -> None:
    """After a rebuild's fill, which marks nothing: every subject the log names, stale at its position."""
    cursor.execute(
        f"INSERT INTO {prefix}_ready (subject, touched_at) SELECT DISTINCT subject, CAST(? AS BIGINT) FROM {prefix}_refs", (position,)
    )
    day = fact_queries.last_day(cursor, prefix, Seen(position))
    cursor.execute(f"UPDATE {prefix}_ready_state SET last_day = ?", (day.isoformat() if day else None,))


def recompute(cursor: Cursor, prefix: str, position: int) -> tuple[list[Answer], bool]:
    """In a read transaction at the view's position: the answers of up to REFRESHED_PER_PART stale subjects, and
    whether there may be more."""
    cursor.execute(
        f"SELECT r.subject FROM {prefix}_ready r, {prefix}_ready_state s WHERE NOT ({VALID}) ORDER BY r.subject LIMIT ?",
        (REFRESHED_PER_PART,),
    )
    stale = [row[0] for row in cursor.fetchall()]
    if not stale:
        return [], False
    answers = _answers(cursor, prefix, _seen(cursor, prefix, position), stale)
    return answers, len(stale) == REFRESHED_PER_PART


def store(cursor: Cursor, prefix: str, position: int, answers: Sequence[Answer]) -> None:
    """In a short write transaction: keep answers computed at `position`, unless one computed later is kept already
    (the marks are the batches' alone: an answer a batch moved since stays stale)."""
    kept = [(answer, expecting, position, subject, position) for subject, answer, expecting in answers if answer is not None]
    if kept:
        cursor.executemany(f"UPDATE {prefix}_ready SET answer = ?, expecting = ?, computed_at = ? WHERE subject = ? AND computed_at < ?", kept)
    # A subject no fact names any more (a redaction took its last) has no row, as after a rebuild; one named again since keeps its mark.
    gone = [(subject, position) for subject, answer, _ in answers if answer is None]
    if gone:
        cursor.executemany(f"DELETE FROM {prefix}_ready WHERE subject = ? AND touched_at <= ?", gone)


def answered_anew(cursor: Cursor, prefix: str, position: int) -> dict[str, tuple[str | None, int]]:
    """The answer and `expecting` each subject with a row would have if computed now, by subject (for checking)."""
    cursor.execute(f"SELECT subject FROM {prefix}_ready")
    subjects = [row[0] for row in cursor.fetchall()]
    return {subject: (answer, expecting) for subject, answer, expecting in _answers(cursor, prefix, _seen(cursor, prefix, position), subjects)}


def valid(cursor: Cursor, prefix: str) -> dict[str, tuple[str | None, int]]:
    """The valid rows' answers and `expecting`, by subject (for checking)."""
    cursor.execute(f"SELECT r.subject, r.answer, r.expecting FROM {prefix}_ready r, {prefix}_ready_state s WHERE {VALID}")
    return {subject: (answer, expecting) for subject, answer, expecting in cursor.fetchall()}


def _answers(cursor: Cursor, prefix: str, seen: Seen, subjects: Iterable[str]) -> list[Answer]:
    """Each id's answer: an id merged into another answers for that one, computed once for all its ids."""
    frameworks = fact_queries.frameworks(cursor, prefix, seen.position)
    computed: dict[str, tuple[str, int]] = {}
    answers: list[Answer] = []
    for subject in subjects:
        if not fact_queries.is_named(cursor, prefix, subject):
            answers.append((subject, None, 0))  # a redaction took its last fact: the read says it is unknown
            continue
        into = seen.subject_of(subject)
        if into not in computed:
            answer = status_answer(cursor, prefix, into, seen, None, frameworks)
            computed[into] = (orjson.dumps(answer).decode(), int(any(pending["expected"] for pending in answer["pending_decisions"])))
        answers.append((subject, *computed[into]))
    return answers


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
    versions = _versions(cursor, prefix, ids)
    subjects = _named_by(versions)
    decisions = _every_id(seen, [subject for fact_type, subject, _ in versions if fact_type in DECISIONS])
    if decisions:
        cursor.execute(
            f"SELECT v.type, v.subject, v.body FROM {prefix}_refs r JOIN {prefix}_versions v ON v.fact_id = r.fact_id "
            "AND v.version = r.version WHERE r.subject IN (SELECT key FROM json_each(?)) AND r.type IN ('decision.pending', 'decision.made')",
            (_keys(decisions),),
        )
        subjects |= _named_by(cursor.fetchall())
    return _every_id(seen, subjects)


def _versions(cursor: Cursor, prefix: str, fact_ids: Iterable[str]) -> list[tuple[Any, ...]]:
    """(type, subject, body) of every version of these facts, read by the versions' primary key (refs has no index by fact)."""
    cursor.execute(f"SELECT type, subject, body FROM {prefix}_versions WHERE fact_id IN (SELECT key FROM json_each(?))", (_keys(fact_ids),))
    return list(cursor.fetchall())


def _named_by(versions: Iterable[tuple[Any, ...]]) -> set[str]:
    """Every subject these versions (type, subject, body) name, as the refs table names them."""
    named = set()
    for fact_type, subject, body in versions:
        content = orjson.loads(body)
        named.update(references(fact_type, subject, content["mentions"], content["data"]))
    return named


def _every_id(seen: Seen, subjects: Iterable[str]) -> set[str]:
    """Every id of the subjects these ids name."""
    return {name for subject in subjects for name in seen.names_of(subject)}


def _touch(cursor: Cursor, prefix: str, subjects: set[str], position: int) -> None:
    if subjects:
        # `WHERE true`: SQLite's parser needs it before ON CONFLICT after a SELECT.
        cursor.execute(
            f"INSERT INTO {prefix}_ready (subject, touched_at) SELECT key, CAST(? AS BIGINT) FROM json_each(?) WHERE true "
            "ON CONFLICT (subject) DO UPDATE SET touched_at = excluded.touched_at",
            (position, _keys(subjects)),
        )


def _seen(cursor: Cursor, prefix: str, position: int) -> Seen:
    seen = Seen(position, None, fact_queries.withdrawn_documents(cursor, prefix, position, None))
    return dataclasses.replace(seen, merged=fact_queries.merges(cursor, prefix, seen))


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
