"""Validating a value against a schema (jsonschema-rs, compiled once), and refusals that name each bad field."""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from timeline.errors import FieldError, InvalidRecord
from timeline.schemas import FORMAT_PATTERNS, FORMATS, SHA256, SLUG, URL, Check


class RecordValidator:
    """A schema's validators, compiled (jsonschema-rs): a record is accepted in microseconds, and a refused
    one's errors name every failing field (see _field_error)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        formats = {name: _format_test(check, raises) for name, (check, raises) in FORMATS.items()}
        self.compiled = jsonschema_rs.Draft202012Validator(
            schema, formats=formats, validate_formats=True, ignore_unknown_formats=False
        )
        # The same schema with FORMAT_PATTERNS in place of their formats: it accepts only what `compiled` accepts,
        # natively; what it refuses, `compiled` judges and explains, so verdicts and messages are the formats'.
        self.fast = jsonschema_rs.Draft202012Validator(
            _with_format_patterns(schema), formats=formats, validate_formats=True, ignore_unknown_formats=False
        )

    def is_valid(self, obj: object) -> bool:
        return bool(self.fast.is_valid(obj) or self.compiled.is_valid(obj))

    def errors(self, obj: object) -> list[Any]:
        if self.fast.is_valid(obj):
            return []
        return list(self.compiled.iter_errors(obj))


def _with_format_patterns(schema: Any) -> Any:
    """A copy of a schema in which each format with a pattern in FORMAT_PATTERNS is that pattern."""
    if isinstance(schema, list):
        return [_with_format_patterns(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: _with_format_patterns(value) for key, value in schema.items()}
    name = copy.get("format")
    if isinstance(name, str) and name in FORMAT_PATTERNS and "pattern" not in copy:
        del copy["format"]
        copy["pattern"] = FORMAT_PATTERNS[name]
    return copy


def _format_test(check: Check, raises: type[Exception]) -> Check:
    def test(value: object) -> bool:
        try:
            return bool(check(value))
        except raises:
            return False

    return test



MAX_DEPTH = 32  # records are a few levels deep; far deeper input is hostile and would exhaust the stack


def nesting_depth(obj: object) -> int:
    """How deeply lists and objects nest in a JSON value (level by level: deep input must not recurse)."""
    # Only containers are kept from level to level, in comprehensions: the scalars that fill a record cost no Python step.
    level, depth = ([obj] if isinstance(obj, (dict, list)) else []), 0
    while level and depth <= MAX_DEPTH:
        depth += 1
        level = [item for value in level for item in (value.values() if isinstance(value, dict) else value)
                 if isinstance(item, (dict, list))]
    return depth


def validate(validator: RecordValidator, obj: object, index: int | None) -> None:
    """Raise InvalidRecord naming every bad field of `obj` (the `index`th record of a batch), or return."""
    # Depth first: the CLI and loader read records without the HTTP body's own depth check.
    if nesting_depth(obj) > MAX_DEPTH:
        raise InvalidRecord([FieldError("(record)", f"nests more than {MAX_DEPTH} levels deep", index)])
    if validator.fast.is_valid(obj):  # nearly every record of a load: nothing to explain
        return
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

