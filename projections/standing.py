"""Where each claim stands now, stored with the facts' rows: the standing rule's answer kept as data.

Tools that read the database (Datasette, `sqlite3`, `psql`) see it through the stable SQL views
(`projections/sql_views.py`) without the rule being written again in SQL. It is what
`projections.claims.claims_in_effect` says of every claim as the log stands at the view's position,
with no `as_of` and no `reported_by`: withdrawn documents and merged subject ids as seen then.

It stays a projection of the log. After each batch, the claims the batch may have moved are judged
again, whole groups at a time: the facts it recorded, corrected, retracted or redacted (with those a
redacted one competed with, read before its rows go), those citing a document it withdrew, every
fact naming a subject a merge joins when it touched a merge; then every claim competing with those
(the same rating or figure slot, before and after a correction, and chains of disputes and supports),
read as seen and handed to the one rule. A rebuild judges every fact the same way once its tables are
filled and indexed, a part at a time (`FactsProjection.settle`), and ends with the same rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from projections import fact_queries
from projections.claims import Standing, natural_slot, rating_slot, standings
from projections.fact_queries import FactState, Seen
from projections.store import Cursor

LIMIT = 100_000  # facts judged again after one batch: a group joined by more links is judged on what was read


def create_table(cursor: Cursor, prefix: str) -> None:
    # `disputed_by` holds the ids of the claims disputing it, as a JSON array.
    cursor.execute(
        f"CREATE TABLE {prefix}_standing (fact_id TEXT PRIMARY KEY, subject TEXT NOT NULL, stands INTEGER NOT NULL, "
        "standing TEXT NOT NULL, disputes INTEGER NOT NULL, disputed_by TEXT NOT NULL)"
    )


def restand(cursor: Cursor, prefix: str, position: int, fact_ids: Iterable[str], documents: Iterable[str]) -> None:
    """Judge again every claim competing with these facts (and with those citing these withdrawn documents)."""
    ids = set(fact_ids)
    documents = list(documents)
    if documents:
        cursor.execute(
            f"SELECT DISTINCT fact_id FROM {prefix}_links WHERE kind = 'cites' AND other IN (SELECT key FROM json_each(?))",
            (_keys(documents),),
        )
        ids.update(row[0] for row in cursor.fetchall())
    if not ids:
        return
    seen = Seen(position, None, fact_queries.withdrawn_documents(cursor, prefix, position, None))
    seen = dataclasses.replace(seen, merged=fact_queries.merges(cursor, prefix, seen))
    ids |= _merged_subjects_facts(cursor, prefix, ids)
    # What any version of these facts competed with: its slots, and the facts it linked or was linked from.
    keyed = _keys(ids)
    cursor.execute(f"SELECT subject, pillar, inspection FROM {prefix}_claims WHERE fact_id IN (SELECT key FROM json_each(?))", (keyed,))
    slots = {tuple(row) for row in cursor.fetchall()}
    cursor.execute(
        f"SELECT other FROM {prefix}_links WHERE kind <> 'cites' AND fact_id IN (SELECT key FROM json_each(?)) UNION "
        f"SELECT fact_id FROM {prefix}_links WHERE kind <> 'cites' AND other IN (SELECT key FROM json_each(?))",
        (keyed, keyed),
    )
    ids.update(row[0] for row in cursor.fetchall())
    # Ratings are read by their slots (every version's, from the claims table); other claims by id.
    unslotted = fact_queries.states_by_id(cursor, prefix, _unslotted_claims_among(cursor, prefix, ids), seen)
    judged = _group_closure(cursor, prefix, seen, unslotted, slots)
    claims = standings(judged.values(), None)
    cursor.execute(f"DELETE FROM {prefix}_standing WHERE fact_id IN (SELECT key FROM json_each(?))", (_keys(ids | set(judged)),))
    rows = [_row(judged[fact_id], claim) for fact_id, claim in claims.items() if _is_claim(judged[fact_id], claim)]
    if rows:
        cursor.executemany(f"INSERT INTO {prefix}_standing VALUES (?, ?, ?, ?, ?, ?)", rows)


def competitors(cursor: Cursor, prefix: str, fact_id: str) -> set[str]:
    """A fact and those it competed with, in any version (its slots' claims, its figures' subject's figures, the facts
    it linked or was linked from): read before a redaction deletes its rows, so that they are judged again without it."""
    cursor.execute(
        f"SELECT o.fact_id FROM {prefix}_claims c JOIN {prefix}_claims o "
        "ON o.subject = c.subject AND o.pillar = c.pillar AND o.inspection = c.inspection WHERE c.fact_id = ? UNION "
        f"SELECT o.fact_id FROM {prefix}_refs r JOIN {prefix}_refs o ON o.subject = r.subject AND o.type = r.type "
        "WHERE r.fact_id = ? AND r.type = 'figure.reported' UNION "
        f"SELECT other FROM {prefix}_links WHERE kind <> 'cites' AND fact_id = ? UNION "
        f"SELECT fact_id FROM {prefix}_links WHERE kind <> 'cites' AND other = ?",
        (fact_id, fact_id, fact_id, fact_id),
    )
    return {fact_id, *(row[0] for row in cursor.fetchall())}


def judged_anew(cursor: Cursor, prefix: str, position: int) -> dict[str, tuple[Any, ...]]:
    """The rows `restand` would store if every fact were judged again at once, by fact id (for checking it)."""
    seen = Seen(position, None, fact_queries.withdrawn_documents(cursor, prefix, position, None))
    seen = dataclasses.replace(seen, merged=fact_queries.merges(cursor, prefix, seen))
    cursor.execute(f"SELECT DISTINCT fact_id FROM {prefix}_versions WHERE known_from <= ?", (position,))
    states = {s.id: s for s in fact_queries.states_by_id(cursor, prefix, [row[0] for row in cursor.fetchall()], seen)}
    claims = standings(states.values(), None)
    return {fact_id: _row(states[fact_id], claim) for fact_id, claim in claims.items() if _is_claim(states[fact_id], claim)}


def _merged_subjects_facts(cursor: Cursor, prefix: str, ids: set[str]) -> set[str]:
    """When a merge is among the facts, every fact naming a subject any merge joins: their slots may have moved."""
    cursor.execute(
        f"SELECT 1 FROM {prefix}_versions WHERE type = 'subject.merged' AND fact_id IN (SELECT key FROM json_each(?)) LIMIT 1",
        (_keys(ids),),
    )
    if cursor.fetchone() is None:
        return set()
    cursor.execute(f"SELECT subject, body FROM {prefix}_versions WHERE type = 'subject.merged'")
    subjects = {name for subject, body in cursor.fetchall() for name in (subject, orjson.loads(body)["data"]["into"])}
    cursor.execute(f"SELECT DISTINCT fact_id FROM {prefix}_refs WHERE subject IN (SELECT key FROM json_each(?))", (_keys(subjects),))
    return {row[0] for row in cursor.fetchall()}


def _unslotted_claims_among(cursor: Cursor, prefix: str, ids: set[str]) -> set[str]:
    """Those of these facts, other than ratings, that may be claims: figures, and facts linked (in any version) to
    another. The rest stand alone whatever happens and are never stored: judging them would only cost."""
    cursor.execute(
        f"SELECT fact_id FROM {prefix}_versions WHERE fact_id IN (SELECT key FROM json_each(?)) AND type = 'figure.reported' UNION "
        f"SELECT fact_id FROM {prefix}_links WHERE kind <> 'cites' AND fact_id IN (SELECT key FROM json_each(?)) UNION "
        f"SELECT other FROM {prefix}_links WHERE kind <> 'cites' AND other IN (SELECT key FROM json_each(?))",
        (_keys(ids), _keys(ids), _keys(ids)),
    )
    return {row[0] for row in cursor.fetchall()}


def _group_closure(
    cursor: Cursor, prefix: str, seen: Seen, states: list[FactState], slots: set[tuple[Any, ...]]
) -> dict[str, FactState]:
    """These facts, the ratings in these slots, and every fact competing with them, transitively: by rating or
    figure slot, and by links."""
    judged = {s.id: s for s in states}
    frontier, pending, read = list(states), set(slots), set[tuple[Any, ...]]()
    while (frontier or pending) and len(judged) < LIMIT:
        pending |= {rating_slot(s) for s in frontier if s.type == "rating.published"}
        pending -= read
        found = fact_queries.claims_in_slots(cursor, prefix, sorted(pending), seen, None)
        read |= pending
        for subject in sorted({s.subject for s in frontier if s.type == "figure.reported"}):
            found += fact_queries.naming(cursor, prefix, subject, seen, ("figure.reported",))
        found += fact_queries.linked_once(cursor, prefix, frontier, seen)
        pending = set()
        frontier = [s for s in {s.id: s for s in found}.values() if s.id not in judged]
        judged.update((s.id, s) for s in frontier)
    return judged


def _is_claim(state: FactState, claim: Standing) -> bool:
    """A claim: about a slot sources can disagree on, or in a group with others (disputing, supporting, disputed)."""
    return natural_slot(state) is not None or bool(claim.disputed_by) or not claim.stands or bool(state.disputes or state.supports)


def _row(state: FactState, claim: Standing) -> tuple[Any, ...]:
    standing = claim.standing.id if claim.standing is not None else state.id
    disputed_by = orjson.dumps([c.id for c in claim.disputed_by]).decode()
    return (state.id, state.subject, int(claim.stands), standing, int(claim.disputes), disputed_by)


def _keys(values: Iterable[Any] | Sequence[Any]) -> str:
    """A set as one JSON parameter, unpacked by json_each (the same SQL on SQLite and PostgreSQL)."""
    return orjson.dumps(dict.fromkeys(sorted(values), 0)).decode()
