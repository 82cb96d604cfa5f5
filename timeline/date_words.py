"""EDTF dates in words people read: "2 March 2017", "spring 2017", "2016 (approximate)".

The page and the TimelineJS export both show these, so they are made once, here.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from timeline.dates import parse_valid_time

MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")  # fmt: skip
# EDTF's season and sub-year codes (level 1: 21-24; level 2: quarters, halves).
SEASONS = {
    "21": "spring", "22": "summer", "23": "autumn", "24": "winter",
    "33": "first quarter of", "34": "second quarter of", "35": "third quarter of", "36": "fourth quarter of",
    "40": "first half of", "41": "second half of",
}  # fmt: skip
QUALIFIERS = {"~": "approximate", "?": "uncertain", "%": "uncertain, approximate"}

_SEASON = re.compile(r"(\d{4})-(\d{2})")
_DATE = re.compile(r"(\d{3}[\dX]|\d{2}XX)(?:-(\d{2}|XX)(?:-(\d{2}|XX))?)?")


@lru_cache(maxsize=4096)
def in_words(edtf: str) -> str:
    """How a person would say this EDTF date; the calendar bounds when the form has no plainer words."""
    if "/" in edtf:
        start, end = edtf.split("/", 1)
        return f"{in_words(start)} to {in_words(end)}"
    if edtf[:1] in "[{":
        items = [_item(item) for item in edtf[1:-1].split(",")]
        return ("one of " if edtf[0] == "[" else "") + _listed(items, "or" if edtf[0] == "[" else "and")
    qualifiers = "".join(sorted({c for c in edtf if c in QUALIFIERS}))
    core = "".join(c for c in edtf if c not in QUALIFIERS)
    words = _plain(core) or _bounds(edtf)
    qualifier = QUALIFIERS["%"] if "%" in qualifiers or len(qualifiers) == 2 else QUALIFIERS.get(qualifiers)
    return f"{words} ({qualifier})" if qualifier else words


def _plain(core: str) -> str | None:
    season = _SEASON.fullmatch(core)
    if season and season.group(2) in SEASONS:
        return f"{SEASONS[season.group(2)]} {season.group(1)}"
    date = _DATE.fullmatch(core)
    if not date:
        return None
    year, month, day = date.groups()
    if "X" in year:
        return f"the {year.replace('X', '0')}s" if month is None else None
    year = str(int(year))
    if month is None:
        return year
    if month == "XX":
        return f"{year} (month unknown)"
    if not 1 <= int(month) <= 12:
        return None
    if day is None:
        return f"{MONTHS[int(month) - 1]} {year}"
    if day == "XX":
        return f"{MONTHS[int(month) - 1]} {year} (day unknown)"
    return f"{int(day)} {MONTHS[int(month) - 1]} {year}"


def _bounds(edtf: str) -> str:
    valid = parse_valid_time(edtf)
    return _span(valid.lower, valid.upper)


def _span(lower: dt.date, upper: dt.date) -> str:
    if lower == upper:
        return _day(lower)
    if (lower.month, lower.day, upper.month, upper.day) == (1, 1, 12, 31) and lower.year == upper.year:
        return str(lower.year)
    return f"between {_day(lower)} and {_day(upper)}"


def _day(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _item(item: str) -> str:
    if ".." in item:
        start, end = item.split("..", 1)
        return f"{in_words(start)} to {in_words(end)}" if start and end else in_words(start or end)
    return in_words(item)


def _listed(items: list[str], conjunction: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {conjunction} {items[-1]}"
