"""Publication time: `reported_by` sees each fact as its source had published it by a day.

A source that revises itself starts a new version on the revision's day; a correction that mends
our own record (a transcription error) counts as what the source always said.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import open_store
from projections.timeline import TimelineQuery
from projections.views import Views
from timeline.application import Timeline
from timeline.dates import parse_valid_time
from timeline.parsing import parse_record

FORCE = "force/northshire"


@pytest.fixture
def store(database):
    timeline, views_store = Timeline(database), open_store(database)
    runner = ProjectionRunner(views_store, timeline.log, all_projections())
    runner.setup()
    yield timeline, runner, Views(views_store)
    views_store.close()
    timeline.close()


def rating(grade: str, published: str, kind: str = "press", inspection: str = "PEEL 2021/22") -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": "rating.published",
        "subject": FORCE,
        "occurred": "2022-04-07",
        "data": {"pillar": "effectiveness", "grade": grade, "inspection": inspection, "inspectorate": "org/hmicfrs"},
        "source": {"publisher": "Northshire Echo", "url": "https://example.org/echo", "published": published, "kind": kind},
    }


def grade(views: Views, reported_by: dt.date | None) -> str | None:
    ratings = views.status(FORCE, reported_by=reported_by)["ratings"]
    return ratings["effectiveness"]["grade"] if "effectiveness" in ratings else None


def test_a_fact_counts_from_the_day_its_source_published_it(store):
    timeline, runner, views = store
    timeline.record([parse_record(rating("good", "2022-04-08"))])
    runner.catch_up()
    assert grade(views, dt.date(2022, 4, 7)) is None
    assert grade(views, dt.date(2022, 4, 8)) == "good"
    assert grade(views, None) == "good"


def test_a_sources_revision_counts_from_its_own_day_and_the_earlier_text_before_it(store):
    timeline, runner, views = store
    fact = timeline.record([parse_record(rating("good", "2022-04-08"))])[0]
    changes = {"data": rating("inadequate", "2022-04-08")["data"]}
    timeline.correct(uuid.UUID(fact.id), 1, changes, "the paper corrected its story", parse_valid_time("2022-04-12"))
    runner.catch_up()
    assert grade(views, dt.date(2022, 4, 11)) == "good"
    assert grade(views, dt.date(2022, 4, 12)) == "inadequate"
    assert grade(views, None) == "inadequate"
    history = views.timeline(FORCE, TimelineQuery())["facts"][0]["history"]
    assert [v.get("revised") for v in history] == [None, "2022-04-12"]


def test_mending_our_transcription_counts_from_the_original_publication(store):
    timeline, runner, views = store
    fact = timeline.record([parse_record(rating("good", "2022-04-08"))])[0]
    timeline.correct(uuid.UUID(fact.id), 1, {"data": rating("inadequate", "2022-04-08")["data"]}, "we mistyped the grade")
    runner.catch_up()
    assert grade(views, dt.date(2022, 4, 8)) == "inadequate"


def test_a_revision_is_not_seen_before_it_is_known_even_when_reported_by_is_later(store):
    timeline, runner, views = store
    fact = timeline.record([parse_record(rating("good", "2022-04-08"))])[0]
    before_revision = timeline.head()
    timeline.correct(uuid.UUID(fact.id), 1, {"data": rating("inadequate", "2022-04-08")["data"]}, "revised", parse_valid_time("2022-04-12"))
    runner.catch_up()
    status = views.status(FORCE, known_at=before_revision, reported_by=dt.date(2022, 5, 1))
    assert status["ratings"]["effectiveness"]["grade"] == "good"


def test_disputes_resolve_among_the_claims_public_by_then(store):
    timeline, runner, views = store
    timeline.record([parse_record(rating("good", "2022-04-06")), parse_record(rating("inadequate", "2022-04-09", kind="official"))])
    runner.catch_up()
    early = views.status(FORCE, reported_by=dt.date(2022, 4, 8))["ratings"]["effectiveness"]
    assert (early["grade"], early["disputed_by"]) == ("good", [])
    late = views.status(FORCE, reported_by=dt.date(2022, 4, 9))["ratings"]["effectiveness"]
    assert (late["grade"], [d["grade"] for d in late["disputed_by"]]) == ("inadequate", ["good"])


def test_a_retraction_withdraws_the_fact_at_every_reported_by(store):
    timeline, runner, views = store
    fact = timeline.record([parse_record(rating("good", "2022-04-08"))])[0]
    timeline.retract(uuid.UUID(fact.id), 1, "not what the report said")
    runner.catch_up()
    assert grade(views, dt.date(2022, 4, 20)) is None
