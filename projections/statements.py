"""Statements: who said what, about what, with stance and quote."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections.claims import in_effect
from projections.fact_queries import FactState


def statements(
    states: list[FactState], *, speaker: str | None = None, about: str | None = None, as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """Statements by a speaker, or about (or naming) a subject, in valid-time order."""
    # The only filter: `states` are every fact naming the speaker or subject (fact_queries.states_referencing).
    said = [
        s
        for s in states
        if s.type == "statement.made"
        and in_effect(s, as_of)
        and (speaker is None or s.data["speaker"] == speaker)
        and (about is None or about in (s.subject, *s.mentions))
    ]
    return [
        {
            "id": s.id,
            "speaker": s.data["speaker"],
            "role": s.data.get("role"),
            "stance": s.data["stance"],
            "summary": s.data["summary"],
            "quote": s.source.get("quote"),
            "about": s.subject,
            "mentions": s.mentions,
            "occurred": s.occurred.edtf,
            "source": s.source,
            "sources": s.sources,
            "position": s.position,
        }
        for s in sorted(said, key=lambda s: s.sort_key)
    ]
