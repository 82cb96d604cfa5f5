"""JSON shapes of what the API returns for records and log entries."""

from __future__ import annotations

from typing import Any

from timeline.app import EVENT_NAMES, LogEntry, Receipt, StoredFact, public_id
from timeline.facts import Fact, content_of
from timeline.frameworks import Framework
from timeline.sources import Document, DocumentContent
from timeline.vocabulary import fact_body



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


def fact_json(fact: StoredFact) -> dict[str, Any]:
    return {
        "id": str(fact.id),
        "version": fact.version,
        "retracted": fact.retracted,
        **fact_body(fact.content),
        "occurred_bounds": [fact.content.occurred.lower, fact.content.occurred.upper],
        "history": [
            {"version": v.version, "position": v.position, "recorded_at": v.recorded_at, "change": v.change, "reason": v.reason}
            for v in fact.history
        ],
    }


def document_json(document: DocumentContent, *, with_text: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": document.slug,
        "title": document.title,
        "publisher": document.publisher,
        "url": document.url,
        "published": document.published,
        "kind": document.kind.value,
        "sha256": document.sha256,
    }
    if with_text:
        body["text"] = document.text
    return body


def entry_json(entry: LogEntry) -> dict[str, Any]:
    """One log event: its position, record time, name, record id and version, and what it says."""
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
    if isinstance(event, Document.Recorded):
        body["document"] = {
            "title": event.title, "publisher": event.publisher, "url": event.url,
            "published": event.published, "kind": event.kind.value, "sha256": event.sha256,
        }
    if isinstance(event, Framework.Defined | Framework.Revised):
        body["framework"] = event.definition
    return body
