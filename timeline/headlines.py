"""A fact in one line, and subjects by name, for people: the page and the exports say them the same way."""

from __future__ import annotations

from typing import Any


def subject_name(subject: str) -> str:
    """`person/jon-boutcher` -> "Jon Boutcher": a slug's words, capitalised."""
    slug = subject.split("/", 1)[-1]
    return " ".join(word.capitalize() for word in slug.split("-"))


def headline(fact_type: str, subject: str, data: dict[str, Any]) -> str:
    match fact_type:
        case "rating.published":
            return f"{data['pillar'].capitalize()}: {data['grade'].replace('-', ' ')} ({data['inspection']})"
        case "statement.made":
            role = f", {data['role']}," if data.get("role") else ""
            return f"{subject_name(data['speaker'])}{role} {data['stance']}"
        case "decision.pending":
            return f"Pending: {data['title']}"
        case "decision.made":
            return f"Decided: {data['outcome']}"
        case "report.published":
            return str(data["title"])
        case "role.held":
            return f"{subject_name(subject)}: {data['role']}, {subject_name(data['organisation'])}"
        case _:
            return str(data.get("summary") or fact_type)
