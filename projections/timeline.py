"""Subject timeline: every fact about or naming a subject, in valid-time order, a page at a time: what a page
asks for (`TimelineQuery`), and where the next one starts."""

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
    """One page of the timeline, and the key to resume after it (None on the last page).

    `states` are what `fact_queries.timeline_page` selected for the query, in timeline order, read one
    past the page: the query's filters are its SQL's alone, so that none is written twice."""
    page = states[: query.limit]
    return page, (page[-1].sort_key if len(states) > query.limit else None)
