"""Which claim stands when sources disagree: the one rule every view uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from projections import facts as fact_rows
from projections.facts import FactState, Seen
from projections.store import Cursor
from timeline.date_words import in_words
from timeline.headlines import headline
from timeline.frameworks import inspection_key

__all__ = [
    "AUTHORITY",
    "claim_json", "claims_in_effect", "effect", "fact_json", "in_effect", "latest_slots", "rating_history", "rating_slot", "standing",
]  # fmt: skip

# An official record outranks the press, which outranks a party's own statement.
AUTHORITY = {"official": 3, "press": 2, "statement": 1}


def effect(state: FactState, as_of: dt.date | None) -> str | None:
    """Whether a fact is in effect as of a date: "certain" once its latest possible day has come,
    "possible" once its earliest has, else (or when retracted) None. No date means no limit."""
    if state.retracted:
        return None
    if as_of is None or state.latest <= as_of:
        return "certain"
    return "possible" if state.earliest <= as_of else None


def in_effect(state: FactState, as_of: dt.date | None) -> bool:
    """A fact counts as of a date (stands, or disputes what stands) only once it has certainly happened."""
    return effect(state, as_of) == "certain"


def standing(claims: list[FactState]) -> tuple[FactState, list[FactState]]:
    """The claim that stands (most authoritative source, then latest in time, then latest recorded),
    and the claims that disagree with it about `grade`."""
    stands = max(claims, key=lambda c: (AUTHORITY[c.source_kind], c.sort_key))
    disputed_by = [c for c in claims if c.data.get("grade") != stands.data.get("grade")]
    return stands, sorted(disputed_by, key=lambda c: c.sort_key)


def rating_history(ratings: Iterable[FactState], subject: str, pillar: str) -> list[tuple[FactState, list[FactState]]]:
    """A force's graded inspections on one pillar, oldest first: each one's standing claim and its disputes.

    Claims about the same inspection of the same force on the same pillar are about one slot."""
    slots: dict[str, list[FactState]] = {}
    for claim in ratings:
        if claim.type == "rating.published" and claim.subject == subject and claim.data["pillar"] == pillar:
            slots.setdefault(inspection_key(claim.data["inspection"]), []).append(claim)
    return sorted((standing(claims) for claims in slots.values()), key=lambda pair: pair[0].sort_key)


def claims_in_effect(states: Iterable[FactState], as_of: dt.date | None) -> dict[str, dict[str, Any]]:
    """Each rating claim in effect, by fact id: whether it stands in its slot, and who disagrees with whom.

    A standing claim lists the claims that dispute it; any other claim names the one that stands,
    and says whether it disputes it (a different grade) or agrees."""
    slots: dict[tuple[str, str, str], list[FactState]] = {}
    for claim in states:
        if claim.type == "rating.published" and in_effect(claim, as_of):
            slots.setdefault(rating_slot(claim), []).append(claim)
    found: dict[str, dict[str, Any]] = {}
    for claims in slots.values():
        stands, disputes = standing(claims)
        found[stands.id] = {"stands": True, "disputed_by": [claim_json(c) for c in disputes]}
        for claim in claims:
            if claim is not stands:
                found[claim.id] = {"stands": False, "disputes": claim in disputes, "standing": claim_json(stands)}
    return found


def latest_slots(cursor: Cursor, prefix: str, force: str, pillar: str, seen: Seen, as_of: dt.date | None) -> list[FactState]:
    """The claims of a pillar's two latest slots (and of any other slot met on the way), each slot whole.

    Claims are read latest first. A slot not met yet has only claims at or before the current one,
    so its standing claim is too: once two slots met stand after it, they are the latest two.
    """
    slots: dict[str, list[FactState]] = {}
    keys: dict[str, tuple[str, str, int]] = {}
    before = None
    while page := fact_rows.claims_before(cursor, prefix, force, pillar, seen, as_of, before, 16):
        for inspection, claim in page:
            if sum(key > claim.sort_key for key in keys.values()) >= 2:
                return [c for claims in slots.values() for c in claims]
            if inspection not in slots:
                slots[inspection] = fact_rows.slot_claims(cursor, prefix, force, pillar, inspection, seen, as_of)
                keys[inspection] = standing(slots[inspection])[0].sort_key
        before = page[-1][1].sort_key
    return [c for claims in slots.values() for c in claims]


def rating_slot(claim: FactState) -> tuple[str, str, str]:
    """What a rating claim is about: (subject, area, inspection key); claims about one slot compete."""
    return (claim.subject, claim.data["pillar"], inspection_key(claim.data["inspection"]))


def fact_json(state: FactState, as_of: dt.date | None = None) -> dict[str, Any]:
    """A fact as views render it: its content, where it stands in the log, whether it was retracted,
    and whether it is certainly or possibly in effect as of the asked date."""
    return {
        "id": state.id,
        "version": state.version,
        **state.body,
        "headline": headline(state.type, state.subject, state.data),
        "occurred_bounds": [state.occurred.lower.isoformat(), state.occurred.upper.isoformat()],
        "occurred_label": in_words(state.occurred.edtf),
        "possible_days": [state.earliest.isoformat(), state.latest.isoformat()],
        "in_effect": effect(state, as_of),
        "position": state.position,
        "recorded_at": state.recorded_at,
        "version_position": state.known_from,
        "retracted": state.retracted,
    }


def claim_json(state: FactState) -> dict[str, Any]:
    """A rating claim in brief, with its source."""
    return {
        "grade": state.data["grade"],
        "inspection": state.data["inspection"],
        "occurred": state.occurred.edtf,
        "occurred_label": in_words(state.occurred.edtf),
        "fact": state.id,
        "source": state.source,
    }
