"""The ratings view as CSV, one row per force and pillar, for spreadsheets."""

from __future__ import annotations

import csv
import io
from typing import Any

COLUMNS = [
    "subject", "pillar", "inspection", "grade", "occurred", "fact",
    "publisher", "url", "published", "source_kind", "quote", "disputed_by",
]  # fmt: skip
# A cell a spreadsheet would run as a formula (OWASP's CSV injection advice): prefix it with '.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
        ]  # fmt: skip
        writer.writerow([_inert(str(cell)) for cell in cells])
    return out.getvalue().encode()


def _inert(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
