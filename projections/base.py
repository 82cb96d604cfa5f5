"""What a projection is: tables it owns, and how one event changes them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from projections.store import Cursor


class Projection(ABC):
    """A read model built from events only.

    Its tables are named with a prefix per generation (`facts_g3_versions`), so that a
    rebuild can fill fresh tables while readers keep using the live ones.
    """

    name: str

    @abstractmethod
    def create_tables(self, cursor: Cursor, prefix: str) -> None:
        """Create this generation's tables and indexes."""

    @abstractmethod
    def table_names(self, prefix: str) -> list[str]:
        """Every table create_tables makes, for dropping an old generation."""

    @abstractmethod
    def apply(self, cursor: Cursor, prefix: str, position: int, event: Any) -> None:
        """Change the tables for one event, inside the caller's transaction."""
