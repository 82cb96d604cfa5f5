"""Ratings across forces: every force's standing grade on a pillar, and how many forces hold each grade."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections.claims import GRADE_ORDER, PILLARS, claim_json, in_effect, rating_history
from projections.facts import FactState


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
