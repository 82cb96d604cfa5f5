"""The reads on the `facts` projection's tables (`projections/fact_tables.py`): which version of each fact
a read sees (`Seen`), and the queries the views ask, each returning facts as they stood (`FactState`).

Each query selects in SQL exactly the rows it promises (known at the position, reported by the day, in
effect by `as_of`, of a type, in a slot): the rules in Python do not filter again what a query guarantees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson

from projections.fact_tables import COLUMNS, NOT_REVISED
from projections.store import Cursor, dialect_of, one_row
from timeline.codec import FactBody
from timeline.dates import ValidTime
from timeline.references import references, subject_fields


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
    earliest: dt.date  # the first and last day `occurred` may mean (timeline.dates.possible_days)
    latest: dt.date
    published: str  # last day of the source's publication (ISO)
    revised_from: str  # the day the source's revision giving this version appeared, or NOT_REVISED
    source_kind: str  # its most authoritative source's kind
    body: FactBody
    because: str | None = None  # why this version changed the fact (None for the first)
    withdrawn: tuple[str, ...] = ()  # documents it cites that their sources have withdrawn, as seen

    @property
    def discredited(self) -> bool:
        """Every source it cites was withdrawn by its publisher: kept and shown, but it no longer counts
        (another fact that supports it still can)."""
        return bool(self.withdrawn) and all(s.get("document") in self.withdrawn for s in self.sources)

    @property
    def data(self) -> dict[str, Any]:
        return self.body["data"]

    @property
    def source(self) -> dict[str, Any]:
        return self.body["source"]

    @property
    def sources(self) -> list[dict[str, Any]]:
        """Every source reporting the fact, the first being `source`."""
        return self.body.get("sources") or [self.body["source"]]

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(s["document"] for s in self.sources if "document" in s))

    @property
    def mentions(self) -> list[str]:
        return self.body["mentions"]

    @property
    def disputes(self) -> list[str]:
        return self.body.get("disputes", [])

    @property
    def supports(self) -> list[str]:
        return self.body.get("supports", [])

    @property
    def refs(self) -> list[str]:
        """Every subject this fact is about or names."""
        return references(self.type, self.subject, self.mentions, self.data)

    @cached_property
    def sort_key(self) -> tuple[str, str, int]:
        """Timeline order: valid time's lower bound, then upper bound, then log position."""
        return (self.occurred.lower.isoformat(), self.occurred.upper.isoformat(), self.position)



def withdrawn_documents(cursor: Cursor, prefix: str, position: int, reported_by: dt.date | None) -> frozenset[str]:
    """The documents whose sources had withdrawn them, as the log stood at `position` (and as reported by a day)."""
    public, params = ("AND public_from <= ?", (reported_by.isoformat(),)) if reported_by else ("", ())
    cursor.execute(f"SELECT document FROM {prefix}_withdrawn WHERE position <= ? {public}", (position, *params))
    return frozenset(row[0] for row in cursor.fetchall())


def _merged_into(body: dict[str, Any], fact_type: str, canonical: dict[str, str]) -> str:
    """Rewrite, in a fact's body as a view holds it, every subject id merged into another: views speak of
    the subject, whichever of its ids a source used. The log keeps what was written."""
    subject: str = canonical.get(body["subject"], body["subject"])
    body["subject"] = subject
    body["mentions"] = list(dict.fromkeys(canonical.get(m, m) for m in body["mentions"]))
    fields = subject_fields(fact_type)
    body["data"] = {k: canonical.get(v, v) if k in fields and isinstance(v, str) else v for k, v in body["data"].items()}
    return subject


def merges(cursor: Cursor, prefix: str, seen: Seen) -> tuple[tuple[str, str], ...]:
    """(alias, subject) for every subject.merged fact standing as seen, followed to the end of each chain;
    a merge that would close a loop is ignored (the earlier ones stand)."""
    known, known_params = seen.where()
    cursor.execute(
        f"SELECT v.subject, v.body FROM {prefix}_versions v WHERE v.type = 'subject.merged' AND v.retracted = 0 AND {known} "
        "ORDER BY v.known_from",
        known_params,
    )
    into: dict[str, str] = {}
    for alias, body in cursor.fetchall():
        target = orjson.loads(body)["data"]["into"]
        end = target
        while end in into:
            end = into[end]
        if end != alias and alias not in into:
            into[alias] = target
    resolved = {}
    for alias in into:
        end = alias
        while end in into:
            end = into[end]
        resolved[alias] = end
    return tuple(sorted(resolved.items()))



@dataclass(frozen=True)
class Seen:
    """Which version of each fact a read sees: the latest known at log position `position` and, when
    `reported_by` (a day) is given, the latest its source had made public by then; a fact whose
    source published it after that day is not seen at all."""

    position: int
    reported_by: dt.date | None = None
    withdrawn: frozenset[str] = frozenset()  # documents their sources had withdrawn, as seen: citing facts are flagged
    merged: tuple[tuple[str, str], ...] = ()  # (alias, subject) for every subject id merged into another, as seen

    @cached_property
    def canonical(self) -> dict[str, str]:
        return dict(self.merged)

    def subject_of(self, subject: str) -> str:
        """The subject an id names, once merges are followed: itself unless merged into another."""
        return self.canonical.get(subject, subject)

    def names_of(self, subject: str) -> list[str]:
        """Every id naming the subject an id names: the subject's own, then those merged into it."""
        found = self.subject_of(subject)
        return [found, *sorted(alias for alias, into in self.merged if into == found)]

    def subject_is(self, column: str, subject: str) -> tuple[str, list[Any]]:
        """SQL (and its parameters) for a subject column naming the subject `subject` names, under any of its ids."""
        names = self.names_of(subject)
        if len(names) == 1:
            return f"{column} = ?", names
        return f"{column} IN (SELECT key FROM json_each(?))", [orjson.dumps(dict.fromkeys(names, 0)).decode()]

    def where(self, alias: str = "v") -> tuple[str, tuple[Any, ...]]:
        v, position = alias, self.position
        if self.reported_by is None:
            return f"{v}.known_from <= ? AND ({v}.known_to IS NULL OR {v}.known_to > ?)", (position, position)
        day = self.reported_by.isoformat()
        # A version gives way to the next one only once that one is both known and public.
        return (
            (
                f"{v}.known_from <= ? AND ({v}.known_to IS NULL OR {v}.known_to > ? OR {v}.revised_to > ?) "
                f"AND {v}.revised_from <= ? AND {v}.published <= ?"
            ),
            (position, position, day, day, day),
        )


def is_named(cursor: Cursor, prefix: str, subject: str) -> bool:
    """Whether any fact the view holds has named the subject, in any version (retracted too), at any time."""
    cursor.execute(f"SELECT 1 FROM {prefix}_refs WHERE subject = ? LIMIT 1", (subject,))
    return cursor.fetchone() is not None


def states_referencing(cursor: Cursor, prefix: str, subject: str, seen: Seen) -> list[FactState]:
    """Facts about or naming a subject, each as seen."""
    where, params = seen.where()
    named, named_params = seen.subject_is("r.subject", subject)
    cursor.execute(
        f"SELECT {version_columns('v')} FROM {prefix}_refs r JOIN {prefix}_versions v "
        f"ON v.fact_id = r.fact_id AND v.version = r.version WHERE {named} AND {where}",
        (*named_params, *params),
    )
    return _distinct(fact_state(row, seen) for row in cursor.fetchall())


_V = "SELECT {columns} FROM {prefix}_{table} x JOIN {prefix}_versions v ON v.fact_id = x.fact_id AND v.version = x.version "
_ORDER = "x.occurred_lower{d}, x.occurred_upper{d}, x.first_position{d}"


def _certain(as_of: dt.date | None) -> tuple[str, tuple[Any, ...]]:
    """claims.effect(...) == "certain" as SQL: not retracted, and certainly happened by `as_of`.

    A date's lower bound is never after its latest possible day, so `x.occurred_lower <= as_of` adds nothing to
    the answer; it lets the (subject, ..., occurred_lower) indexes start at `as_of` instead of walking back to it
    from the newest fact (2,000 rows for a status as of a date mid-way through 100,000 events)."""
    if as_of is None:
        return "v.retracted = 0", ()
    day = as_of.isoformat()
    return "v.retracted = 0 AND v.latest <= ? AND x.occurred_lower <= ?", (day, day)


def timeline_page(cursor: Cursor, prefix: str, subject: str, seen: Seen, query: Any, limit: int) -> list[FactState]:
    """Up to `limit` facts naming a subject in timeline order, after `query.after`, filtered as the query says
    (facts possibly in effect by `as_of` included).

    Reads about `limit` rows through the (subject, valid time, position) index, however long the log.
    """
    known, known_params = seen.where()
    named, named_params = seen.subject_is("x.subject", subject)
    where, params = [named, known], [*named_params, *known_params]
    if not query.include_retracted:
        where.append("v.retracted = 0")
    if query.as_of is not None:
        where.append("v.earliest <= ?")
        params.append(query.as_of.isoformat())
    if query.types:
        where.append(f"x.type IN ({', '.join('?' * len(query.types))})")
        params.extend(sorted(query.types))
    if query.date_from is not None:
        where.append("x.occurred_upper >= ?")
        params.append(query.date_from.isoformat())
    if query.date_to is not None:
        where.append("x.occurred_lower <= ?")
        params.append(query.date_to.isoformat())
    if query.after is not None:
        where.append("(x.occurred_lower, x.occurred_upper, x.first_position) > (?, ?, ?)")
        params.extend(query.after)
    statement = _V.format(columns=version_columns("v"), prefix=prefix, table="refs")
    # A fact naming several of a merged subject's ids has a row for each: read enough rows for `limit` facts.
    rows = limit * len(seen.names_of(subject))
    cursor.execute(f"{statement} WHERE {' AND '.join(where)} ORDER BY {_ORDER.format(d='')} LIMIT ?", (*params, rows))
    return _distinct(fact_state(row, seen) for row in cursor.fetchall())[:limit]


def latest_naming(
    cursor: Cursor, prefix: str, subject: str, seen: Seen, fact_type: str, as_of: dt.date | None, limit: int,
    about: str | None = None,
) -> list[FactState]:
    """The latest facts of a type certainly in effect that name a subject (and are about `about`, if given), latest first."""
    effect, effect_params = _certain(as_of)
    known, known_params = seen.where()
    named, named_params = seen.subject_is("x.subject", subject)
    where, params = f"{named} AND x.type = ? AND {known} AND {effect}", [*named_params, fact_type, *known_params, *effect_params]
    if about is not None:
        about_sql, about_params = seen.subject_is("v.subject", about)
        where, params = f"{where} AND {about_sql}", [*params, *about_params]
    statement = _V.format(columns=version_columns("v"), prefix=prefix, table="refs")
    rows = limit * len(seen.names_of(subject))
    cursor.execute(f"{statement} WHERE {where} ORDER BY {_ORDER.format(d=' DESC')} LIMIT ?", (*params, rows))
    return _distinct(fact_state(row, seen) for row in cursor.fetchall())[:limit]


def latest_possible(cursor: Cursor, prefix: str, subject: str, seen: Seen, as_of: dt.date, limit: int) -> list[FactState]:
    """The latest facts naming a subject that may, but need not yet, have happened by `as_of`, latest first."""
    known, known_params = seen.where()
    statement = _V.format(columns=version_columns("v"), prefix=prefix, table="refs")
    day = as_of.isoformat()
    named, named_params = seen.subject_is("x.subject", subject)
    cursor.execute(
        f"{statement} WHERE {named} AND {known} AND v.retracted = 0 AND v.earliest <= ? AND x.latest > ? "
        f"ORDER BY {_ORDER.format(d=' DESC')} LIMIT ?",
        (*named_params, *known_params, day, day, limit * len(seen.names_of(subject))),
    )
    return _distinct(fact_state(row, seen) for row in cursor.fetchall())[:limit]


def naming(cursor: Cursor, prefix: str, subject: str, seen: Seen, fact_types: tuple[str, ...]) -> list[FactState]:
    """Every fact of these types naming a subject, as seen."""
    statement = _V.format(columns=version_columns("v"), prefix=prefix, table="refs")
    marks = ", ".join("?" * len(fact_types))
    known, known_params = seen.where()
    named, named_params = seen.subject_is("x.subject", subject)
    cursor.execute(f"{statement} WHERE {named} AND x.type IN ({marks}) AND {known}", (*named_params, *fact_types, *known_params))
    return _distinct(fact_state(row, seen) for row in cursor.fetchall())


def claims_before(
    cursor: Cursor, prefix: str, force: str, pillar: str, seen: Seen, as_of: dt.date | None,
    before: tuple[str, str, int] | None, limit: int,
) -> list[tuple[str, FactState]]:
    """Rating claims certainly in effect about a force's pillar, latest first, before a timeline key; with each one's inspection."""
    effect, effect_params = _certain(as_of)
    known, known_params = seen.where()
    named, named_params = seen.subject_is("x.subject", force)
    where, params = f"{named} AND x.pillar = ? AND {known} AND {effect}", [*named_params, pillar, *known_params, *effect_params]
    if before is not None:
        where += " AND (x.occurred_lower, x.occurred_upper, x.first_position) < (?, ?, ?)"
        params.extend(before)
    statement = _V.format(columns="x.inspection, " + version_columns("v"), prefix=prefix, table="claims")
    cursor.execute(f"{statement} WHERE {where} ORDER BY {_ORDER.format(d=' DESC')} LIMIT ?", (*params, limit))
    return [(row[0], fact_state(row[1:], seen)) for row in cursor.fetchall()]


def slot_claims(
    cursor: Cursor, prefix: str, force: str, pillar: str, inspection: str, seen: Seen, as_of: dt.date | None
) -> list[FactState]:
    """Every claim certainly in effect about one rating slot (force, pillar, inspection)."""
    effect, effect_params = _certain(as_of)
    known, known_params = seen.where()
    statement = _V.format(columns=version_columns("v"), prefix=prefix, table="claims")
    named, named_params = seen.subject_is("x.subject", force)
    cursor.execute(
        f"{statement} WHERE {named} AND x.pillar = ? AND x.inspection = ? AND {known} AND {effect}",
        (*named_params, pillar, inspection, *known_params, *effect_params),
    )
    return [fact_state(row, seen) for row in cursor.fetchall()]


def claims_in_slots(
    cursor: Cursor, prefix: str, slots: Sequence[tuple[str, str, str]], seen: Seen, as_of: dt.date | None
) -> list[FactState]:
    """Every claim certainly in effect about any of these rating slots (force, pillar, inspection), in one query.

    The slots travel as one JSON parameter, an array of [force, pillar, inspection], so the query has one shape
    however many slots there are (an OR per slot passed SQLite's expression depth limit of 1000 on a timeline of
    many inspections). Joined from the slots, not tested with IN: PostgreSQL estimates any set-returning function
    at 100 rows, and as a semi-join it planned a scan of every version (350 ms at 100,000 events, 0.5 as a join).
    """
    if not slots:
        return []
    wanted = sorted({(name, pillar, inspection) for subject, pillar, inspection in slots for name in seen.names_of(subject)})
    postgres = dialect_of(cursor) == "postgres"
    rows, item = ("json_array_elements", "t.value->>{}") if postgres else ("json_each", "json_extract(t.value, '$[{}]')")
    effect, effect_params = _certain(as_of)
    known, known_params = seen.where()
    cursor.execute(
        f"SELECT {version_columns('v')} FROM {rows}(?) t "
        f"JOIN {prefix}_claims x ON x.subject = {item.format(0)} AND x.pillar = {item.format(1)} "
        f"AND x.inspection = {item.format(2)} "
        f"JOIN {prefix}_versions v ON v.fact_id = x.fact_id AND v.version = x.version WHERE {known} AND {effect}",
        (orjson.dumps(wanted).decode(), *known_params, *effect_params),
    )
    return [fact_state(row, seen) for row in cursor.fetchall()]


def latest_inspection(cursor: Cursor, prefix: str, pillar: str | None, seen: Seen, as_of: dt.date | None) -> str | None:
    """The inspection key of the latest rating claim (by valid time) certainly in effect, on one area or any:
    each inspection's latest claim through the inspection index (inspections are few), then the latest of those."""
    cursor.execute(
        f"WITH RECURSIVE keys(inspection) AS (SELECT MIN(inspection) FROM {prefix}_claims UNION ALL "
        f"SELECT (SELECT MIN(c.inspection) FROM {prefix}_claims c WHERE c.inspection > keys.inspection) FROM keys "
        "WHERE keys.inspection IS NOT NULL) SELECT inspection FROM keys WHERE inspection IS NOT NULL"
    )
    effect, effect_params = _certain(as_of)
    known, known_params = seen.where()
    area, area_params = (" AND x.pillar = ?", (pillar,)) if pillar else ("", ())
    statement = _V.format(columns="x.occurred_lower, x.occurred_upper, x.first_position", prefix=prefix, table="claims")
    latest: tuple[tuple[str, str, int], str] | None = None
    for (key,) in cursor.fetchall():
        cursor.execute(
            f"{statement} WHERE x.inspection = ?{area} AND {known} AND {effect} ORDER BY {_ORDER.format(d=' DESC')} LIMIT 1",
            (key, *area_params, *known_params, *effect_params),
        )
        row = cursor.fetchone()
        if row is not None and (latest is None or tuple(row) > latest[0]):
            latest = (tuple(row), key)
    return latest[1] if latest else None


def inspection_claims(
    cursor: Cursor, prefix: str, key: str, pillar: str | None, seen: Seen, as_of: dt.date | None
) -> list[FactState]:
    """Every rating claim certainly in effect about one inspection (by key), on one area or all."""
    effect, effect_params = _certain(as_of)
    known, known_params = seen.where()
    area, area_params = (" AND x.pillar = ?", (pillar,)) if pillar else ("", ())
    statement = _V.format(columns=version_columns("v"), prefix=prefix, table="claims")
    cursor.execute(
        f"{statement} WHERE x.inspection = ?{area} AND {known} AND {effect}", (key, *area_params, *known_params, *effect_params)
    )
    return [fact_state(row, seen) for row in cursor.fetchall()]


def states_citing(cursor: Cursor, prefix: str, document: str | None, seen: Seen) -> list[FactState]:
    """Facts citing one document (in any of their sources), or any document when `document` is None."""
    which, params = ("AND l.other = ?", (document,)) if document is not None else ("", ())
    known, known_params = seen.where()
    cursor.execute(
        f"SELECT {version_columns('v')} FROM {prefix}_versions v WHERE EXISTS (SELECT 1 FROM {prefix}_links l "
        f"WHERE l.fact_id = v.fact_id AND l.version = v.version AND l.kind = 'cites' {which}) AND {known}",
        (*params, *known_params),
    )
    return [fact_state(row, seen) for row in cursor.fetchall()]


def current_facts(cursor: Cursor, prefix: str, seen: Seen, subject: str | None = None) -> list[FactState]:
    """Every fact not retracted as seen (naming `subject` under any of its ids, if given), in log order, each
    as its content was written: ids merged into others are left as the log has them, so that the content loads back."""
    known, known_params = seen.where()
    if subject is None:
        cursor.execute(
            f"SELECT {version_columns('v')} FROM {prefix}_versions v WHERE {known} AND v.retracted = 0 ORDER BY v.first_position",
            known_params,
        )
    else:
        named, named_params = seen.subject_is("x.subject", subject)
        statement = _V.format(columns=version_columns("v"), prefix=prefix, table="refs")
        cursor.execute(
            f"{statement} WHERE {named} AND {known} AND v.retracted = 0 ORDER BY v.first_position", (*named_params, *known_params)
        )
    return _distinct(fact_state(row) for row in cursor.fetchall())


def history(cursor: Cursor, prefix: str, fact_ids: list[str], known_at: int) -> dict[str, list[dict[str, Any]]]:
    """Each fact's versions known at `known_at`, oldest first."""
    if not fact_ids:
        return {}
    marks = ", ".join("?" * len(fact_ids))
    cursor.execute(
        f"SELECT fact_id, version, known_from, known_from_at, change, reason, revised_from, because FROM {prefix}_versions "
        f"WHERE fact_id IN ({marks}) AND known_from <= ? ORDER BY fact_id, version",
        (*fact_ids, known_at),
    )
    versions: dict[str, list[dict[str, Any]]] = {}
    for fact_id, version, position, at, change, reason, revised_from, because in cursor.fetchall():
        versions.setdefault(fact_id, []).append(
            {"version": version, "position": position, "recorded_at": at, "change": change, "reason": reason, "because": because}
            | ({"revised": revised_from} if revised_from != NOT_REVISED else {})
        )
    return versions


def changed_between(
    cursor: Cursor, prefix: str, since: int, until: int, after: int, limit: int, subject: str | None = None
) -> list[FactState]:
    """Versions that entered the log after position `since` (and after `after`, a page's last) up to `until`,
    in log order; only those naming `subject`, if given."""
    if subject is None:
        cursor.execute(
            f"SELECT {version_columns('v')} FROM {prefix}_versions v WHERE v.known_from > ? AND v.known_from <= ? "
            "ORDER BY v.known_from LIMIT ?",
            (max(since, after), until, limit),
        )
    else:
        cursor.execute(
            f"SELECT {version_columns('v')} FROM {prefix}_refs x JOIN {prefix}_versions v ON v.fact_id = x.fact_id "
            "AND v.version = x.version WHERE x.subject = ? AND v.known_from > ? AND v.known_from <= ? "
            "ORDER BY v.known_from LIMIT ?",
            (subject, max(since, after), until, limit),  # the log's changes as they came: ids as written
        )
    return [fact_state(row) for row in cursor.fetchall()]


def frameworks(cursor: Cursor, prefix: str, position: int) -> dict[str, dict[str, Any]]:
    """Every framework edition's definition as known at a log position, by edition; before an edition was
    first recorded, its first definition (what the views applied before editions were data)."""
    cursor.execute(
        f"SELECT f.edition, f.definition FROM {prefix}_frameworks f WHERE f.version = COALESCE("
        f"(SELECT MAX(g.version) FROM {prefix}_frameworks g WHERE g.edition = f.edition AND g.known_from <= ?), 1)",
        (position,),
    )
    return {edition: orjson.loads(definition) for edition, definition in cursor.fetchall()}


LINKED_LIMIT = 1000  # facts joined to a page by chains of links: beyond this a group is judged on what was read


def linked(cursor: Cursor, prefix: str, facts: Sequence[FactState], seen: Seen) -> list[FactState]:
    """Every fact joined to these by a chain of disputes and supports (either way), as seen: a claim two
    links from the one that stands competes with it. One pair of indexed reads per link of the chain."""
    have = {f.id for f in facts}
    found: list[FactState] = []
    frontier = list(facts)
    while frontier and len(found) < LINKED_LIMIT:
        frontier = [f for f in {f.id: f for f in linked_once(cursor, prefix, frontier, seen)}.values() if f.id not in have]
        have.update(f.id for f in frontier)
        found += frontier
    return found


def linked_once(cursor: Cursor, prefix: str, facts: Sequence[FactState], seen: Seen) -> list[FactState]:
    """The facts that dispute or support any of these, and those these dispute or support, as seen.

    Two indexed reads (by id, and by the links table's `other`), not one scan with an OR."""
    targets = {other for f in facts for other in (*f.disputes, *f.supports)}
    known, known_params = seen.where()
    found: list[FactState] = []
    if targets:
        # Sets travel as the keys of one JSON object: json_each gives them as text on SQLite and PostgreSQL alike.
        cursor.execute(
            f"SELECT {version_columns('v')} FROM {prefix}_versions v WHERE v.fact_id IN (SELECT key FROM json_each(?)) AND {known}",
            (orjson.dumps(dict.fromkeys(targets, 0)).decode(), *known_params),
        )
        found += [fact_state(row, seen) for row in cursor.fetchall()]
    if facts:
        cursor.execute(
            f"SELECT {version_columns('v')} FROM {prefix}_links l JOIN {prefix}_versions v ON v.fact_id = l.fact_id AND v.version = l.version "
            f"WHERE l.other IN (SELECT key FROM json_each(?)) AND l.kind <> 'cites' AND {known}",
            (orjson.dumps(dict.fromkeys((f.id for f in facts), 0)).decode(), *known_params),
        )
        found += [fact_state(row, seen) for row in cursor.fetchall()]
    return found


def states_by_id(cursor: Cursor, prefix: str, fact_ids: Iterable[str], seen: Seen) -> list[FactState]:
    """These facts as seen, retracted ones too."""
    known, known_params = seen.where()
    cursor.execute(
        f"SELECT {version_columns('v')} FROM {prefix}_versions v WHERE v.fact_id IN (SELECT key FROM json_each(?)) AND {known}",
        (orjson.dumps(dict.fromkeys(sorted(fact_ids), 0)).decode(), *known_params),
    )
    return [fact_state(row, seen) for row in cursor.fetchall()]


def naming_facts(cursor: Cursor, prefix: str, subjects: set[str], seen: Seen) -> list[FactState]:
    """The subject.named facts about any of these subjects, as seen: one query however many subjects."""
    if not subjects:
        return []
    known, known_params = seen.where()
    statement = _V.format(columns=version_columns("v"), prefix=prefix, table="refs")
    cursor.execute(
        f"{statement} WHERE x.subject IN (SELECT key FROM json_each(?)) AND x.type = 'subject.named' AND v.subject = x.subject "
        f"AND {known} AND v.retracted = 0",
        (orjson.dumps(dict.fromkeys(sorted({name for subject in subjects for name in seen.names_of(subject)}), 0)).decode(), *known_params),
    )
    return [fact_state(row, seen) for row in cursor.fetchall()]


def last_day(cursor: Cursor, prefix: str, seen: Seen) -> dt.date | None:
    """The latest day any fact known at the position names (its valid time's last day): the views' "today"
    without a clock. Read down the index on that day, so it stops at the first row known by then (`+` keeps SQLite,
    which has no statistics, from ranging over every version known by then and sorting them: 15 ms at 5,000 events)."""
    cursor.execute(
        f"SELECT v.occurred_upper FROM {prefix}_versions v WHERE +v.known_from <= ? ORDER BY v.occurred_upper DESC LIMIT 1",
        (seen.position,),
    )
    row = cursor.fetchone()
    return dt.date.fromisoformat(row[0]) if row else None


def rated_areas(cursor: Cursor, prefix: str, subject: str | None, seen: Seen | None = None) -> list[str]:
    """The graded areas a subject (under any of its ids, as seen) or any subject has any rating claim about."""
    if subject is None:
        cursor.execute(f"SELECT DISTINCT pillar FROM {prefix}_claims ORDER BY pillar")
    else:
        named, named_params = (seen or Seen(0)).subject_is("subject", subject)
        cursor.execute(f"SELECT DISTINCT pillar FROM {prefix}_claims WHERE {named} ORDER BY pillar", named_params)
    return [row[0] for row in cursor.fetchall()]


def position_known_at(cursor: Cursor, prefix: str, instant: str) -> int:
    """The last fact position recorded at or before a UTC instant (ISO 8601)."""
    cursor.execute(f"SELECT MAX(known_from) FROM {prefix}_versions WHERE known_from_at <= ?", (instant,))
    return int(one_row(cursor)[0] or 0)


def subjects(cursor: Cursor, prefix: str, kind: str | None, seen: Seen, after: str = "", limit: int = 1000) -> list[tuple[str, int]]:
    """Up to `limit` subjects named by facts as seen, in id order after `after`, with how many facts name each.
    Read in the refs index's order, so a page stops after `limit` subjects however many there are."""
    like = f"{kind}/%" if kind else "%"
    known, known_params = seen.where()
    cursor.execute(
        f"SELECT r.subject, COUNT(*) FROM {prefix}_refs r JOIN {prefix}_versions v "
        f"ON v.fact_id = r.fact_id AND v.version = r.version "
        f"WHERE r.subject LIKE ? AND r.subject > ? AND v.retracted = 0 AND {known} GROUP BY r.subject ORDER BY r.subject LIMIT ?",
        (like, after, *known_params, limit),
    )
    return [(subject, count) for subject, count in cursor.fetchall()]


def version_columns(alias: str) -> str:
    """The versions table's columns under a table alias, in the order `fact_state` reads them."""
    return ", ".join(f"{alias}.{column.strip()}" for column in COLUMNS.split(","))


def _distinct(states: Iterable[FactState]) -> list[FactState]:
    """Each fact once, in order: a fact naming two ids of one merged subject is found under both."""
    return list({state.id: state for state in reversed(list(states))}.values())[::-1]


def fact_state(row: tuple[Any, ...], seen: Seen | None = None) -> FactState:
    """A versions row (`version_columns`) as a fact as seen: subject ids merged into others rewritten, documents withdrawn flagged."""
    (fact_id, version, known_from, known_from_at, first_position, first_recorded_at, change, reason,
     retracted, fact_type, subject, occurred, lower, upper, earliest, latest, published, revised_from,
     source_kind, body, because) = row
    body = orjson.loads(body)
    withdrawn = seen.withdrawn if seen is not None else frozenset()
    if seen is not None and seen.merged and fact_type != "subject.merged":  # a merge keeps saying which ids it joins
        subject = _merged_into(body, fact_type, seen.canonical)
    cited = [source["document"] for source in body.get("sources") or [body["source"]] if "document" in source]
    return FactState(
        id=fact_id, version=version, known_from=known_from, known_from_at=known_from_at,
        position=first_position, recorded_at=first_recorded_at, change=change, reason=reason,
        retracted=bool(retracted), type=fact_type, subject=subject,
        occurred=ValidTime(occurred, dt.date.fromisoformat(lower), dt.date.fromisoformat(upper)),
        earliest=dt.date.fromisoformat(earliest), latest=dt.date.fromisoformat(latest),
        published=published, revised_from=revised_from,
        source_kind=source_kind, body=body, because=because,
        withdrawn=tuple(document for document in cited if document in withdrawn),
    )
