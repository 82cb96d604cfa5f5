#!/usr/bin/env python3
"""How long a typed model takes to validate and to serialise a real answer: the seed's first rating as
GET /v1/facts/{id} renders it, with pydantic (the project's models), msgspec (when installed) and, beside
them, what the server does today (orjson) and the compiled JSON Schema check of the same schema.

    .venv/bin/python scripts/model_speed.py

Figures are per record, best of five runs; they depend on the machine, so compare them within one run.
"""

from __future__ import annotations

import timeit
from typing import Any

import jsonschema_rs
import orjson
from pydantic import TypeAdapter

from timeline.http import models
from timeline.http.openapi import SCHEMAS

# The seed's first rating as the API answers it (GET /v1/facts/7529703d-525c-53c7-b8c6-a41120c7ebdd).
RECORD: dict[str, Any] = {
    "id": "7529703d-525c-53c7-b8c6-a41120c7ebdd", "version": 1, "retracted": False, "type": "rating.published",
    "subject": "force/bedfordshire", "occurred": "2017-03-02",
    "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2016", "inspectorate": "org/hmic",
             "summary": "HMIC rated Bedfordshire Police inadequate for effectiveness in PEEL 2016."},
    "mentions": ["org/hmic"],
    "source": {"publisher": "The Comet", "url": "https://www.thecomet.net/news/bedfordshire-police-the-only-force-rated-inadequate",
               "published": "2017-03-02", "kind": "press", "document": "comet-2017-03-02-bedfordshire-inadequate",
               "quote": "Beds police is the only force out of the 28 across the UK to be deemed \u2018inadequate\u2019"},
    "occurred_bounds": ["2017-03-02", "2017-03-02"],
    "history": [{"version": 1, "position": 7, "recorded_at": "2026-11-26T11:12:26.209449Z", "change": "recorded",
                 "reason": None, "because": None}],
}


def best(function: Any, number: int = 20_000) -> float:
    """Microseconds per call, best of five runs."""
    return min(timeit.repeat(function, number=number, repeat=5)) / number * 1e6


def main() -> None:
    adapter = TypeAdapter(models.StoredFact)
    model = adapter.validate_python(RECORD)
    raw = orjson.dumps(RECORD)
    schema = SCHEMAS["StoredFact"] | {"components": {"schemas": SCHEMAS}}
    compiled = jsonschema_rs.Draft202012Validator(schema)
    assert compiled.is_valid(RECORD)
    rows = [
        ("pydantic: validate a dict", best(lambda: adapter.validate_python(RECORD))),
        ("pydantic: validate JSON bytes", best(lambda: adapter.validate_json(raw))),
        ("pydantic: serialise to JSON", best(lambda: adapter.dump_json(model, by_alias=True, exclude_none=True))),
        ("orjson: serialise the dict (today's rendering)", best(lambda: orjson.dumps(RECORD))),
        ("jsonschema-rs: check the dict against the generated schema", best(lambda: compiled.is_valid(RECORD))),
    ]
    rows += _msgspec_rows(raw)
    for name, micros in rows:
        print(f"{micros:8.2f} \u00b5s  {name}")


def _msgspec_rows(raw: bytes) -> list[tuple[str, float]]:
    try:
        import msgspec
    except ImportError:
        return [("msgspec: not installed (pip install msgspec to compare)", float("nan"))]
    structs = _msgspec_structs(msgspec)
    decoder, encoder = msgspec.json.Decoder(structs["StoredFact"]), msgspec.json.Encoder()
    struct = decoder.decode(raw)
    return [
        ("msgspec: validate a dict", best(lambda: msgspec.convert(RECORD, structs["StoredFact"]))),
        ("msgspec: validate JSON bytes", best(lambda: decoder.decode(raw))),
        ("msgspec: serialise to JSON", best(lambda: encoder.encode(struct))),
    ]


def _msgspec_structs(msgspec: Any) -> dict[str, Any]:
    """StoredFact as msgspec Structs (built at run time: msgspec is not a dependency of the project)."""
    source = msgspec.defstruct("Source", [
        ("publisher", str), ("url", str), ("published", str), ("kind", str),
        ("document", str | None, None), ("document_version", int | None, None), ("quote", str | None, None),
    ], omit_defaults=True)
    version = msgspec.defstruct("Version", [
        ("version", int), ("position", int), ("recorded_at", str), ("change", str), ("reason", str | None), ("because", str | None),
    ])
    stored = msgspec.defstruct("StoredFact", [
        ("id", str), ("version", int), ("retracted", bool), ("type", str), ("subject", str), ("occurred", str),
        ("data", dict[str, Any]), ("mentions", list[str]), ("source", source), ("occurred_bounds", list[str]),
        ("history", list[version]), ("sources", list[source] | None, None),
        ("disputes", list[str] | None, None), ("supports", list[str] | None, None),
    ], forbid_unknown_fields=True, omit_defaults=True)
    return {"StoredFact": stored}


if __name__ == "__main__":
    main()
