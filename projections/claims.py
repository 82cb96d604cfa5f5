"""Which claim stands when sources disagree: the one rule every view uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projections import fact_queries
from projections.fact_queries import FactState, Seen
from projections.store import Cursor
from timeline.date_words import in_words
from timeline.dates import InvalidDate, parse_valid_time, possible_days
from timeline.facts import AUTHORITY
from timeline.frameworks import inspection_key
from timeline.headlines import headline

__all__ = [
    "AUTHORITY", "Standing",
    "claim_json", "claims_in_effect", "competing", "effect", "fact_json", "in_effect", "latest_slots", "names_in_force", "rating_history", "rating_slot", "standing",
    "standings",
]  # fmt: skip



def effect(state: FactState, as_of: dt.date | None) -> str | None:
    """Whether a fact is in effect as of a date: "certain" once its latest possible day has come,
    "possible" once its earliest has, else (or when retracted) None. No date means no limit."""
    if state.retracted:
        return None
    if as_of is None or state.latest <= as_of:
        return "certain"
    return "possible" if state.earliest <= as_of else None


def in_effect(state: FactState, as_of: dt.date | None) -> bool:
    """A fact counts as of a date (stands, or disputes what stands) only once it has certainly happened,
    and only while some source of it stands behind it (not every document it cites withdrawn)."""
    return effect(state, as_of) == "certain" and not state.discredited


def standing(group: list[FactState]) -> tuple[FactState, list[FactState]]:
    """The one rule: which claim of a group of competing claims stands, and which dispute it.

    The claim that stands has the most authoritative source (official > press > statement), then is
    the latest in valid time, then the latest recorded; only a claim about the group's slot (a rating
    of that inspection, a figure for that measure and period) can stand for it. It is disputed by every
    claim that says otherwise: another grade or figure, or a fact recorded as disputing it; a claim
    recorded as supporting another says what that one says.
    """
    slotted = [c for c in group if natural_slot(c) is not None]
    stands = max(slotted or group, key=lambda c: (AUTHORITY[c.source_kind], c.sort_key))
    if any(c.disputes or c.supports for c in group):
        says = _what_each_says(group)
        disputed_by = [c for c in group if says[c.id] != says[stands.id]]
    else:  # no recorded links: claims agree exactly when they say the same thing about one slot
        disputed_by = [c for c in group if c is not stands and (_value(c) is None or _value(c) != _value(stands))]
    return stands, sorted(disputed_by, key=lambda c: c.sort_key)


def competing(states: Iterable[FactState]) -> list[list[FactState]]:
    """Groups of claims that compete: about one slot, or joined by disputes and supports (transitively)."""
    facts = {s.id: s for s in states}
    parent = {fact_id: fact_id for fact_id in facts}
    by_slot: dict[tuple[Any, ...], str] = {}
    for fact in facts.values():
        slot = natural_slot(fact)
        if slot is not None:
            _union(parent, by_slot.setdefault(slot, fact.id), fact.id)
        for other in (*fact.disputes, *fact.supports):
            if other in facts:
                _union(parent, fact.id, other)
    groups: dict[str, list[FactState]] = {}
    for fact in sorted(facts.values(), key=lambda f: f.sort_key):
        groups.setdefault(_root(parent, fact.id), []).append(fact)
    return list(groups.values())


def natural_slot(claim: FactState) -> tuple[Any, ...] | None:
    """What a claim is about, where two sources can say different things about the same thing."""
    if claim.type == "rating.published":
        return ("rating", *rating_slot(claim))
    if claim.type == "figure.reported":
        return ("figure", claim.subject, inspection_key(claim.data["measure"]), inspection_key(claim.data.get("period") or ""))
    return None


def _what_each_says(group: list[FactState]) -> dict[str, str]:
    """Claims saying the same thing share a label: equal grades or figures about one slot, and supporters."""
    parent = {c.id: c.id for c in group}
    said: dict[tuple[Any, ...], str] = {}
    for claim in group:
        value = _value(claim)
        if value is not None:
            _union(parent, said.setdefault(value, claim.id), claim.id)
        for other in claim.supports:
            if other in parent:
                _union(parent, claim.id, other)
    return {c.id: _root(parent, c.id) for c in group}


def _value(claim: FactState) -> tuple[Any, ...] | None:
    slot = natural_slot(claim)
    if slot is None:
        return None
    value = claim.data["grade"] if claim.type == "rating.published" else (claim.data["value"], inspection_key(claim.data["unit"]))
    return (*slot, value)


def _union(parent: dict[str, str], one: str, other: str) -> None:
    parent[_root(parent, one)] = _root(parent, other)


def _root(parent: dict[str, str], fact_id: str) -> str:
    while parent[fact_id] != fact_id:
        parent[fact_id] = parent[parent[fact_id]]
        fact_id = parent[fact_id]
    return fact_id


def rating_history(facts: Iterable[FactState], subject: str, area: str) -> list[tuple[FactState, list[FactState]]]:
    """A subject's graded inspections in one area, oldest first: each one's standing claim and its disputes
    (other grades for the same inspection, and facts recorded as disputing them)."""
    history = []
    for group in competing(facts):
        stands, disputes = standing(group)
        if stands.type == "rating.published" and stands.subject == subject and stands.data["pillar"] == area:
            history.append((stands, disputes))
    return sorted(history, key=lambda pair: pair[0].sort_key)


@dataclass(frozen=True)
class Standing:
    """Where one claim stands among those it competes with."""

    stands: bool
    disputes: bool  # it disputes the claim that stands
    disputed_by: list[FactState]
    standing: FactState | None  # the claim that stands in its place, when it does not


def standings(states: Iterable[FactState], as_of: dt.date | None) -> dict[str, Standing]:
    """Each claim certainly in effect, by fact id: whether it stands among the claims it competes with,
    who disputes it, and, if it does not stand, which does and whether it disputes that one."""
    found: dict[str, Standing] = {}
    # Not a second filter: callers pass pages, rivals and linked facts together, not all of them in effect.
    for group in competing(s for s in states if in_effect(s, as_of)):
        stands, disputes = standing(group)
        found[stands.id] = Standing(True, False, disputes, None)
        for claim in group:
            if claim is not stands:
                # One that disputes the standing claim is disputed by it; one that agrees, by its disputers.
                found[claim.id] = Standing(False, claim in disputes, [stands] if claim in disputes else disputes, stands)
    return found


def claims_in_effect(states: Iterable[FactState], as_of: dt.date | None) -> dict[str, dict[str, Any]]:
    """`standings` as views show them, each claim in brief with its source."""
    found: dict[str, dict[str, Any]] = {}
    for fact_id, at in standings(states, as_of).items():
        found[fact_id] = {"stands": at.stands, "disputes": at.disputes, "disputed_by": [claim_json(c) for c in at.disputed_by]}
        if at.standing is not None:
            found[fact_id]["standing"] = claim_json(at.standing)
    return found


def latest_slots(cursor: Cursor, prefix: str, force: str, pillar: str, seen: Seen, as_of: dt.date | None) -> list[FactState]:
    """The claims of a pillar's two latest slots (and of any other slot met on the way), each slot whole.

    Claims are read latest first. A slot not met yet has only claims at or before the current one,
    so its standing claim is too: once two slots met stand after it, they are the latest two.
    """
    slots: dict[str, list[FactState]] = {}
    keys: dict[str, tuple[str, str, int]] = {}
    before = None
    while page := fact_queries.claims_before(cursor, prefix, force, pillar, seen, as_of, before, 16):
        for inspection, claim in page:
            if sum(key > claim.sort_key for key in keys.values()) >= 2:
                return [c for claims in slots.values() for c in claims]
            if inspection not in slots:
                slots[inspection] = fact_queries.slot_claims(cursor, prefix, force, pillar, inspection, seen, as_of)
                keys[inspection] = standing(slots[inspection])[0].sort_key
        if before is not None and page[-1][1].sort_key >= before:
            # Pages must move back in time: one that does not would loop for ever (in the projection too, which
            # computes statuses as it catches up), so it fails instead.
            raise LookupError("rating claims read before a key did not move past it")
        before = page[-1][1].sort_key
    return [c for claims in slots.values() for c in claims]


def rating_slot(claim: FactState) -> tuple[str, str, str]:
    """What a rating claim is about: (subject, area, inspection key); claims about one slot compete."""
    return (claim.subject, claim.data["pillar"], inspection_key(claim.data["inspection"]))


def names_in_force(states: Iterable[FactState], as_of: dt.date | None) -> dict[str, dict[str, Any]]:
    """Each subject's name as of the date: its latest subject.named fact certainly in effect by then."""
    named: dict[str, FactState] = {}
    for fact in sorted(states, key=lambda f: f.sort_key):
        if fact.type == "subject.named" and in_effect(fact, as_of):
            named[fact.subject] = fact
    return {
        subject: {"name": f.data["name"], "short_name": f.data.get("short_name"), "aliases": f.data.get("aliases", []), "fact": f.id}
        for subject, f in sorted(named.items())
    }


def fact_json(state: FactState, as_of: dt.date | None = None, names: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """A fact as views render it: its content, where it stands in the log, whether it was retracted,
    and whether it is certainly or possibly in effect as of the asked date; its headline says subjects'
    names where `names` has them."""
    called = {subject: name["name"] for subject, name in (names or {}).items()}
    return {
        "id": state.id,
        "version": state.version,
        **state.body,
        "headline": headline(state.type, state.subject, state.data, state.source, called),
        "occurred_bounds": [state.occurred.lower.isoformat(), state.occurred.upper.isoformat()],
        "occurred_label": in_words(state.occurred.edtf),
        "possible_days": [state.earliest.isoformat(), state.latest.isoformat()],
        **expected_json(state),
        "in_effect": effect(state, as_of),
        "position": state.position,
        "recorded_at": state.recorded_at,
        "version_position": state.known_from,
        "retracted": state.retracted,
        # Documents among its sources that their publishers withdrew; with all withdrawn, it no longer counts.
        "withdrawn_sources": list(state.withdrawn),
        "discredited": state.discredited,
    }


def expected_json(state: FactState) -> dict[str, Any]:
    """A pending decision's expected date as its first and last possible day, and in words (the page's
    time axis draws it as a range); nothing for any other fact."""
    expected = state.data.get("expected") if state.type == "decision.pending" else None
    if not isinstance(expected, str):
        return {}
    try:
        first, last = possible_days(parse_valid_time(expected))
    except InvalidDate:  # validated when recorded; an older vocabulary's text is shown, not drawn
        return {}
    return {"expected_bounds": [first.isoformat(), last.isoformat()], "expected_label": in_words(expected)}


def claim_json(state: FactState) -> dict[str, Any]:
    """A claim in brief, with its source: a rating's grade and inspection, a figure's value and unit."""
    said: dict[str, Any] = {"headline": headline(state.type, state.subject, state.data, state.source)}
    if state.type == "rating.published":
        said |= {"grade": state.data["grade"], "inspection": state.data["inspection"]}
    elif state.type == "figure.reported":
        said |= {"value": state.data["value"], "unit": state.data["unit"]}
    return said | {
        "occurred": state.occurred.edtf,
        "occurred_label": in_words(state.occurred.edtf),
        "fact": state.id,
        "source": state.source,
        "sources": state.sources,
    }
