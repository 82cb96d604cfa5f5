"""A subject's claims as long-format CSV: one row a claim, with where it stands and who disputes it.

A claim is a fact certainly in effect that competes with others: a rating or a figure (each about a slot
two sources can disagree on), or any fact that disputes, supports or is disputed by another. Its row says
whether it stands (`projections.claims.standing`, as the timeline view applied it), which claim stands in
its place when it does not, whether it disputes that one, and the claims that dispute it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from timeline.formats.cells import inert

COLUMNS = [
    "fact", "type", "subject", "occurred", "claim", "grade", "inspection", "value", "unit",
    "stands", "standing_fact", "disputes_standing", "disputed_by", "disputed_by_facts",
    "publisher", "url", "published", "source_kind", "quote",
]  # fmt: skip
_SLOTTED = ("rating.published", "figure.reported")  # types whose facts are claims about a slot even when alone


def claims_csv(view: dict[str, Any]) -> bytes:
    """The claims of a timeline view (every page of it), in timeline order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(COLUMNS)
    for fact in view["facts"]:
        claim = fact.get("claim")
        if claim is None or not (fact["type"] in _SLOTTED or claim["disputed_by"] or not claim["stands"]):
            continue
        data, source = fact["data"], fact["source"]
        others = claim["disputed_by"]
        cells = [
            fact["id"], fact["type"], fact["subject"], fact["occurred"], fact["headline"],
            data.get("grade", ""), data.get("inspection", ""), _text(data.get("value")), data.get("unit", ""),
            _flag(claim["stands"]), claim["standing"]["fact"] if "standing" in claim else fact["id"], _flag(claim["disputes"]),
            "; ".join(f"{_said(c)} ({c['source']['publisher']}, {c['source']['kind']})" for c in others),
            ";".join(c["fact"] for c in others),
            source["publisher"], source["url"], source["published"], source["kind"], source.get("quote", ""),
        ]  # fmt: skip
        writer.writerow([inert(str(cell)) for cell in cells])
    return out.getvalue().encode()


def _said(claim: dict[str, Any]) -> str:
    if "grade" in claim:
        return str(claim["grade"])
    if "value" in claim:
        return f"{_text(claim['value'])} {claim['unit']}"
    return str(claim["headline"])


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _flag(value: bool) -> str:
    return "true" if value else "false"
