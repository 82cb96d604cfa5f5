"""What a projection is: tables it owns, and how one event changes them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from projections.store import Cursor


class Projection(ABC):
    """A read model built from events only.

    Its tables are named with a prefix per generation (`facts_g3_versions`), so that a
    rebuild can fill fresh tables while readers keep using the live ones.
    """

    name: str
    shape: int = 1  # raise it whenever the tables change: stores with the older shape rebuild the view on start

    @abstractmethod
    def create_tables(self, cursor: Cursor, prefix: str) -> None:
        """Create this generation's tables (with their primary keys)."""

    def create_indexes(self, cursor: Cursor, prefix: str) -> None:  # noqa: B027 - a hook: a view with no secondary indexes leaves it be
        """Create the secondary indexes; a rebuild fills the tables first, which is much faster."""

    def create_sql_views(self, cursor: Cursor, prefix: str, dialect: str) -> None:  # noqa: B027 - a hook: most views have none
        """Point the stable SQL views other tools read (names that do not change on a rebuild) at this generation;
        the runner calls it in the transaction that makes a generation live."""

    @abstractmethod
    def table_names(self, prefix: str) -> list[str]:
        """Every table create_tables makes, for dropping an old generation."""

    @abstractmethod
    def apply(self, cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
        """Change the tables for log entries (in log order, each with .position, .topic, .state and .event),
        inside the caller's transaction."""

    def fill(self, cursor: Cursor, prefix: str, entries: Sequence[Any]) -> None:
        """Apply entries to a rebuild's fresh tables, which no reader sees yet: a view may leave what depends on
        every row to `settle`, called once the whole log is in. Unless overridden, the same as apply."""
        self.apply(cursor, prefix, entries)

    def recompute(self, cursor: Cursor, prefix: str, position: int) -> tuple[Sequence[Any], bool]:
        """Once the live view has caught up, in a read transaction at its position: a part of what `apply` only
        marked stale, computed again (the runner keeps it with `store`), and whether more may remain. Unless
        overridden, nothing."""
        return (), False

    def store(self, cursor: Cursor, prefix: str, position: int, recomputed: Sequence[Any]) -> None:  # noqa: B027 - a hook: most views mark nothing stale
        """Keep what `recompute` computed at `position`, in a short write transaction of its own."""

    def settle(self, cursor: Cursor, prefix: str, position: int, after: str | None) -> str | None:
        """Finish a rebuild's fill (its indexes made, its position reached), a part per transaction: what
        fill left undone, from where the last call stopped (None at first). Returns where to go on from, or None
        once done; the tables must then be what apply would have made."""
        return None
