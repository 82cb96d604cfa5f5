"""The vocabulary's JSON Schemas: one per fact type, one per other record, and the formats they check.

These schemas are the single source of truth: they validate every record that comes in (HTTP, CLI,
seeds; see timeline.parsing) and are what the API documents (timeline.http.openapi).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from timeline.dates import MAX_LENGTH, InvalidDate, ValidTime, parse_bounded
from timeline.facts import Because, FactType, SourceKind
from timeline.subjects import SLUG as SLUG_TEXT
from timeline.subjects import SUBJECT_KINDS, InvalidSubject, subject_kind

Check = Callable[[object], bool]
# Each format the schemas use: its check, and the exception whose message says what is wrong with a value.
FORMATS: dict[str, tuple[Check, type[Exception]]] = {}
# For some formats, a pattern that accepts only values the format accepts: jsonschema-rs checks it natively, without
# calling back into Python, so a valid record is accepted fast; a refused one is checked again with the formats.
FORMAT_PATTERNS: dict[str, str] = {}


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


def whole(pattern: str) -> str:
    """A pattern for the whole string, alike in jsonschema (Python's re) and jsonschema_rs."""
    # Python's `$` also matches before a final newline ("evil\n" passed as a slug); the lookahead refuses it.
    return f"^{pattern}$(?!\\n)"


def _subject_pattern(kinds: Iterable[str]) -> str:
    return whole(f"(?:{'|'.join(kinds)})/{SLUG_TEXT}")


@checks("subject", raises=InvalidSubject)
def _is_subject(value: object) -> bool:
    return not isinstance(value, str) or bool(subject_kind(value))


@checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    """What uuid.UUID reads, hyphenated as RFC 9562 writes it (parse_fact then builds the id with uuid.UUID)."""
    return not isinstance(value, str) or (len(value) == 36 and all(value[i] == "-" for i in (8, 13, 18, 23)) and bool(uuid.UUID(value)))


FORMAT_PATTERNS["subject"] = _subject_pattern(SUBJECT_KINDS)
FORMAT_PATTERNS["uuid"] = whole("-".join(f"[0-9a-fA-F]{{{n}}}" for n in (8, 4, 4, 4, 12)))


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

        FORMAT_PATTERNS[name] = _subject_pattern(kinds)
    return {"type": "string", "format": name, "description": f"subject id of kind {' or '.join(kinds)}"}


def _text(max_length: int = 2000) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length}


EDTF = {"type": "string", "format": "edtf", "maxLength": MAX_LENGTH, "description": "EDTF date: 2017-03-02, 2017-03, 2016, 2017-21 (spring), 2016~"}
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

# A correction sent as a merge patch: the patch is the body, and these travel as query parameters.
# A reason is shorter there: URL-encoded, 500 characters stay within a request line's 8 KiB.
PATCH_PARAMETERS_SCHEMA: dict[str, Any] = CORRECTION_SCHEMA | {
    "required": ["reason"],
    "properties": {name: schema for name, schema in CORRECTION_SCHEMA["properties"].items() if name != "changes"}
    | {"reason": _text(500) | {"description": "why the fact is corrected (a longer reason: send the correction as JSON)"}},
}
