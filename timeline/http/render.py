"""JSON shapes of what the API returns for records and log entries."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from timeline import redactions
from timeline.commands import Receipt
from timeline.fact_bodies import fact_body
from timeline.facts import Fact, content_of
from timeline.frameworks import Framework
from timeline.log_records import (
    EVENT_NAMES,
    EVENT_NAMES_BY_TOPIC,
    LogEntry,
    StoredDocument,
    StoredFact,
    public_id,
)
from timeline.sources import Document


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    return {
        "kind": receipt.kind,
        "id": receipt.id,
        "version": receipt.version,
        "position": receipt.position,
        "recorded_at": receipt.recorded_at,
        "created": receipt.created,
    }


def location(receipt: Receipt) -> str:
    return f"/v1/{'facts' if receipt.kind == 'fact' else 'documents'}/{receipt.id}"


def stored_fact_json(fact: StoredFact) -> dict[str, Any]:
    """A fact as recorded (GET /v1/facts/{id}); a fact as a view shows it is `projections.claims.fact_json`."""
    return {
        "id": str(fact.id),
        "version": fact.version,
        "retracted": fact.retracted,
        **fact_body(fact.content),
        "occurred_bounds": [fact.content.occurred.lower, fact.content.occurred.upper],
        "history": [
            {"version": v.version, "position": v.position, "recorded_at": v.recorded_at, "change": v.change, "reason": v.reason,
             "because": v.because.value if v.because else None}
            for v in fact.history
        ],
    }


def document_json(stored: StoredDocument) -> dict[str, Any]:
    """A document's version with its text, and every version's position, record time and reason."""
    document = stored.content
    return {
        "id": document.slug,
        "version": stored.version,
        "title": document.title,
        "publisher": document.publisher,
        "url": document.url,
        "archived_url": document.archived_url,
        "published": document.published.edtf,
        "kind": document.kind.value,
        "sha256": document.sha256,
        "text": document.text,
        "versions": [
            {
                "version": v.version, "position": v.position, "recorded_at": v.recorded_at, "reason": v.reason,
                "revised": v.revised.edtf if v.revised else None, "because": v.because.value if v.because else None,
                "sha256": v.sha256,
            }
            for v in stored.history
        ],
        "withdrawn": (
            {
                "reason": stored.withdrawal.reason, "position": stored.withdrawal.position, "recorded_at": stored.withdrawal.recorded_at,
                "withdrawn": stored.withdrawal.withdrawn.edtf if stored.withdrawal.withdrawn else None,
            }
            if stored.withdrawal else None
        ),
    }


def entry_json(entry: LogEntry) -> dict[str, Any]:
    """One log event: its position, record time, name, record id and version, and what it says.

    An event purged by a redaction says only where it stands and the digest of what it said: its record
    time went with its state, and a document's is named by the redaction (`document.redacted`), not here."""
    kept = redactions.kept_sha256(entry.state)
    if kept is not None:
        fact = entry.topic.startswith("timeline.facts:")
        return {
            "position": entry.position, "recorded_at": None, "event": EVENT_NAMES_BY_TOPIC[entry.topic],
            "id": str(_uuid(entry.originator_id)) if fact else None, "version": entry.originator_version,
            "redacted": {"sha256": kept},
        }
    event = entry.event
    body: dict[str, Any] = {
        "position": entry.position,
        "recorded_at": event.timestamp,
        "event": EVENT_NAMES[type(event)],
        "id": public_id(event),
        "version": event.originator_version,
    }
    if isinstance(event, (Fact.Recorded, Fact.Corrected)):
        body["fact"] = fact_body(content_of(event))
    if isinstance(event, (Fact.Corrected, Fact.Retracted)):
        body["reason"] = event.reason
        body["because"] = event.because.value
    if isinstance(event, Document.Recorded | Document.Revised):
        body["document"] = {
            "title": event.title, "publisher": event.publisher, "url": event.url, "archived_url": event.archived_url,
            "published": event.published.edtf, "kind": event.kind.value, "sha256": event.sha256,
        }
    if isinstance(event, Document.Revised):
        body["reason"] = event.reason
        body["revised"] = event.revised.edtf if event.revised else None
        body["because"] = event.because.value
    if isinstance(event, Fact.Redacted | Document.Redacted):
        body["reason"] = event.reason
    if isinstance(event, Document.Withdrawn):
        body["reason"] = event.reason
        body["withdrawn"] = event.withdrawn.edtf if event.withdrawn else None
    if isinstance(event, Framework.Defined | Framework.Revised):
        body["framework"] = event.definition
    return body


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
