"""What the views say about the seed: the article's claims beside the official record."""

from __future__ import annotations

import datetime as dt

import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import open_store
from projections.timeline import TimelineQuery
from projections.views import Views
from timeline.application import Timeline
from timeline.loader import read_record_file, store_record_file
from timeline.seed import seed_files, sync_frameworks

MARCH_3_2017 = dt.date(2017, 3, 3)


@pytest.fixture
def seeded(database):
    """The seed loaded in order; `article_only` is the log position before the official record arrived."""
    timeline, store = Timeline(database), open_store(database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    runner.setup()
    documents, article, *official = seed_files()
    for path in (documents, article):
        store_record_file(timeline, read_record_file(path))
    article_only = timeline.head()
    for path in official:
        store_record_file(timeline, read_record_file(path))
    sync_frameworks(timeline)  # as the server does at start, after the stories
    runner.catch_up()
    yield Views(store), article_only, runner
    store.close()
    timeline.close()


def test_effectiveness_as_of_3_march_2017_is_inadequate_down_from_the_official_requires_improvement(seeded):
    views, _, _ = seeded
    effectiveness = views.status("force/bedfordshire", as_of=MARCH_3_2017)["ratings"]["effectiveness"]
    assert (effectiveness["grade"], effectiveness["change"]) == ("inadequate", "down")
    previous = effectiveness["previous"]
    assert (previous["grade"], previous["source"]["kind"]) == ("requires-improvement", "official")
    assert [(d["grade"], d["source"]["publisher"]) for d in previous["disputed_by"]] == [("good", "The Comet")]


def test_effectiveness_as_of_1_june_2016_is_requires_improvement(seeded):
    views, _, _ = seeded
    effectiveness = views.status("force/bedfordshire", as_of=dt.date(2016, 6, 1))["ratings"]["effectiveness"]
    assert (effectiveness["grade"], effectiveness["change"], effectiveness["previous"]) == ("requires-improvement", "first", None)


def test_known_before_the_official_record_the_previous_grade_is_the_articles_good(seeded):
    views, article_only, _ = seeded
    status = views.status("force/bedfordshire", as_of=MARCH_3_2017, known_at=article_only)
    effectiveness = status["ratings"]["effectiveness"]
    assert (effectiveness["grade"], effectiveness["change"]) == ("inadequate", "down")
    assert (effectiveness["previous"]["grade"], effectiveness["previous"]["source"]["kind"]) == ("good", "press")
    assert effectiveness["previous"]["disputed_by"] == []
    assert status["known_at"] == article_only


def test_the_funding_formula_decision_is_pending_as_of_3_march_2017_and_made_by_2018(seeded):
    views, _, _ = seeded
    pending = views.status("force/bedfordshire", as_of=MARCH_3_2017)["pending_decisions"]
    assert [(d["decision"], d["expected"]) for d in pending] == [("decision/police-funding-formula", "2017-21")]
    assert views.status("force/bedfordshire", as_of=dt.date(2018, 1, 1))["pending_decisions"] == []


def test_the_status_card_lists_roles_statements_and_the_latest_reports_findings(seeded):
    views, _, _ = seeded
    status = views.status("force/bedfordshire", as_of=MARCH_3_2017)
    assert {(r["person"], r["role"]) for r in status["roles"]} == {
        ("person/kathryn-holloway", "Police and Crime Commissioner"),
        ("person/jon-boutcher", "Chief Constable"),
    }
    stances = {(s["data"]["speaker"], s["data"]["stance"]) for s in status["statements"]}
    assert ("person/jon-boutcher", "refutes") in stances and ("person/kathryn-holloway", "disputes") in stances
    assert status["findings"]["report"] == "report/peel-effectiveness-2016-bedfordshire"
    assert len(status["findings"]["findings"]) == 7


def test_ratings_across_forces_count_every_forces_peel_2016_effectiveness_grade_one_inadequate(seeded):
    views, _, _ = seeded
    ratings = views.ratings("effectiveness", as_of=MARCH_3_2017)
    # HMIC's national table (seeds/stories/peel-2016-effectiveness) and Bedfordshire's own page.
    assert ratings["counts"] == {"outstanding": 1, "good": 28, "requires-improvement": 13, "inadequate": 1, "not-graded": 0}
    assert [r["subject"] for r in ratings["ratings"] if r["grade"] == "inadequate"] == ["force/bedfordshire"]
    # The latest inspection as of then, named, on its edition's scale; all 43 forces it covers are recorded.
    assert (ratings["inspection"], ratings["framework"]["edition"]) == ("PEEL 2016", "peel-2014-2017")
    assert (ratings["covered"], ratings["covers"]) == (43, 43)
    peel_2015 = views.ratings("effectiveness", inspection="PEEL 2015")
    assert [(r["grade"], [d["grade"] for d in r["disputed_by"]]) for r in peel_2015["ratings"]] == [
        ("requires-improvement", ["good"])
    ]


def test_the_timeline_runs_in_valid_time_order_and_pages_without_gaps(seeded):
    views, _, _ = seeded
    everything = views.timeline("force/bedfordshire", TimelineQuery(limit=1000))["facts"]
    keys = [(f["occurred_bounds"][0], f["occurred_bounds"][1], f["position"]) for f in everything]
    assert keys == sorted(keys)
    paged, token = [], None
    while True:
        page = views.timeline("force/bedfordshire", TimelineQuery(limit=4), cursor_token=token)
        paged += page["facts"]
        if not (token := page["next_cursor"]):
            break
    assert [f["id"] for f in paged] == [f["id"] for f in everything]


def test_the_timeline_filters_by_type_and_date_range(seeded):
    views, _, _ = seeded
    query = TimelineQuery(types=frozenset({"rating.published"}), date_from=dt.date(2016, 1, 1), date_to=dt.date(2016, 12, 31))
    facts = views.timeline("force/bedfordshire", query)["facts"]
    assert [(f["occurred"], f["data"]["grade"]) for f in facts] == [
        ("2016", "good"), ("2016-02-11", "good"), ("2016-02-18", "requires-improvement"), ("2016-11-03", "requires-improvement"),
    ]


def test_statements_by_speaker_carry_stance_and_quote(seeded):
    views, _, _ = seeded
    said = views.statements(speaker="person/kathryn-holloway")["statements"]
    assert [s["stance"] for s in said].count("disputes") == 1
    assert all(s["quote"] and s["source"]["publisher"] == "The Comet" for s in said)


def test_sources_list_the_article_and_every_fact_citing_it(seeded):
    views, _, _ = seeded
    documents = {d["id"]: d for d in views.sources()["documents"]}
    article = documents["comet-2017-03-02-bedfordshire-inadequate"]
    assert len(article["cited_by"]) == 25  # the article's 20 facts, its figure, and 4 names it gives
    assert len(documents["hansard-2017-07-19-fire-inspectorate"]["cited_by"]) == 1  # HMIC's new name


def test_a_corrected_fact_shows_its_corrected_form_and_history_and_a_retracted_one_hides(database, seeded):
    views, _, runner = seeded
    timeline = Timeline(database)
    try:
        role = next(f for f in views.timeline("person/jon-boutcher", TimelineQuery())["facts"] if f["type"] == "role.held")
        import uuid

        timeline.correct(uuid.UUID(role["id"]), 1, {"occurred": "2017-03"}, "the article gives no day")
        statement = views.statements(speaker="person/jon-boutcher")["statements"][0]
        timeline.retract(uuid.UUID(statement["id"]), 1, "test retraction")
        runner.catch_up()
        facts = views.timeline("person/jon-boutcher", TimelineQuery())["facts"]
        (corrected,) = [f for f in facts if f["id"] == role["id"]]
        assert corrected["occurred"] == "2017-03"
        assert [h["change"] for h in corrected["history"]] == ["recorded", "corrected"]
        assert statement["id"] not in [f["id"] for f in facts]
        shown = views.timeline("person/jon-boutcher", TimelineQuery(include_retracted=True))["facts"]
        assert [f["retracted"] for f in shown if f["id"] == statement["id"]] == [True]
    finally:
        timeline.close()
