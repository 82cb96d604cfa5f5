"""The bundled seed: The Comet's article, every fact a reader takes from it, and the official record."""

from __future__ import annotations

from timeline.facts import SourceKind
from timeline.loader import read_record_file, store_record_file
from timeline.parsing import NewFact
from timeline.seed import seed_files
from timeline.sources import DocumentContent, quote_occurs_in


def seed_records():
    return [record for path in seed_files() for record in read_record_file(path).records]


def load_seed(timeline):
    return [receipt for path in seed_files() for receipt in store_record_file(timeline, read_record_file(path))]


def test_every_seed_fact_that_cites_the_article_quotes_it_verbatim():
    records = seed_records()
    documents = {r.slug: r for r in records if isinstance(r, DocumentContent)}
    cited = [r for r in records if isinstance(r, NewFact) and r.content.source.document]
    assert len(cited) >= 15
    for fact in cited:
        source = fact.content.source
        assert source.quote, fact.id
        assert quote_occurs_in(source.quote, documents[source.document].text), (fact.id, source.quote)


def test_every_seed_fact_has_a_fixed_id_so_reloading_is_idempotent():
    assert all(r.id is not None for r in seed_records() if isinstance(r, NewFact))


def test_the_article_document_is_the_comet_article_verbatim():
    (document,) = [r for r in seed_records() if isinstance(r, DocumentContent) and r.slug.startswith("comet-")]
    assert (document.publisher, document.published.edtf) == ("The Comet", "2017-03-02")
    assert "Bedfordshire Police has been branded the worst force" in document.text


def test_the_seed_holds_the_articles_claim_and_the_official_grade_that_contradicts_it():
    ratings = [
        (r.content.source.kind, r.content.data["grade"], r.content.data["inspection"])
        for r in seed_records()
        if isinstance(r, NewFact) and r.content.type == "rating.published" and r.content.data["pillar"] == "effectiveness"
    ]
    assert (SourceKind.PRESS, "good", "PEEL 2015") in ratings
    assert (SourceKind.OFFICIAL, "requires-improvement", "PEEL 2015") in ratings
    assert (SourceKind.OFFICIAL, "inadequate", "PEEL 2016") in ratings


def test_the_seed_records_both_responses_the_funding_decision_and_the_roles():
    types = {(r.content.type.value, r.content.subject) for r in seed_records() if isinstance(r, NewFact)}
    assert {
        ("decision.pending", "decision/police-funding-formula"),
        ("role.held", "person/kathryn-holloway"),
        ("role.held", "person/jon-boutcher"),
        ("report.published", "report/peel-effectiveness-2016-bedfordshire"),
    } <= types
    speakers = {r.content.data["speaker"] for r in seed_records() if isinstance(r, NewFact) and r.content.type == "statement.made"}
    assert {"person/kathryn-holloway", "person/jon-boutcher"} <= speakers


def test_loading_the_seed_twice_adds_nothing(timeline):
    first = load_seed(timeline)
    head, facts = timeline.head(), timeline.count_facts()
    second = load_seed(timeline)
    assert all(r.created for r in first) and not any(r.created for r in second)
    assert (timeline.head(), timeline.count_facts()) == (head, facts)
    assert [r.position for r in second] == [r.position for r in first]
    assert facts == len([r for r in seed_records() if isinstance(r, NewFact)])
