"""The `facts` projection's tables, and how each event in the log becomes their rows: every version of every
fact, with the log interval it was known in. (The domain's facts are `timeline/facts.py`; the reads on these
tables are `projections/fact_queries.py`.)

A row holds one version and `known_from`/`known_to`, the positions at which it became
and stopped being the latest; so "the facts as known at position K" is a plain filter,
and every view can answer `known_at` without replaying anything.

Publication time works the same way: `published` is the last day of the source's publication
date, and `revised_from`/`revised_to` bound the days on which a version was what the source
said (a source revising itself starts a new span; mending our own record does not). So "as
reported by day R" is a plain filter too (`projections/fact_queries.py: Seen`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

from projections.base import Projection
from projections.store import Cursor, insert_rows, one_row
from timeline.codec import fact_in_state, stored_valid_time, stored_value
from timeline.dates import ValidTime, possible_days
from timeline.facts import AUTHORITY, Fact
from timeline.frameworks import Framework, inspection_key
from timeline.redactions import is_tombstone
from timeline.references import references
from timeline.sources import Document

COLUMNS = (
    "fact_id, version, known_from, known_from_at, first_position, first_recorded_at, change, reason, "
    "retracted, type, subject, occurred, occurred_lower, occurred_upper, earliest, latest, "
    "published, revised_from, source_kind, body, because"
)
SETTLED_PER_PART = 5000  # facts a rebuild judges per transaction once filled
VERSION_COLUMNS = tuple(COLUMNS.split(", "))
REF_COLUMNS = ("subject", "type", "occurred_lower", "occurred_upper", "latest", "first_position", "fact_id", "version")
CLAIM_COLUMNS = ("subject", "pillar", "inspection", "occurred_lower", "occurred_upper", "first_position", "fact_id", "version")
LINK_COLUMNS = ("fact_id", "version", "other", "kind")
NOT_REVISED = "0001-01-01"  # `revised_from` of a version the source never revised: it counts from publication


def record_time(event: DomainEvent) -> str:
    return event.timestamp.astimezone(dt.UTC).isoformat(timespec="microseconds")


RECORDED, CORRECTED, RETRACTED = get_topic(Fact.Recorded), get_topic(Fact.Corrected), get_topic(Fact.Retracted)
DOCUMENT_WITHDRAWN = get_topic(Document.Withdrawn)
FACT_REDACTED = get_topic(Fact.Redacted)
FRAMEWORK_DEFINED, FRAMEWORK_REVISED = get_topic(Framework.Defined), get_topic(Framework.Revised)


def _framework_version(cursor: Cursor, prefix: str, entry: Any) -> None:
    state = orjson.loads(entry.state)
    edition = state["slug"]
    if entry.topic == FRAMEWORK_REVISED:
        cursor.execute(
            f"UPDATE {prefix}_frameworks SET known_to = ? WHERE edition = ? AND version = ?",
            (entry.position, edition, entry.originator_version - 1),
        )
    cursor.execute(
        f"INSERT INTO {prefix}_frameworks VALUES (?, ?, ?, NULL, ?)",
        (edition, entry.originator_version, entry.position, orjson.dumps(state["definition"]).decode()),
    )


class FactsProjection(Projection):
    name = "facts"
    shape = 12  # 2: possible days, publication and revision days, monotone record times; 3: frameworks, inspection keys;
    # 4: by occurred; 5: links between facts; 6: claims by inspection and time; 7: several sources, citations as links;
    # 8: why each version changed, documents withdrawn by their sources; 9: redactions (a redacted fact leaves no row);
    # 10: where each claim stands now (standing); 11: each named subject's row keeps the latest possible day;
    # 12: each subject's default status, ready, refreshed off the batch (ready_status)

    def table_names(self, prefix: str) -> list[str]:
        return [
            f"{prefix}_versions", f"{prefix}_refs", f"{prefix}_claims", f"{prefix}_frameworks", f"{prefix}_links", f"{prefix}_withdrawn",
            f"{prefix}_standing", f"{prefix}_ready", f"{prefix}_ready_state",
        ]

    def create_tables(self, cursor: Cursor, prefix: str) -> None:
        cursor.execute(
            f"CREATE TABLE {prefix}_versions ("
            "fact_id TEXT NOT NULL, version INTEGER NOT NULL, "
            "known_from BIGINT NOT NULL, known_from_at TEXT NOT NULL, known_to BIGINT, known_to_at TEXT, "
            "first_position BIGINT NOT NULL, first_recorded_at TEXT NOT NULL, "
            "change TEXT NOT NULL, reason TEXT, retracted INTEGER NOT NULL, "
            "type TEXT NOT NULL, subject TEXT NOT NULL, occurred TEXT NOT NULL, "
            "occurred_lower TEXT NOT NULL, occurred_upper TEXT NOT NULL, "
            "earliest TEXT NOT NULL, latest TEXT NOT NULL, "
            "published TEXT NOT NULL, revised_from TEXT NOT NULL, revised_to TEXT, "
            "source_kind TEXT NOT NULL, body TEXT NOT NULL, because TEXT, "
            "PRIMARY KEY (fact_id, version))"
        )
        # Every subject a version names, in timeline order, so that a page or a "latest N" reads N rows.
        cursor.execute(
            f"CREATE TABLE {prefix}_refs ("
            "subject TEXT NOT NULL, type TEXT NOT NULL, occurred_lower TEXT NOT NULL, occurred_upper TEXT NOT NULL, "
            "latest TEXT NOT NULL, first_position BIGINT NOT NULL, fact_id TEXT NOT NULL, version INTEGER NOT NULL)"
        )
        # Which facts each version disputes or supports, so a fact's challengers are found from it.
        cursor.execute(
            f"CREATE TABLE {prefix}_links (fact_id TEXT NOT NULL, version INTEGER NOT NULL, other TEXT NOT NULL, kind TEXT NOT NULL)"
        )
        # Documents their sources withdrew: every fact citing one is flagged from that position on.
        cursor.execute(
            f"CREATE TABLE {prefix}_withdrawn (document TEXT PRIMARY KEY, position BIGINT NOT NULL, public_from TEXT NOT NULL)"
        )
        # Framework editions, each version with the log interval it was the latest in, like facts.
        cursor.execute(
            f"CREATE TABLE {prefix}_frameworks (edition TEXT NOT NULL, version INTEGER NOT NULL, "
            "known_from BIGINT NOT NULL, known_to BIGINT, definition TEXT NOT NULL, PRIMARY KEY (edition, version))"
        )
        # Rating claims by slot (force, area, inspection key): a status reads its latest slots, not every rating.
        cursor.execute(
            f"CREATE TABLE {prefix}_claims ("
            "subject TEXT NOT NULL, pillar TEXT NOT NULL, inspection TEXT NOT NULL, "
            "occurred_lower TEXT NOT NULL, occurred_upper TEXT NOT NULL, first_position BIGINT NOT NULL, "
            "fact_id TEXT NOT NULL, version INTEGER NOT NULL)"
        )
        from projections import (
            standing,  # it reads through fact_queries, which imports this module: imported once both exist
        )

        standing.create_table(cursor, prefix)
        from projections import ready_status  # it reads through fact_queries too

        ready_status.create_table(cursor, prefix)

    def create_sql_views(self, cursor: Cursor, prefix: str, dialect: str) -> None:
        from projections.sql_views import create_views

        create_views(cursor, prefix, dialect)

    def create_indexes(self, cursor: Cursor, prefix: str) -> None:
        cursor.execute(f"CREATE INDEX {prefix}_versions_type ON {prefix}_versions (type, known_from)")
        cursor.execute(f"CREATE INDEX {prefix}_versions_known_at ON {prefix}_versions (known_from_at)")
        cursor.execute(f"CREATE INDEX {prefix}_versions_known_from ON {prefix}_versions (known_from)")
        cursor.execute(f"CREATE INDEX {prefix}_versions_occurred ON {prefix}_versions (occurred_upper)")
        cursor.execute(f"CREATE INDEX {prefix}_links_other ON {prefix}_links (other)")
        cursor.execute(
            f"CREATE INDEX {prefix}_refs_order ON {prefix}_refs (subject, occurred_lower, occurred_upper, first_position)"
        )
        cursor.execute(
            f"CREATE INDEX {prefix}_refs_type ON {prefix}_refs (subject, type, occurred_lower, occurred_upper, first_position)"
        )
        # Facts that may not have happened yet by a day (latest possible day after it) are the few latest ones: found
        # from here, not by walking every fact of the subject back from the newest (a status as of today did).
        cursor.execute(f"CREATE INDEX {prefix}_refs_latest ON {prefix}_refs (subject, latest)")
        cursor.execute(
            f"CREATE INDEX {prefix}_claims_order ON {prefix}_claims "
            "(subject, pillar, occurred_lower, occurred_upper, first_position)"
        )
        cursor.execute(f"CREATE INDEX {prefix}_claims_slot ON {prefix}_claims (subject, pillar, inspection)")
        # Led by the inspection, so that no subject's read of its own slots is planned through it.
        cursor.execute(
            f"CREATE INDEX {prefix}_claims_inspection ON {prefix}_claims "
            "(inspection, pillar, occurred_lower, occurred_upper, first_position)"
        )

    def apply(self, cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
        self._apply(cursor, prefix, entries, judge=True)

    def fill(self, cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
        # Standing is judged once the whole log is in, on indexed tables (settle), not batch by batch.
        self._apply(cursor, prefix, entries, judge=False)

    def settle(self, cursor: Cursor, prefix: str, position: int, after: str | None) -> str | None:
        """Judge where every claim stands, a part of the facts at a time (each with every claim it competes with)."""
        from projections import (
            standing,  # it reads through fact_queries, which imports this module: imported once both exist
        )

        cursor.execute(
            f"SELECT DISTINCT fact_id FROM {prefix}_versions WHERE fact_id > ? ORDER BY fact_id LIMIT ?", (after or "", SETTLED_PER_PART)
        )
        part = [row[0] for row in cursor.fetchall()]
        if not part:
            from projections import ready_status  # it reads through fact_queries, which imports this module

            ready_status.mark_everyone(cursor, prefix, position)  # the fill marked none: the runner computes them once live
            return None
        standing.restand(cursor, prefix, position, part, ())
        return str(part[-1])

    def recompute(self, cursor: Cursor, prefix: str, position: int) -> tuple[Sequence[Any], bool]:
        from projections import ready_status  # it reads through fact_queries, which imports this module

        return ready_status.recompute(cursor, prefix, position)

    def store(self, cursor: Cursor, prefix: str, position: int, recomputed: Sequence[Any]) -> None:
        from projections import ready_status  # it reads through fact_queries, which imports this module

        ready_status.store(cursor, prefix, position, recomputed)

    def _apply(self, cursor: Cursor, prefix: str, entries: Sequence[Any], *, judge: bool) -> None:
        rows = _Rows()
        # Record times follow positions: writers in several processes stamp events before the log orders
        # them, so a time is never shown earlier than the one before it (else `known_at=<instant>` would skip).
        cursor.execute(f"SELECT MAX(known_from_at) FROM {prefix}_versions")
        latest_at = one_row(cursor)[0] or ""
        changed: set[str] = set()  # facts whose standing may have moved, and documents withdrawn
        withdrawn: list[str] = []
        for entry in entries:
            if is_tombstone(entry.state):
                continue  # purged by a later redaction (timeline.redactions), whose event removes what was shown
            if entry.topic in (RECORDED, CORRECTED, RETRACTED):
                changed.add(fact_id := fact_id_of(entry))
            if entry.topic == RECORDED:
                state = orjson.loads(entry.state)
                at = latest_at = max(latest_at, _record_time(state))
                rows.add(fact_id, entry.originator_version, entry.position, at, entry.position, at, "recorded", None, state, NOT_REVISED)
            elif entry.topic in (CORRECTED, RETRACTED):
                rows.flush(cursor, prefix)  # the version it replaces may be among the rows not yet written
                latest_at = self._change(cursor, prefix, entry, rows, latest_at)
            elif entry.topic in (FRAMEWORK_DEFINED, FRAMEWORK_REVISED):
                _framework_version(cursor, prefix, entry)
            elif entry.topic == DOCUMENT_WITHDRAWN:
                withdrawn.append(_withdrawal(cursor, prefix, entry))
            elif entry.topic == FACT_REDACTED:
                rows.flush(cursor, prefix)
                if judge:
                    from projections import (
                        standing,  # it reads through fact_queries, which imports this module: imported once both exist
                    )

                    changed |= standing.competitors(cursor, prefix, fact_id_of(entry))  # read before its rows go
                _redaction(cursor, prefix, fact_id_of(entry))
        rows.flush(cursor, prefix)
        if entries and judge:
            from projections import (
                standing,  # it reads through fact_queries, which imports this module: imported once both exist
            )

            standing.restand(cursor, prefix, entries[-1].position, changed, withdrawn)
            from projections import ready_status  # it reads through fact_queries, which imports this module

            ready_status.mark(cursor, prefix, entries)  # only marked: the runner computes them after the batch commits

    def _change(self, cursor: Cursor, prefix: str, entry: Any, rows: _Rows, latest_at: str) -> str:
        fact_id, version, position = fact_id_of(entry), entry.originator_version, entry.position
        cursor.execute(
            f"SELECT first_position, first_recorded_at, occurred_lower, occurred_upper, latest, revised_from, body "
            f"FROM {prefix}_versions WHERE fact_id = ? AND version = ?",
            (fact_id, version - 1),
        )
        first_position, first_recorded_at, lower, upper, latest, revised_from, body = one_row(cursor)  # the version it replaces
        state = orjson.loads(entry.state)
        at = max(latest_at, _record_time(state))
        revised = state.get("revised")  # absent from corrections stored before it existed
        if revised is not None:
            # A revision counts from the day it certainly appeared, and never before an earlier one.
            revised_from = max(revised_from, stored_valid_time(revised).upper.isoformat())
        cursor.execute(
            f"UPDATE {prefix}_versions SET known_to = ?, known_to_at = ?, revised_to = ? WHERE fact_id = ? AND version = ?",
            (position, at, revised_from, fact_id, version - 1),
        )
        if entry.topic == CORRECTED:
            because = stored_value(state["because"]) if "because" in state else ("source-revised" if revised is not None else "erred")
            rows.add(fact_id, version, position, at, first_position, first_recorded_at, "corrected", state["reason"], state, revised_from, because)
            rows.flush(cursor, prefix)
            return at
        # A retraction keeps the content it withdraws, so that asking for retracted facts still shows what was said.
        cursor.execute(
            f"INSERT INTO {prefix}_versions ({COLUMNS}) "
            f"SELECT fact_id, ?, ?, ?, first_position, first_recorded_at, 'retracted', ?, 1, type, subject, occurred, "
            f"occurred_lower, occurred_upper, earliest, latest, published, revised_from, source_kind, body, ? "
            f"FROM {prefix}_versions WHERE fact_id = ? AND version = ?",
            (version, position, at, state["reason"], stored_value(state["because"]) if "because" in state else "erred", fact_id, version - 1),
        )
        cursor.execute(  # it still cites what it cited, for readers asking for retracted facts
            f"INSERT INTO {prefix}_links SELECT fact_id, ?, other, kind FROM {prefix}_links "
            f"WHERE fact_id = ? AND version = ? AND kind = 'cites'",
            (version, fact_id, version - 1),
        )
        withdrawn = orjson.loads(body)
        rows.index(withdrawn["type"], withdrawn["subject"], withdrawn["mentions"], withdrawn["data"], lower, upper, latest, first_position, fact_id, version)
        rows.flush(cursor, prefix)
        return at


class _Rows:
    """Rows of new versions, written with one bulk insert per table (COPY on PostgreSQL)."""

    def __init__(self) -> None:
        self.versions: list[tuple[Any, ...]] = []
        self.refs: list[tuple[Any, ...]] = []
        self.claims: list[tuple[Any, ...]] = []
        self.links: list[tuple[Any, ...]] = []

    def add(
        self, fact_id: str, version: int, position: int, at: str, first_position: int, first_at: str, change: str,
        reason: str | None, state: dict[str, Any], revised_from: str, because: str | None = None,
    ) -> None:
        fact = fact_in_state(state)
        body, occurred = fact.body, fact.occurred
        lower, upper, earliest, latest = _days(occurred)
        fact_type, subject, data, mentions = body["type"], body["subject"], body["data"], body["mentions"]
        # Public once any of its sources had published it; as authoritative as its most authoritative source.
        published = min(_days(when)[3] for when in fact.published)
        source_kind = max(fact.kinds, key=AUTHORITY.__getitem__)
        cites = dict.fromkeys(s["document"] for s in body.get("sources") or [body["source"]] if "document" in s)
        self.links.extend((fact_id, version, document, "cites") for document in cites)
        self.links.extend((fact_id, version, other, "disputes") for other in body.get("disputes", ()))
        self.links.extend((fact_id, version, other, "supports") for other in body.get("supports", ()))
        self.versions.append(
            (
                fact_id, version, position, at, first_position, first_at, change, reason, 0, fact_type, subject, occurred.edtf,
                lower, upper, earliest, latest, published, revised_from,
                source_kind, orjson.dumps(body).decode(), because,
            )
        )
        self.index(fact_type, subject, mentions, data, lower, upper, latest, first_position, fact_id, version)

    def index(
        self, fact_type: str, subject: str, mentions: list[str], data: dict[str, Any], lower: str, upper: str,
        latest: str, first_position: int, fact_id: str, version: int,
    ) -> None:
        """A version's rows in the tables that find it: by every subject it names, and by rating slot."""
        self.refs.extend(
            (named, fact_type, lower, upper, latest, first_position, fact_id, version)
            for named in references(fact_type, subject, mentions, data)
        )
        if fact_type == "rating.published":
            self.claims.append((subject, data["pillar"], inspection_key(data["inspection"]), lower, upper, first_position, fact_id, version))

    def flush(self, cursor: Cursor, prefix: str) -> None:
        for table, columns, rows in (
            ("versions", VERSION_COLUMNS, self.versions), ("refs", REF_COLUMNS, self.refs),
            ("claims", CLAIM_COLUMNS, self.claims), ("links", LINK_COLUMNS, self.links),
        ):
            if rows:
                insert_rows(cursor, f"{prefix}_{table}", columns, rows)
        self.versions, self.refs, self.claims, self.links = [], [], [], []


@lru_cache(maxsize=65536)
def _days(valid: ValidTime) -> tuple[str, str, str, str]:
    """A date's bounds and possible days (earliest, latest) as the tables store them: ISO days, which sort as dates."""
    earliest, latest = possible_days(valid)
    return valid.lower.isoformat(), valid.upper.isoformat(), earliest.isoformat(), latest.isoformat()


def _redaction(cursor: Cursor, prefix: str, fact_id: str) -> None:
    """A redacted fact leaves no row, as of any position: a takedown must not stay readable by `known_at`."""
    for table in ("versions", "refs", "claims", "links"):
        cursor.execute(f"DELETE FROM {prefix}_{table} WHERE fact_id = ?", (fact_id,))


def _withdrawal(cursor: Cursor, prefix: str, entry: Any) -> str:
    """Record a document's withdrawal; its slug."""
    state = orjson.loads(entry.state)
    withdrawn = state.get("withdrawn")
    # Known from the day it was withdrawn (its last possible day), for readers asking what had been reported.
    public_from = NOT_REVISED if withdrawn is None else stored_valid_time(withdrawn).upper.isoformat()
    cursor.execute(f"INSERT INTO {prefix}_withdrawn VALUES (?, ?, ?)", (state["slug"], entry.position, public_from))
    slug: str = state["slug"]
    return slug


def fact_id_of(entry: Any) -> str:
    """A log entry's fact id as str(UUID) gives it, however the backend stored the originator id."""
    originator = entry.originator_id
    if isinstance(originator, UUID):
        return str(originator)
    h = originator  # SQLite stores the 32 hex digits, lower case: hyphenate them as str(UUID) would
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" if len(h) == 32 else str(UUID(h))


def _record_time(state: dict[str, Any]) -> str:
    """Record time as views store it: UTC, ISO 8601 with microseconds (what record_time gives an event)."""
    stamp: str = stored_value(state["timestamp"])
    if len(stamp) == 32 and stamp.endswith("+00:00"):
        return stamp  # already UTC with microseconds: the usual case, and the costly one to reparse
    return dt.datetime.fromisoformat(stamp).astimezone(dt.UTC).isoformat(timespec="microseconds")

