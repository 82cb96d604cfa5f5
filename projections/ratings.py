"""Ratings across subjects for one inspection: each subject's standing grade per area, how many hold
each grade on the edition's scale, and how many of the edition's subjects the inspection covers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections import fact_queries
from projections.claims import claim_json, rating_history
from projections.editions import Frameworks, edition_of, grade_order, judged
from projections.fact_queries import FactState, Seen
from projections.store import Cursor
from timeline.frameworks import inspection_key


def facts_for_ratings(
    cursor: Cursor, prefix: str, pillar: str | None, inspection: str | None, seen: Seen, as_of: dt.date | None
) -> list[FactState]:
    """Every claim about the inspection asked for, else about each area's latest inspection with a claim
    in effect (on one area, or each). A few rows a subject, however long the log: cycles never mix."""
    if inspection is not None:
        return fact_queries.inspection_claims(cursor, prefix, inspection_key(inspection), pillar, seen, as_of)
    states: list[FactState] = []
    for area in [pillar] if pillar else fact_queries.rated_areas(cursor, prefix, None):
        key = fact_queries.latest_inspection(cursor, prefix, area, seen, as_of)
        if key is not None:
            states += fact_queries.inspection_claims(cursor, prefix, key, area, seen, as_of)
    return states


def ratings_across_forces(
    states: list[FactState], pillar: str | None, inspection: str | None, frameworks: Frameworks
) -> dict[str, Any]:
    """Per subject and area: the standing claim about the inspection; counts per grade in the edition's order;
    and the inspection and its edition, named, with how many subjects it covers (when every row is about one
    inspection). `states` are what `facts_for_ratings` selected: claims certainly in effect, on the area asked
    for (`pillar`, or every area when None), about one inspection per area."""
    # Its sources' withdrawing a claim is the one part of being in effect the query does not say.
    facts = [s for s in states if not s.discredited]
    rows = []
    for subject in sorted({f.subject for f in facts}):
        for area in sorted({f.data["pillar"] for f in facts if f.subject == subject}):
            stands, disputes = rating_history(facts, subject, area)[-1]
            rows.append({
                "subject": subject, "pillar": area, **claim_json(stands),
                "framework": judged(stands.data, frameworks), "disputed_by": [claim_json(c) for c in disputes],
            })  # fmt: skip
    inspections = {inspection_key(row["inspection"]): row["inspection"] for row in rows}
    named = inspection if inspection is not None else (next(iter(inspections.values())) if len(inspections) == 1 else None)
    edition = edition_of(named, frameworks) if named is not None else None
    order = grade_order(edition, frameworks)
    grades = [*order, *sorted({row["grade"] for row in rows} - set(order))]  # a claimed grade off the scale still counts
    definition = frameworks.get(edition) if edition else None
    return {
        "pillar": pillar,
        "inspection": named,
        "framework": {"edition": edition, "name": definition["name"], "scale": definition["scale"]} if definition else None,
        "covered": len({row["subject"] for row in rows}),
        "covers": definition.get("covers") if definition else None,
        "ratings": rows,
        "counts": {grade: sum(row["grade"] == grade for row in rows) for grade in grades},
    }
