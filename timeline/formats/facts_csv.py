"""Facts as a spreadsheet: the template's columns, one row a fact (docs/spreadsheets.md).

A row stands for exactly one JSON record, and `record_from_row` builds that record and nothing more:
whether it is a valid fact is for the vocabulary to say, as it says for JSON (`timeline.parsing`).
`facts_csv` writes facts in the same shape, so that an export loads back to the same facts.

- `id`, `type`, `subject`, `occurred` (an EDTF date) are the record's own fields;
- `text` is `data.summary` (TimelineJS's sheet calls a slide's body Text), and every other data field
  of any fact type has a column of its name (`pillar`, `grade`, `inspection`, `value`, ...);
- `mentions`, `disputes`, `supports` list ids separated by `;`;
- `source_1_publisher`, `source_1_url`, ..., `source_2_publisher`, ...: one group of columns a source.

An empty cell leaves its field out. A cell whose field is not text (a figure's `value`, `aliases`,
`compared_with`, `document_version`) holds JSON (`12.5`, `["Cleveland PCC"]`); if it does not parse, it
stays text and the vocabulary refuses it by name. Cells a spreadsheet would run as a formula are written
with a leading `'` (timeline.formats.cells), and read back without it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import orjson

from timeline.errors import FieldError, InvalidRecord
from timeline.formats.cells import inert, revived
from timeline.schemas import FACT_TYPES, MAX_SOURCES, SOURCE_SCHEMA

_SUMMARY = "text"  # data.summary
_LISTS = ("mentions", "disputes", "supports")
_RECORD = ("id", "type", "subject", "occurred")
SOURCE_FIELDS = tuple(SOURCE_SCHEMA["properties"])  # publisher, url, published, kind, document, document_version, quote


def _data_fields() -> dict[str, dict[str, Any]]:
    """Every data field of any fact type, in the vocabulary's order, with its schema (the first type's)."""
    fields: dict[str, dict[str, Any]] = {}
    for spec in FACT_TYPES.values():
        for name, schema in spec.data["properties"].items():
            fields.setdefault(name, schema)
    return fields


_DATA = _data_fields()
_DATA_COLUMNS = [_SUMMARY if name == "summary" else name for name in _DATA]
FACT_COLUMNS = [*_RECORD, *_DATA_COLUMNS, *_LISTS]
assert len(set(FACT_COLUMNS)) == len(FACT_COLUMNS), "a data field shares its name with a record field"


def _is_json(schema: dict[str, Any]) -> bool:
    return schema.get("type") in ("number", "integer", "object", "array", "boolean")


_JSON_DATA = frozenset(name for name, schema in _DATA.items() if _is_json(schema))
_JSON_SOURCE = frozenset(name for name, schema in SOURCE_SCHEMA["properties"].items() if _is_json(schema))


def source_columns(number: int) -> list[str]:
    return [f"source_{number}_{field}" for field in SOURCE_FIELDS]


def template_header(sources: int = 2) -> list[str]:
    """The template's columns, with room for `sources` sources."""
    return [*FACT_COLUMNS, *(column for n in range(1, sources + 1) for column in source_columns(n))]


def column_name(heading: str) -> str:
    """A heading as the template names it: `Text` or ` text ` is `text`, `Source 1 URL` is `source_1_url`."""
    return "_".join(heading.strip().lower().split())


def check_header(header: list[str]) -> list[FieldError]:
    """What is wrong with a header row: a column the template does not have, or one given twice."""
    errors, seen = [], set()
    for heading in header:
        name = column_name(heading)
        if name in seen:
            errors.append(FieldError(heading, "is given twice"))
        elif name not in FACT_COLUMNS and _source_column(name) is None:
            errors.append(FieldError(heading or "(empty heading)", "is not a column of the facts template (docs/spreadsheets.md)"))
        seen.add(name)
    return errors


def _source_column(name: str) -> tuple[int, str] | None:
    """(number, field) of a `source_N_field` column, N from 1 to MAX_SOURCES."""
    parts = name.split("_", 2)
    if len(parts) != 3 or parts[0] != "source" or parts[2] not in SOURCE_FIELDS:
        return None
    if not (parts[1].isascii() and parts[1].isdigit() and 1 <= int(parts[1]) <= MAX_SOURCES):
        return None
    return int(parts[1]), parts[2]


def record_from_row(header: list[str], cells: list[str]) -> dict[str, Any]:
    """The JSON record a row (under a header `check_header` accepts) stands for; InvalidRecord if the row does not fit the header."""
    if len(cells) > len(header):
        raise InvalidRecord([FieldError("(row)", f"has {len(cells)} cells; the header has {len(header)} columns")])
    record: dict[str, Any] = {}
    data: dict[str, Any] = {}
    sources: dict[int, dict[str, Any]] = {}
    for heading, raw in zip(header, cells, strict=False):
        cell = revived(raw)
        if cell == "":
            continue  # an empty cell leaves its field out
        name = column_name(heading)
        if name in _RECORD:
            record[name] = cell
        elif name in _LISTS:
            record[name] = [item.strip() for item in cell.split(";") if item.strip()]
        elif name in _DATA_COLUMNS:
            field = "summary" if name == _SUMMARY else name
            data[field] = _json_or_text(cell) if field in _JSON_DATA else cell
        else:
            number, field = _source_column(name) or (0, "")
            sources.setdefault(number, {})[field] = _json_or_text(cell) if field in _JSON_SOURCE else cell
    record["data"] = data
    listed = [sources[n] for n in sorted(sources)]
    if len(listed) == 1:
        record["source"] = listed[0]
    elif listed:
        record["sources"] = listed
    return record


def _json_or_text(cell: str) -> Any:
    try:
        return orjson.loads(cell)
    except orjson.JSONDecodeError:
        return cell  # left as text: the vocabulary names the field and the type it wants


def row_of(body: dict[str, Any], fact_id: str) -> dict[str, str]:
    """A fact's body (timeline.fact_bodies.fact_body) as a row of the template, by column."""
    row = {"id": fact_id, "type": body["type"], "subject": body["subject"], "occurred": body["occurred"]}
    for field, value in body["data"].items():
        row[_SUMMARY if field == "summary" else field] = _cell(value)
    for name in _LISTS:
        if body.get(name):
            row[name] = ";".join(body[name])
    for number, source in enumerate(body.get("sources") or [body["source"]], start=1):
        for field, value in source.items():
            row[f"source_{number}_{field}"] = _cell(value)
    return row


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def facts_csv(facts: Iterable[tuple[str, dict[str, Any]]]) -> bytes:
    """Facts, as (id, body), in the template's shape: as many source columns as the most-sourced fact needs."""
    rows = [row_of(body, fact_id) for fact_id, body in facts]
    most = max((int(name.split("_")[1]) for row in rows for name in row if name.startswith("source_")), default=1)
    header = template_header(max(most, 1))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    for row in rows:
        writer.writerow([inert(row.get(column, "")) for column in header])
    return out.getvalue().encode()
