"""Parsing incoming records into domain values: a record is validated against its schema, then built."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from timeline.dates import parse_valid_time
from timeline.errors import FieldError, InvalidRecord
from timeline.facts import Because, FactContent, FactType, Source, SourceKind
from timeline.frameworks import FrameworkContent
from timeline.schemas import (
    CORRECTION_SCHEMA,
    DOCUMENT_SCHEMA,
    FACT_SCHEMA,
    FRAMEWORK_SCHEMA,
    PATCH_PARAMETERS_SCHEMA,
    REDACTION_SCHEMA,
    RETRACTION_SCHEMA,
    WITHDRAWAL_SCHEMA,
)
from timeline.sources import DocumentContent, DocumentRevision, sha256_of
from timeline.subjects import subject_kind
from timeline.validation import RecordValidator, validate

_FACT_VALIDATOR = RecordValidator(FACT_SCHEMA)
_CORRECTION_VALIDATOR = RecordValidator(CORRECTION_SCHEMA)
_RETRACTION_VALIDATOR = RecordValidator(RETRACTION_SCHEMA)
_PATCH_PARAMETERS_VALIDATOR = RecordValidator(PATCH_PARAMETERS_SCHEMA)
_WITHDRAWAL_VALIDATOR = RecordValidator(WITHDRAWAL_SCHEMA)
_REDACTION_VALIDATOR = RecordValidator(REDACTION_SCHEMA)
_DOCUMENT_VALIDATOR = RecordValidator(DOCUMENT_SCHEMA)
_FRAMEWORK_VALIDATOR = RecordValidator(FRAMEWORK_SCHEMA)
# By value, as a validated record names them: a dict lookup, where calling the enum costs a few Python frames.
_FACT_TYPES = {fact_type.value: fact_type for fact_type in FactType}
_SOURCE_KINDS = {kind.value: kind for kind in SourceKind}


@dataclass(frozen=True)
class NewFact:
    id: uuid.UUID | None
    content: FactContent


def parse_record(obj: object, index: int | None = None) -> NewFact | DocumentContent | DocumentRevision | FrameworkContent:
    """Parse one incoming record: a fact, a document (`"type": "document"`) or a framework edition."""
    if isinstance(obj, dict) and obj.get("type") == "document":
        return parse_document(obj, index)
    if isinstance(obj, dict) and obj.get("type") == "framework":
        return parse_framework(obj, index)
    return parse_fact(obj, index)


def parse_framework(obj: object, index: int | None = None) -> FrameworkContent:
    """Validate a framework edition's definition, or raise InvalidRecord."""
    validate(_FRAMEWORK_VALIDATOR, obj, index)
    assert isinstance(obj, dict)
    overlap = set(obj["grades"]) & set(obj.get("states", []))
    if overlap:
        raise InvalidRecord([FieldError("states", f"{', '.join(sorted(overlap))} cannot be both a grade and a state", index)])
    return FrameworkContent(obj["id"], {key: value for key, value in obj.items() if key not in ("type", "id")})


def parse_fact(obj: object, index: int | None = None) -> NewFact:
    """Validate a fact body against FACT_SCHEMA and build its content, or raise InvalidRecord."""
    validate(_FACT_VALIDATOR, obj, index)
    assert isinstance(obj, dict)
    sources = _sources(obj, index)
    content = FactContent(
        type=_FACT_TYPES[obj["type"]],
        subject=obj["subject"],
        occurred=parse_valid_time(obj["occurred"]),
        data=obj["data"],
        mentions=list(obj.get("mentions", [])),
        disputes=[str(uuid.UUID(i)) for i in obj.get("disputes", [])],
        supports=[str(uuid.UUID(i)) for i in obj.get("supports", [])],
        source=sources[0],
        further_sources=sources[1:],
    )
    if content.type is FactType.SUBJECT_MERGED:
        into = content.data["into"]
        if into == content.subject or subject_kind(into) != subject_kind(content.subject):
            raise InvalidRecord([FieldError("data.into", "names another id of the same kind as the subject", index)])
    return NewFact(uuid.UUID(obj["id"]) if "id" in obj else None, content)


def _sources(obj: dict[str, Any], index: int | None) -> list[Source]:
    listed = obj.get("sources")
    if listed is not None and "source" in obj and listed[0] != obj["source"]:
        raise InvalidRecord([FieldError("sources", "give `source` or `sources`; with both, the first of `sources` must be `source`", index)])
    return [_source(source) for source in (listed if listed is not None else [obj["source"]])]


def _source(source: dict[str, Any]) -> Source:
    return _source_of(
        source["publisher"], source["url"], source["published"], source["kind"],
        source.get("document"), source.get("quote"), source.get("document_version"),
    )  # fmt: skip


@lru_cache(maxsize=1024, typed=True)  # a quote is at most 5,000 characters: a few MB at most
def _source_of(publisher: str, url: str, published: str, kind: str, document: str | None, quote: str | None, version: int | None) -> Source:
    # A file cites a few sources over and over: each is built once (a Source is immutable).
    return Source(publisher, url, parse_valid_time(published), _SOURCE_KINDS[kind], document, quote, version)


def parse_document(obj: object, index: int | None = None) -> DocumentContent | DocumentRevision:
    """Validate a document record and build its content (a revision's, when it gives a reason), or raise InvalidRecord."""
    validate(_DOCUMENT_VALIDATOR, obj, index)
    assert isinstance(obj, dict)
    digest = sha256_of(obj["text"])
    if obj.get("sha256", digest) != digest:
        raise InvalidRecord([FieldError("sha256", f"does not match the text, whose sha256 is {digest}", index)])
    content = DocumentContent(
        slug=obj["id"],
        title=obj.get("title"),
        publisher=obj["publisher"],
        url=obj["url"],
        published=parse_valid_time(obj["published"]),
        kind=SourceKind(obj["kind"]),
        text=obj["text"],
        sha256=digest,
        archived_url=obj.get("archived_url"),
    )
    if "reason" in obj:
        _revision_because(obj, index)
        revised = obj.get("revised")
        return DocumentRevision(content, obj["reason"], parse_valid_time(revised) if revised is not None else None)
    return content


def validate_correction(obj: object) -> None:
    """Check a correction request's shape; the corrected fact is validated whole when applied."""
    validate(_CORRECTION_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    _revision_because(obj, None)


def validate_patch_parameters(obj: object) -> None:
    """Check a merge-patch correction's reason, kind, revision date and version (its query parameters)."""
    validate(_PATCH_PARAMETERS_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    _revision_because(obj, None)


def validate_retraction(obj: object) -> Because:
    """Check a retraction request; why the fact is withdrawn."""
    validate(_RETRACTION_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    return Because(obj.get("because", Because.ERRED.value))


def validate_withdrawal(obj: object) -> None:
    validate(_WITHDRAWAL_VALIDATOR, obj, None)


def validate_redaction(obj: object) -> str:
    """Check a redaction request; its reason."""
    validate(_REDACTION_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    return str(obj["reason"])


def _revision_because(obj: dict[str, Any], index: int | None) -> None:
    """A revision's `because` and `revised` agree: the source revised itself exactly when it is dated."""
    because = obj.get("because")
    if because == Because.SOURCE_REVISED.value and "revised" not in obj:
        raise InvalidRecord([FieldError("revised", "is required when the source revised itself: when did it publish the revision?", index)])
    if because == Because.ERRED.value and "revised" in obj:
        raise InvalidRecord([FieldError("because", "erred mends our record; a revision dated by `revised` is the source's own (source-revised)", index)])

