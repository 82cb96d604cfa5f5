"""The status card (projections/status.py): what a subject's status says, from the facts in effect as of a date."""

from __future__ import annotations

import datetime as dt

from projections.claims import claim_json, fact_json
from projections.status import LATEST_POSSIBLE, LATEST_STATEMENTS, subject_status
from tests.unit.factories import fact, rating, statement

FORCE = "force/anyshire"
FOUR_GRADES = {
    "name": "PEEL 2014 to 2017", "inspections": ["PEEL 2014", "PEEL 2015", "PEEL 2016", "PEEL 2017"], "covers": 43,
    "areas": [{"id": "effectiveness"}, {"id": "legitimacy"}], "grades": ["outstanding", "good", "requires-improvement", "inadequate"],
    "states": ["not-graded"], "scale": "peel-four-grades", "overall": False,
}  # fmt: skip
FRAMEWORKS = {"peel-2014-2017": FOUR_GRADES}


def status(states, as_of=None, last_day=None, subject=FORCE):
    return subject_status(states, subject, as_of, FRAMEWORKS, last_day)


# Ratings


def test_a_rating_shows_the_latest_inspections_standing_claim_and_how_it_moved():
    before = rating("good", inspection="PEEL 2015", occurred="2016-02-18", position=1)
    now = rating("inadequate", inspection="PEEL 2016", occurred="2017-03-02", position=2)
    rated = status([now, before])["ratings"]
    assert list(rated) == ["effectiveness"]
    assert rated["effectiveness"] == {
        **claim_json(now),
        "framework": {"edition": "peel-2014-2017", "name": "PEEL 2014 to 2017", "scale": "peel-four-grades", "supported": True, "why": None},
        "disputed_by": [],
        "change": "down",
        "previous": {**claim_json(before), "disputed_by": []},
    }


def test_a_first_rating_has_no_previous():
    only = rating("good", position=1)
    assert status([only])["ratings"]["effectiveness"]["change"] == "first"
    assert status([only])["ratings"]["effectiveness"]["previous"] is None


def test_a_rating_moves_up_or_stays_the_same():
    before = rating("requires-improvement", inspection="PEEL 2015", occurred="2016", position=1)
    up = rating("good", inspection="PEEL 2016", occurred="2017", position=2)
    same = rating("requires-improvement", inspection="PEEL 2016", occurred="2017", position=2)
    assert status([before, up])["ratings"]["effectiveness"]["change"] == "up"
    assert status([before, same])["ratings"]["effectiveness"]["change"] == "same"


def test_a_rating_lists_the_claims_disputing_it_and_its_previous():
    old = rating("good", inspection="PEEL 2015", occurred="2016", kind="official", position=1)
    old_rival = rating("outstanding", inspection="PEEL 2015", occurred="2016", kind="press", position=2)
    now = rating("inadequate", inspection="PEEL 2016", occurred="2017", kind="official", position=3)
    rival = rating("good", inspection="PEEL 2016", occurred="2017-03-02", kind="press", position=4)
    rated = status([old, old_rival, now, rival])["ratings"]["effectiveness"]
    assert rated["grade"] == "inadequate"
    assert rated["disputed_by"] == [claim_json(rival)]
    assert rated["previous"]["disputed_by"] == [claim_json(old_rival)]


def test_ratings_are_per_area_and_only_the_subjects_own():
    effective = rating("good", pillar="effectiveness", position=1)
    legitimate = rating("inadequate", pillar="legitimacy", position=2)
    elsewhere = rating("outstanding", pillar="efficiency", subject="force/elsewhere", position=3)
    rated = status([effective, legitimate, elsewhere])["ratings"]
    assert {area: r["grade"] for area, r in rated.items()} == {"effectiveness": "good", "legitimacy": "inadequate"}


def test_a_rating_not_certainly_in_effect_is_not_shown():
    later = rating("good", occurred="2017", position=1)
    retracted = rating("good", position=2, retracted=True)
    assert status([later, retracted], as_of=dt.date(2017, 6, 1))["ratings"] == {}


# Decisions


def decision(fact_type, data, *, occurred="2017-03-02", position=1, subject="decision/formula", mentions=(FORCE,), **more):
    return fact(fact_type, subject, occurred, data=data, position=position, mentions=mentions, **more)


def pending(expected=None, *, title="Funding formula", position=1, **more):
    data = {"title": title, "decider": "org/home-office"} | ({"expected": expected} if expected else {})
    return decision("decision.pending", data, position=position, **more)


def test_a_pending_decision_concerning_the_subject_is_listed_until_one_is_made():
    awaited = pending("2017-21", position=1)
    assert status([awaited])["pending_decisions"] == [{
        "decision": "decision/formula", "title": "Funding formula", "decider": "org/home-office", "expected": "2017-21",
        "expected_label": "spring 2017", "overdue": False, "fact": "fact-1", "source": awaited.source, "sources": [awaited.source],
    }]  # fmt: skip
    made = decision("decision.made", {"outcome": "agreed", "decider": "org/home-office"}, occurred="2017-05", position=2, mentions=())
    assert status([awaited, made])["pending_decisions"] == []


def test_a_decision_not_concerning_the_subject_is_not_its_pending_decision():
    assert status([pending(mentions=("force/elsewhere",))])["pending_decisions"] == []


def test_the_latest_word_on_a_pending_decision_describes_it():
    first = pending(title="First title", position=1)
    second = pending(title="Second title", position=2, mentions=())
    assert [d["title"] for d in status([second, first])["pending_decisions"]] == ["Second title"]


def test_a_pending_decision_is_overdue_once_its_last_expected_day_has_passed():
    awaited = pending("2017-21")  # spring 2017: March to May
    assert status([awaited], as_of=dt.date(2017, 5, 31))["pending_decisions"][0]["overdue"] is False
    assert status([awaited], as_of=dt.date(2017, 6, 1))["pending_decisions"][0]["overdue"] is True


def test_without_a_date_overdue_is_judged_by_the_logs_last_day_never_the_clock():
    awaited = pending("2017-21")
    assert status([awaited], last_day=dt.date(2017, 6, 1))["pending_decisions"][0]["overdue"] is True
    assert status([awaited], last_day=dt.date(2017, 5, 1))["pending_decisions"][0]["overdue"] is False
    assert status([awaited])["pending_decisions"][0]["overdue"] is False


def test_a_decision_expected_on_no_date_is_never_overdue():
    listed = status([pending()], as_of=dt.date(2030, 1, 1))["pending_decisions"][0]
    assert (listed["expected"], listed["expected_label"], listed["overdue"]) == (None, None, False)


def test_decisions_made_concerning_the_subject_are_listed_latest_first_and_only_the_latest_few():
    made = [
        decision("decision.made", {"outcome": f"outcome {n}"}, subject=f"decision/d{n}", occurred=f"20{10 + n}", position=n)
        for n in range(LATEST_STATEMENTS + 2)
    ]
    other = decision("decision.made", {"outcome": "elsewhere"}, subject="decision/x", mentions=("force/elsewhere",), position=99)
    listed = status([*made, other])["decisions"]
    assert [d["outcome"] for d in listed] == [f"outcome {n}" for n in range(LATEST_STATEMENTS + 1, 1, -1)]
    assert listed[0] == {
        "decision": f"decision/d{LATEST_STATEMENTS + 1}", "outcome": f"outcome {LATEST_STATEMENTS + 1}", "decider": None,
        "decided": f"20{11 + LATEST_STATEMENTS}", "decided_label": f"20{11 + LATEST_STATEMENTS}", "fact": f"fact-{LATEST_STATEMENTS + 1}",
        "source": made[-1].source, "sources": [made[-1].source],
    }  # fmt: skip


# Statements and findings


def test_the_latest_statements_naming_the_subject_are_shown_latest_first():
    said = [statement(occurred=f"20{10 + n}", position=n) for n in range(LATEST_STATEMENTS + 2)]
    elsewhere = statement(subject="force/elsewhere", position=99)
    shown = status([*said, elsewhere], as_of=dt.date(2030, 1, 1))["statements"]
    assert [s["id"] for s in shown] == [f"fact-{n}" for n in range(LATEST_STATEMENTS + 1, 1, -1)]
    assert shown[0] == fact_json(said[-1], dt.date(2030, 1, 1), {})


def finding(report, *, occurred="2017-03-02", position=1, subject=FORCE):
    return fact("finding.reported", subject, occurred, data={"report": report, "nature": "concern", "summary": "found"}, position=position)


def test_findings_are_the_latest_reports_only():
    old = finding("report/r1", occurred="2016", position=1)
    new = finding("report/r2", occurred="2017", position=2)
    also_new = finding("report/r2", occurred="2016", position=3)  # the same report, about an earlier day
    shown = status([old, new, also_new])["findings"]
    assert shown == {"report": "report/r2", "findings": [fact_json(also_new, None, {}), fact_json(new, None, {})]}


def test_findings_about_another_subject_are_not_the_subjects():
    assert status([finding("report/r1", subject="force/elsewhere")])["findings"] is None


# Roles


def role(person, role_name="Chief", *, occurred="2017-03-02", position=1, organisation=FORCE, **data_and_more):
    more = {key: data_and_more.pop(key) for key in ("retracted", "documents", "withdrawn") if key in data_and_more}
    data = {"role": role_name, "organisation": organisation, **data_and_more}
    return fact("role.held", person, occurred, data=data, position=position, **more)


def people(entries):
    return [(r["person"], r["role"]) for r in entries]


def test_a_role_is_held_from_its_start_and_former_once_certainly_ended():
    chief = role("person/pat", **{"from": "2015", "to": "2017-03"})
    assert status([chief], as_of=dt.date(2014, 12, 31))["roles"] == []
    assert status([chief], as_of=dt.date(2015, 6, 1))["roles"] == []  # not certainly begun until the year's end
    assert people(status([chief], as_of=dt.date(2015, 12, 31))["roles"]) == [("person/pat", "Chief")]
    assert people(status([chief], as_of=dt.date(2017, 3, 31))["roles"]) == [("person/pat", "Chief")]
    ended = status([chief], as_of=dt.date(2017, 4, 1))
    assert (ended["roles"], people(ended["former_roles"])) == ([], [("person/pat", "Chief")])


def test_without_a_date_a_role_with_an_end_is_former():
    assert people(status([role("person/pat", to="2030")])["former_roles"]) == [("person/pat", "Chief")]
    assert people(status([role("person/pat")])["roles"]) == [("person/pat", "Chief")]


def test_a_role_without_a_start_runs_from_the_day_its_source_attests_it():
    chief = role("person/pat", occurred="2016-06")
    assert status([chief], as_of=dt.date(2016, 6, 29))["roles"] == []
    assert people(status([chief], as_of=dt.date(2016, 6, 30))["roles"]) == [("person/pat", "Chief")]


def test_an_old_role_reported_late_is_dated_by_its_own_start():
    chief = role("person/pat", occurred="2019", **{"from": "2012"})
    assert people(status([chief], as_of=dt.date(2013, 1, 1))["roles"]) == [("person/pat", "Chief")]


def test_the_latest_fact_about_a_persons_role_describes_it():
    began = role("person/pat", position=1, **{"from": "2015"})
    ended = role("person/pat", position=2, **{"from": "2015", "to": "2016"})
    card = status([ended, began], as_of=dt.date(2017, 1, 1))
    assert (card["roles"], people(card["former_roles"])) == ([], [("person/pat", "Chief")])


def test_roles_held_in_over_or_governing_the_subject_are_its_roles():
    member = role("person/pat", "Chief")
    governor = role("person/sam", "Commissioner", organisation="office/pcc", governs=FORCE, position=2)
    unrelated = role("person/kim", "Chief", organisation="force/elsewhere", position=3)
    assert people(status([member, governor, unrelated])["roles"]) == [("person/pat", "Chief"), ("person/sam", "Commissioner")]
    assert people(status([member], subject="person/pat")["roles"]) == [("person/pat", "Chief")]


def test_a_role_shows_its_dates_and_source():
    chief = role("person/pat", governs=FORCE, ended="resigned", **{"from": "2015", "to": "2016-06"})
    assert status([chief])["former_roles"] == [{
        "person": "person/pat", "role": "Chief", "organisation": FORCE, "governs": FORCE, "from": "2015", "to": "2016-06",
        "from_label": "2015", "to_label": "June 2016", "ended": "resigned", "attested": "2017-03-02", "fact": "fact-1",
        "source": chief.source, "sources": [chief.source], "disputed_by": [],
    }]  # fmt: skip


def test_a_retracted_or_discredited_role_is_not_shown():
    retracted = role("person/pat", retracted=True)
    discredited = role("person/sam", position=2, documents=("a",), withdrawn=("a",))
    card = status([retracted, discredited])
    assert (card["roles"], card["former_roles"]) == ([], [])


def test_former_roles_are_the_latest_ended_first_and_only_the_latest_few():
    ended = [role(f"person/p{n:02}", position=n, to=f"20{10 + n}") for n in range(LATEST_STATEMENTS + 2)]
    former = status(ended)["former_roles"]
    assert [r["to"] for r in former] == [f"20{10 + n}" for n in range(LATEST_STATEMENTS + 1, 1, -1)]


# Monitoring, names and possible facts


def monitoring(state, *, occurred, position, subject=FORCE):
    return fact("monitoring.changed", subject, occurred, data={"state": state, "inspectorate": "org/hmic"}, position=position)


def test_monitoring_shows_the_latest_state_and_how_it_got_there():
    scan = monitoring("scan", occurred="2019", position=2)
    engage = monitoring("engage", occurred="2019-09", position=1)
    elsewhere = monitoring("routine", occurred="2020", position=3, subject="force/elsewhere")
    assert status([engage, scan, elsewhere])["monitoring"] == {
        "state": "engage", "since": "2019-09", "since_label": "September 2019", "inspectorate": "org/hmic", "fact": "fact-1",
        "source": engage.source, "sources": [engage.source],
        "history": [{"state": "scan", "occurred": "2019", "fact": "fact-2"}, {"state": "engage", "occurred": "2019-09", "fact": "fact-1"}],
    }  # fmt: skip
    assert status([elsewhere])["monitoring"] is None


def test_the_status_names_its_subject_by_its_name_in_force():
    named = fact("subject.named", occurred="2015", data={"name": "Anyshire Police"}, position=1)
    card = status([named])
    assert card["subject"] == FORCE
    assert card["name"] == {"name": "Anyshire Police", "short_name": None, "aliases": [], "fact": "fact-1"}
    assert card["names"] == {FORCE: card["name"]}


def test_facts_that_may_but_need_not_have_happened_are_listed_apart_never_standing():
    maybe = rating("inadequate", occurred="2017", position=1)
    certain = statement(occurred="2016", position=2)
    elsewhere = statement(occurred="2017", subject="force/elsewhere", position=3)
    card = status([maybe, certain, elsewhere], as_of=dt.date(2017, 6, 1))
    assert card["ratings"] == {}
    assert [f["id"] for f in card["possible"]] == ["fact-1"]
    assert card["possible"][0] == fact_json(maybe, dt.date(2017, 6, 1), {})


def test_only_the_latest_possible_facts_are_listed_oldest_first():
    maybe = [statement(occurred="2017", position=n) for n in range(LATEST_POSSIBLE + 2)]
    listed = status(maybe, as_of=dt.date(2017, 6, 1))["possible"]
    assert [f["id"] for f in listed] == [f"fact-{n}" for n in range(2, LATEST_POSSIBLE + 2)]


def test_a_fact_given_twice_counts_once():
    said = statement(position=1)
    assert len(status([said, said])["statements"]) == 1
    chief = role("person/pat", position=2)
    assert len(status([chief, chief])["roles"]) == 1
    maybe = statement(occurred="2017", position=3)
    assert len(status([maybe, maybe], as_of=dt.date(2017, 6, 1))["possible"]) == 1


def test_names_are_those_in_force_as_of_the_date():
    old = fact("subject.named", occurred="2015", data={"name": "Old Name"}, position=1)
    new = fact("subject.named", occurred="2018", data={"name": "New Name"}, position=2)
    assert status([old, new], as_of=dt.date(2017, 1, 1))["name"]["name"] == "Old Name"


def test_statements_and_possible_facts_say_people_by_their_names():
    named = fact("subject.named", "person/pat", occurred="2015", data={"name": "Pat Smith"}, position=1)
    said = statement(occurred="2016", position=2)
    maybe = statement(occurred="2017", position=3)
    card = status([named, said, maybe], as_of=dt.date(2017, 6, 1))
    assert [s["headline"] for s in card["statements"]] == ["Pat Smith disputes"]
    assert [s["headline"] for s in card["possible"]] == ["Pat Smith disputes"]


def test_a_decision_made_names_its_decider():
    made = decision("decision.made", {"outcome": "agreed", "decider": "org/home-office"})
    assert status([made])["decisions"][0]["decider"] == "org/home-office"


def test_monitoring_takes_the_latest_of_several_changes():
    changes = [monitoring(state, occurred=f"201{n}", position=n) for n, state in enumerate(["routine", "scan", "engage"])]
    card = status(changes)["monitoring"]
    assert (card["state"], [h["state"] for h in card["history"]]) == ("engage", ["routine", "scan", "engage"])


def test_a_role_not_yet_begun_does_not_hide_the_roles_after_it():
    later = role("person/amy", **{"from": "2019"})
    now = role("person/bob", position=2, **{"from": "2015"})
    assert people(status([later, now], as_of=dt.date(2016, 1, 1))["roles"]) == [("person/bob", "Chief")]


def test_a_role_disputed_by_a_claim_that_stands_is_not_held_and_does_not_hide_the_next():
    disputed = role("person/amy", position=1)
    challenge = fact("statement.made", FORCE, "2017-03-02", kind="official", position=2, disputes=(disputed.id,),
                     data={"speaker": "person/kim", "stance": "denies", "summary": "never appointed"})  # fmt: skip
    undisputed = role("person/bob", occurred="2018", position=3)
    assert people(status([disputed, challenge, undisputed])["roles"]) == [("person/bob", "Chief")]


def test_a_role_that_stands_says_who_disputes_it():
    held = role("person/amy", position=1)
    doubt = fact("statement.made", FORCE, "2017-03-02", kind="statement", position=2, disputes=(held.id,),
                 data={"speaker": "person/kim", "stance": "denies", "summary": "never appointed"})  # fmt: skip
    assert status([held, doubt])["roles"][0]["disputed_by"] == [claim_json(doubt)]
