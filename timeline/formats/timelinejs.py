"""A subject's timeline as Knight Lab's TimelineJS 3 JSON: one slide per fact.

https://timeline.knightlab.com/docs/json-format.html
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from timeline.date_words import in_words
from timeline.dates import parse_valid_time
from timeline.headlines import subject_name

GROUPS = {
    "rating.published": "Ratings",
    "report.published": "Reports",
    "finding.reported": "Findings",
    "statement.made": "Statements",
    "decision.pending": "Decisions",
    "decision.made": "Decisions",
    "role.held": "Roles",
}


def timelinejs(view: dict[str, Any]) -> dict[str, Any]:
    """The timeline view (every page of it) as a TimelineJS document with a title slide: the subject's
    recorded name, and how many of its claims the record disputes."""
    known = f"as known at log position {view['known_at']}"
    as_of = f", as of {in_words(view['as_of'])}" if view.get("as_of") else ""
    disputed = sum(bool((fact.get("claim") or {}).get("disputes")) for fact in view["facts"])
    disputes = f" The record disputes {disputed} of its claims: each such slide says what the record says." if disputed else ""
    name = (view.get("name") or {}).get("name") or subject_name(view["subject"])
    return {
        "title": {
            "text": {
                "headline": html.escape(name),
                "text": html.escape(f"{len(view['facts'])} sourced facts about {name} ({view['subject']}), {known}{as_of}.{disputes}"),
            }
        },
        "events": [_slide(fact) for fact in view["facts"]],
    }


def _slide(fact: dict[str, Any]) -> dict[str, Any]:
    valid = parse_valid_time(fact["occurred"])
    start, end = _dates(valid.lower, valid.upper)
    slide: dict[str, Any] = {
        "unique_id": f"fact-{fact['id']}",
        "start_date": start,
        "text": {"headline": html.escape(fact["headline"]), "text": _text(fact)},
        "group": GROUPS.get(fact["type"], fact["type"]),
    }
    if end is not None:
        slide["end_date"] = end
    if fact["occurred"] != valid.lower.isoformat() or valid.lower != valid.upper:
        slide["display_date"] = fact["occurred_label"]  # partial or uncertain: say it in words
    return slide


def _dates(lower: dt.date, upper: dt.date) -> tuple[dict[str, int], dict[str, int] | None]:
    """TimelineJS dates at the precision the valid time has: a year, a month, a day, or a span of days."""
    if lower == upper:
        return {"year": lower.year, "month": lower.month, "day": lower.day}, None
    if lower.year == upper.year and (lower.month, lower.day, upper.month, upper.day) == (1, 1, 12, 31):
        return {"year": lower.year}, None
    if (lower.year, lower.month) == (upper.year, upper.month) and lower.day == 1 and (upper + dt.timedelta(days=1)).day == 1:
        return {"year": lower.year, "month": lower.month}, None
    return (
        {"year": lower.year, "month": lower.month, "day": lower.day},
        {"year": upper.year, "month": upper.month, "day": upper.day},
    )


def _text(fact: dict[str, Any]) -> str:
    """The slide's HTML: summary, quote and source link, every value escaped."""
    source, parts = fact["source"], []
    summary = fact["data"].get("summary")
    if summary and summary != fact["headline"]:
        parts.append(f"<p>{html.escape(summary)}</p>")
    if fact.get("retracted"):
        parts.append("<p><strong>Retracted.</strong></p>")
    if source.get("quote"):
        parts.append(f"<blockquote>“{html.escape(source['quote'])}”</blockquote>")
    parts.append(f"<p>Source: {_source(source)}</p>")
    parts += _dispute(fact.get("claim") or {})
    return "".join(parts)


def _source(source: dict[str, Any]) -> str:
    link = f'<a href="{html.escape(source["url"])}">{html.escape(source["publisher"])}</a>'
    return f"{link} ({html.escape(source['kind'])}), {html.escape(in_words(source['published']))}"


def _dispute(claim: dict[str, Any]) -> list[str]:
    """A disputed claim's slide says what disputes it; the record's slide, which claims dispute it."""
    if claim.get("disputes"):
        said = [f"<li>{html.escape(c['headline'])} ({html.escape(c['occurred_label'])}): {_source(c['source'])}</li>" for c in claim["disputed_by"]]
        return ['<p class="tl-disputed"><strong>Disputed by the record:</strong></p>', f"<ul>{''.join(said)}</ul>"]
    if claim.get("stands") and claim.get("disputed_by"):
        said = [f"<li>{html.escape(c['headline'])} ({html.escape(c['occurred_label'])}): {_source(c['source'])}</li>" for c in claim["disputed_by"]]
        return ["<p><strong>Stands, though disputed by:</strong></p>", f"<ul>{''.join(said)}</ul>"]
    return []
