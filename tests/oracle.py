"""A model of the views small enough to be obviously right: a dict of each fact's versions, kept by the
state machine's rules as they write, then filtered and sorted.

It shares nothing with projections/ and reads nothing from the log: only the domain's value types.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from timeline.dates import parse_valid_time, possible_days
from timeline.facts import FactContent

AUTHORITY = {"official": 3, "press": 2, "statement": 1}
GRADES = ["inadequate", "requires-improvement", "good", "outstanding"]


@dataclass
class Known:
    id: str
    version: int
    first_position: int
    content: FactContent
    retracted: bool = False

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.content.occurred.lower.isoformat(), self.content.occurred.upper.isoformat(), self.first_position)

    def names(self, subject: str, all_subjects: set[str]) -> bool:
        data_subjects = {v for v in self.content.data.values() if isinstance(v, str) and v in all_subjects}
        return subject in {self.content.subject, *self.content.mentions, *data_subjects}


@dataclass
class Version:
    position: int
    content: FactContent
    retracted: bool
    revised_by: dt.date  # the latest day the source revised this fact by, up to this version (date.min: never)


class Model:
    """Every fact's versions, as the state machine's rules record them: a dict, not a fold over the log."""

    def __init__(self) -> None:
        self.facts: dict[str, list[Version]] = {}

    def recorded(self, fact_id: str, position: int, content: FactContent) -> None:
        self.facts.setdefault(fact_id, [Version(position, content, False, dt.date.min)])  # a re-send changes nothing

    def corrected(self, fact_id: str, position: int, content: FactContent, revised: dt.date | None) -> None:
        last = self.facts[fact_id][-1]
        self.facts[fact_id].append(Version(position, content, False, max(last.revised_by, revised or dt.date.min)))

    def retracted(self, fact_id: str, position: int) -> None:
        last = self.facts[fact_id][-1]
        self.facts[fact_id].append(Version(position, last.content, True, last.revised_by))

    def ever_named(self, subject: str, all_subjects: set[str], position: int) -> bool:
        """Whether any version recorded up to `position` named the subject: whether the views know it at all."""
        return any(
            Known(fact_id, 0, 0, v.content).names(subject, all_subjects)
            for fact_id, versions in self.facts.items() for v in versions if v.position <= position
        )

    def known_at(self, position: int, reported_by: dt.date | None = None) -> dict[str, Known]:
        """Every fact as it stood once the log reached `position` and, given `reported_by`, as its source had
        it by that day: the last version whose revisions had all appeared by then, if it was published by then."""
        found: dict[str, Known] = {}
        for fact_id, versions in self.facts.items():
            known = [(number, v) for number, v in enumerate(versions, start=1) if v.position <= position]
            chosen = [(n, v) for n, v in known if reported_by is None or v.revised_by <= reported_by]
            if not chosen:
                continue
            number, version = chosen[-1]
            if reported_by is None or public_from(version.content) <= reported_by:
                found[fact_id] = Known(fact_id, number, versions[0].position, version.content, version.retracted)
        return found


def certain(fact: Known, as_of: dt.date | None) -> bool:
    return as_of is None or possible_days(fact.content.occurred)[1] <= as_of


def possible(fact: Known, as_of: dt.date | None) -> bool:
    return as_of is None or possible_days(fact.content.occurred)[0] <= as_of


def visible(facts: dict[str, Known], as_of: dt.date | None) -> list[Known]:
    """Facts certainly in effect as of the date: only they stand, or dispute what stands."""
    return [f for f in facts.values() if not f.retracted and certain(f, as_of)]


def pillar_slots(facts: list[Known], force: str, pillar: str) -> list[tuple[Known, list[str]]]:
    """Standing claim per inspection, oldest first, with the grades that dispute it."""
    slots: dict[str, list[Known]] = {}
    for f in facts:
        c = f.content
        if c.type == "rating.published" and c.subject == force and c.data["pillar"] == pillar:
            slots.setdefault(c.data["inspection"], []).append(f)
    result = []
    for claims in slots.values():
        stands = max(claims, key=lambda f: (max(AUTHORITY[s.kind.value] for s in f.content.sources), f.key))
        disputes = sorted(f.content.data["grade"] for f in claims if f.content.data["grade"] != stands.content.data["grade"])
        result.append((stands, disputes))
    return sorted(result, key=lambda pair: pair[0].key)


def status_summary(facts: dict[str, Known], subject: str, as_of: dt.date | None, all_subjects: set[str]) -> dict[str, Any]:
    shown = visible(facts, as_of)
    ratings = {}
    for pillar in ("effectiveness", "efficiency", "legitimacy"):
        slots = pillar_slots(shown, subject, pillar)
        if slots:
            (current, disputes), previous = slots[-1], (slots[-2] if len(slots) > 1 else None)
            grade = current.content.data["grade"]
            before = previous[0].content.data["grade"] if previous else None
            move = "first" if before is None else ("same" if before == grade else "up" if GRADES.index(grade) > GRADES.index(before) else "down")
            ratings[pillar] = (grade, current.content.data["inspection"], move, before, disputes, previous[1] if previous else None)
    concerning = {f.content.subject for f in shown if f.content.type.startswith("decision.") and f.names(subject, all_subjects)}
    made = {f.content.subject for f in shown if f.content.type == "decision.made"}
    pending = {f.content.subject for f in shown if f.content.type == "decision.pending"} & concerning - made
    return {"ratings": ratings, "pending": sorted(pending)}


def timeline_ids(
    facts: dict[str, Known], subject: str, as_of: dt.date | None, all_subjects: set[str], include_retracted: bool = False
) -> list[tuple[str, str | None]]:
    """A subject's timeline: every fact at least possibly in effect, each with whether it is certain (a retracted
    one, listed only when asked for, is in effect at no date)."""
    shown = [f for f in facts.values() if (include_retracted or not f.retracted) and possible(f, as_of)]
    return [
        (f.id, None if f.retracted else "certain" if certain(f, as_of) else "possible")
        for f in sorted(shown, key=lambda f: f.key)
        if f.names(subject, all_subjects)
    ]


def latest_statements(facts: dict[str, Known], subject: str, as_of: dt.date | None, all_subjects: set[str], limit: int) -> list[str]:
    """The status card's statements: the latest few naming the subject, certainly in effect, latest first."""
    said = [f for f in visible(facts, as_of) if f.content.type == "statement.made" and f.names(subject, all_subjects)]
    return [f.id for f in sorted(said, key=lambda f: f.key, reverse=True)[:limit]]


def latest_findings(facts: dict[str, Known], subject: str, as_of: dt.date | None) -> tuple[str, list[str]] | None:
    """The status card's findings: the report of the latest finding about the subject, and every finding about
    the subject in that report (not in any other), in timeline order."""
    found = [f for f in visible(facts, as_of) if f.content.type == "finding.reported" and f.content.subject == subject]
    if not found:
        return None
    report = max(found, key=lambda f: f.key).content.data["report"]
    return report, [f.id for f in sorted(found, key=lambda f: f.key) if f.content.data["report"] == report]


def ratings_summary(facts: dict[str, Known], pillar: str, as_of: dt.date | None) -> tuple[dict[str, str], dict[str, int]]:
    """One inspection: the latest rated on the pillar (by valid time, then record); each force's standing grade in it."""
    rated = [f for f in visible(facts, as_of) if f.content.type == "rating.published" and f.content.data["pillar"] == pillar]
    if not rated:
        return {}, {}
    latest = max(rated, key=lambda f: f.key).content.data["inspection"]
    in_it = [f for f in rated if f.content.data["inspection"] == latest]
    grades = {}
    for force in {f.content.subject for f in in_it}:
        grades[force] = pillar_slots(in_it, force, pillar)[-1][0].content.data["grade"]
    return grades, {g: list(grades.values()).count(g) for g in [*reversed(GRADES), "not-graded"]}


def statement_ids(facts: dict[str, Known], speaker: str, as_of: dt.date | None) -> list[str]:
    said = [f for f in visible(facts, as_of) if f.content.type == "statement.made" and f.content.data["speaker"] == speaker]
    return [f.id for f in sorted(said, key=lambda f: f.key)]


def citations(facts: dict[str, Known]) -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {}
    for f in sorted(facts.values(), key=lambda f: f.key):
        if not f.retracted:
            for document in dict.fromkeys(s.document for s in f.content.sources if s.document):
                cited.setdefault(document, []).append(f.id)
    return cited


def authority(fact: Known) -> int:
    return max(AUTHORITY[source.kind.value] for source in fact.content.sources)


def _reachable(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for other in edges.get(todo.pop(), set()) - seen:
            seen.add(other)
            todo.append(other)
    return seen


def linked_claims(facts: dict[str, Known], subject: str, as_of: dt.date | None, all_subjects: set[str]) -> dict[str, tuple[bool, bool, list[str]]]:
    """For claims without a slot (statements, findings, roles, decisions) that disputes or supports
    join to others: each timeline item's (stands, disputes, ids disputing it).

    Linked claims certainly in effect compete as one group (links read both ways, transitively). The
    most authoritative (then latest) stands; supporters say what they support; any other claim in the
    group disputes the one that stands, which disputes it back."""
    shown = {f.id: f for f in visible(facts, as_of) if f.content.type not in ("rating.published", "figure.reported")}
    links: dict[str, set[str]] = {}
    supports: dict[str, set[str]] = {}
    for f in shown.values():
        for other in (*f.content.disputes, *f.content.supports):
            if other in shown:
                links.setdefault(f.id, set()).add(other)
                links.setdefault(other, set()).add(f.id)
        for other in f.content.supports:
            if other in shown:
                supports.setdefault(f.id, set()).add(other)
                supports.setdefault(other, set()).add(f.id)
    found = {}
    for f in shown.values():
        if not f.names(subject, all_subjects):
            continue
        group = [shown[i] for i in _reachable(f.id, links)]
        stands = max(group, key=lambda c: (authority(c), c.key))
        agrees = _reachable(stands.id, supports)
        disputers = sorted(c.id for c in group if c.id not in agrees)
        if f is stands:
            found[f.id] = (True, False, disputers)
        elif f.id in agrees:
            found[f.id] = (False, False, disputers)
        else:
            found[f.id] = (False, True, [stands.id])
    return found


def roles_held(
    facts: dict[str, Known], subject: str, as_of: dt.date | None, all_subjects: set[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(person, role) held in, over or governing the subject as of the date, and those ended by then.
    The latest fact about one person's role describes it; it runs from `from` (else its attestation)
    to `to`, each taken at its last possible day. A role that does not stand among the claims linked
    to it (whatever the date) is not held."""
    stands = {fact_id: claim[0] for fact_id, claim in linked_claims(facts, subject, None, all_subjects).items()}
    latest: dict[tuple[str, str, str], Known] = {}
    for f in sorted((f for f in facts.values() if not f.retracted and stands.get(f.id, True)), key=lambda f: f.key):
        data = f.content.data
        if f.content.type == "role.held" and subject in (f.content.subject, data["organisation"], data.get("governs")):
            latest[(f.content.subject, data["role"], data["organisation"])] = f
    held, ended = [], []
    for (person, role, _), f in sorted(latest.items()):
        start = parse_valid_time(f.content.data["from"]) if f.content.data.get("from") else f.content.occurred
        if as_of is not None and possible_days(start)[1] > as_of:
            continue
        to = f.content.data.get("to")
        finished = to is not None and (as_of is None or possible_days(parse_valid_time(to))[1] < as_of)
        (ended if finished else held).append((person, role))
    return held, sorted(ended)


def public_from(content: FactContent) -> dt.date:
    """The day a fact became public: the first of its sources' publications, each taken at its last possible day."""
    return min(possible_days(source.published)[1] for source in content.sources)


def search_ids(facts: dict[str, Known], word: str, as_of: dt.date | None) -> list[str]:
    """A search for one word found only in quotes: every fact at least possibly in effect whose source quotes
    it, latest first in timeline order."""
    found = [
        f for f in facts.values()
        if not f.retracted and possible(f, as_of) and any(word in (s.quote or "").lower().split() for s in f.content.sources)
    ]
    return [f.id for f in sorted(found, key=lambda f: f.key, reverse=True)]
