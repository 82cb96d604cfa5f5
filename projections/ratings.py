"""Ratings across forces: every force's standing grade on a pillar, and how many forces hold each grade."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections import facts as fact_rows
from projections.claims import GRADE_ORDER, PILLARS, claim_json, in_effect, latest_slots, rating_history
from projections.facts import FactState, Seen
from projections.store import Cursor


def facts_for_ratings(
    cursor: Cursor, prefix: str, pillar: str | None, inspection: str | None, seen: Seen, as_of: dt.date | None
) -> list[FactState]:
    """Enough rating claims for ratings_across_forces to answer as it would from all of them: per force
    and pillar, the named inspection's slot, else its latest slots. A few rows a force, however long the log."""
    states: list[FactState] = []
    for force in fact_rows.rated_subjects(cursor, prefix):
        for each in [pillar] if pillar else PILLARS:
            if inspection is not None:
                states += fact_rows.slot_claims(cursor, prefix, force, each, inspection, seen, as_of)
            else:
                states += latest_slots(cursor, prefix, force, each, seen, as_of)
    return states


def ratings_across_forces(
    states: list[FactState], pillar: str | None, as_of: dt.date | None, inspection: str | None = None
) -> dict[str, Any]:
    """Per force and pillar (one, or all when None): the standing claim of the named inspection,
    else of its latest inspection as of the date."""
    facts = [s for s in states if in_effect(s, as_of) and s.subject.startswith("force/")]
    rows = []
    for force in sorted({f.subject for f in facts}):
        for each in [pillar] if pillar else PILLARS:
            history = rating_history(facts, force, each)
            if inspection is not None:
                history = [pair for pair in history if pair[0].data["inspection"] == inspection]
            if history:
                stands, disputes = history[-1]
                rows.append({"subject": force, "pillar": each, **claim_json(stands), "disputed_by": [claim_json(c) for c in disputes]})
    counts = {grade: sum(row["grade"] == grade for row in rows) for grade in reversed(GRADE_ORDER)}
    return {"pillar": pillar, "inspection": inspection, "ratings": rows, "counts": counts}
