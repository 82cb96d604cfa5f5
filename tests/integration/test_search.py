"""Full-text search on both backends: facts by the words of their quotes, subjects by their names and aliases,
documents by their text, each as seen at the three times."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.search import folded_words, search_terms
from projections.store import open_store
from projections.views import Views
from timeline.application import Timeline
from timeline.loader import read_record_file, store_record_file
from timeline.parsing import parse_record
from timeline.seed import seed_files, sync_frameworks


@pytest.fixture
def seeded(database):
    timeline, store = Timeline(database), open_store(database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    runner.setup()
    for path in seed_files():
        store_record_file(timeline, read_record_file(path))
    sync_frameworks(timeline)
    runner.catch_up()
    yield timeline, runner, Views(store)
    store.close()
    timeline.close()


def search(views: Views, q: str, **times) -> dict:
    return views.search(search_terms(q), limit=100, **times)


def quotes(found: dict) -> list[str]:
    return [source.get("quote", "") for fact in found["facts"] for source in fact.get("sources") or [fact["source"]]]


def test_a_fact_is_found_by_a_word_of_its_quote_in_either_story(seeded):
    _, _, views = seeded
    found = search(views, "deemed")  # The Comet: "... the only force out of the 28 across the UK to be deemed 'inadequate'"
    assert [f["subject"] for f in found["facts"]] == ["force/bedfordshire"]
    assert any("deemed" in quote for quote in quotes(found))
    found = search(views, "MISCONDUCT")  # Cleveland: "Former chief constable Sean Price was sacked for gross misconduct"
    assert found["facts"] and all("misconduct" in folded_words(quote) for quote in quotes(found))


def test_a_subject_is_found_by_its_alias_name_or_an_id_merged_into_it(seeded):
    _, _, views = seeded
    assert [s["id"] for s in search(views, "Beds police")["subjects"]] == ["force/bedfordshire"]  # an alias of Bedfordshire Police
    pcc = search(views, "Police and Crime Commissioner for Cleveland")["subjects"]  # an alias of the Cleveland PCC
    assert [(s["id"], s["name"]["name"]) for s in pcc] == [("office/cleveland-pcc", "Cleveland Police and Crime Commissioner")]
    # org/hmicfrs, the id the framework editions use, was merged into org/hmic: found as that subject, with its alias.
    hmic = {s["id"]: s for s in search(views, "hmicfrs")["subjects"]}
    assert hmic["org/hmic"]["aliases"] == ["org/hmicfrs"]
    # A subject is found by its names, not by the words of the sources that name it.
    assert search(views, "Hartlepool Mail")["subjects"] == []


def test_a_document_is_found_by_a_word_of_its_text_once_published(seeded):
    _, _, views = seeded
    found = search(views, "deemed")
    assert [d["id"] for d in found["documents"]] == ["comet-2017-03-02-bedfordshire-inadequate"]
    assert search(views, "deemed", reported_by=dt.date(2017, 3, 1))["documents"] == []
    assert search(views, "deemed", reported_by=dt.date(2017, 3, 1))["facts"] == []


def test_a_fact_recorded_later_is_not_found_at_an_earlier_known_at_and_a_correction_or_retraction_is_followed(seeded):
    timeline, runner, views = seeded
    before = timeline.head()
    [receipt] = timeline.record([parse_record({
        "type": "statement.made", "subject": "force/cleveland", "occurred": "2024-05-01",
        "data": {"speaker": "person/mark-webster", "stance": "welcomes", "summary": "A zymurgical remark"},
        "source": {"publisher": "Teesside Gazette", "url": "https://example.org/z", "published": "2024-05-01", "kind": "press"},
    })])
    runner.catch_up()
    assert search(views, "zymurgical", known_at=before)["facts"] == []
    assert [f["id"] for f in search(views, "zymurgical")["facts"]] == [receipt.id]
    corrected = timeline.correct(UUID(receipt.id), 1, {"data": {"speaker": "person/mark-webster", "stance": "welcomes", "summary": "A brewing remark"}}, "misread")
    runner.catch_up()
    assert search(views, "zymurgical")["facts"] == []
    assert [f["id"] for f in search(views, "brewing")["facts"]] == [receipt.id]
    assert [f["version"] for f in search(views, "zymurgical", known_at=corrected.position - 1)["facts"]] == [1]
    timeline.retract(UUID(receipt.id), 2, "not said")
    runner.catch_up()
    assert search(views, "brewing")["facts"] == []


def test_as_of_leaves_out_facts_that_cannot_have_happened_yet(seeded):
    _, _, views = seeded
    assert search(views, "deemed", as_of=dt.date(2017, 3, 1))["facts"] == []
    assert len(search(views, "deemed", as_of=dt.date(2017, 3, 2))["facts"]) == 1


def test_pages_of_a_search_neither_skip_nor_repeat(seeded):
    _, _, views = seeded
    everything = [f["id"] for f in search(views, "cleveland")["facts"]]
    paged, token = [], None
    while True:
        page = views.search(search_terms("cleveland"), cursor_token=token, limit=7)
        paged += [f["id"] for f in page["facts"]]
        token = page["next_cursor"]
        if token is None:
            break
    assert len(everything) > 7 and paged == everything


HOSTILE = ['"', "AND", "NEAR(a b)", "police OR", "*", 'a"b', "col:umn", "-x", "(x", "x)", "'", "\\", "ß", "Ünïcödé", "x:*", "!", "a & b | c"]


def test_no_query_is_a_syntax_error(seeded):
    _, _, views = seeded
    for q in HOSTILE:
        terms = search_terms(q)
        if terms:
            views.search(terms)  # answers, whatever it finds
