"""A fact's content as its JSON body: the inverse of parsing (timeline.parsing.parse_fact)."""

from __future__ import annotations

from typing import Any

from timeline.facts import FactContent, Source


def fact_body(content: FactContent) -> dict[str, Any]:
    """The JSON body of a fact's content: the inverse of parse_fact. `sources` is given when there are several."""
    body: dict[str, Any] = {
        "type": content.type.value,
        "subject": content.subject,
        "occurred": content.occurred.edtf,
        "data": content.data,
        "mentions": list(content.mentions),
        "source": source_body(content.source),
    }
    if content.further_sources:
        body["sources"] = [source_body(source) for source in content.sources]
    return body | _links(content.disputes, content.supports)


def corrected_body(content: FactContent, changes: dict[str, Any]) -> dict[str, Any]:
    """A fact's body with a correction's top-level fields replaced whole; `source` or `sources` replaces all its sources."""
    body = fact_body(content)
    if "source" in changes or "sources" in changes:
        body.pop("source", None), body.pop("sources", None)
    return body | {key: value for key, value in changes.items() if key not in ("id", "type")}


def source_body(source: Source) -> dict[str, Any]:
    body: dict[str, Any] = {
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published.edtf,
        "kind": source.kind.value,
    }
    if source.document is not None:
        body["document"] = source.document
    if source.document_version is not None:
        body["document_version"] = source.document_version
    if source.quote is not None:
        body["quote"] = source.quote
    return body


def _links(disputes: list[str], supports: list[str]) -> dict[str, list[str]]:
    """A fact's links to other facts, in its body only when it has them (so older bodies are unchanged)."""
    return ({"disputes": list(disputes)} if disputes else {}) | ({"supports": list(supports)} if supports else {})
