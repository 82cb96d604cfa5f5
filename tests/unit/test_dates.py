"""Valid time: each EDTF precision maps to the calendar days it can mean."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.dates import InvalidDate, parse_valid_time


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("2017-03-02", date(2017, 3, 2), date(2017, 3, 2)),  # day
        ("2017-03", date(2017, 3, 1), date(2017, 3, 31)),  # month
        ("2016-02", date(2016, 2, 1), date(2016, 2, 29)),  # month, leap year
        ("2016", date(2016, 1, 1), date(2016, 12, 31)),  # year
        ("2017-21", date(2017, 3, 1), date(2017, 5, 31)),  # season: spring
        ("2016~", date(2016, 1, 1), date(2016, 12, 31)),  # approximate year
        ("2017-03?", date(2017, 3, 1), date(2017, 3, 31)),  # uncertain month
        ("201X", date(2010, 1, 1), date(2019, 12, 31)),  # unspecified digit: a decade
        ("2016-02-18/2017-03-02", date(2016, 2, 18), date(2017, 3, 2)),  # interval
    ],
)
def test_an_edtf_date_keeps_its_text_and_spans_its_calendar_bounds(text, lower, upper):
    valid_time = parse_valid_time(text)
    assert (valid_time.edtf, valid_time.lower, valid_time.upper) == (text, lower, upper)


@pytest.mark.parametrize("text", ["", "2017-13", "2017-02-30", "spring 2017", "03/02/2017"])
def test_text_that_is_not_edtf_is_refused(text):
    with pytest.raises(InvalidDate, match="EDTF"):
        parse_valid_time(text)


@pytest.mark.parametrize("text", ["2016/..", "../2016", "2016/", "/2016"])
def test_open_or_unknown_ends_are_refused_because_they_have_no_calendar_day(text):
    with pytest.raises(InvalidDate, match="open or unknown end"):
        parse_valid_time(text)


@pytest.mark.parametrize("text", ["-0050", "Y170000002"])
def test_years_outside_the_calendar_are_refused(text):
    with pytest.raises(InvalidDate, match="outside the years"):
        parse_valid_time(text)


@given(
    year=st.integers(1, 9999),
    month=st.one_of(st.none(), st.integers(0, 41)),  # 21-41 are EDTF seasons
    day=st.one_of(st.none(), st.integers(0, 32)),
)
def test_plain_iso_dates_are_bounded_exactly_as_the_edtf_library_bounds_them(year, month, day):
    from edtf import parse_edtf

    text = f"{year:04d}" + (f"-{month:02d}" if month is not None else "") + (f"-{day:02d}" if month is not None and day is not None else "")
    try:
        parsed = parse_edtf(text)
        expected = (parsed.lower_strict()[:3], parsed.upper_strict()[:3])
    except Exception:
        expected = None
    try:
        got = parse_valid_time(text)
        actual = ((got.lower.year, got.lower.month, got.lower.day), (got.upper.year, got.upper.month, got.upper.day))
    except InvalidDate:
        actual = None
    assert actual == expected
