"""Subject timeline: every fact about or naming a subject, in valid-time order, a page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from projections.fact_queries import FactState

SortKey = tuple[str, str, int]


@dataclass(frozen=True)
class TimelineQuery:
    as_of: dt.date | None = None
    types: frozenset[str] = frozenset()
    date_from: dt.date | None = None  # facts whose valid time overlaps [date_from, date_to]
    date_to: dt.date | None = None
    include_retracted: bool = False
    after: SortKey | None = None  # keyset cursor: the last item of the previous page
    limit: int = 50


def subject_timeline(states: list[FactState], query: TimelineQuery) -> tuple[list[FactState], SortKey | None]:
    """One page of the timeline, and the key to resume after it (None on the last page)."""
    chosen = sorted((s for s in states if _selected(s, query)), key=lambda s: s.sort_key)
    page = chosen[: query.limit]
    return page, (page[-1].sort_key if len(chosen) > query.limit else None)


def _selected(state: FactState, query: TimelineQuery) -> bool:
    return (
        (query.include_retracted or not state.retracted)
        and (query.as_of is None or state.earliest <= query.as_of)  # possibly in effect, at least
        and (not query.types or state.type in query.types)
        and (query.date_from is None or state.occurred.upper >= query.date_from)
        and (query.date_to is None or state.occurred.lower <= query.date_to)
        and (query.after is None or state.sort_key > query.after)
    )
