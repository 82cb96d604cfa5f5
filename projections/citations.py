"""The sources view: each document with the facts that cite it."""

from __future__ import annotations

from typing import Any

from projections.fact_queries import FactState


def sources(documents: list[dict[str, Any]], citing: list[FactState]) -> list[dict[str, Any]]:
    """Each document with the ids of the standing (not retracted) facts that cite it."""
    cited_by: dict[str, list[str]] = {}
    for fact in sorted(citing, key=lambda f: f.sort_key):
        if not fact.retracted:
            for document in fact.documents:
                cited_by.setdefault(document, []).append(fact.id)
    return [document | {"cited_by": cited_by.get(document["id"], [])} for document in documents]
