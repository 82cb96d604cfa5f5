"""The orjson transcoder: every event type comes back from storage equal, with its types."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from eventsourcing.persistence import Mapper
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import document_contents, fact_contents
from timeline.codec import build_transcoder
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
