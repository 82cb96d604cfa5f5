"""Subject status: a subject's standing as of a date, as known at a log position."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections import facts as fact_rows
from projections.claims import claim_json, effect, fact_json, in_effect, latest_slots, rating_history
from projections.editions import Frameworks, change, judged
from projections.facts import FactState, Seen
from projections.store import Cursor
from timeline.date_words import in_words
from timeline.dates import parse_valid_time

LATEST_STATEMENTS = 10
LATEST_POSSIBLE = 20


def subject_status(states: list[FactState], subject: str, as_of: dt.date | None, frameworks: Frameworks) -> dict[str, Any]:
    """Ratings per graded area, pending decisions, latest statements, latest report's findings, roles held:
    all from facts certainly in effect as of the date; and, apart, the latest facts that only may be."""
    facts = _unique(s for s in states if in_effect(s, as_of))
    return {
        "subject": subject,
        "ratings": _ratings(facts, subject, frameworks),
        "pending_decisions": _pending_decisions(facts, subject),
        "statements": [fact_json(s, as_of) for s in _latest_statements(facts, subject)],
        "findings": _latest_findings(facts, subject, as_of),
        "roles": _roles(facts, subject, as_of),
        "possible": _possible(states, subject, as_of),
    }


def facts_for_status(cursor: Cursor, prefix: str, subject: str, seen: Seen, as_of: dt.date | None) -> list[FactState]:
    """Enough of the facts naming a subject for subject_status to answer exactly as it would from all of them.

    That is: each pillar's two latest rating slots (whole), the latest statements, the latest
    report's findings, every decision and role, and the latest facts possibly in effect. A status
    then reads a few dozen rows, however long the log.
    """
    states = fact_rows.latest_naming(cursor, prefix, subject, seen, "statement.made", as_of, LATEST_STATEMENTS)
    latest = fact_rows.latest_naming(cursor, prefix, subject, seen, "finding.reported", as_of, 1, about=subject)
    if latest:
        report = latest[0].data["report"]
        states += fact_rows.latest_naming(cursor, prefix, report, seen, "finding.reported", as_of, 1_000_000, about=subject)
    states += fact_rows.naming(cursor, prefix, subject, seen, ("role.held", "decision.pending", "decision.made"))
    decisions = {s.subject for s in states if s.type.startswith("decision.")} - {subject}
    for decision in sorted(decisions):
        states += fact_rows.naming(cursor, prefix, decision, seen, ("decision.pending", "decision.made"))
    for area in fact_rows.rated_areas(cursor, prefix, subject):
        states += latest_slots(cursor, prefix, subject, area, seen, as_of)
    if as_of is not None:
        states += fact_rows.latest_possible(cursor, prefix, subject, seen, as_of, LATEST_POSSIBLE)
    return states


def _possible(states: list[FactState], subject: str, as_of: dt.date | None) -> list[dict[str, Any]]:
    """Facts naming the subject that may have happened by `as_of` but need not have: listed, never standing."""
    maybe = _unique(s for s in states if effect(s, as_of) == "possible" and subject in s.refs)
    latest = sorted(maybe, key=lambda s: s.sort_key, reverse=True)[:LATEST_POSSIBLE]
    return [fact_json(s, as_of) for s in reversed(latest)]


def _ratings(facts: list[FactState], subject: str, frameworks: Frameworks) -> dict[str, Any]:
    ratings: dict[str, Any] = {}
    areas = sorted({f.data["pillar"] for f in facts if f.type == "rating.published" and f.subject == subject})
    for area in areas:
        history = rating_history(facts, subject, area)
        (current, disputes), previous = history[-1], (history[-2] if len(history) > 1 else None)
        ratings[area] = {
            **claim_json(current),
            "framework": judged(current.data, frameworks),
            "disputed_by": [claim_json(c) for c in disputes],
            "change": change(previous[0].data if previous else None, current.data, frameworks),
            "previous": (
                {**claim_json(previous[0]), "disputed_by": [claim_json(c) for c in previous[1]]} if previous else None
            ),
        }
    return ratings


def _pending_decisions(facts: list[FactState], subject: str) -> list[dict[str, Any]]:
    """Decisions that concern the subject, awaited with no decision.made yet."""
    concerning = {f.subject for f in facts if f.type.startswith("decision.") and subject in f.refs}
    decided = {f.subject for f in facts if f.type == "decision.made"}
    pending: dict[str, FactState] = {}
    for fact in sorted(facts, key=lambda f: f.sort_key):
        if fact.type == "decision.pending" and fact.subject in concerning - decided:
            pending[fact.subject] = fact  # the latest word on a pending decision describes it
    return [
        {
            "decision": decision,
            "title": fact.data["title"],
            "decider": fact.data["decider"],
            "expected": fact.data.get("expected"),
            "expected_label": in_words(fact.data["expected"]) if fact.data.get("expected") else None,
            "fact": fact.id,
            "source": fact.source,
        }
        for decision, fact in sorted(pending.items())
    ]


def _latest_statements(facts: list[FactState], subject: str) -> list[FactState]:
    said = [f for f in facts if f.type == "statement.made" and subject in f.refs]
    return sorted(said, key=lambda f: f.sort_key, reverse=True)[:LATEST_STATEMENTS]


def _latest_findings(facts: list[FactState], subject: str, as_of: dt.date | None) -> dict[str, Any] | None:
    findings = [f for f in facts if f.type == "finding.reported" and f.subject == subject]
    if not findings:
        return None
    latest = max(findings, key=lambda f: f.sort_key).data["report"]
    return {
        "report": latest,
        "findings": [fact_json(f, as_of) for f in sorted(findings, key=lambda f: f.sort_key) if f.data["report"] == latest],
    }


def _roles(facts: list[FactState], subject: str, as_of: dt.date | None) -> list[dict[str, Any]]:
    held: dict[tuple[str, str, str], FactState] = {}
    for fact in sorted(facts, key=lambda f: f.sort_key):
        if fact.type != "role.held" or subject not in (fact.subject, fact.data["organisation"]):
            continue
        if _ended(fact.data.get("to"), as_of):
            continue
        held[(fact.subject, fact.data["role"], fact.data["organisation"])] = fact
    return [
        {
            "person": person,
            "role": role,
            "organisation": organisation,
            "from": fact.data.get("from"),
            "to": fact.data.get("to"),
            "attested": fact.occurred.edtf,
            "fact": fact.id,
            "source": fact.source,
        }
        for (person, role, organisation), fact in sorted(held.items())
    ]


def _ended(to: str | None, as_of: dt.date | None) -> bool:
    if to is None:
        return False
    return as_of is None or parse_valid_time(to).upper < as_of


def _unique(states: Any) -> list[FactState]:
    return list({s.id: s for s in states}.values())
