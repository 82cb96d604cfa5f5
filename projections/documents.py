"""The `documents` projection: source documents (without their text) and when they were recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic

from projections.base import Projection
from projections.facts import record_time
from projections.store import Cursor
from timeline.sources import Document


_RECORDED = get_topic(Document.Recorded)  # documents are few: only they are decoded into events


class DocumentsProjection(Projection):
    name = "documents"

    def table_names(self, prefix: str) -> list[str]:
        return [f"{prefix}_documents"]

    def create_tables(self, cursor: Cursor, prefix: str) -> None:
        cursor.execute(
            f"CREATE TABLE {prefix}_documents ("
            "slug TEXT PRIMARY KEY, title TEXT, publisher TEXT NOT NULL, url TEXT NOT NULL, published TEXT NOT NULL, "
            "kind TEXT NOT NULL, sha256 TEXT NOT NULL, length INTEGER NOT NULL, "
            "position BIGINT NOT NULL, recorded_at TEXT NOT NULL)"
        )

    def apply(self, cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
        for entry in entries:
            if entry.topic == _RECORDED:
                self._record(cursor, prefix, entry.position, entry.event)

    def _record(self, cursor: Cursor, prefix: str, position: int, event: Document.Recorded) -> None:
        cursor.execute(
            f"INSERT INTO {prefix}_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event.slug, event.title, event.publisher, event.url, event.published.isoformat(),
                event.kind.value, event.sha256, len(event.text), position, record_time(event),
            ),
        )


def documents(cursor: Cursor, prefix: str, known_at: int, reported_by: dt.date | None = None) -> list[dict[str, Any]]:
    """Documents recorded by position `known_at` (and published by `reported_by`, if given)."""
    published, params = ("AND published <= ?", (reported_by.isoformat(),)) if reported_by else ("", ())
    cursor.execute(
        f"SELECT slug, title, publisher, url, published, kind, sha256, length, position, recorded_at "
        f"FROM {prefix}_documents WHERE position <= ? {published} ORDER BY published, slug",
        (known_at, *params),
    )
    names = ("id", "title", "publisher", "url", "published", "kind", "sha256", "length", "position", "recorded_at")
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
