"""The standing rule (projections/claims.py): which claim stands when sources disagree, and who disputes it."""

from __future__ import annotations

import datetime as dt

import pytest

from projections.claims import (
    claim_json,
    claims_in_effect,
    competing,
    effect,
    expected_json,
    fact_json,
    in_effect,
    names_in_force,
    natural_slot,
    rating_history,
    rating_slot,
    standing,
)
from tests.unit.factories import fact, figure, rating, statement


def ids(states):
    return [s.id for s in states]


# Source authority, then valid time, then record time


def test_an_official_claim_stands_over_a_later_press_claim():
    official = rating("good", kind="official", occurred="2016", position=1)
    press = rating("inadequate", kind="press", occurred="2017-03-02", position=2)
    assert standing([official, press])[0] is official
    assert standing([press, official])[0] is official


def test_a_press_claim_stands_over_a_later_statement():
    press = rating("good", kind="press", occurred="2016", position=1)
    said = rating("inadequate", kind="statement", occurred="2017-03-02", position=2)
    assert standing([said, press])[0] is press


def test_among_equally_authoritative_claims_the_latest_in_valid_time_stands():
    older = rating("good", occurred="2017-03-01", position=2)
    newer = rating("inadequate", occurred="2017-03-02", position=1)
    assert standing([newer, older])[0] is newer
    assert standing([older, newer])[0] is newer


def test_valid_time_is_compared_by_its_first_day_then_its_last():
    month = rating("good", occurred="2017-03", position=1)  # 1 to 31 March
    first_day = rating("inadequate", occurred="2017-03-01", position=2)  # 1 March: same first day, earlier last
    year = rating("outstanding", occurred="2017", position=3)  # from 1 January: earlier first day
    assert standing([first_day, month, year])[0] is month


def test_claims_alike_in_authority_and_valid_time_are_decided_by_record_time():
    first = rating("good", position=1)
    second = rating("inadequate", position=2)
    assert standing([second, first])[0] is second


def test_only_a_claim_about_the_slot_can_stand_for_it():
    graded = rating("good", kind="press", position=1, id="graded")
    challenge = statement(kind="official", occurred="2018", position=2, disputes=("graded",))
    stands, disputed_by = standing([graded, challenge])
    assert stands is graded
    assert disputed_by == [challenge]


def test_claims_with_no_slot_compete_by_authority_then_time():
    said = statement(kind="statement", occurred="2018", position=2, id="said")
    reported = statement(kind="press", occurred="2016", position=1, disputes=("said",))
    assert standing([said, reported])[0] is reported


# Who disputes the claim that stands


def test_a_claim_of_another_grade_disputes_and_one_of_the_same_grade_does_not():
    stands = rating("requires-improvement", kind="official", position=1)
    same = rating("requires-improvement", kind="press", position=2)
    other = rating("good", kind="press", position=3)
    assert standing([stands, same, other]) == (stands, [other])


def test_disputes_are_listed_in_timeline_order():
    stands = rating("good", kind="official", occurred="2016", position=1)
    late = rating("inadequate", kind="press", occurred="2017-03-02", position=2)
    early = rating("outstanding", kind="press", occurred="2017-01", position=3)
    assert standing([late, stands, early]) == (stands, [early, late])


def test_claims_with_no_slot_and_no_links_never_agree():
    one = statement(position=1)
    other = statement(position=2)
    assert standing([one, other]) == (other, [one])


def test_a_fact_recorded_as_disputing_the_standing_claim_disputes_it_even_with_the_same_grade():
    stands = rating("good", kind="official", position=1, id="stands")
    rival = rating("good", kind="press", position=2, disputes=("stands",))
    # Linked: equal grades about one slot still agree, so the link alone does not make it a dispute.
    assert standing([stands, rival]) == (stands, [])
    challenger = statement(kind="press", position=3, disputes=("stands",))
    assert standing([stands, rival, challenger]) == (stands, [challenger])


def test_a_claim_supporting_the_standing_claim_agrees_with_it():
    stands = statement(kind="official", position=1, id="stands")
    backer = statement(kind="press", position=2, supports=("stands",), id="backer")
    doubter = statement(kind="press", position=3, disputes=("stands",), id="doubter")
    assert standing([stands, backer, doubter]) == (stands, [doubter])


def test_a_claim_supporting_a_disputer_disputes_the_standing_claim_too():
    stands = statement(kind="official", position=1, id="stands")
    doubter = statement(kind="press", position=2, disputes=("stands",), id="doubter")
    echo = statement(kind="statement", position=3, supports=("doubter",), id="echo")
    assert standing([stands, doubter, echo]) == (stands, [doubter, echo])


def test_support_for_a_fact_outside_the_group_joins_nothing():
    stands = statement(kind="official", position=1, id="stands")
    stray = statement(kind="press", position=2, supports=("elsewhere",), id="stray")
    assert standing([stands, stray]) == (stands, [stray])


def test_figures_agree_when_value_and_unit_match_in_any_spelling():
    stands = figure(1200, unit="Officers", kind="official", position=1)
    same = figure(1200, unit="officers", kind="press", position=2)
    fewer = figure(1100, unit="officers", kind="press", position=3)
    other_unit = figure(1200, unit="staff", kind="press", position=4)
    assert standing([stands, same, fewer, other_unit]) == (stands, [fewer, other_unit])


# What competes with what


def test_claims_about_one_slot_compete_and_other_slots_do_not():
    a = rating("good", inspection="PEEL 2016", position=1)
    b = rating("inadequate", inspection="PEEL 2016", position=2)
    c = rating("good", inspection="PEEL 2017", position=3)
    d = rating("good", inspection="PEEL 2016", pillar="legitimacy", position=4)
    e = rating("good", inspection="PEEL 2016", subject="force/elsewhere", position=5)
    assert [ids(g) for g in competing([a, b, c, d, e])] == [["fact-1", "fact-2"], ["fact-3"], ["fact-4"], ["fact-5"]]


def test_spellings_of_one_inspection_are_one_slot():
    a = rating("good", inspection="PEEL 2018/19", position=1)
    b = rating("inadequate", inspection="peel 2018-19", position=2)
    assert [ids(g) for g in competing([a, b])] == [["fact-1", "fact-2"]]
    assert rating_slot(b) == ("force/anyshire", "effectiveness", "peel-2018-19")


def test_figures_compete_per_subject_measure_and_period():
    a = figure(1, measure="Officers", period="2017", position=1)
    b = figure(2, measure="officers", period="2017", position=2)
    c = figure(3, measure="officers", period="2018", position=3)
    d = figure(4, measure="staff", period="2017", position=4)
    e = figure(5, measure="officers", period="2017", subject="force/elsewhere", position=5)
    f = figure(6, measure="officers", period=None, position=6)
    assert [ids(g) for g in competing([a, b, c, d, e, f])] == [["fact-1", "fact-2"], ["fact-3"], ["fact-4"], ["fact-5"], ["fact-6"]]
    assert natural_slot(a) == ("figure", "force/anyshire", "officers", "2017")
    assert natural_slot(f) == ("figure", "force/anyshire", "officers", "")


def test_other_facts_have_no_slot():
    assert natural_slot(statement()) is None


def test_disputes_and_supports_join_claims_transitively():
    root = statement(position=1, id="root")
    doubter = statement(position=2, disputes=("root",), id="doubter")
    echo = statement(position=3, supports=("doubter",), id="echo")
    alone = statement(position=4, id="alone")
    assert [ids(g) for g in competing([echo, alone, root, doubter])] == [["root", "doubter", "echo"], ["alone"]]


def test_a_link_joins_a_rating_to_its_slot_group():
    a = rating("good", position=1, id="a")
    b = rating("inadequate", position=3, id="b")
    doubter = statement(position=2, disputes=("b",), id="doubter")
    assert [ids(g) for g in competing([b, doubter, a])] == [["a", "doubter", "b"]]


def test_a_link_to_a_fact_not_among_them_joins_nothing():
    a = statement(position=1, disputes=("missing",), id="a")
    b = statement(position=2, supports=("missing",), id="b")
    assert [ids(g) for g in competing([a, b])] == [["a"], ["b"]]


def test_groups_come_in_timeline_order_of_their_first_claim():
    late = rating("good", inspection="PEEL 2017", occurred="2018", position=1)
    early = rating("good", inspection="PEEL 2015", occurred="2015", position=2)
    assert [ids(g) for g in competing([late, early])] == [["fact-2"], ["fact-1"]]


# When a fact counts


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (None, "certain"),
        (dt.date(2016, 12, 31), None),
        (dt.date(2017, 1, 1), "possible"),  # its first possible day
        (dt.date(2017, 12, 30), "possible"),
        (dt.date(2017, 12, 31), "certain"),  # its last possible day
        (dt.date(2018, 1, 1), "certain"),
    ],
)
def test_a_fact_is_possible_from_its_first_day_and_certain_from_its_last(as_of, expected):
    assert effect(fact(occurred="2017"), as_of) == expected


def test_a_retracted_fact_is_in_effect_at_no_date():
    assert effect(fact(retracted=True), None) is None
    assert effect(fact(retracted=True), dt.date(2020, 1, 1)) is None
    assert not in_effect(fact(retracted=True), None)


def test_only_a_certain_fact_counts():
    assert in_effect(fact(occurred="2017"), dt.date(2017, 12, 31))
    assert not in_effect(fact(occurred="2017"), dt.date(2017, 12, 30))


def test_a_fact_whose_every_cited_document_was_withdrawn_no_longer_counts():
    assert not in_effect(fact(documents=("a",), withdrawn=("a",)), None)
    assert not in_effect(fact(documents=("a", "b"), withdrawn=("a", "b")), None)


def test_a_fact_with_one_source_still_standing_behind_it_counts():
    assert in_effect(fact(documents=("a", "b"), withdrawn=("a",)), None)
    assert in_effect(fact(documents=("a",)), None)


# Views of the rule


def test_rating_history_lists_a_subjects_inspections_in_one_area_oldest_first():
    first = rating("good", inspection="PEEL 2015", occurred="2015", position=1)
    rival = rating("inadequate", inspection="PEEL 2015", occurred="2015", kind="press", position=2)
    second = rating("inadequate", inspection="PEEL 2016", occurred="2016", position=3)
    other_area = rating("good", pillar="legitimacy", position=4)
    other_subject = rating("good", subject="force/elsewhere", position=5)
    doubter = statement(position=6, disputes=("fact-5",))
    history = rating_history([second, other_area, rival, first, other_subject, doubter], "force/anyshire", "effectiveness")
    assert history == [(first, [rival]), (second, [])]


def test_rating_history_leaves_out_groups_where_no_rating_stands():
    said = statement(position=1)
    assert rating_history([said, figure(1, position=2)], "force/anyshire", "effectiveness") == []


def test_claims_in_effect_say_who_stands_who_disputes_and_who_agrees():
    stands = rating("good", kind="official", position=1, id="stands")
    agrees = rating("good", kind="press", position=2, id="agrees")
    disputes = rating("inadequate", kind="press", position=3, id="disputes")
    found = claims_in_effect([stands, agrees, disputes], None)
    assert found == {
        "stands": {"stands": True, "disputes": False, "disputed_by": [claim_json(disputes)]},
        "agrees": {"stands": False, "disputes": False, "disputed_by": [claim_json(disputes)], "standing": claim_json(stands)},
        "disputes": {"stands": False, "disputes": True, "disputed_by": [claim_json(stands)], "standing": claim_json(stands)},
    }


def test_claims_not_certainly_in_effect_neither_stand_nor_dispute():
    stands = rating("good", kind="press", occurred="2016", position=1, id="stands")
    retracted = rating("inadequate", kind="official", position=2, id="retracted", retracted=True)
    pending = rating("outstanding", kind="official", occurred="2017", position=3, id="pending")
    found = claims_in_effect([stands, retracted, pending], dt.date(2017, 6, 1))
    assert found == {"stands": {"stands": True, "disputes": False, "disputed_by": []}}


def test_names_in_force_take_each_subjects_latest_name_certain_by_the_date():
    old = fact("subject.named", occurred="2015", data={"name": "Old Name"}, position=1)
    new = fact("subject.named", occurred="2017", data={"name": "New Name", "short_name": "NN", "aliases": ["N"]}, position=2)
    other = fact("subject.named", "force/elsewhere", occurred="2016", data={"name": "Elsewhere"}, position=3)
    said = statement(position=4)
    assert names_in_force([new, old, other, said], dt.date(2017, 6, 1)) == {
        "force/anyshire": {"name": "Old Name", "short_name": None, "aliases": [], "fact": "fact-1"},
        "force/elsewhere": {"name": "Elsewhere", "short_name": None, "aliases": [], "fact": "fact-3"},
    }
    assert names_in_force([new, old], None)["force/anyshire"] == {
        "name": "New Name", "short_name": "NN", "aliases": ["N"], "fact": "fact-2",
    }  # fmt: skip
    assert list(names_in_force([other, new], None)) == ["force/anyshire", "force/elsewhere"]


def test_names_in_force_follow_record_order_on_one_day():
    first = fact("subject.named", occurred="2017", data={"name": "First"}, position=1)
    second = fact("subject.named", occurred="2017", data={"name": "Second"}, position=2)
    assert names_in_force([second, first], None)["force/anyshire"]["name"] == "Second"


# How the rule's answers are shown


def test_a_rating_claim_in_brief_names_its_grade_inspection_and_source():
    claim = rating("inadequate", inspection="PEEL 2016", occurred="2017-03-02", id="r")
    assert claim_json(claim) == {
        "headline": "Effectiveness: inadequate (PEEL 2016)",
        "grade": "inadequate",
        "inspection": "PEEL 2016",
        "occurred": "2017-03-02",
        "occurred_label": "2 March 2017",
        "fact": "r",
        "source": claim.source,
        "sources": [claim.source],
    }


def test_a_figure_claim_in_brief_names_its_value_and_unit():
    claim = figure(1200, unit="officers", measure="officers", period=None, occurred="2017", id="f")
    assert claim_json(claim) == {
        "headline": "Officers: 1,200 officers",
        "value": 1200,
        "unit": "officers",
        "occurred": "2017",
        "occurred_label": "2017",
        "fact": "f",
        "source": claim.source,
        "sources": [claim.source],
    }


def test_another_claim_in_brief_is_its_headline_date_and_source():
    claim = statement(id="s", occurred="2017-03")
    assert claim_json(claim) == {
        "headline": "Pat disputes", "occurred": "2017-03", "occurred_label": "March 2017", "fact": "s",
        "source": claim.source, "sources": [claim.source],
    }  # fmt: skip


def test_a_fact_as_views_render_it():
    state = statement(id="s", occurred="2017", position=4, documents=("a", "b"), withdrawn=("a",))
    assert fact_json(state, dt.date(2017, 6, 1), {"person/pat": {"name": "Pat Smith"}}) == {
        "id": "s",
        "version": 1,
        **state.body,
        "headline": "Pat Smith disputes",
        "occurred_bounds": ["2017-01-01", "2017-12-31"],
        "occurred_label": "2017",
        "possible_days": ["2017-01-01", "2017-12-31"],
        "in_effect": "possible",
        "position": 4,
        "recorded_at": state.recorded_at,
        "version_position": 4,
        "retracted": False,
        "withdrawn_sources": ["a"],
        "discredited": False,
    }
    assert fact_json(state)["headline"] == "Pat disputes"
    assert fact_json(state)["in_effect"] == "certain"


def test_linked_claims_of_different_grades_about_one_slot_still_disagree():
    stands = rating("good", kind="official", position=1, id="stands")
    other = rating("inadequate", kind="press", position=2, id="other")
    challenger = statement(kind="press", position=3, disputes=("stands",), id="challenger")
    assert standing([stands, other, challenger]) == (stands, [other, challenger])


def test_a_rating_slot_is_labelled_apart_from_a_figure_slot():
    assert natural_slot(rating("good", inspection="PEEL 2016")) == ("rating", "force/anyshire", "effectiveness", "peel-2016")


def test_a_reported_statement_in_brief_says_who_reports_it():
    reported = fact("statement.made", data={"speaker": "person/pat", "stance": "disputes", "speech": "reported"}, id="r")
    assert claim_json(reported)["headline"] == "Publisher 0 reports that Pat disputes"
    assert fact_json(reported)["headline"] == "Publisher 0 reports that Pat disputes"


def test_a_role_in_brief_names_its_holder():
    held = fact("role.held", "person/pat-smith", data={"role": "Chief", "organisation": "force/anyshire"})
    assert claim_json(held)["headline"] == "Pat Smith: Chief, Anyshire"


# A pending decision's expected date


def pending(expected=None, fact_type="decision.pending"):
    data = {"title": "Funding", "decider": "org/home-office"} | ({} if expected is None else {"expected": expected})
    return fact(fact_type, "decision/funding", data=data)


def test_a_pending_decision_is_expected_between_the_first_and_last_day_of_its_date_in_words():
    assert expected_json(pending("2019-03")) == {"expected_bounds": ["2019-03-01", "2019-03-31"], "expected_label": "March 2019"}
    assert expected_json(pending("2019-21")) == {"expected_bounds": ["2019-03-01", "2019-05-31"], "expected_label": "spring 2019"}


def test_a_pending_decision_without_an_expected_date_has_none():
    assert expected_json(pending()) == {}


def test_an_expected_date_that_is_no_longer_a_date_is_not_drawn():
    assert expected_json(pending("2019-13")) == {}  # recorded under an older vocabulary: shown as text, not placed
    assert expected_json(pending(2019)) == {}


def test_only_a_pending_decision_has_an_expected_date():
    assert expected_json(pending("2019-03", fact_type="decision.made")) == {}
    assert expected_json(fact(data={"expected": "2019-03"})) == {}


def test_a_pending_decision_as_views_render_it_says_when_it_is_expected():
    rendered = fact_json(pending("2019-03"))
    assert rendered["expected_bounds"] == ["2019-03-01", "2019-03-31"]
    assert rendered["expected_label"] == "March 2019"
    assert "expected_bounds" not in fact_json(statement())
