"""Records are validated against the vocabulary's schemas, with the failing field named."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from tests.strategies import json_values
from timeline import parsing, schemas, validation
from timeline.errors import InvalidRecord
from timeline.fact_bodies import fact_body
from timeline.facts import FactType
from timeline.parsing import parse_document, parse_fact, parse_record
from timeline.schemas import FACT_TYPES
from timeline.sources import DocumentContent
from timeline.subjects import SLUG as SLUG_TEXT
from timeline.subjects import SUBJECT_KINDS

RATING = {
    "id": "7529703d-525c-53c7-b8c6-a41120c7ebdd",
    "type": "rating.published",
    "subject": "force/bedfordshire",
    "occurred": "2017-03-02",
    "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2016", "inspectorate": "org/hmic"},
    "mentions": ["org/hmic"],
    "source": {"publisher": "HMIC", "url": "https://example.org/peel", "published": "2017-03-02", "kind": "official"},
}


def refusal(mutate) -> list[tuple[str, str]]:
    body = copy.deepcopy(RATING)
    mutate(body)
    with pytest.raises(InvalidRecord) as refused:
        parse_fact(body)
    return [(e.field, e.message) for e in refused.value.errors]


def test_a_valid_rating_parses_into_typed_content():
    fact = parse_fact(RATING)
    assert fact.content.type is FactType.RATING_PUBLISHED
    assert fact.content.occurred.lower.isoformat() == "2017-03-02"
    assert fact.content.source.published.edtf == "2017-03-02"


def test_fact_body_is_the_inverse_of_parsing():
    body = {k: v for k, v in RATING.items() if k != "id"}
    assert fact_body(parse_fact(body).content) == body


def test_every_fact_type_has_a_schema():
    assert set(FACT_TYPES) == set(FactType)


@pytest.mark.parametrize(
    ("mutate", "field", "says"),
    [
        (lambda b: b.update(type="rating.invented"), "type", "is not one of"),
        (lambda b: b.update(subject="Bedfordshire"), "subject", "is not a subject id"),
        (lambda b: b.update(subject="army/bedfordshire"), "subject", "unknown kind 'army'"),
        (lambda b: b.update(subject="person/zoe-billingham"), "subject", "must be a subject of kind force"),
        (lambda b: b.update(occurred="2017-13"), "occurred", "not a valid EDTF date"),
        (lambda b: b["data"].update(grade="Excellent!"), "data.grade", "is not lower-case words joined by hyphens"),
        (lambda b: b["data"].pop("pillar"), "data.pillar", "is required"),
        (lambda b: b["data"].update(inspectorate="force/hmic"), "data.inspectorate", "must be a subject of kind org"),
        (lambda b: b["data"].update(colour="red"), "data", "'colour' was unexpected"),
        (lambda b: b["source"].update(kind="blog"), "source.kind", "'blog' is not one of"),
        (lambda b: b["source"].update(published="2 March 2017"), "source.published", "not a valid EDTF date"),
        (lambda b: b["source"].update(url="thecomet.net"), "source.url", "is not a web address"),
        (lambda b: b.update(id="not-a-uuid"), "id", "is not a UUID"),
        (lambda b: b.pop("source"), "source", "is required"),  # without `sources` too
        (lambda b: b.update(mentions=["force/x", "force/x"]), "mentions", "non-unique"),
        (lambda b: b.update(recorded_at="2017-03-02T00:00:00Z"), "(record)", "'recorded_at' was unexpected"),
    ],
)
def test_an_invalid_fact_is_refused_naming_the_field_and_the_reason(mutate, field, says):
    errors = refusal(mutate)
    assert any(f == field and says in message for f, message in errors), errors


def test_every_problem_of_a_record_is_reported_at_once():
    def break_three_things(body):
        body["occurred"] = "soon"
        body["data"]["grade"] = "Excellent!"
        body["source"]["kind"] = "blog"

    fields = {field for field, _ in refusal(break_three_things)}
    assert fields == {"occurred", "data.grade", "source.kind"}


def test_a_document_with_a_wrong_sha256_is_refused():
    document = {
        "type": "document", "id": "doc", "publisher": "P", "url": "https://example.org",
        "published": "2017-03-02", "kind": "press", "text": "words", "sha256": "0" * 64,
    }
    with pytest.raises(InvalidRecord, match="sha256"):
        parse_document(document)


def test_a_record_typed_document_parses_as_a_document():
    document = {
        "type": "document", "id": "doc", "publisher": "P", "url": "https://example.org",
        "published": "2017-03-02", "kind": "press", "text": "words",
    }
    assert isinstance(parse_record(document), DocumentContent)


def test_a_record_nested_too_deeply_is_refused_without_exhausting_the_stack():
    deep: object = "leaf"
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(InvalidRecord, match="nests more than 32 levels"):
        parse_fact(RATING | {"data": deep})



def _depth(value: object) -> int:
    """How deeply a value nests, said the obvious (recursive) way."""
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
    return 0 if children is None else 1 + max(map(_depth, children), default=0)


@given(json_values)
def test_nesting_depth_is_the_depth_of_lists_and_objects(value):
    assert validation.nesting_depth(value) == _depth(value)


def test_nesting_depth_stops_counting_past_the_limit():
    deep: object = {}
    for _ in range(5000):
        deep = {"x": [deep]}
    assert validation.nesting_depth(deep) == validation.MAX_DEPTH + 1

# The one validator (jsonschema-rs, compiled) must accept exactly what the reference implementation, jsonschema,
# accepts with the same format checks, and must give a refused record at least one named error.

_NEAR_VALID = st.sampled_from(["2017-03-02", "2017-21", "2016~", "201X", "2017-13", "force/kent", "force/Kent", "org/hmic",
                               "https://example.org/x", "not a url", "", "official", "press", "good", "inadequate",
                               "PEEL 2016", "effectiveness", "x" * 2001, "https://example.org/x\n", "comet\n",
                               "comet-2017", "force/kent\n"])  # fmt: skip


@st.composite
def mutated_facts(draw):
    body = copy.deepcopy(RATING)
    for _ in range(draw(st.integers(1, 3))):
        nested = [body[k] for k in ("data", "source") if isinstance(body.get(k), dict)]
        where = draw(st.sampled_from([body, *nested]))
        key = draw(st.sampled_from([*where.keys(), "extra", "document", "quote", "summary"]))
        if draw(st.booleans()) and key in where:
            del where[key]
        else:
            where[key] = draw(_NEAR_VALID | json_values)
    return body


@settings(max_examples=300)
@given(mutated_facts())
def test_the_validator_accepts_exactly_what_jsonschema_accepts(body):
    validator, accepted = parsing._FACT_VALIDATOR, not list(_REFERENCE.iter_errors(body))
    assert validator.compiled.is_valid(body) == accepted
    assert validator.is_valid(body) == accepted
    assert accepted or not validator.fast.is_valid(body)  # the fast check never accepts what the formats refuse
    if not accepted:
        with pytest.raises(InvalidRecord) as refused:
            parse_fact(body)
        assert refused.value.errors and all(e.field and e.message for e in refused.value.errors)


_FORMAT_TEXTS = st.one_of(
    st.text(),
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.builds("{}/{}".format, st.sampled_from([*SUBJECT_KINDS, "forc", "Force", ""]),
              st.from_regex(SLUG_TEXT, fullmatch=True) | st.text()),
).flatmap(lambda text: st.sampled_from([text, text + "\n", " " + text, "{" + text[1:-1] + "}", "+" + text[1:],
                                        text.replace("0", "\u0660"), text.replace("0", "_"), text.replace("-", "")]))


@settings(max_examples=500)
@given(st.sampled_from(sorted(schemas.FORMAT_PATTERNS)), _FORMAT_TEXTS)
def test_a_format_pattern_accepts_only_what_its_format_accepts(name, text):
    import jsonschema_rs

    check, _ = schemas.FORMATS[name]
    if jsonschema_rs.Draft202012Validator({"pattern": schemas.FORMAT_PATTERNS[name]}).is_valid(text):
        assert check(text)


def test_a_valid_fact_is_accepted_with_its_ids_checked_natively():
    fast = validation._with_format_patterns(schemas.FACT_SCHEMA)
    assert {schema["format"] for schema in _subschemas(fast) if "format" in schema} == {"edtf"}
    assert parsing._FACT_VALIDATOR.fast.is_valid(RATING | {"disputes": [RATING["id"]]})


def _subschemas(schema: object) -> list[dict]:
    if isinstance(schema, dict):
        return [schema, *(sub for value in schema.values() for sub in _subschemas(value))]
    if isinstance(schema, list):
        return [sub for value in schema for sub in _subschemas(value)]
    return []


def _reference(schema: dict) -> Draft202012Validator:
    formats = FormatChecker()
    for name, (check, raises) in schemas.FORMATS.items():
        formats.checks(name, raises=raises)(check)
    return Draft202012Validator(schema, format_checker=formats)


_REFERENCE = _reference(schemas.FACT_SCHEMA)


def _patterns(schema: object) -> list[str]:
    if isinstance(schema, dict):
        own = [schema["pattern"]] if isinstance(schema.get("pattern"), str) else []
        return own + [p for value in schema.values() for p in _patterns(value)]
    if isinstance(schema, list):
        return [p for value in schema for p in _patterns(value)]
    return []


# A value each pattern accepts: a new pattern without one here fails the test below.
_MATCHING = {schemas.URL["pattern"]: "https://example.org/x", schemas.SLUG["pattern"]: "comet-2017",
             schemas.SHA256["pattern"]: "0" * 64}


@pytest.mark.parametrize("schema", ["FACT_SCHEMA", "DOCUMENT_SCHEMA", "CORRECTION_SCHEMA", "RETRACTION_SCHEMA"])
@pytest.mark.finding(13)
def test_every_pattern_refuses_a_trailing_newline_in_both_validators(schema):
    import jsonschema_rs

    patterns = set(_patterns(getattr(schemas, schema)))
    for pattern in patterns:
        value, checks = _MATCHING[pattern], {"type": "string", "pattern": pattern}
        for validator in (Draft202012Validator(checks), jsonschema_rs.Draft202012Validator(checks)):
            assert validator.is_valid(value) and not validator.is_valid(value + "\n"), (pattern, validator)


def test_a_value_off_its_pattern_is_refused_in_words_not_with_the_regex():
    """A reporter filling a spreadsheet meets these first: "Inadequate", "Investigating Crime", an ftp:// link."""
    from timeline.errors import InvalidRecord
    from timeline.parsing import parse_record

    body = {
        "type": "rating.published", "subject": "force/x", "occurred": "2019",
        "data": {"pillar": "Investigating Crime", "grade": "Inadequate", "inspection": "PEEL 2021/22", "inspectorate": "org/hmicfrs"},
        "source": {"publisher": "HMICFRS", "url": "ftp://example.org/r", "published": "2019", "kind": "official"},
    }  # fmt: skip
    with pytest.raises(InvalidRecord) as refused:
        parse_record(body)
    messages = {e.field: e.message for e in refused.value.errors}
    assert messages["data.grade"] == "'Inadequate' is not lower-case words joined by hyphens, e.g. requires-improvement or investigating-crime"
    assert messages["data.pillar"].startswith("'Investigating Crime' is not lower-case words")
    assert messages["source.url"] == "'ftp://example.org/r' is not a web address starting http:// or https://"
    assert not any("^" in message or "(?!" in message for message in messages.values())
