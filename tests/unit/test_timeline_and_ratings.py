"""The timeline's pages (projections/timeline.py), ratings across subjects (projections/ratings.py) and
framework editions (projections/editions.py): pure rules over facts as the views hold them."""

from __future__ import annotations

import pytest

from projections.claims import claim_json
from projections.editions import change, edition_of, grade_order, judged
from projections.ratings import ratings_across_forces
from projections.timeline import TimelineQuery, subject_timeline
from tests.unit.factories import fact, rating, statement
from tests.unit.test_status_card import FOUR_GRADES

# The timeline


def page_ids(states, **query):
    page, next_key = subject_timeline(states, TimelineQuery(**query))
    return [s.id for s in page], next_key


def test_a_page_stops_at_its_limit_and_gives_the_key_after_it():
    states = [statement(occurred=f"201{n}", position=n) for n in range(5)]
    assert page_ids(states, limit=2) == (["fact-0", "fact-1"], states[1].sort_key)
    assert page_ids(states, limit=5) == ([f"fact-{n}" for n in range(5)], None)
    assert page_ids(states, limit=4) == (["fact-0", "fact-1", "fact-2", "fact-3"], states[3].sort_key)


# What a page holds (retracted facts, as_of, types, dates, order, the key it resumes after) is its query's
# alone: tests/integration/test_view_queries.py asks fact_queries.timeline_page.


# Ratings across subjects


FRAMEWORKS = {"peel-2014-2017": FOUR_GRADES}


def test_each_subjects_standing_grade_is_counted_on_the_editions_scale():
    alpha = rating("inadequate", subject="force/alpha", position=1)
    alpha_press = rating("good", subject="force/alpha", kind="press", position=2)
    beta = rating("good", subject="force/beta", position=3)
    found = ratings_across_forces([beta, alpha_press, alpha], "effectiveness", "PEEL 2016", FRAMEWORKS)
    assert found == {
        "pillar": "effectiveness",
        "inspection": "PEEL 2016",
        "framework": {"edition": "peel-2014-2017", "name": "PEEL 2014 to 2017", "scale": "peel-four-grades"},
        "covered": 2,
        "covers": 43,
        "ratings": [
            {"subject": "force/alpha", "pillar": "effectiveness", **claim_json(alpha), "framework": judged(alpha.data, FRAMEWORKS),
             "disputed_by": [claim_json(alpha_press)]},
            {"subject": "force/beta", "pillar": "effectiveness", **claim_json(beta), "framework": judged(beta.data, FRAMEWORKS),
             "disputed_by": []},
        ],
        "counts": {"outstanding": 0, "good": 1, "requires-improvement": 0, "inadequate": 1, "not-graded": 0},
    }  # fmt: skip


def test_ratings_on_every_area_list_each():
    effective = rating("good", pillar="effectiveness", position=1)
    legitimate = rating("inadequate", pillar="legitimacy", position=2)
    every = ratings_across_forces([legitimate, effective], None, None, FRAMEWORKS)
    assert [(r["pillar"], r["grade"]) for r in every["ratings"]] == [("effectiveness", "good"), ("legitimacy", "inadequate")]
    assert every["covered"] == 1


def test_ratings_leave_out_a_claim_whose_every_source_was_withdrawn():
    # Which claims are certainly in effect is the query's (fact_queries.inspection_claims); withdrawal is the rule's.
    withdrawn = rating("good", subject="force/alpha", position=1, documents=("a",), withdrawn=("a",))
    kept = rating("good", subject="force/beta", position=2, documents=("a", "b"), withdrawn=("a",))
    found = ratings_across_forces([withdrawn, kept], "effectiveness", None, FRAMEWORKS)
    assert [r["subject"] for r in found["ratings"]] == ["force/beta"]


def test_a_grade_off_the_scale_still_counts_after_the_scale():
    odd = rating("excellent", subject="force/alpha", position=1)
    found = ratings_across_forces([odd], "effectiveness", None, FRAMEWORKS)
    assert list(found["counts"]) == ["outstanding", "good", "requires-improvement", "inadequate", "not-graded", "excellent"]
    assert found["counts"]["excellent"] == 1


def test_ratings_of_several_inspections_name_no_single_inspection():
    old = rating("good", subject="force/alpha", inspection="PEEL 2015", position=1)
    new = rating("good", subject="force/beta", inspection="PEEL 2016", position=2)
    found = ratings_across_forces([old, new], "effectiveness", None, FRAMEWORKS)
    assert (found["inspection"], found["framework"], found["covers"], found["counts"]) == (None, None, None, {"good": 2})


def test_ratings_of_an_inspection_no_edition_lists_have_no_framework():
    found = ratings_across_forces([rating("good", inspection="Other 2016")], "effectiveness", None, FRAMEWORKS)
    assert (found["inspection"], found["framework"], found["covers"]) == ("Other 2016", None, None)


# Framework editions


TWO_GRADES = {
    "name": "Two grades", "inspections": ["Other 2020"], "areas": [{"id": "effectiveness"}, {"id": "overall"}],
    "grades": ["pass", "fail"], "scale": "pass-fail", "overall": True,
}  # fmt: skip
EDITIONS = {"peel-2014-2017": FOUR_GRADES, "two": TWO_GRADES}


def test_an_inspection_belongs_to_the_edition_listing_it_in_any_spelling():
    assert edition_of("peel 2016", EDITIONS) == "peel-2014-2017"
    assert edition_of("OTHER-2020", EDITIONS) == "two"
    assert edition_of("PEEL 2030", EDITIONS) is None


def data(grade, *, inspection="PEEL 2016", pillar="effectiveness"):
    return {"pillar": pillar, "grade": grade, "inspection": inspection}


def test_a_claim_is_judged_against_its_editions_areas_and_grades():
    assert judged(data("good"), EDITIONS) == {
        "edition": "peel-2014-2017", "name": "PEEL 2014 to 2017", "scale": "peel-four-grades", "supported": True, "why": None,
    }  # fmt: skip
    assert judged(data("not-graded"), EDITIONS)["supported"] is True
    assert judged(data("pass"), EDITIONS)["why"] == (
        "PEEL 2014 to 2017 has no grade pass; its grades are outstanding, good, requires-improvement, inadequate"
    )
    assert judged(data("good", pillar="efficiency"), EDITIONS)["why"] == "PEEL 2014 to 2017 does not grade efficiency"
    assert judged(data("good", pillar="overall"), EDITIONS)["why"] == "PEEL 2014 to 2017 gives no overall grade"
    assert judged(data("pass", inspection="Other 2020", pillar="overall"), EDITIONS)["supported"] is True
    assert judged(data("pass", inspection="Other 2020", pillar="legitimacy"), EDITIONS)["why"] == "Two grades does not grade legitimacy"
    assert judged(data("good", inspection="PEEL 2030"), EDITIONS) == {
        "edition": None, "name": None, "supported": None, "why": "no known framework edition lists 'PEEL 2030'",
    }  # fmt: skip


def test_an_area_of_an_edition_without_an_overall_flag_is_not_overall():
    silent = {k: v for k, v in FOUR_GRADES.items() if k != "overall"}
    assert judged(data("good", pillar="overall"), {"e": silent})["why"] == "PEEL 2014 to 2017 gives no overall grade"


@pytest.mark.parametrize(
    ("before", "now", "moved"),
    [("good", "inadequate", "down"), ("inadequate", "good", "up"), ("good", "good", "same"), ("good", "not-graded", "not-comparable"),
     ("not-graded", "good", "not-comparable"), ("good", "excellent", "not-comparable")],
)  # fmt: skip
def test_a_grade_moves_up_down_or_stays_on_one_scale(before, now, moved):
    assert change(data(before, inspection="PEEL 2015"), data(now), EDITIONS) == moved


def test_grades_on_different_scales_or_unknown_editions_do_not_compare():
    assert change(data("pass", inspection="Other 2020"), data("good"), EDITIONS) == "not-comparable"
    assert change(data("good", inspection="PEEL 2030"), data("good"), EDITIONS) == "not-comparable"
    assert change(data("good"), data("good", inspection="PEEL 2030"), EDITIONS) == "not-comparable"
    assert change(None, data("good"), EDITIONS) == "first"


def test_an_editions_grade_order_is_its_grades_then_its_states():
    assert grade_order("peel-2014-2017", EDITIONS) == ["outstanding", "good", "requires-improvement", "inadequate", "not-graded"]
    assert grade_order("two", EDITIONS) == ["pass", "fail"]
    assert grade_order(None, EDITIONS) == []


def test_a_fact_of_a_type_no_timeline_query_names_is_kept_by_an_empty_type_filter():
    assert page_ids([fact("subject.named", data={"name": "x"})]) == (["fact-1"], None)


def test_an_edition_with_an_overall_grade_but_no_such_area_does_not_grade_overall():
    no_area = TWO_GRADES | {"areas": [{"id": "effectiveness"}]}
    assert judged(data("pass", inspection="Other 2020", pillar="overall"), {"two": no_area})["why"] == "Two grades does not grade overall"


def test_an_edition_without_states_refuses_a_grade_off_its_scale():
    assert judged(data("good", inspection="Other 2020"), EDITIONS)["why"] == "Two grades has no grade good; its grades are pass, fail"


def test_ratings_of_an_inspection_asked_for_are_named_as_asked_even_with_no_claims():
    spelled = ratings_across_forces([rating("good")], "effectiveness", "peel 2016", FRAMEWORKS)
    assert spelled["inspection"] == "peel 2016"
    none = ratings_across_forces([], "effectiveness", "PEEL 2016", FRAMEWORKS)
    assert (none["inspection"], none["covered"], none["covers"]) == ("PEEL 2016", 0, 43)
