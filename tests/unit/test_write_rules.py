"""The rules a write keeps with what the log holds (timeline.write_rules), and the fact's own rule that a
correction keeps its type, on aggregates built in memory."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from timeline.errors import InvalidRecord, Redacted
from timeline.facts import Fact
from timeline.parsing import parse_document, parse_record
from timeline.sources import Document, document_aggregate_id
from timeline.write_rules import check_links, check_quotes

DOCUMENT = Document.record(parse_document({
    "type": "document", "id": "comet-test", "publisher": "The Comet", "url": "https://example.org/comet",
    "published": "2017-03-02", "kind": "press", "text": "Beds police is the only force deemed inadequate.",
}))  # fmt: skip


def content(**changes: Any) -> Any:
    source = {
        "publisher": "The Comet", "url": "https://example.org/comet", "published": "2017-03-02", "kind": "press",
        "document": "comet-test", "quote": "the only force deemed inadequate",
    }  # fmt: skip
    body = {
        "id": str(uuid.uuid4()), "type": "rating.published", "subject": "force/bedfordshire", "occurred": "2017-03-02",
        "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2016", "inspectorate": "org/hmic"},
        "source": source | changes.pop("source", {}),
    }  # fmt: skip
    return parse_record(body | changes).content


def held(*aggregates: Any) -> Any:
    by_id = {aggregate.id: aggregate for aggregate in aggregates}
    return by_id.get


def fields(refusal: pytest.ExceptionInfo[InvalidRecord]) -> list[str]:
    return [error.field for error in refusal.value.errors]


def test_a_source_quoting_its_stored_document_faithfully_passes():
    check_quotes(content(), held(DOCUMENT), None)


def test_a_quote_the_document_does_not_hold_is_refused_naming_the_quote():
    with pytest.raises(InvalidRecord) as refusal:
        check_quotes(content(source={"quote": "never said"}), held(DOCUMENT), 3)
    assert fields(refusal) == ["source.quote"] and refusal.value.errors[0].index == 3


def test_a_source_describing_its_document_otherwise_is_refused_for_each_difference():
    with pytest.raises(InvalidRecord) as refusal:
        check_quotes(content(source={"publisher": "The Sun", "kind": "official"}), held(DOCUMENT), None)
    assert fields(refusal) == ["source.publisher", "source.kind"]


def test_a_document_not_stored_or_redacted_cannot_be_cited():
    with pytest.raises(InvalidRecord) as missing:
        check_quotes(content(), held(), None)
    assert fields(missing) == ["source.document"]

    def redacted(aggregate_id: uuid.UUID) -> Any:
        assert aggregate_id == document_aggregate_id("comet-test")
        raise Redacted("document 'comet-test'")

    with pytest.raises(InvalidRecord, match="was redacted") as purged:
        check_quotes(content(), redacted, None)
    assert fields(purged) == ["source.document"]


def test_a_fact_links_only_to_facts_recorded_and_never_to_itself():
    linked = Fact.record(uuid.uuid4(), content())
    fact_id = uuid.uuid4()
    check_links(fact_id, content(disputes=[str(linked.id)]), held(linked), None)
    with pytest.raises(InvalidRecord, match="record it first") as unknown:
        check_links(fact_id, content(supports=[str(uuid.uuid4())]), held(linked), None)
    assert fields(unknown) == ["supports"]
    with pytest.raises(InvalidRecord, match="cannot dispute or support itself") as itself:
        check_links(fact_id, content(disputes=[str(fact_id)]), held(linked), None)
    assert fields(itself) == ["disputes"]


def test_a_correction_to_another_type_is_refused_by_the_fact_naming_the_type():
    fact = Fact.record(uuid.uuid4(), content())
    fact.keeps_type("rating.published")
    with pytest.raises(InvalidRecord) as refusal:
        fact.keeps_type("statement.made")
    assert fields(refusal) == ["type"]
    statement = parse_record({
        "type": "statement.made", "subject": "force/bedfordshire", "occurred": "2017-03-02",
        "data": {"speaker": "person/chief-constable", "stance": "acknowledges", "summary": "We accept the grade."},
        "source": {"publisher": "The Comet", "url": "https://example.org/comet", "published": "2017-03-02", "kind": "press"},
    }).content  # fmt: skip
    with pytest.raises(InvalidRecord):
        fact.correct(statement, "another type")
    assert fact.version == 1  # nothing was triggered
