"""The `documents` projection: source documents (without their text) and when they were recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic

from projections.base import Projection
from projections.fact_tables import record_time
from projections.store import Cursor
from timeline.dates import possible_days
from timeline.redactions import is_tombstone
from timeline.sources import Document

# Documents are few: only they are decoded into events.
_TOPICS = {get_topic(Document.Recorded), get_topic(Document.Revised)}
_WITHDRAWN = get_topic(Document.Withdrawn)
_REDACTED = get_topic(Document.Redacted)
_NAMES = (
    "id", "version", "title", "publisher", "url", "archived_url", "published", "kind", "sha256", "length",
    "position", "recorded_at", "reason",
)


class DocumentsProjection(Projection):
    """One row per version of each document; a read sees each document's latest version it may see."""

    name = "documents"
    shape = 4  # 2: a row per version, EDTF publication dates, archived copies; 3: withdrawals; 4: redactions

    def table_names(self, prefix: str) -> list[str]:
        return [f"{prefix}_documents", f"{prefix}_withdrawals"]

    def create_tables(self, cursor: Cursor, prefix: str) -> None:
        cursor.execute(
            f"CREATE TABLE {prefix}_documents ("
            "slug TEXT NOT NULL, version INTEGER NOT NULL, title TEXT, publisher TEXT NOT NULL, url TEXT NOT NULL, "
            "archived_url TEXT, published TEXT NOT NULL, published_from TEXT NOT NULL, public_from TEXT NOT NULL, "
            "kind TEXT NOT NULL, sha256 TEXT NOT NULL, length INTEGER NOT NULL, "
            "position BIGINT NOT NULL, recorded_at TEXT NOT NULL, reason TEXT, PRIMARY KEY (slug, version))"
        )
        cursor.execute(
            f"CREATE TABLE {prefix}_withdrawals (slug TEXT PRIMARY KEY, position BIGINT NOT NULL, reason TEXT NOT NULL, withdrawn TEXT)"
        )

    def apply(self, cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
        for entry in entries:
            if is_tombstone(entry.state):
                continue  # purged by a later redaction (timeline.redactions)
            if entry.topic in _TOPICS:
                self._record(cursor, prefix, entry.position, entry.event)
            elif entry.topic == _WITHDRAWN:
                event = entry.event
                cursor.execute(
                    f"INSERT INTO {prefix}_withdrawals VALUES (?, ?, ?, ?)",
                    (event.slug, entry.position, event.reason, event.withdrawn.edtf if event.withdrawn else None),
                )
            elif entry.topic == _REDACTED:
                # Its title, publisher and URL are its content too: a redacted document is listed as of no position.
                slug = entry.event.slug
                cursor.execute(f"DELETE FROM {prefix}_documents WHERE slug = ?", (slug,))
                cursor.execute(f"DELETE FROM {prefix}_withdrawals WHERE slug = ?", (slug,))

    def _record(self, cursor: Cursor, prefix: str, position: int, event: Document.Recorded | Document.Revised) -> None:
        earliest, latest = possible_days(event.published)
        # Public from the last day its publication date may mean; a revision by the source, from the revision's.
        revised = getattr(event, "revised", None)
        public_from = max(latest, possible_days(revised)[1]) if revised is not None else latest
        cursor.execute(
            f"INSERT INTO {prefix}_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.slug, event.originator_version, event.title, event.publisher, event.url, event.archived_url,
                event.published.edtf, earliest.isoformat(), public_from.isoformat(), event.kind.value, event.sha256,
                len(event.text), position, record_time(event), getattr(event, "reason", None),
            ),
        )


def documents(
    cursor: Cursor, prefix: str, known_at: int, reported_by: dt.date | None = None,
    where: tuple[str, Sequence[Any]] = ("1 = 1", ()), limit: int | None = None,
) -> list[dict[str, Any]]:
    """Each document's latest version recorded by position `known_at` (and public by `reported_by`, if given);
    only those versions meeting `where` (SQL on `d`, and its parameters), and at most `limit`, if given."""
    public, params = ("AND public_from <= ?", (reported_by.isoformat(),)) if reported_by else ("", ())
    condition, condition_params = where
    cursor.execute(
        f"SELECT slug, version, title, publisher, url, archived_url, published, kind, sha256, length, position, "
        f"recorded_at, reason FROM {prefix}_documents d WHERE version = ("
        f"SELECT MAX(version) FROM {prefix}_documents WHERE slug = d.slug AND position <= ? {public}) AND {condition} "
        f"ORDER BY published_from, slug{' LIMIT ?' if limit is not None else ''}",
        (known_at, *params, *condition_params, *((limit,) if limit is not None else ())),
    )
    found = [dict(zip(_NAMES, row, strict=True)) for row in cursor.fetchall()]
    cursor.execute(f"SELECT slug, reason, withdrawn FROM {prefix}_withdrawals WHERE position <= ?", (known_at,))
    withdrawals = {slug: {"reason": reason, "withdrawn": withdrawn} for slug, reason, withdrawn in cursor.fetchall()}
    return [document | {"withdrawn": withdrawals.get(document["id"])} for document in found]
