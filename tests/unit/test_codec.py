"""The orjson transcoder: every event type comes back from storage equal, with its types."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from enum import StrEnum

import orjson
from eventsourcing.persistence import Mapper
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import document_contents, fact_contents
from timeline.codec import OrjsonTranscoder, build_transcoder, fact_in_state
from timeline.dates import ValidTime
from timeline.fact_bodies import fact_body
from timeline.facts import Fact
from timeline.sources import Document

MAPPER = Mapper(transcoder=build_transcoder())


def round_trip(event):
    return MAPPER.to_domain_event(MAPPER.to_stored_event(event))


def assert_round_trips(event):
    decoded = round_trip(event)
    assert type(decoded) is type(event)
    assert vars(decoded) == vars(event)
    for name, value in vars(event).items():
        assert type(vars(decoded)[name]) is type(value), name


@given(fact_id=st.uuids(), content=fact_contents, correction=fact_contents, reason=st.text(min_size=1))
def test_every_fact_event_round_trips_with_its_types(fact_id, content, correction, reason):
    fact = Fact.record(fact_id, content)
    fact.correct(dataclasses.replace(correction, type=content.type), reason)
    fact.retract(reason)
    recorded, corrected, retracted = fact.collect_events()
    for event in (recorded, corrected, retracted):
        assert_round_trips(event)


@given(content=document_contents)
def test_a_document_event_round_trips_with_its_types(content):
    (recorded,) = Document.record(content).collect_events()
    assert_round_trips(recorded)


def test_uuids_dates_and_enums_are_stored_tagged_not_as_bare_strings():
    transcoder = build_transcoder()
    value = {"id": uuid.UUID(int=1), "when": dt.date(2017, 3, 2)}
    assert transcoder.decode(transcoder.encode(value)) == value
    assert b'"_t":"uuid"' in transcoder.encode(value)


WARM = build_transcoder()  # tags every example in turn, so recurring values come from its cache


@given(fact_id=st.uuids(), contents=st.lists(fact_contents, min_size=1, max_size=4))
def test_a_transcoder_that_has_tagged_values_before_stores_the_bytes_a_fresh_one_stores(fact_id, contents):
    for content in contents:
        (recorded,) = Fact.record(fact_id, content).collect_events()
        state = {key: value for key, value in vars(recorded).items() if key not in ("originator_id", "originator_version")}
        assert WARM.encode(state) == build_transcoder().encode(state)


class Grade(StrEnum):
    GOOD = "good"


class Verdict(StrEnum):
    GOOD = "good"


def test_equal_values_of_two_recurring_types_keep_their_own_tags():
    transcoder = OrjsonTranscoder()
    transcoder.register_enum(Grade)
    transcoder.register_enum(Verdict)
    decoded = transcoder.decode(transcoder.encode([Grade.GOOD, Verdict.GOOD, Grade.GOOD]))
    assert decoded == [Grade.GOOD, Verdict.GOOD, Grade.GOOD]
    assert [type(value) for value in decoded] == [Grade, Verdict, Grade]


def stored_state(event):
    return orjson.loads(MAPPER.to_stored_event(event).state)


@given(fact_id=st.uuids(), content=fact_contents, correction=fact_contents, reason=st.text(min_size=1))
def test_a_stored_fact_reads_back_as_the_body_the_api_shows(fact_id, content, correction, reason):
    fact = Fact.record(fact_id, content)
    correction = dataclasses.replace(correction, type=content.type)
    fact.correct(correction, reason)
    recorded, corrected = fact.collect_events()
    for event, written in ((recorded, content), (corrected, correction)):
        found = fact_in_state(stored_state(event))
        assert found.body == fact_body(written)
        assert found.occurred == written.occurred
        assert found.published == [source.published for source in written.sources]
        assert found.kinds == [source.kind.value for source in written.sources]


@given(fact_id=st.uuids(), content=fact_contents)
def test_a_source_stored_with_a_days_publication_date_reads_as_that_day(fact_id, content):
    (recorded,) = Fact.record(fact_id, content).collect_events()
    state = stored_state(recorded)
    state["source"]["_v"]["published"] = {"_t": "date", "_v": "2016-05-04"}  # as sources were stored before EDTF dates
    found = fact_in_state(state)
    day = dt.date(2016, 5, 4)
    assert found.body["source"]["published"] == "2016-05-04"
    assert found.published[0] == ValidTime("2016-05-04", day, day)
