"""A fact in one line, and subjects by name, for people: the page and the exports say them the same way."""

from __future__ import annotations

from typing import Any

Names = dict[str, str]  # subject id -> the name in force, where a subject.named fact gives one


def subject_name(subject: str, names: Names | None = None) -> str:
    """The subject's recorded name; else its slug's words: `person/jon-boutcher` -> "Jon Boutcher"."""
    if names and subject in names:
        return names[subject]
    slug = subject.split("/", 1)[-1]
    return " ".join(word.capitalize() for word in slug.split("-"))


def number(value: float) -> str:
    """460 -> "460", 1250000 -> "1,250,000", 2.5 -> "2.5"."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


def headline(
    fact_type: str, subject: str, data: dict[str, Any], source: dict[str, Any] | None = None, names: Names | None = None
) -> str:
    match fact_type:
        case "rating.published":
            area = data["pillar"].replace("-", " ")
            return f"{area[:1].upper()}{area[1:]}: {data['grade'].replace('-', ' ')} ({data['inspection']})"
        case "statement.made":
            role = f", {data['role']}," if data.get("role") else ""
            if data.get("speech") == "reported" and source:
                # The source's words about what was said, not the speaker's own.
                return f"{source['publisher']} reports that {subject_name(data['speaker'], names)}{role} {data['stance']}"
            return f"{subject_name(data['speaker'], names)}{role} {data['stance']}"
        case "figure.reported":
            period = f" ({data['period']})" if data.get("period") else ""
            return f"{data['measure'][:1].upper()}{data['measure'][1:]}: {number(data['value'])} {data['unit']}{period}"
        case "monitoring.changed":
            return f"Monitoring: {data['state'].replace('-', ' ')}"
        case "decision.pending":
            return f"Pending: {data['title']}"
        case "decision.made":
            return f"Decided: {data['outcome']}"
        case "report.published":
            return str(data["title"])
        case "role.held":
            ended = f" ({data['ended'].replace('-', ' ')})" if data.get("ended") else ""
            organisation = subject_name(data["organisation"], names)
            # An office named for its role ("Mayor of Greater Manchester" of office/mayor-of-greater-manchester) is said once.
            of = "" if organisation.casefold() in data["role"].casefold() else f", {organisation}"
            return f"{subject_name(subject, names)}: {data['role']}{of}{ended}"
        case "subject.merged":
            return f"{subject} is another id for {subject_name(data['into'], names)}"
        case "subject.named":
            short = f" ({data['short_name']})" if data.get("short_name") else ""
            return f"Named {data['name']}{short}"
        case _:
            return str(data.get("summary") or fact_type)
