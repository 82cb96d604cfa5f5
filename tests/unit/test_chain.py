"""The hash chain's arithmetic and its verdicts, on plain values."""

from __future__ import annotations

import hashlib
import uuid

import orjson
import pytest
from eventsourcing.utils import get_topic

from timeline.chain import (
    DOCUMENT_CHANGED,
    DOCUMENT_TOPIC,
    EVENT_CHANGED,
    EVENT_MISSING,
    GENESIS,
    LINK_CHANGED,
    LINK_MISSING,
    Broken,
    ChainRow,
    Verified,
    content_of,
    extend,
    link_of,
    verify,
)
from timeline.sources import Document

pytestmark = pytest.mark.finding("chain")

ID = uuid.UUID(int=7)
TEXT = "Beds police is the only force"
EVENTS = [
    (1, ID, 1, "timeline.facts:Fact.Recorded", b'{"a":1}'),
    (4, ID.hex, 2, "timeline.facts:Fact.Corrected", b'{"a":2}'),  # a gap, and the id as SQLite stores it
    (5, uuid.UUID(int=8), 1, DOCUMENT_TOPIC, orjson.dumps({"text": TEXT, "sha256": hashlib.sha256(TEXT.encode()).hexdigest()})),
]


def test_the_genesis_link_is_the_sha256_of_the_words_timeline_genesis():
    assert hashlib.sha256(b"timeline genesis").hexdigest() == GENESIS


def test_each_link_hashes_the_previous_link_with_the_events_position_id_version_topic_and_state_sha256():
    rows = list(extend(GENESIS, EVENTS))
    head = f"1\n{ID.hex}\n1\ntimeline.facts:Fact.Recorded\n".encode()
    expected = hashlib.sha256(head + hashlib.sha256(b'{"a":1}').digest()).hexdigest()
    assert rows[0] == ChainRow(1, link_of(GENESIS, expected), expected)
    assert rows[1].link == link_of(rows[0].link, content_of(4, ID, 2, "timeline.facts:Fact.Corrected", b'{"a":2}'))


def test_the_document_topic_is_the_one_documents_are_stored_under():
    assert get_topic(Document.Recorded) == DOCUMENT_TOPIC


def test_an_untouched_log_verifies_to_its_chain_head():
    rows = list(extend(GENESIS, EVENTS))
    assert verify(EVENTS, rows) == Verified(3, 5, rows[-1].link)
    assert verify([], []) == Verified(0, 0, GENESIS)


def test_a_changed_state_is_named_as_event_content_changed_at_its_position():
    rows = list(extend(GENESIS, EVENTS))
    changed = [EVENTS[0], (*EVENTS[1][:4], b'{"a":3}'), EVENTS[2]]
    assert verify(changed, rows) == Broken(4, EVENT_CHANGED)


def test_a_changed_link_is_named_as_chain_link_changed():
    rows = list(extend(GENESIS, EVENTS))
    rows[1] = ChainRow(4, "0" * 64, rows[1].content)
    assert verify(EVENTS, rows) == Broken(4, LINK_CHANGED)


def test_a_deleted_event_and_an_unchained_event_are_named():
    rows = list(extend(GENESIS, EVENTS))
    assert verify([EVENTS[0], EVENTS[2]], rows) == Broken(4, EVENT_MISSING)
    assert verify(EVENTS[:2], rows) == Broken(5, EVENT_MISSING)
    assert verify(EVENTS, rows[:2]) == Broken(5, LINK_MISSING)


def test_a_document_whose_text_no_longer_has_its_sha256_is_named_even_when_chained_that_way():
    tampered = [*EVENTS[:2], (*EVENTS[2][:4], orjson.dumps({"text": TEXT + "!", "sha256": orjson.loads(EVENTS[2][4])["sha256"]}))]
    assert verify(tampered, list(extend(GENESIS, tampered))) == Broken(5, DOCUMENT_CHANGED)
