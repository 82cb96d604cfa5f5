"""The ratings view as CSV, one row per force and pillar, for spreadsheets; a grade that sources
dispute says so in columns of its own (how many, and which facts), beside the words."""

from __future__ import annotations

import csv
import io
from typing import Any

from timeline.formats.cells import inert

COLUMNS = [
    "subject", "pillar", "inspection", "grade", "occurred", "fact",
    "publisher", "url", "published", "source_kind", "quote", "disputed_by",
    "disputes", "disputed_by_facts", "disputed_by_grades",
]  # fmt: skip


def ratings_csv(view: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(COLUMNS)
    for row in view["ratings"]:
        source = row["source"]
        disputes = "; ".join(f"{c['grade']} ({c['source']['publisher']}, {c['source']['kind']})" for c in row["disputed_by"])
        cells = [
            row["subject"], row["pillar"], row["inspection"], row["grade"], row["occurred"], row["fact"],
            source["publisher"], source["url"], source["published"], source["kind"], source.get("quote", ""), disputes,
            len(row["disputed_by"]), " ".join(c["fact"] for c in row["disputed_by"]), " ".join(c["grade"] for c in row["disputed_by"]),
        ]  # fmt: skip
        writer.writerow([inert(str(cell)) for cell in cells])
    return out.getvalue().encode()
