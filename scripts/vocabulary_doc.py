#!/usr/bin/env python3
"""Write docs/vocabulary.md from the schemas in timeline/schemas.py (a test keeps them in step)."""

from __future__ import annotations

import sys
from pathlib import Path

from timeline.schemas import FACT_TYPES, SOURCE_SCHEMA
from timeline.subjects import SUBJECT_KINDS

DOC = Path(__file__).resolve().parent.parent / "docs" / "vocabulary.md"


def describe(schema: dict) -> str:
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if "description" in schema:
        return schema["description"]
    if schema.get("format"):
        return f"{schema['type']} ({schema['format']})"
    if schema.get("type") == "object" and "properties" in schema:
        required = set(schema.get("required", ()))
        fields = ", ".join(f"`{name}` ({describe(value)}{'' if name in required else ', optional'})" for name, value in schema["properties"].items())
        return f"object: {fields}"
    return schema.get("type", "")


def render() -> str:
    lines = [
        "# Vocabulary",
        "",
        "Generated from `timeline/schemas.py` by `python scripts/vocabulary_doc.py`; the schemas there are the",
        "source of truth and validate every record.",
        "",
        "## Subject kinds",
        "",
        *(f"- `{kind}`: {text}" for kind, text in SUBJECT_KINDS.items()),
        "",
        "## Source",
        "",
        "| field | required | value |",
        "|---|---|---|",
        *(
            f"| `{name}` | {'yes' if name in SOURCE_SCHEMA['required'] else 'no'} | {describe(prop)} |"
            for name, prop in SOURCE_SCHEMA["properties"].items()
        ),
        "",
        "## Fact types",
    ]
    for fact_type, spec in FACT_TYPES.items():
        lines += [
            "",
            f"### `{fact_type.value}`",
            "",
            spec.summary,
            "",
            f"Subject: {spec.subject['description']}.",
            "",
            "| data field | required | value |",
            "|---|---|---|",
        ]
        for name, prop in spec.data["properties"].items():
            lines.append(f"| `{name}` | {'yes' if name in spec.data['required'] else 'no'} | {describe(prop)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    DOC.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC}\n")
