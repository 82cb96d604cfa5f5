"""Query and path parameters, parsed once with clear errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import overload
from uuid import UUID

from aiohttp import web

from timeline.dates import InvalidDate, ValidTime, is_plain, parse_bounded
from timeline.errors import FieldError
from timeline.facts import FactType
from timeline.http.keys import READS
from timeline.http.problems import BadRequest
from timeline.log_records import MAX_POSITION
from timeline.subjects import SUBJECT_KINDS, InvalidSubject, subject_kind

MAX_LIMIT = 1000


async def as_date(request: web.Request, name: str) -> dt.date | None:
    """An EDTF date taken at its last day: `as_of=2017` means the end of 2017."""
    valid = await _valid_time(request, name)
    return valid.upper if valid else None


async def start_date(request: web.Request, name: str) -> dt.date | None:
    """An EDTF date taken at its first day (for the start of a range)."""
    valid = await _valid_time(request, name)
    return valid.lower if valid else None


async def _valid_time(request: web.Request, name: str) -> ValidTime | None:
    value = request.query.get(name)
    if not value:
        return None
    try:
        if is_plain(value):
            return parse_bounded(value)
        # edtf's general parser is slow Python (sets, lists): never on the loop, where it would stall every client.
        return await asyncio.get_running_loop().run_in_executor(request.app[READS], parse_bounded, value)
    except InvalidDate as error:
        raise BadRequest(f"{name}: {error}", errors=[FieldError(name, str(error))]) from None


VIEW_TIMES = ("as_of", "reported_by", "known_at", "min_position")


def only(request: web.Request, *names: str) -> None:
    """Refuse a query parameter the resource does not take: a typo (`typ=`, `pilar=`) must not be silently
    ignored, and a made-up one must not make every read a fresh one (the answer cache is keyed by them)."""
    unknown = sorted(set(request.query) - set(names))
    if unknown:
        message = f"unknown query parameter {', '.join(unknown)}; this resource takes {', '.join(sorted(names))}"
        raise BadRequest(message, errors=[FieldError(name, "is not a parameter of this resource") for name in unknown])


async def reported_by(request: web.Request) -> dt.date | None:
    """An EDTF date taken at its first day: `reported_by=2017-03` means what was public by 1 March 2017."""
    return await start_date(request, "reported_by")


def known_at(request: web.Request) -> int | dt.datetime | None:
    """A log position (an integer) or a UTC instant (ISO 8601 with an offset)."""
    return log_time(request, "known_at")


def log_time(request: web.Request, name: str) -> int | dt.datetime | None:
    """A moment of the log: a position (an integer) or a UTC instant (ISO 8601 with an offset)."""
    value = request.query.get(name)
    if not value:
        return None
    if (at := position(value)) is not None:
        return at
    message = f"{name} is a log position (e.g. 31) or a UTC instant with its offset (e.g. 2017-03-02T12:00:00Z)"
    try:
        instant = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))  # noqa: FURB162 - kept as it was: every Z, not a final one
        # In UTC now, where it is compared: 9999-12-31T23:59:59-12:00 has no UTC instant in range.
        utc = instant.astimezone(dt.UTC) if instant.tzinfo is not None else None
    except (ValueError, OverflowError):
        utc = None
    if utc is None:
        raise BadRequest(message, errors=[FieldError(name, message)])
    return utc


def position(value: str) -> int | None:
    """A log position written in ASCII digits (str.isdigit also accepts '²', which int() refuses) and in
    range, or None. Its length is checked before int(), which refuses over 4,300 digits with an error."""
    if value.isascii() and value.isdigit() and len(value) <= len(str(MAX_POSITION)) and int(value) <= MAX_POSITION:
        return int(value)
    return None


@overload
def integer(request: web.Request, name: str, default: int, low: int = 0, high: int = MAX_POSITION) -> int: ...
@overload
def integer(request: web.Request, name: str, default: None, low: int = 0, high: int = MAX_POSITION) -> int | None: ...
def integer(request: web.Request, name: str, default: int | None, low: int = 0, high: int = MAX_POSITION) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < low or number > high:
        bounds = f"from {low} to {high}"
        raise BadRequest(f"{name} must be a whole number {bounds}", errors=[FieldError(name, f"must be a whole number {bounds}")])
    return number


def limit(request: web.Request, default: int = 50) -> int:
    return integer(request, "limit", default, low=1, high=MAX_LIMIT)


def flag(request: web.Request, name: str) -> bool:
    value = request.query.get(name, "false").lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise BadRequest(f"{name} is true or false", errors=[FieldError(name, "is true or false")])
    return value in ("true", "1", "yes")


def fact_types(request: web.Request) -> frozenset[str]:
    types = frozenset(t for value in request.query.getall("type", []) for t in value.split(",") if t)
    unknown = sorted(types - {t.value for t in FactType})
    if unknown:
        message = f"unknown fact type {', '.join(unknown)}; types are {', '.join(t.value for t in FactType)}"
        raise BadRequest(message, errors=[FieldError("type", message)])
    return types


def _listed(request: web.Request, name: str) -> list[str]:
    """Every value of a parameter given once or more, each one a comma-separated list."""
    return [item for value in request.query.getall(name, []) for item in value.split(",") if item]


def event_types(request: web.Request, event_names: tuple[str, ...]) -> frozenset[str]:
    """`type` for the log: an event's name (fact.retracted, document.recorded, ...) or its fact's type (rating.published)."""
    types = frozenset(_listed(request, "type"))
    known = (*event_names, *(t.value for t in FactType))
    unknown = sorted(types - set(known))
    if unknown:
        message = f"unknown type {', '.join(unknown)}; types are the events' ({', '.join(event_names)}) and the facts' ({', '.join(t.value for t in FactType)})"
        raise BadRequest(message, errors=[FieldError("type", message)])
    return types


def subjects_and_kinds(request: web.Request) -> tuple[frozenset[str], frozenset[str]]:
    """`subject` for the log: subject ids (force/bedfordshire) and whole kinds (force/), as given."""
    subjects, kinds = set(), set()
    for value in _listed(request, "subject"):
        kind, slash, rest = value.partition("/")
        if slash and not rest:
            if kind not in SUBJECT_KINDS:
                message = f"unknown kind {kind!r} in subject {value!r}; kinds are {', '.join(SUBJECT_KINDS)}"
                raise BadRequest(message, errors=[FieldError("subject", message)])
            kinds.add(kind)
        else:
            subjects.add(checked_subject(value, "subject"))
    return frozenset(subjects), frozenset(kinds)


def subject(request: web.Request) -> str:
    value = f"{request.match_info['kind']}/{request.match_info['slug']}"
    return checked_subject(value, "subject")


def checked_subject(value: str, name: str) -> str:
    try:
        subject_kind(value)
    except InvalidSubject as error:
        raise BadRequest(str(error), errors=[FieldError(name, str(error))]) from None
    return value


def fact_id(request: web.Request) -> UUID:
    value = request.match_info["id"]
    try:
        return UUID(value)
    except ValueError:
        raise BadRequest(f"{value!r} is not a fact id (a UUID)", errors=[FieldError("id", "is not a UUID")]) from None
