"""EDTF dates read the way people say them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.date_words import in_words


@pytest.mark.parametrize(
    ("edtf", "words"),
    [
        ("2017-03-02", "2 March 2017"),
        ("2017-03", "March 2017"),
        ("2017", "2017"),
        ("2017-21", "spring 2017"),
        ("2016-23", "autumn 2016"),
        ("2017-33", "first quarter of 2017"),
        ("2016~", "2016 (approximate)"),
        ("2016?", "2016 (uncertain)"),
        ("2016%", "2016 (uncertain, approximate)"),
        ("2016-03-02?", "2 March 2016 (uncertain)"),
        ("2016-?03", "March 2016 (uncertain)"),
        ("201X", "the 2010s"),
        ("2017-XX", "2017 (month unknown)"),
        ("2017-03-XX", "March 2017 (day unknown)"),
        ("2016-03/2016-05", "March 2016 to May 2016"),
        ("[2016,2017]", "one of 2016 or 2017"),
        ("{2016-03,2016-05}", "March 2016 and May 2016"),
        ("[2016..2018]", "one of 2016 to 2018"),
        ("156X-12-25", "between 25 December 1560 and 25 December 1569"),
    ],
)
def test_an_edtf_date_reads_as_people_write_it(edtf, words):
    assert in_words(edtf) == words


@given(st.dates())
def test_every_calendar_day_reads_as_day_month_year(day):
    assert in_words(day.isoformat()) == f"{day.day} {day.strftime('%B')} {day.year}"
