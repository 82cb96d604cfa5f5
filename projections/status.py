"""Subject status: a subject's standing as of a date, as known at a log position."""

from __future__ import annotations

import datetime as dt
from typing import Any

from projections import fact_queries
from projections.claims import (
    claim_json,
    claims_in_effect,
    effect,
    fact_json,
    in_effect,
    latest_slots,
    names_in_force,
    rating_history,
)
from projections.editions import Frameworks, change, judged
from projections.fact_queries import FactState, Seen
from projections.store import Cursor
from timeline.date_words import in_words
from timeline.dates import parse_valid_time, possible_days

LATEST_STATEMENTS = 10
LATEST_POSSIBLE = 20


def subject_status(
    states: list[FactState], subject: str, as_of: dt.date | None, frameworks: Frameworks, last_day: dt.date | None = None
) -> dict[str, Any]:
    """Ratings per graded area, decisions pending and made, latest statements, latest report's findings,
    roles held and ended, monitoring: all from facts certainly in effect as of the date; and, apart, the
    latest facts that only may be. A pending decision is overdue once its expected date has passed by
    `as_of`, or with no `as_of` by `last_day`, the latest day any fact in the log names (never the clock)."""
    # Not a second filter: the rows mix several queries' (facts only possible, decisions and roles whatever their dates).
    facts = _unique(s for s in states if in_effect(s, as_of))
    roles, former_roles = _roles(states, subject, as_of)
    names = names_in_force(states, as_of)
    return {
        "subject": subject,
        "name": names.get(subject),
        "names": names,
        "ratings": _ratings(facts, subject, frameworks),
        "pending_decisions": _pending_decisions(facts, subject, as_of or last_day),
        "decisions": _decisions(facts, subject),
        "statements": [fact_json(s, as_of, names) for s in _latest_statements(facts, subject)],
        "findings": _latest_findings(facts, subject, as_of, names),
        "roles": roles,
        "former_roles": former_roles,
        "monitoring": _monitoring(facts, subject),
        "possible": _possible(states, subject, as_of, names),
    }


def status_answer(
    cursor: Cursor, prefix: str, subject: str, seen: Seen, as_of: dt.date | None, frameworks: Frameworks
) -> dict[str, Any]:
    """A subject's status card as seen, as of a date, from the rows `facts_for_status` reads."""
    states = facts_for_status(cursor, prefix, subject, seen, as_of)
    # Only an expected date needs "today" (to say overdue); without as_of it is the log's latest day.
    expecting = any(s.type == "decision.pending" and s.data.get("expected") for s in states)
    last_day = fact_queries.last_day(cursor, prefix, seen) if as_of is None and expecting else None
    return subject_status(states, subject, as_of, frameworks, last_day)


def facts_for_status(cursor: Cursor, prefix: str, subject: str, seen: Seen, as_of: dt.date | None) -> list[FactState]:
    """Enough of the facts naming a subject for subject_status to answer exactly as it would from all of them.

    That is: each pillar's two latest rating slots (whole), the latest statements, the latest
    report's findings, every decision and role, and the latest facts possibly in effect. A status
    then reads a few dozen rows, however long the log.
    """
    states = fact_queries.latest_naming(cursor, prefix, subject, seen, "statement.made", as_of, LATEST_STATEMENTS)
    latest = fact_queries.latest_naming(cursor, prefix, subject, seen, "finding.reported", as_of, 1, about=subject)
    if latest:
        report = latest[0].data["report"]
        states += fact_queries.latest_naming(cursor, prefix, report, seen, "finding.reported", as_of, 1_000_000, about=subject)
    states += fact_queries.naming(cursor, prefix, subject, seen, ("role.held", "decision.pending", "decision.made", "monitoring.changed"))
    states += fact_queries.linked(cursor, prefix, [s for s in states if s.type == "role.held"], seen)  # facts disputing a role
    decisions = {s.subject for s in states if s.type.startswith("decision.")} - {subject}
    for decision in sorted(decisions):
        states += fact_queries.naming(cursor, prefix, decision, seen, ("decision.pending", "decision.made"))
    claims: list[FactState] = []
    for area in fact_queries.rated_areas(cursor, prefix, subject, seen):
        claims += latest_slots(cursor, prefix, subject, area, seen, as_of)
    states += claims + fact_queries.linked(cursor, prefix, claims, seen)  # facts recorded as disputing a grade
    if as_of is not None:
        states += fact_queries.latest_possible(cursor, prefix, subject, seen, as_of, LATEST_POSSIBLE)
    # The names of the subject and of everyone and everything these facts name.
    states += fact_queries.naming_facts(cursor, prefix, {name for s in states for name in s.refs} | {subject}, seen)
    return states


def _possible(states: list[FactState], subject: str, as_of: dt.date | None, names: dict[str, Any]) -> list[dict[str, Any]]:
    """Facts naming the subject that may have happened by `as_of` but need not have: listed, never standing."""
    maybe = _unique(s for s in states if effect(s, as_of) == "possible" and subject in s.refs)
    latest = sorted(maybe, key=lambda s: s.sort_key, reverse=True)[:LATEST_POSSIBLE]
    return [fact_json(s, as_of, names) for s in reversed(latest)]


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


def _decisions(facts: list[FactState], subject: str) -> list[dict[str, Any]]:
    """Decisions made that concern the subject, latest first."""
    made = [f for f in facts if f.type == "decision.made" and subject in f.refs]
    return [
        {
            "decision": fact.subject,
            "outcome": fact.data["outcome"],
            "decider": fact.data.get("decider"),
            "decided": fact.occurred.edtf,
            "decided_label": in_words(fact.occurred.edtf),
            "fact": fact.id,
            "source": fact.source,
            "sources": fact.sources,
        }
        for fact in sorted(made, key=lambda f: f.sort_key, reverse=True)[:LATEST_STATEMENTS]
    ]


def _monitoring(facts: list[FactState], subject: str) -> dict[str, Any] | None:
    """The inspectorate's latest monitoring state of the subject, with how it got there."""
    changes = sorted((f for f in facts if f.type == "monitoring.changed" and f.subject == subject), key=lambda f: f.sort_key)
    if not changes:
        return None
    latest = changes[-1]
    return {
        "state": latest.data["state"],
        "since": latest.occurred.edtf,
        "since_label": in_words(latest.occurred.edtf),
        "inspectorate": latest.data["inspectorate"],
        "fact": latest.id,
        "source": latest.source,
        "sources": latest.sources,
        "history": [{"state": f.data["state"], "occurred": f.occurred.edtf, "fact": f.id} for f in changes],
    }


def _pending_decisions(facts: list[FactState], subject: str, today: dt.date | None) -> list[dict[str, Any]]:
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
            "overdue": _overdue(fact.data.get("expected"), today),
            "fact": fact.id,
            "source": fact.source,
            "sources": fact.sources,
        }
        for decision, fact in sorted(pending.items())
    ]


def _overdue(expected: str | None, today: dt.date | None) -> bool:
    """Past the last day it was expected by: a `2017-21` (spring 2017) decision is overdue from June 2017."""
    return expected is not None and today is not None and possible_days(parse_valid_time(expected))[1] < today


def _latest_statements(facts: list[FactState], subject: str) -> list[FactState]:
    said = [f for f in facts if f.type == "statement.made" and subject in f.refs]
    return sorted(said, key=lambda f: f.sort_key, reverse=True)[:LATEST_STATEMENTS]


def _latest_findings(facts: list[FactState], subject: str, as_of: dt.date | None, names: dict[str, Any]) -> dict[str, Any] | None:
    findings = [f for f in facts if f.type == "finding.reported" and f.subject == subject]
    if not findings:
        return None
    latest = max(findings, key=lambda f: f.sort_key).data["report"]
    return {
        "report": latest,
        "findings": [fact_json(f, as_of, names) for f in sorted(findings, key=lambda f: f.sort_key) if f.data["report"] == latest],
    }


def _roles(states: list[FactState], subject: str, as_of: dt.date | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Roles held in, over, or governing the subject as of the date, and those that had ended by then.

    A role runs from `from` (else the day the source attests it) to `to`, by the same EDTF rule as
    every date: held once it has certainly begun, ended once it has certainly ended. Its attestation
    date does not limit it: a dismissal in 2012 reported in 2019 is a 2012 role. The latest fact
    about a person's role is the one that describes it. A role disputed by a claim that stands (by the one
    rule, whatever the date: the dispute is about the same attestation) is not held; one that stands says
    who disputes it."""
    claims = claims_in_effect(_unique(states), None)
    latest: dict[tuple[str, str, str], FactState] = {}
    for fact in sorted(_unique(s for s in states if not s.retracted and not s.discredited), key=lambda f: f.sort_key):
        if fact.type == "role.held" and subject in (fact.subject, fact.data["organisation"], fact.data.get("governs")):
            if not claims.get(fact.id, {"stands": True})["stands"]:
                continue
            latest[(fact.subject, fact.data["role"], fact.data["organisation"])] = fact
    held: list[dict[str, Any]] = []
    former: list[dict[str, Any]] = []
    for (person, role, organisation), fact in sorted(latest.items()):
        if not _begun(fact, as_of):
            continue
        entry = {
            "person": person,
            "role": role,
            "organisation": organisation,
            "governs": fact.data.get("governs"),
            "from": fact.data.get("from"),
            "to": fact.data.get("to"),
            "from_label": in_words(fact.data["from"]) if fact.data.get("from") else None,
            "to_label": in_words(fact.data["to"]) if fact.data.get("to") else None,
            "ended": fact.data.get("ended"),
            "attested": fact.occurred.edtf,
            "fact": fact.id,
            "source": fact.source,
            "sources": fact.sources,
            "disputed_by": claims[fact.id]["disputed_by"] if fact.id in claims else [],
        }
        (former if _finished(fact, as_of) else held).append(entry)
    return held, sorted(former, key=lambda r: r["to"] or "", reverse=True)[:LATEST_STATEMENTS]


def _begun(role: FactState, as_of: dt.date | None) -> bool:
    if as_of is None:
        return True
    start = parse_valid_time(role.data["from"]) if role.data.get("from") else role.occurred
    return possible_days(start)[1] <= as_of


def _finished(role: FactState, as_of: dt.date | None) -> bool:
    to = role.data.get("to")
    if to is None:
        return False
    return as_of is None or possible_days(parse_valid_time(to))[1] < as_of


def _unique(states: Any) -> list[FactState]:
    return list({s.id: s for s in states}.values())
