"""Which subjects a fact names (its subject, its mentions, its subject-valued data), for indexing and filtering."""

from __future__ import annotations

from typing import Any

from timeline.facts import FactContent
from timeline.schemas import FACT_TYPES


def subject_references(content: FactContent) -> list[str]:
    """Every subject a fact is about or names: its subject, its mentions, and subject-valued data."""
    return references(content.type, content.subject, content.mentions, content.data)


def subject_fields(fact_type: str) -> frozenset[str]:
    """The data fields of a fact type that hold a subject id."""
    return _SUBJECT_FIELDS[fact_type]


def references(fact_type: str, subject: str, mentions: list[str], data: dict[str, Any]) -> list[str]:
    """subject_references for a fact given by its parts (as views hold it)."""
    fields = _SUBJECT_FIELDS[fact_type]
    in_data = [value for name, value in data.items() if name in fields and isinstance(value, str)]
    return list(dict.fromkeys([subject, *mentions, *in_data]))


# Which data fields of each fact type hold a subject id (read once: views call references per row).
_SUBJECT_FIELDS: dict[str, frozenset[str]] = {
    fact_type.value: frozenset(
        name for name, schema in spec.data["properties"].items() if str(schema.get("format", "")).startswith("subject")
    )
    for fact_type, spec in FACT_TYPES.items()
}
