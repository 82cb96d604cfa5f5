"""Which of a resource's formats an Accept header picks (timeline.http.negotiate.best)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.http.negotiate import CLOUDEVENTS_BATCH, CSV, JSON, TIMELINEJS, best, media_ranges

RATINGS = (JSON, CSV)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),  # no Accept: the resource's default
        ("", JSON),
        ("   ", JSON),
        ("*/*", JSON),
        ("*", JSON),  # what Java's URLConnection sends
        (BROWSER, JSON),  # a browser's navigation: only */* matches, and the default wins the tie
        ("text/csv", CSV),
        ("TEXT/CSV", CSV),  # media types are case-insensitive
        ("text/*", CSV),
        ("text/csv, */*", CSV),  # the range that names a format outranks */* at the same q
        ("application/json;q=0.5, text/csv;q=0.9", CSV),
        ("application/json;q=0.9, text/csv;q=0.5", JSON),
        ("application/json; q=0.9 , text/csv ; q=0.95", CSV),
        ("text/csv;q=0, */*", JSON),  # q=0: not acceptable, whatever else matches
        ("application/json;q=0, */*;q=0.1", CSV),
        ("text/csv;charset=utf-8", CSV),
        ("application/xml", None),
        ("application/json;q=0", None),
        ("*/*;q=0", None),
        ("application/problem+json", None),
        ("garbage", None),  # a range that does not parse matches nothing
        ("garbage, text/csv", CSV),  # and is left out, not the whole header
        ("text/csv;q=2, application/json", JSON),  # a q-value past 1 is malformed: that range is left out
        ("text/csv;q=abc", None),
        ("*/csv", None),  # a wildcard type with a concrete subtype is not a media range
        ("text/, /csv", None),
    ],
)
def test_accept_picks_a_format_or_none(accept, expected):
    assert best(accept, RATINGS) is expected


def test_a_format_without_a_media_type_is_never_picked_by_accept():
    assert best("application/json", (JSON, TIMELINEJS)) is JSON
    assert best(None, (TIMELINEJS,)) is None
    assert best("*/*", (TIMELINEJS,)) is None


def test_cloudevents_are_picked_only_when_named():
    events = (JSON, CLOUDEVENTS_BATCH)
    assert best("*/*", events) is JSON
    assert best("application/*", events) is JSON
    assert best("application/cloudevents-batch+json", events) is CLOUDEVENTS_BATCH
    assert best("application/json;q=0.5, application/cloudevents-batch+json", events) is CLOUDEVENTS_BATCH


def test_media_ranges_keep_parameters_and_default_q_to_1():
    assert media_ranges('text/csv;charset="utf-8";q=0.5, application/json') == [
        ("text", "csv", {"charset": "utf-8", "q": "0.5"}),
        ("application", "json", {"q": "1"}),
    ]


@given(st.text(max_size=200))
def test_any_header_picks_a_format_or_none_and_never_raises(header):
    assert best(header, RATINGS) in (JSON, CSV, None)


def test_a_long_header_is_read_like_a_short_one():
    padding = ", ".join(f"application/x-type-{n};q=0.1" for n in range(40))
    assert len(padding) > 256
    assert best(f"{padding}, text/csv", RATINGS) is CSV
    assert best(padding, RATINGS) is None
