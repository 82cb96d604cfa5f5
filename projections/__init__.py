"""Read models built from the log, and the runner that keeps them current."""

from __future__ import annotations

from projections.base import Projection
from projections.documents import DocumentsProjection
from projections.facts import FactsProjection

# Which projection each user-facing view reads.
VIEWS_READ_FROM = {
    "status": "facts",
    "timeline": "facts",
    "ratings": "facts",
    "statements": "facts",
    "subjects": "facts",
    "sources": "facts+documents",
}


def all_projections() -> list[Projection]:
    return [FactsProjection(), DocumentsProjection()]
