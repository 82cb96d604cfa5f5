"""A model of the views small enough to be obviously right: fold the list of events, filter, sort.

It shares nothing with projections/ but the domain's event classes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from timeline.facts import Fact, FactContent, content_of

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


def known_at(entries: list[Any], position: int) -> dict[str, Known]:
    """Every fact as it stood once the log reached `position`."""
    facts: dict[str, Known] = {}
    for entry in entries:
        if entry.position > position:
            break
        event, fact_id = entry.event, str(entry.event.originator_id)
        if isinstance(event, Fact.Recorded):
            facts[fact_id] = Known(fact_id, 1, entry.position, content_of(event))
        elif isinstance(event, Fact.Corrected):
            facts[fact_id].content, facts[fact_id].version = content_of(event), event.originator_version
        elif isinstance(event, Fact.Retracted):
            facts[fact_id].retracted, facts[fact_id].version = True, event.originator_version
    return facts


def visible(facts: dict[str, Known], as_of: dt.date | None) -> list[Known]:
    return [f for f in facts.values() if not f.retracted and (as_of is None or f.content.occurred.upper <= as_of)]


def pillar_slots(facts: list[Known], force: str, pillar: str) -> list[tuple[Known, list[str]]]:
    """Standing claim per inspection, oldest first, with the grades that dispute it."""
    slots: dict[str, list[Known]] = {}
    for f in facts:
        c = f.content
        if c.type == "rating.published" and c.subject == force and c.data["pillar"] == pillar:
            slots.setdefault(c.data["inspection"], []).append(f)
    result = []
    for claims in slots.values():
        stands = max(claims, key=lambda f: (AUTHORITY[f.content.source.kind.value], f.key))
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


def timeline_ids(facts: dict[str, Known], subject: str, as_of: dt.date | None, all_subjects: set[str]) -> list[str]:
    return [f.id for f in sorted(visible(facts, as_of), key=lambda f: f.key) if f.names(subject, all_subjects)]


def ratings_summary(facts: dict[str, Known], pillar: str, as_of: dt.date | None) -> tuple[dict[str, str], dict[str, int]]:
    shown = visible(facts, as_of)
    grades = {}
    for force in {f.content.subject for f in shown if f.content.subject.startswith("force/")}:
        slots = pillar_slots(shown, force, pillar)
        if slots:
            grades[force] = slots[-1][0].content.data["grade"]
    return grades, {g: list(grades.values()).count(g) for g in GRADES}


def statement_ids(facts: dict[str, Known], speaker: str, as_of: dt.date | None) -> list[str]:
    said = [f for f in visible(facts, as_of) if f.content.type == "statement.made" and f.content.data["speaker"] == speaker]
    return [f.id for f in sorted(said, key=lambda f: f.key)]


def citations(facts: dict[str, Known]) -> dict[str, list[str]]:
    cited: dict[str, list[str]] = {}
    for f in sorted(facts.values(), key=lambda f: f.key):
        if not f.retracted and f.content.source.document:
            cited.setdefault(f.content.source.document, []).append(f.id)
    return cited
