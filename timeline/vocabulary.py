"""The vocabulary of records: one JSON Schema per fact type, and parsing into domain values.

These schemas are the single source of truth: they validate every record that
comes in (HTTP, CLI, seeds) and are what the API documents.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema_rs

from timeline.dates import MAX_LENGTH, InvalidDate, ValidTime, parse_bounded, parse_valid_time
from timeline.errors import FieldError, InvalidRecord
from timeline.facts import Because, FactContent, FactType, Source, SourceKind
from timeline.frameworks import FrameworkContent
from timeline.sources import DocumentContent, DocumentRevision, sha256_of
from timeline.subjects import SLUG as SLUG_TEXT
from timeline.subjects import SUBJECT_KINDS, InvalidSubject, subject_kind

Check = Callable[[object], bool]
# Each format the schemas use: its check, and the exception whose message says what is wrong with a value.
FORMATS: dict[str, tuple[Check, type[Exception]]] = {}


def checks(name: str, raises: type[Exception]) -> Callable[[Check], Check]:
    """Register a format's check (a decorator)."""

    def register(check: Check) -> Check:
        FORMATS[name] = (check, raises)
        return check

    return register


@checks("edtf", raises=InvalidDate)
def _is_edtf(value: object) -> bool:
    if not isinstance(value, str):
        return True
    verdict = _edtf_verdict(value)
    if isinstance(verdict, str):
        raise InvalidDate(verdict)
    return verdict


@lru_cache(maxsize=4096)
def _edtf_verdict(value: str) -> bool | str:
    """Whether a text is a date we can place, or why not. Cached: edtf takes tens of milliseconds to refuse a
    text such as 2017-13, and a refused record's date is checked again to name its errors."""
    try:
        return isinstance(parse_bounded(value), ValidTime)
    except InvalidDate as error:
        return str(error)


@checks("subject", raises=InvalidSubject)
def _is_subject(value: object) -> bool:
    return not isinstance(value, str) or bool(subject_kind(value))


@checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    """What uuid.UUID reads, hyphenated as RFC 9562 writes it (parse_fact then builds the id with uuid.UUID)."""
    return not isinstance(value, str) or (len(value) == 36 and all(value[i] == "-" for i in (8, 13, 18, 23)) and bool(uuid.UUID(value)))


def subject_of(*kinds: str) -> dict[str, Any]:
    """Schema of a subject id limited to some kinds; registers the format that checks it."""
    unknown = set(kinds) - set(SUBJECT_KINDS)
    assert not unknown, unknown
    name = "subject:" + "|".join(kinds)
    if name not in FORMATS:

        @checks(name, raises=InvalidSubject)
        def _check(value: object) -> bool:
            if isinstance(value, str) and subject_kind(value) not in kinds:
                raise InvalidSubject(f"{value!r} must be a subject of kind {' or '.join(kinds)}")
            return True

    return {"type": "string", "format": name, "description": f"subject id of kind {' or '.join(kinds)}"}


def _text(max_length: int = 2000) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


EDTF = {"type": "string", "format": "edtf", "maxLength": MAX_LENGTH, "description": "EDTF date: 2017-03-02, 2017-03, 2016, 2017-21 (spring), 2016~"}
def whole(pattern: str) -> str:
    """A pattern for the whole string, alike in jsonschema (Python's re) and jsonschema_rs."""
    # Python's `$` also matches before a final newline ("evil\n" passed as a slug); the lookahead refuses it.
    return f"^{pattern}$(?!\\n)"


URL = {"type": "string", "pattern": whole(r"https?://\S+"), "maxLength": 2000}
SLUG = {"type": "string", "pattern": whole(SLUG_TEXT), "maxLength": 120}
SHA256 = {"type": "string", "pattern": whole("[0-9a-f]{64}")}

PILLARS = ["effectiveness", "efficiency", "legitimacy"]  # PEEL's pillars to 2019; later editions grade other areas
AREA = SLUG | {"description": "the graded area, as its framework edition names it: a PEEL pillar to 2019 "
                              "(effectiveness, efficiency, legitimacy), e.g. investigating-crime from 2021"}
GRADE = SLUG | {"description": "a grade (or state, e.g. not-graded) of the edition's scale, e.g. good, adequate, "
                               "requires-improvement; a grade the edition lacks is kept as the source's claim, marked unsupported"}
ROLE_ENDINGS = ["resigned", "dismissed", "retired", "term-ended", "moved-on", "suspended", "died"]
SPEECH = ["direct", "reported"]
STANCES = ["welcomes", "refutes", "disputes", "commits", "acknowledges", "criticises", "explains", "supports"]
FINDING_NATURES = ["concern", "cause-of-concern", "area-for-improvement", "strength", "context"]


def _data(required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


@dataclass(frozen=True)
class FactTypeSpec:
    summary: str
    subject: dict[str, Any]
    data: dict[str, Any]


FACT_TYPES: dict[FactType, FactTypeSpec] = {
    FactType.RATING_PUBLISHED: FactTypeSpec(
        "An inspectorate graded a body on one area of an inspection: a police force, or another inspected organisation "
        "(a fire and rescue service, a school, a hospital trust: an `org`), on the scale of its framework's edition.",
        subject_of("force", "org"),
        _data(
            ["pillar", "grade", "inspection", "inspectorate"],
            pillar=AREA,
            grade=GRADE,
            inspection=_text(200) | {"description": "e.g. PEEL 2016"},
            inspectorate=subject_of("org"),
            summary=_text(),
        ),
    ),
    FactType.REPORT_PUBLISHED: FactTypeSpec(
        "A report was published.",
        subject_of("report"),
        _data(
            ["title", "issued_by"],
            title=_text(500),
            issued_by=subject_of("org", "force", "person"),
            url=URL,
            inspection=_text(200),
            summary=_text(),
        ),
    ),
    FactType.FINDING_REPORTED: FactTypeSpec(
        "A report states a concern about, or a strength of, its subject.",
        subject_of("force", "org", "place"),
        _data(["report", "nature", "summary"], report=subject_of("report"), nature={"enum": FINDING_NATURES}, summary=_text()),
    ),
    FactType.STATEMENT_MADE: FactTypeSpec(
        "Someone said something about the subject; the source quote is what they said.",
        subject_of(*SUBJECT_KINDS),
        _data(
            ["speaker", "stance", "summary"],
            speaker=subject_of("person", "org", "force", "office"),
            role=_text(200),
            stance={"enum": STANCES},
            summary=_text(),
            speech={"enum": SPEECH, "description": "direct (the quote is their words; the default) or reported "
                                                   "(the source paraphrases them: 'she added that ...')"},
        ),
    ),
    FactType.DECISION_PENDING: FactTypeSpec(
        "A decision is awaited; it stays pending until a decision.made on the same subject. It shows on the status card "
        "of each subject it `mentions` (e.g. the forces whose funding it decides) and of its decider.",
        subject_of("decision"),
        _data(["title", "decider"], title=_text(500), decider=subject_of("org", "person", "office"), expected=EDTF, summary=_text()),
    ),
    FactType.DECISION_MADE: FactTypeSpec(
        "A decision was made.",
        subject_of("decision"),
        _data(["outcome"], outcome=_text(), decider=subject_of("org", "person", "office"), summary=_text()),
    ),
    FactType.ROLE_HELD: FactTypeSpec(
        "A person held a role from one date to another; `occurred` is when the source attests it. "
        "Views place the role by `from` and `to` (or `occurred` when there is no `from`).",
        subject_of("person"),
        _data(
            ["role", "organisation"],
            role=_text(200),
            organisation=subject_of("force", "org", "office"),
            governs=subject_of("force", "org") | {"description": "the body an office-holder governs, e.g. a police and "
                                                               "crime commissioner's force: the role shows on its card"},
            ended={"enum": ROLE_ENDINGS, "description": "why the role ended (with `to`)"},
            summary=_text(),
            **{"from": EDTF, "to": EDTF},
        ),
    ),
    FactType.FIGURE_REPORTED: FactTypeSpec(
        "A figure the source reports about the subject: a count, a rate, a sum; `compared_with` what it is set against.",
        subject_of(*SUBJECT_KINDS),
        _data(
            ["measure", "value", "unit"],
            measure=_text(300) | {"description": "what is counted or measured, e.g. complaints per 1,000 officers"},
            value={"type": "number"},
            unit=_text(100),
            period=_text(100) | {"description": "the period it covers, e.g. 2018/19"},
            compared_with={"type": "object", "additionalProperties": False, "required": ["value", "label"],
                           "properties": {"value": {"type": "number"}, "label": _text(300)}},
            summary=_text(),
        ),
    ),
    FactType.SUBJECT_NAMED: FactTypeSpec(
        "The subject is called by this name from `occurred` on (a later one renames it: HMIC became HMICFRS in 2017).",
        subject_of(*SUBJECT_KINDS),
        _data(
            ["name"],
            name=_text(300),
            short_name=_text(100),
            aliases={"type": "array", "items": _text(300), "uniqueItems": True, "maxItems": 20,
                     "description": "other names and spellings it goes by"},
        ),
    ),
    FactType.SUBJECT_MERGED: FactTypeSpec(
        "The subject id names the same body as `into` (two ids found to be one, e.g. org/hmicfrs and org/hmic): views speak "
        "of `into` wherever either id is used, and a lookup of this id answers for `into`. The log keeps the ids as written.",
        subject_of(*SUBJECT_KINDS),
        _data(["into"], into=subject_of(*SUBJECT_KINDS) | {"description": "the subject id that stays, of the same kind"}, summary=_text()),
    ),
    FactType.MONITORING_CHANGED: FactTypeSpec(
        "An inspectorate moved the subject into, or out of, a state of monitoring (e.g. HMICFRS's engage).",
        subject_of("force", "org"),
        _data(["state", "inspectorate"], state=SLUG | {"description": "e.g. engage, scan, routine"},
              inspectorate=subject_of("org"), summary=_text()),
    ),
}

SOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["publisher", "url", "published", "kind"],
    "properties": {
        "publisher": _text(200),
        "url": URL,
        "published": EDTF | {"description": "when the source made it public: an EDTF date (a day, a month, a span)"},
        "kind": {"enum": [k.value for k in SourceKind]},
        "document": SLUG | {"description": "slug of a stored document that holds the quote"},
        "document_version": {"type": "integer", "minimum": 1, "maximum": 1_000_000,
                             "description": "the document's version the quote is from (its first when not given)"},
        "quote": _text(5000) | {"description": "verbatim from the document; checked when `document` is given"},
    },
}
MAX_SOURCES = 20

FACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "subject", "occurred", "data"],
    # Without `sources`, `source` is required: said as if/then (not anyOf of two `required`s) so that the refusal
    # names the field, and so that client generators, which take such an anyOf for an untyped value, keep the model.
    "if": {"not": {"required": ["sources"]}},
    "then": {"required": ["source"]},
    "properties": {
        "id": {"type": "string", "format": "uuid", "description": "chosen by the client to make re-sending safe"},
        "type": {"enum": [t.value for t in FactType]},
        "subject": {"type": "string", "format": "subject"},
        "occurred": EDTF,
        "data": {"type": "object"},
        "mentions": {"type": "array", "items": {"type": "string", "format": "subject"}, "uniqueItems": True, "maxItems": 100},
        "disputes": {"type": "array", "items": {"type": "string", "format": "uuid"}, "uniqueItems": True, "maxItems": 50,
                     "description": "ids of recorded facts this fact contradicts (with its own source)"},
        "supports": {"type": "array", "items": {"type": "string", "format": "uuid"}, "uniqueItems": True, "maxItems": 50,
                     "description": "ids of recorded facts this fact corroborates"},
        "source": SOURCE_SCHEMA,
        "sources": {"type": "array", "items": SOURCE_SCHEMA, "minItems": 1, "maxItems": MAX_SOURCES,
                    "description": "several sources reporting the same claim, each quote checked against its own "
                    "document; the first is `source`. Give `source` or `sources` (or both, the first of `sources` being `source`)"},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": fact_type.value}}, "required": ["type"]},
            "then": {"properties": {"subject": spec.subject, "data": spec.data}},
        }
        for fact_type, spec in FACT_TYPES.items()
    ],
}

DOCUMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "id", "publisher", "url", "published", "kind", "text"],
    "properties": {
        "type": {"const": "document"},
        "id": SLUG,
        "title": _text(500),
        "publisher": _text(200),
        "url": URL,
        "archived_url": URL | {"description": "an archived copy of the page (e.g. the Wayback Machine's), against link rot"},
        "published": EDTF | {"description": "an EDTF date: an undated page can give the month or span it is known to date from"},
        "kind": {"enum": [k.value for k in SourceKind]},
        "text": {"type": "string", "minLength": 1, "maxLength": 5_000_000},
        "sha256": SHA256 | {"description": "checked against the text when given"},
        "reason": _text(2000) | {"description": "sent with a document already stored: why this new version "
                                 "(a fuller text, a mended transcription); without it, a different document under a stored id is refused"},
        "revised": EDTF | {"description": "with `reason`: when the source itself published the revision"},
        "because": {"enum": [Because.ERRED.value, Because.SOURCE_REVISED.value],
                    "description": "with `reason`: erred (our copy mended) or source-revised (dated by `revised`); given by `revised` when left out"},
    },
    "dependentRequired": {"revised": ["reason"], "because": ["reason"]},
}

FRAMEWORK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "id", "name", "inspectorate", "inspections", "areas", "grades", "scale", "source"],
    "properties": {
        "type": {"const": "framework"},
        "id": SLUG | {"description": "the edition, e.g. peel-2021-22"},
        "name": _text(200),
        "inspectorate": subject_of("org"),
        "inspections": {"type": "array", "minItems": 1, "maxItems": 50, "items": _text(200),
                        "description": "names of the inspections this edition grades, e.g. PEEL 2021/22"},
        "areas": {
            "type": "array", "minItems": 1, "maxItems": 100,
            "items": {"type": "object", "additionalProperties": False, "required": ["id", "name"],
                      "properties": {"id": SLUG, "name": _text(300)}},
        },
        "grades": {"type": "array", "minItems": 1, "maxItems": 20, "uniqueItems": True, "items": SLUG,
                   "description": "best first"},
        "states": {"type": "array", "maxItems": 20, "uniqueItems": True, "items": SLUG,
                   "description": "judgements that are not grades, e.g. not-graded"},
        "scale": SLUG | {"description": "editions with the same scale can be compared grade for grade"},
        "overall": {"type": "boolean", "description": "whether the edition gives an overall grade"},
        "covers": {"type": "integer", "minimum": 1, "maximum": 10000, "description": "how many bodies each inspection covers"},
        "source": {
            "type": "object", "additionalProperties": False, "required": ["publisher", "url", "published", "kind"],
            "properties": {"publisher": _text(200), "url": URL, "published": EDTF, "kind": {"enum": [k.value for k in SourceKind]}},
        },
        "note": _text(),
    },
}

CHANGEABLE = ("subject", "occurred", "data", "mentions", "source", "sources", "disputes", "supports")

CORRECTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason", "changes"],
    "properties": {
        "reason": _text(2000) | {"description": "why the fact is corrected"},
        "expected_version": {"type": "integer", "minimum": 1, "description": "the version you read (or send If-Match)"},
        "because": {"enum": [Because.ERRED.value, Because.SOURCE_REVISED.value],
                    "description": "erred: our record was wrong (a transcription); source-revised: the source published a "
                    "revision, dated by `revised`. Given by `revised` when left out. Reality moving on is a new fact, not a correction."},
        "revised": EDTF | {
            "description": "when the source itself published this revision: the corrected content counts from "
            "that date for `reported_by`. Leave it out when the correction mends our record (a transcription error)."
        },
        "changes": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "description": "top-level fields to replace whole; the result must be a valid fact of the same type",
            "properties": {name: FACT_SCHEMA["properties"][name] for name in CHANGEABLE},
        },
    },
}

RETRACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason"],
    "properties": {
        "reason": _text(2000) | {"description": "why the fact is withdrawn"},
        "because": {"enum": [Because.ERRED.value, Because.SOURCE_RETRACTED.value], "default": Because.ERRED.value,
                    "description": "erred: we should not have recorded it; source-retracted: its source withdrew it"},
        "expected_version": {"type": "integer", "minimum": 1, "description": "the version you read (or send If-Match)"},
    },
}

WITHDRAWAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason"],
    "properties": {
        "reason": _text(2000) | {"description": "why the source withdrew the document, in its words where it gave them"},
        "withdrawn": EDTF | {"description": "when the source withdrew it, if known"},
    },
}
REDACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["reason"],
    "properties": {
        "reason": _text(2000) | {"description": "why the content is taken down (a court order, a data-protection request); "
                                                "public, so never the content itself"},
    },
}

class RecordValidator:
    """A schema's one validator, compiled (jsonschema-rs): a record is accepted in microseconds, and a refused
    one's errors name every failing field (see _field_error)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        formats = {name: _format_test(check, raises) for name, (check, raises) in FORMATS.items()}
        self.compiled = jsonschema_rs.Draft202012Validator(
            schema, formats=formats, validate_formats=True, ignore_unknown_formats=False
        )

    def errors(self, obj: object) -> list[Any]:
        if self.compiled.is_valid(obj):
            return []
        return list(self.compiled.iter_errors(obj))


def _format_test(check: Check, raises: type[Exception]) -> Check:
    def test(value: object) -> bool:
        try:
            return bool(check(value))
        except raises:
            return False

    return test


_FACT_VALIDATOR = RecordValidator(FACT_SCHEMA)
_CORRECTION_VALIDATOR = RecordValidator(CORRECTION_SCHEMA)
_RETRACTION_VALIDATOR = RecordValidator(RETRACTION_SCHEMA)
# A correction sent as a merge patch: the patch is the body, and these travel as query parameters.
# A reason is shorter there: URL-encoded, 500 characters stay within a request line's 8 KiB.
PATCH_PARAMETERS_SCHEMA: dict[str, Any] = CORRECTION_SCHEMA | {
    "required": ["reason"],
    "properties": {name: schema for name, schema in CORRECTION_SCHEMA["properties"].items() if name != "changes"}
    | {"reason": _text(500) | {"description": "why the fact is corrected (a longer reason: send the correction as JSON)"}},
}
_PATCH_PARAMETERS_VALIDATOR = RecordValidator(PATCH_PARAMETERS_SCHEMA)
_WITHDRAWAL_VALIDATOR = RecordValidator(WITHDRAWAL_SCHEMA)
_REDACTION_VALIDATOR = RecordValidator(REDACTION_SCHEMA)
_DOCUMENT_VALIDATOR = RecordValidator(DOCUMENT_SCHEMA)
_FRAMEWORK_VALIDATOR = RecordValidator(FRAMEWORK_SCHEMA)


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
    _validate(_FRAMEWORK_VALIDATOR, obj, index)
    assert isinstance(obj, dict)
    overlap = set(obj["grades"]) & set(obj.get("states", []))
    if overlap:
        raise InvalidRecord([FieldError("states", f"{', '.join(sorted(overlap))} cannot be both a grade and a state", index)])
    return FrameworkContent(obj["id"], {key: value for key, value in obj.items() if key not in ("type", "id")})


def parse_fact(obj: object, index: int | None = None) -> NewFact:
    """Validate a fact body against FACT_SCHEMA and build its content, or raise InvalidRecord."""
    _validate(_FACT_VALIDATOR, obj, index)
    assert isinstance(obj, dict)
    sources = _sources(obj, index)
    content = FactContent(
        type=FactType(obj["type"]),
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
    return Source(
        publisher=source["publisher"],
        url=source["url"],
        published=parse_valid_time(source["published"]),
        kind=SourceKind(source["kind"]),
        document=source.get("document"),
        quote=source.get("quote"),
        document_version=source.get("document_version"),
    )


def parse_document(obj: object, index: int | None = None) -> DocumentContent | DocumentRevision:
    """Validate a document record and build its content (a revision's, when it gives a reason), or raise InvalidRecord."""
    _validate(_DOCUMENT_VALIDATOR, obj, index)
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
    _validate(_CORRECTION_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    _revision_because(obj, None)


def validate_patch_parameters(obj: object) -> None:
    """Check a merge-patch correction's reason, kind, revision date and version (its query parameters)."""
    _validate(_PATCH_PARAMETERS_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    _revision_because(obj, None)


def validate_retraction(obj: object) -> Because:
    """Check a retraction request; why the fact is withdrawn."""
    _validate(_RETRACTION_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    return Because(obj.get("because", Because.ERRED.value))


def validate_withdrawal(obj: object) -> None:
    _validate(_WITHDRAWAL_VALIDATOR, obj, None)


def validate_redaction(obj: object) -> str:
    """Check a redaction request; its reason."""
    _validate(_REDACTION_VALIDATOR, obj, None)
    assert isinstance(obj, dict)
    return str(obj["reason"])


def _revision_because(obj: dict[str, Any], index: int | None) -> None:
    """A revision's `because` and `revised` agree: the source revised itself exactly when it is dated."""
    because = obj.get("because")
    if because == Because.SOURCE_REVISED.value and "revised" not in obj:
        raise InvalidRecord([FieldError("revised", "is required when the source revised itself: when did it publish the revision?", index)])
    if because == Because.ERRED.value and "revised" in obj:
        raise InvalidRecord([FieldError("because", "erred mends our record; a revision dated by `revised` is the source's own (source-revised)", index)])


def fact_body(content: FactContent) -> dict[str, Any]:
    """The JSON body of a fact's content: the inverse of parse_fact. `sources` is given when there are several."""
    body: dict[str, Any] = {
        "type": content.type.value,
        "subject": content.subject,
        "occurred": content.occurred.edtf,
        "data": content.data,
        "mentions": list(content.mentions),
        "source": source_body(content.source),
    }
    if content.further_sources:
        body["sources"] = [source_body(source) for source in content.sources]
    return body | _links(content.disputes, content.supports)


def corrected_body(content: FactContent, changes: dict[str, Any]) -> dict[str, Any]:
    """A fact's body with a correction's top-level fields replaced whole; `source` or `sources` replaces all its sources."""
    body = fact_body(content)
    if "source" in changes or "sources" in changes:
        body.pop("source", None), body.pop("sources", None)
    return body | {key: value for key, value in changes.items() if key not in ("id", "type")}


def source_body(source: Source) -> dict[str, Any]:
    body: dict[str, Any] = {
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published.edtf,
        "kind": source.kind.value,
    }
    if source.document is not None:
        body["document"] = source.document
    if source.document_version is not None:
        body["document_version"] = source.document_version
    if source.quote is not None:
        body["quote"] = source.quote
    return body


def _links(disputes: list[str], supports: list[str]) -> dict[str, list[str]]:
    """A fact's links to other facts, in its body only when it has them (so older bodies are unchanged)."""
    return ({"disputes": list(disputes)} if disputes else {}) | ({"supports": list(supports)} if supports else {})


MAX_DEPTH = 32  # records are a few levels deep; far deeper input is hostile and would exhaust the stack


def nesting_depth(obj: object) -> int:
    """How deeply lists and objects nest in a JSON value (iteratively: deep input must not recurse)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        values: Iterable[object]
        if isinstance(value, dict):
            values = value.values()
        elif isinstance(value, list):
            values = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((item, depth + 1) for item in values)
    return deepest


def _validate(validator: RecordValidator, obj: object, index: int | None) -> None:
    if nesting_depth(obj) > MAX_DEPTH:
        raise InvalidRecord([FieldError("(record)", f"nests more than {MAX_DEPTH} levels deep", index)])
    errors = field_errors(validator, obj, index)
    if errors:
        raise InvalidRecord(errors)


def field_errors(validator: RecordValidator, obj: object, index: int | None, whole: str = "(record)") -> list[FieldError]:
    """Every field of `obj` that breaks the validator's schema, once each, in field order; `whole` names the value itself."""
    errors = sorted((_field_error(e, index, whole) for e in validator.errors(obj)), key=lambda e: (e.field, e.message))
    return list(dict.fromkeys(errors))  # one report per distinct problem (a format may fail in two branches)


_KINDS = jsonschema_rs.ValidationErrorKind


def _field_error(error: Any, index: int | None, whole: str) -> FieldError:
    """A jsonschema-rs error as the field it names and what is wrong, said the way the API always has."""
    parts, kind, message = [str(part) for part in error.instance_path], error.kind, error.message
    if isinstance(kind, _KINDS.Required):
        parts, message = [*parts, kind.property], "is required"  # name the missing field itself, not its parent
    elif isinstance(kind, _KINDS.MaxLength):
        message = f"{_shown(error.instance)} is too long: at most {kind.limit} characters"
    elif isinstance(kind, _KINDS.MinLength):
        message = "is empty" if kind.limit == 1 else f"{_shown(error.instance)} is too short: at least {kind.limit} characters"
    elif isinstance(kind, _KINDS.Enum):
        message = f"{error.instance!r} is not one of {', '.join(map(str, kind.options))}"
    elif isinstance(kind, _KINDS.Format) and kind.format == "uuid":
        message = f"{error.instance!r} is not a UUID"
    elif isinstance(kind, _KINDS.Format) and kind.format in FORMATS:
        message = _format_cause(kind.format, error.instance) or message
    elif isinstance(kind, _KINDS.Pattern) and kind.pattern in _PATTERN_WORDS:
        message = f"{_shown(error.instance)} {_PATTERN_WORDS[kind.pattern]}"  # a regex is no help to a reporter
    return FieldError(".".join(parts) or whole, message, index)


_PATTERN_WORDS = {
    SLUG["pattern"]: "is not lower-case words joined by hyphens, e.g. requires-improvement or investigating-crime",
    URL["pattern"]: "is not a web address starting http:// or https://",
    SHA256["pattern"]: "is not a sha256: 64 characters 0-9 and a-f",
}


def _shown(value: object, most: int = 60) -> str:
    """A value as a message quotes it: a long one cut short (a refused text may be megabytes)."""
    text = repr(value)
    return text if len(text) <= most else text[: most - 1] + "…"


def _format_cause(name: str, value: object) -> str | None:
    """Why a value fails a format, in the words of the check's exception (InvalidDate, InvalidSubject)."""
    check, raises = FORMATS[name]
    try:
        check(value)
    except raises as cause:
        return str(cause)
    return None


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
