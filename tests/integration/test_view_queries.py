"""The views' queries (projections/fact_queries.py) say exactly what they promise, on a real store.

The timeline and the ratings across subjects take what their queries select without filtering it again,
but the status card mixes several queries' rows and judges them in Python (in effect, slot, type), which
hides a query that returns too much everywhere but where a LIMIT meets it. So each query is asked directly
here: the hand-made SQL mutants of scripts/sql_mutants.py run against this file and the model test.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from projections import all_projections, fact_queries
from projections.fact_queries import Seen
from projections.runner import ProjectionRunner, live_prefix
from projections.store import open_store
from projections.timeline import TimelineQuery
from timeline.application import Timeline
from timeline.parsing import parse_record

FORCE = "force/anyshire"
AS_OF = dt.date(2017, 6, 1)


def body(fact_type: str, occurred: str, data: dict[str, Any], subject: str = FORCE, **more: Any) -> dict[str, Any]:
    source = {"publisher": "Somebody", "url": "https://example.org/x", "published": "2016-01-01", "kind": more.pop("kind", "official")}
    return {"id": str(uuid.uuid4()), "type": fact_type, "subject": subject, "occurred": occurred, "data": data, "source": source, **more}


def rating(grade: str, occurred: str, *, pillar: str = "effectiveness", inspection: str = "PEEL 2016", **more: Any) -> dict[str, Any]:
    data = {"pillar": pillar, "grade": grade, "inspection": inspection, "inspectorate": "org/hmic"}
    return body("rating.published", occurred, data, **more)


def said(occurred: str, **more: Any) -> dict[str, Any]:
    return body("statement.made", occurred, {"speaker": "person/pat", "stance": "disputes", "summary": "said so"}, **more)


FACTS = {
    "certain": rating("good", "2017-03-02"),
    "last-day": rating("good", "2017-06-01", inspection="PEEL 2017"),  # certain on as_of, its last possible day
    "possible": rating("inadequate", "2017"),  # may have happened by as_of, need not have
    "retracted": rating("outstanding", "2016"),
    "other-area": rating("good", "2016", pillar="legitimacy"),
    "other-inspection": rating("good", "2016", inspection="PEEL 2015"),
    "statement": said("2016"),
    "statement-possible": said("2017"),
    "statement-last-day": said("2017-06-01"),
    "named": body("subject.named", "2015", {"name": "Anyshire Police"}),
    "named-retracted": body("subject.named", "2016", {"name": "Wrong Name"}),
    "role": body("role.held", "2016", {"role": "Chief", "organisation": FORCE}, subject="person/pat"),
    "mentioned-once": said("2016", mentions=["force/elsewhere"]),  # corrected below to mention nobody
    # PEEL 2015's latest efficiency claim is the latest, though its earliest is older than PEEL 2016's.
    "efficiency-early": rating("good", "2015", pillar="efficiency", inspection="PEEL 2015"),
    "efficiency-middle": rating("good", "2016", pillar="efficiency", inspection="PEEL 2016"),
    "efficiency-late": rating("good", "2017-05", pillar="efficiency", inspection="PEEL 2015"),
    "corrected": rating("good", "2016", pillar="legitimacy", inspection="PEEL 2017"),  # corrected below to inadequate
}
EFFICIENCY = {"efficiency-early", "efficiency-middle", "efficiency-late"}
RETRACTED = ("retracted", "named-retracted")
UNMENTIONED = "mentioned-once"


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A cursor on the facts view of a store holding FACTS (RETRACTED retracted), its prefix, and what it sees."""
    database = str(Path(tmp_path_factory.mktemp("queries")) / "timeline.sqlite3")
    timeline = Timeline(database)
    timeline.record([parse_record(b) for b in FACTS.values()])
    for name in RETRACTED:
        timeline.retract(uuid.UUID(FACTS[name]["id"]), 1, "wrong")
    timeline.correct(uuid.UUID(FACTS[UNMENTIONED]["id"]), 1, {"mentions": []}, "it did not mention them")
    corrected = FACTS["corrected"]["data"] | {"grade": "inadequate"}
    timeline.correct(uuid.UUID(FACTS["corrected"]["id"]), 1, {"data": corrected}, "misread")
    store = open_store(database)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    runner.setup()
    runner.catch_up()
    with store.read() as cursor:
        prefix, position = live_prefix(cursor, "facts")
        yield cursor, prefix, Seen(position)
    store.close()
    timeline.close()


def names(states: list[Any]) -> set[str]:
    by_id = {b["id"]: name for name, b in FACTS.items()}
    return {by_id[s.id] for s in states}


def test_latest_naming_returns_only_facts_certainly_in_effect(read):
    cursor, prefix, seen = read
    found = fact_queries.latest_naming(cursor, prefix, FORCE, seen, "rating.published", AS_OF, 100)
    assert names(found) == {"certain", "last-day", "other-area", "other-inspection", "corrected", *EFFICIENCY}
    assert names(fact_queries.latest_naming(cursor, prefix, FORCE, seen, "rating.published", None, 100)) == {
        "certain", "last-day", "possible", "other-area", "other-inspection", "corrected", *EFFICIENCY,
    }  # fmt: skip


def test_latest_naming_reads_the_latest_first_and_only_its_type(read):
    cursor, prefix, seen = read
    latest = fact_queries.latest_naming(cursor, prefix, FORCE, seen, "statement.made", AS_OF, 1)
    assert names(latest) == {"statement-last-day"}


def test_latest_naming_about_a_subject_leaves_out_facts_about_others(read):
    cursor, prefix, seen = read
    assert fact_queries.latest_naming(cursor, prefix, FORCE, seen, "role.held", None, 10, about=FORCE) == []
    assert names(fact_queries.latest_naming(cursor, prefix, FORCE, seen, "role.held", None, 10)) == {"role"}


def test_latest_possible_returns_facts_that_may_not_yet_have_happened(read):
    cursor, prefix, seen = read
    assert names(fact_queries.latest_possible(cursor, prefix, FORCE, seen, AS_OF, 100)) == {"possible", "statement-possible"}


def test_a_slots_claims_are_that_slots_only_and_in_effect(read):
    cursor, prefix, seen = read
    assert names(fact_queries.slot_claims(cursor, prefix, FORCE, "effectiveness", "peel-2016", seen, AS_OF)) == {"certain"}
    assert names(fact_queries.claims_in_slots(cursor, prefix, [(FORCE, "effectiveness", "peel-2016")], seen, None)) == {"certain", "possible"}


def test_claims_before_a_key_are_read_latest_first_in_effect(read):
    cursor, prefix, seen = read
    page = fact_queries.claims_before(cursor, prefix, FORCE, "effectiveness", seen, AS_OF, None, 100)
    assert [names([claim]) for _, claim in page] == [{"last-day"}, {"certain"}, {"other-inspection"}]
    before = page[0][1].sort_key
    assert [names([c]) for _, c in fact_queries.claims_before(cursor, prefix, FORCE, "effectiveness", seen, AS_OF, before, 100)] == [
        {"certain"}, {"other-inspection"},
    ]  # fmt: skip


def test_an_inspections_claims_on_one_area_are_that_areas(read):
    cursor, prefix, seen = read
    assert names(fact_queries.inspection_claims(cursor, prefix, "peel-2016", "effectiveness", seen, AS_OF)) == {"certain"}
    assert names(fact_queries.inspection_claims(cursor, prefix, "peel-2016", None, seen, AS_OF)) == {"certain", "other-area", "efficiency-middle"}
    assert fact_queries.latest_inspection(cursor, prefix, "effectiveness", seen, AS_OF) == "peel-2017"


def test_the_latest_inspection_is_the_one_with_the_latest_claim(read):
    cursor, prefix, seen = read
    assert fact_queries.latest_inspection(cursor, prefix, "efficiency", seen, AS_OF) == "peel-2015"


def test_naming_returns_only_the_types_asked_for(read):
    cursor, prefix, seen = read
    assert names(fact_queries.naming(cursor, prefix, FORCE, seen, ("role.held",))) == {"role"}


def test_a_retracted_name_names_nothing(read):
    cursor, prefix, seen = read
    assert names(fact_queries.naming_facts(cursor, prefix, {FORCE}, seen)) == {"named"}


def test_facts_naming_a_subject_are_those_whose_current_version_names_it(read):
    cursor, prefix, seen = read
    assert fact_queries.states_referencing(cursor, prefix, "force/elsewhere", seen) == []
    assert "mentioned-once" in names(fact_queries.states_referencing(cursor, prefix, FORCE, seen))


def test_a_timeline_page_holds_the_facts_possible_by_as_of_and_no_others(read):
    cursor, prefix, seen = read
    page = fact_queries.timeline_page(cursor, prefix, FORCE, seen, TimelineQuery(as_of=dt.date(2016, 12, 31)), 100)
    assert names(page) == {"named", "other-area", "other-inspection", "statement", "role", "mentioned-once", "efficiency-early", "efficiency-middle", "corrected"}
    everything = fact_queries.timeline_page(cursor, prefix, FORCE, seen, TimelineQuery(include_retracted=True), 100)
    assert {"retracted", "named-retracted"} <= names(everything)


def test_a_timeline_page_leaves_out_retracted_facts_unless_asked_for_them(read):
    cursor, prefix, seen = read
    assert not set(RETRACTED) & names(fact_queries.timeline_page(cursor, prefix, FORCE, seen, TimelineQuery(), 100))


def test_a_timeline_page_holds_only_the_types_asked_for(read):
    cursor, prefix, seen = read
    page = fact_queries.timeline_page(cursor, prefix, FORCE, seen, TimelineQuery(types=frozenset({"statement.made"})), 100)
    assert names(page) == {"statement", "statement-possible", "statement-last-day", "mentioned-once"}


def test_a_timeline_page_holds_the_facts_whose_valid_time_overlaps_the_dates_asked_for(read):
    cursor, prefix, seen = read
    since = TimelineQuery(date_from=dt.date(2017, 6, 1))  # its last day is on or after it
    assert names(fact_queries.timeline_page(cursor, prefix, FORCE, seen, since, 100)) == {
        "last-day", "statement-last-day", "possible", "statement-possible",
    }
    until = TimelineQuery(date_to=dt.date(2017, 5, 1))  # its first day is on or before it
    assert names(fact_queries.timeline_page(cursor, prefix, FORCE, seen, until, 100)) == set(FACTS) - {
        "last-day", "statement-last-day", *RETRACTED,
    }


def test_a_timeline_page_is_in_timeline_order_and_resumes_strictly_after_its_key(read):
    cursor, prefix, seen = read
    whole = fact_queries.timeline_page(cursor, prefix, FORCE, seen, TimelineQuery(), 100)
    assert [s.sort_key for s in whole] == sorted(s.sort_key for s in whole)
    assert fact_queries.timeline_page(cursor, prefix, FORCE, seen, TimelineQuery(), 2) == whole[:2]
    assert fact_queries.timeline_page(cursor, prefix, FORCE, seen, TimelineQuery(after=whole[2].sort_key), 100) == whole[3:]


def test_a_corrected_claim_is_read_once_as_it_now_stands(read):
    cursor, prefix, seen = read
    claims = fact_queries.slot_claims(cursor, prefix, FORCE, "legitimacy", "peel-2017", seen, None)
    assert [(names([c]), c.version, c.data["grade"]) for c in claims] == [({"corrected"}, 2, "inadequate")]
