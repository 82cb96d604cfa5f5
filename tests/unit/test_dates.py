"""Valid time: each EDTF precision maps to the calendar days it can mean."""

from datetime import date

import pytest

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
