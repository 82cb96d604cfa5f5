"""Read models built from the log, and the runner that keeps them current."""

from __future__ import annotations

from projections.base import Projection
from projections.documents import DocumentsProjection
from projections.fact_tables import FactsProjection
from projections.search import SearchProjection


def all_projections() -> list[Projection]:
    return [FactsProjection(), DocumentsProjection(), SearchProjection()]
