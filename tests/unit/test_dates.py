"""Valid time: each EDTF precision maps to the calendar days it can mean."""

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from timeline.dates import InvalidDate, NeedsParser, parse_valid_time, plain_only


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
@example(year=1, month=2, day=29)  # edtf takes it; year 1 had no 29 February
def test_plain_iso_dates_are_bounded_exactly_as_the_edtf_library_bounds_them(year, month, day):
    from edtf import parse_edtf

    text = f"{year:04d}" + (f"-{month:02d}" if month is not None else "") + (f"-{day:02d}" if month is not None and day is not None else "")
    try:
        parsed = parse_edtf(text)
        expected = (parsed.lower_strict()[:3], parsed.upper_strict()[:3])
    except Exception:  # noqa: BLE001 - whatever edtf refuses, and however it says so, is a refusal
        expected = None
    if expected is not None and not all(_on_the_calendar(*bound) for bound in expected):
        expected = None  # edtf takes some days no calendar has (0001-02-29); we refuse them
    try:
        got = parse_valid_time(text)
        actual = ((got.lower.year, got.lower.month, got.lower.day), (got.upper.year, got.upper.month, got.upper.day))
    except InvalidDate:
        actual = None
    assert actual == expected


@pytest.mark.parametrize("season", range(21, 42))
@pytest.mark.parametrize("year", [1, 2016, 2017, 9999])
def test_every_season_is_bounded_exactly_as_the_edtf_library_bounds_it(year, season):
    from edtf import parse_edtf

    parsed, got = parse_edtf(f"{year:04d}-{season}"), parse_valid_time(f"{year:04d}-{season}")
    assert (got.lower.timetuple()[:3], got.upper.timetuple()[:3]) == (parsed.lower_strict()[:3], parsed.upper_strict()[:3])


def test_a_season_of_year_zero_is_refused_as_outside_the_calendar():
    with pytest.raises(InvalidDate, match="outside the years"):
        parse_valid_time("0000-21")


def _on_the_calendar(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# In effect as of a date: the days a date may mean, as edtf computes them.

@given(year=st.integers(1, 9999), season=st.integers(21, 41))
def test_a_season_may_mean_exactly_the_days_edtf_bounds_it_by(year, season):
    from edtf import parse_edtf

    from timeline.dates import possible_days

    text = f"{year:04d}-{season}"
    parsed = parse_edtf(text)
    fuzzy = (parsed.lower_fuzzy()[:3], parsed.upper_fuzzy()[:3])
    assert all(_on_the_calendar(*bound) for bound in fuzzy)
    valid = parse_valid_time(text)
    earliest, latest = possible_days(valid)
    assert ((earliest.year, earliest.month, earliest.day), (latest.year, latest.month, latest.day)) == fuzzy

def _edtf_text():
    year = st.integers(1900, 2099).map(str)
    month = st.builds("{}-{:02d}".format, year, st.integers(1, 12))
    day = st.builds("{}-{:02d}-{:02d}".format, year, st.integers(1, 12), st.integers(1, 28))
    season = st.builds("{}-{}".format, year, st.integers(21, 24))
    exact = year | month | day | season
    qualified = st.builds("{}{}".format, year | month | day, st.sampled_from(["~", "?", "%"]))
    return exact | qualified


@given(_edtf_text(), st.dates(min_value=date(1890, 1, 1), max_value=date(2110, 12, 31)))
def test_a_fact_is_certain_once_edtfs_latest_day_has_come_and_possible_once_its_earliest_has(text, as_of):
    import time

    from edtf import parse_edtf

    from projections.claims import effect
    from tests.unit.factories import state_on
    from timeline.dates import possible_days

    parsed = parse_edtf(text)
    # Exact dates by their strict bounds, approximate and uncertain ones by the library's fuzzy bounds.
    qualified = text[-1] in "~?%"
    lower, upper = (parsed.lower_fuzzy(), parsed.upper_fuzzy()) if qualified else (parsed.lower_strict(), parsed.upper_strict())
    earliest, latest = (date(*time.struct_time(t)[:3]) for t in (lower, upper))
    assert possible_days(parse_valid_time(text)) == (earliest, latest)
    expected = "certain" if latest <= as_of else "possible" if earliest <= as_of else None
    assert effect(state_on(text), as_of) == expected


def test_within_plain_only_plain_dates_and_seasons_are_read_and_any_other_date_is_left_for_the_parser():
    from timeline import dates

    dates._parse.cache_clear()  # another test may have read "2013~" already in this process
    with plain_only():
        assert parse_valid_time("2017-03-02").upper == date(2017, 3, 2)
        assert parse_valid_time("2017-22").lower == date(2017, 6, 1)
        with pytest.raises(NeedsParser):
            parse_valid_time("2013~")  # not met before in this process: only edtf's parser reads it
        with pytest.raises(InvalidDate):
            parse_valid_time("2017-03-02/")  # refused without the parser
    assert parse_valid_time("2013~").upper == date(2013, 12, 31)
    with plain_only():
        assert parse_valid_time("2013~").lower == date(2013, 1, 1)  # read before: kept, no parser needed
