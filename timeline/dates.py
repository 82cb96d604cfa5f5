"""Valid time: EDTF dates and the calendar bounds they cover."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from edtf import parse_edtf
from edtf.parser.edtf_exceptions import EDTFParseException


class InvalidDate(ValueError):
    """The text is not an EDTF date this service can place on a calendar."""


# EDTF sets and lists take edtf's parser milliseconds a date: text from outside is bounded before parsing.
MAX_LENGTH = 100
_PLAIN_ONLY: ContextVar[bool] = ContextVar("plain_only", default=False)


class NeedsParser(Exception):
    """Raised, within `plain_only`, by a date that only edtf's general parser (milliseconds a date) can read."""


@contextmanager
def plain_only() -> Iterator[None]:
    """Within: dates are read only where that takes microseconds (plain ISO dates, seasons, a date read before);
    any other raises NeedsParser, so that the caller can do its work off the event loop instead."""
    token = _PLAIN_ONLY.set(True)
    try:
        yield
    finally:
        _PLAIN_ONLY.reset(token)


@dataclass(frozen=True, slots=True)
class ValidTime:
    """An EDTF date as written, with the first and last calendar day it can mean.

    The bounds are EDTF's strict bounds: `2016~` spans 2016-01-01..2016-12-31 and
    keeps its qualifier in the text, so readers can say "approximately".
    """

    edtf: str
    lower: dt.date
    upper: dt.date

    def __str__(self) -> str:
        return self.edtf


def parse_valid_time(text: str) -> ValidTime:
    """Parse an EDTF string into a ValidTime, or raise InvalidDate saying why."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidDate("an EDTF date is required, e.g. 2017-03-02, 2017-03, 2016, 2017-21 or 2016~")
    return _parse(text.strip())


def parse_bounded(text: str) -> ValidTime:
    """parse_valid_time for text from outside: over MAX_LENGTH characters is refused unparsed."""
    if isinstance(text, str) and len(text) > MAX_LENGTH:
        raise InvalidDate(f"an EDTF date is at most {MAX_LENGTH} characters; this one has {len(text)}")
    return parse_valid_time(text)


def is_plain(text: str) -> bool:
    """A year, month or day in plain ISO 8601: parsed at once, without edtf's general parser."""
    return _PLAIN.fullmatch(text.strip()) is not None


# Months 01-12 only: "2017-21" is EDTF's spring 2017, for the library to read.
_PLAIN = re.compile(r"(\d{4})(?:-(0[1-9]|1[0-2])(?:-(\d{2}))?)?")
# A season, quarter or half of a year, with no qualifier: edtf widens it no further than its own bounds.
_SEASON = re.compile(r"\d{4}-(2[1-9]|3\d|4[01])")
# Each season's first and last month, as edtf bounds it strictly (its winter ends in December of its own year).
_SEASON_MONTHS = {
    21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 12), 25: (3, 5), 26: (6, 8), 27: (9, 11), 28: (12, 12),
    29: (9, 11), 30: (12, 12), 31: (3, 5), 32: (6, 8), 33: (1, 3), 34: (4, 6), 35: (7, 9), 36: (10, 12),
    37: (1, 4), 38: (5, 8), 39: (9, 12), 40: (1, 6), 41: (7, 12),
}  # fmt: skip


@lru_cache(maxsize=65536)
def _parse(text: str) -> ValidTime:
    # edtf's parser takes milliseconds a date, and a log repeats the same dates many times.
    plain = _PLAIN.fullmatch(text)
    if plain:
        return _plain(text, plain)
    season = _SEASON.fullmatch(text)
    if season and int(text[:4]) >= 1:  # year 0 goes to edtf, which says why it is refused
        return _season(text, int(text[:4]), int(season[1]))
    if text.startswith("/") or text.endswith("/"):
        # edtf would date an unknown end from today's clock, which no replay could repeat.
        raise InvalidDate(f"{text!r} has an open or unknown end; give both ends")
    if _PLAIN_ONLY.get():  # raised, not cached: read again outside, the date is parsed and kept
        raise NeedsParser(text)
    try:
        parsed = parse_edtf(text)
        lower, upper = parsed.lower_strict(), parsed.upper_strict()
    except EDTFParseException:
        raise InvalidDate(f"{text!r} is not a valid EDTF date") from None
    except (TypeError, ValueError, OverflowError):
        # Some open forms make edtf itself fail while computing bounds.
        raise InvalidDate(f"{text!r} has an open or unknown end; give both ends") from None
    if isinstance(lower, float) or isinstance(upper, float):
        # edtf gives open or unknown interval ends as infinities: no calendar day.
        raise InvalidDate(f"{text!r} has an open or unknown end; give both ends")
    try:
        return ValidTime(text, _to_date(lower), _to_date(upper))
    except ValueError:
        raise InvalidDate(f"{text!r} falls outside the years 1 to 9999") from None


def _plain(text: str, match: re.Match[str]) -> ValidTime:
    """EDTF level 0's year, month and day (plain ISO 8601), without the general parser.

    tests/unit/test_dates.py checks that this agrees with edtf on every such date.
    """
    year_digits, month_digits, day_digits = match.groups()
    year = int(year_digits)  # the pattern always has one
    month, day = (int(part) if part else None for part in (month_digits, day_digits))
    try:
        if month is None:
            lower, upper = dt.date(year, 1, 1), dt.date(year, 12, 31)
        elif day is None:
            lower = dt.date(year, month, 1)
            upper = dt.date(year, month, calendar.monthrange(year, month)[1])
        else:
            lower = upper = dt.date(year, month, day)
    except ValueError:
        raise InvalidDate(f"{text!r} is not a valid EDTF date") from None
    return ValidTime(text, lower, upper)


def _season(text: str, year: int, season: int) -> ValidTime:
    """An EDTF season, quarter or half of a year, without the general parser (tens of milliseconds a date).

    tests/unit/test_dates.py checks that this agrees with edtf on every such date.
    """
    first, last = _SEASON_MONTHS[season]
    return ValidTime(text, dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1]))


def possible_days(valid: ValidTime) -> tuple[dt.date, dt.date]:
    """The earliest and the latest day a date may mean: EDTF's strict bounds for an exact date,
    its fuzzy (wider) bounds for an approximate or uncertain one (`2016~` may be 2015 to 2017).

    A fact is possibly in effect on a day once its earliest day has come, certainly once its latest has.
    """
    return _possible_days(valid.edtf, valid.lower, valid.upper)


@lru_cache(maxsize=65536)
def _possible_days(text: str, lower: dt.date, upper: dt.date) -> tuple[dt.date, dt.date]:
    if _PLAIN.fullmatch(text) or _SEASON.fullmatch(text):
        # Exact: no qualifier to widen it. Seasons skip edtf's parser, tens of milliseconds each
        # (a rebuild meets one per season the log names; tests/unit/test_dates.py checks they agree).
        return lower, upper
    parsed = parse_edtf(text)
    try:
        earliest, latest = _to_date(parsed.lower_fuzzy()), _to_date(parsed.upper_fuzzy())
    except ValueError:  # widened past year 1 or 9999: keep the calendar's end
        return lower, upper
    return min(earliest, lower), max(latest, upper)


def _to_date(value: time.struct_time) -> dt.date:
    return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
