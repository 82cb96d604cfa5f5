"""Framework editions in the views: which edition grades a rating, whether it supports the claim,
and whether two grades can be compared (only on one scale)."""

from __future__ import annotations

from typing import Any

from timeline.frameworks import inspection_key

Frameworks = dict[str, dict[str, Any]]  # edition -> definition, as known at the read's position


def edition_of(inspection: str, frameworks: Frameworks) -> str | None:
    """The edition that lists this inspection (in any spelling), or None when no known edition does."""
    key = inspection_key(inspection)
    for edition, definition in sorted(frameworks.items()):
        if key in {inspection_key(name) for name in definition["inspections"]}:
            return edition
    return None


def judged(data: dict[str, Any], frameworks: Frameworks) -> dict[str, Any]:
    """A rating claim against its edition: which edition, and whether the edition has its area and grade."""
    edition = edition_of(data["inspection"], frameworks)
    if edition is None:
        return {"edition": None, "name": None, "supported": None, "why": f"no known framework edition lists {data['inspection']!r}"}
    definition = frameworks[edition]
    areas = {area["id"] for area in definition["areas"]}
    why = None
    if data["pillar"] not in areas:
        overall = data["pillar"] == "overall" and not definition.get("overall", False)
        why = f"{definition['name']} gives no overall grade" if overall else f"{definition['name']} does not grade {data['pillar']}"
    elif data["grade"] not in definition["grades"] and data["grade"] not in definition.get("states", []):
        why = f"{definition['name']} has no grade {data['grade']}; its grades are {', '.join(definition['grades'])}"
    return {"edition": edition, "name": definition["name"], "scale": definition["scale"], "supported": why is None, "why": why}


def change(previous: dict[str, Any] | None, current: dict[str, Any], frameworks: Frameworks) -> str:
    """How a grade moved from the previous inspection's: up, down, same, first; or not-comparable when
    the two editions grade on different scales (or either grade is not on its scale)."""
    if previous is None:
        return "first"
    before, now = judged(previous, frameworks), judged(current, frameworks)
    if not (before["supported"] and now["supported"]) or before["scale"] != now["scale"]:
        return "not-comparable"
    grades = frameworks[now["edition"]]["grades"]  # best first
    if previous["grade"] not in grades or current["grade"] not in grades:
        return "not-comparable"  # a state such as not-graded
    delta = grades.index(previous["grade"]) - grades.index(current["grade"])
    return "up" if delta > 0 else "down" if delta < 0 else "same"


def grade_order(edition: str | None, frameworks: Frameworks) -> list[str]:
    """An edition's grades, best first, then its states; nothing for an unknown edition."""
    if edition is None:
        return []
    definition = frameworks[edition]
    return [*definition["grades"], *definition.get("states", [])]
