"""The orjson transcoder: stored event state as compact JSON that keeps its Python types.

orjson writes UUIDs, dates and enums as plain strings, which would come back as
strings. Values of registered types are tagged as {"_t": name, "_v": value} on the
way in and rebuilt on the way out. Fact data never holds such a dict: the schemas
refuse unknown keys, and `_t` is not a valid data key.

The views read stored state without building events (a rebuild reads the whole log): `fact_in_state`
and the readers beside it decode the tags in place, so the tags are known here only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, NotRequired, TypedDict
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

from timeline.dates import ValidTime

_TAG, _VALUE = "_t", "_v"
_PLAIN = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True, slots=True)
class Transcoding:
    name: str
    type: type
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]
    recurring: bool = False  # hashable, immutable values a log repeats (enum members, dates as written, sources)


class OrjsonTranscoder(Transcoder):
    """Encodes event state with orjson; types are registered once, at construction."""

    def __init__(self, transcodings: list[Transcoding] | None = None) -> None:
        self._by_type: dict[type, Transcoding] = {}
        self._by_name: dict[str, Transcoding] = {}
        # A recurring value's tagged form is kept: a bulk load tags the same few sources and dates a million times.
        # Typed, so that equal values of two types (enum members with one value) keep their own tags.
        self._tagged_recurring = lru_cache(maxsize=1024, typed=True)(self._tagged)
        for transcoding in [*BUILTIN_TRANSCODINGS, *(transcodings or [])]:
            self.register(transcoding)

    def register(self, transcoding: Transcoding) -> None:
        self._by_type[transcoding.type] = transcoding
        self._by_name[transcoding.name] = transcoding
        self._tagged_recurring.cache_clear()  # a type registered again is tagged its new way

    def register_enum(self, enum_type: type[Enum]) -> None:
        # `_value_`, not `.value`: the property costs more than the rest of the encoding.
        self.register(Transcoding(enum_type.__qualname__, enum_type, lambda e: e._value_, enum_type, recurring=True))

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._tag(obj))

    def encode_state(self, state: dict[str, Any], plain: frozenset[str]) -> bytes:
        """`encode` for a state whose `plain` fields hold only JSON's own values (a fact's data, as parsed from JSON):
        those are not walked, which is most of the work for a bulk load's facts. The same bytes as `encode`."""
        return orjson.dumps({key: value if key in plain else self._tag(value) for key, value in state.items()})

    def decode(self, data: bytes) -> Any:
        return self._untag(orjson.loads(data))

    def _tag(self, obj: Any) -> Any:
        kind = type(obj)
        if kind in _PLAIN:
            return obj
        if kind is dict:
            return {key: self._tag(value) for key, value in obj.items()}
        if kind is list or kind is tuple:
            return [self._tag(value) for value in obj]
        try:
            transcoding = self._by_type[kind]
        except KeyError:
            raise TypeError(f"no transcoding registered for {kind.__qualname__}") from None
        if transcoding.recurring:
            return self._tagged_recurring(obj)  # shared, never changed: only dumped
        return {_TAG: transcoding.name, _VALUE: self._tag(transcoding.encode(obj))}

    def _tagged(self, obj: Any) -> Any:
        transcoding = self._by_type[type(obj)]
        return {_TAG: transcoding.name, _VALUE: self._tag(transcoding.encode(obj))}

    def _untag(self, obj: Any) -> Any:
        if type(obj) is dict:
            if _TAG in obj and len(obj) == 2:
                transcoding = self._by_name[obj[_TAG]]
                return transcoding.decode(self._untag(obj[_VALUE]))
            return {key: self._untag(value) for key, value in obj.items()}
        if type(obj) is list:
            return [self._untag(value) for value in obj]
        return obj


BUILTIN_TRANSCODINGS = [
    Transcoding("uuid", UUID, lambda u: u.hex, UUID),
    Transcoding("datetime", dt.datetime, dt.datetime.isoformat, dt.datetime.fromisoformat),
    Transcoding("date", dt.date, dt.date.isoformat, dt.date.fromisoformat),
]


def build_transcoder() -> OrjsonTranscoder:
    """The transcoder for Timeline's events: the builtins plus the domain's value types."""
    from timeline.facts import Because, FactType, Source, SourceKind, source_from_stored

    transcoder = OrjsonTranscoder(
        [
            Transcoding("valid_time", ValidTime, lambda v: [v.edtf, v.lower, v.upper], lambda v: ValidTime(*v), recurring=True),
            Transcoding("source", Source, _fields_of, source_from_stored, recurring=True),
        ]
    )
    transcoder.register_enum(FactType)
    transcoder.register_enum(SourceKind)
    transcoder.register_enum(Because)
    return transcoder


def _fields_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


# Reading stored state in place


class FactBody(TypedDict):
    """A fact's content as the API shows it (timeline.fact_bodies.fact_body), as the views store it."""

    type: str
    subject: str
    occurred: str  # EDTF
    data: dict[str, Any]
    mentions: list[str]
    source: dict[str, Any]
    sources: NotRequired[list[dict[str, Any]]]  # only when it cites more than one (the first is `source`)
    disputes: NotRequired[list[str]]  # only when it has them
    supports: NotRequired[list[str]]


@dataclass(frozen=True, slots=True)
class FactInState:
    """A fact as a recorded or corrected event's stored state holds it."""

    body: FactBody
    occurred: ValidTime
    published: list[ValidTime]  # each source's publication date, in the order of the body's sources
    kinds: list[str]  # each source's kind, in the same order


def fact_in_state(state: dict[str, Any]) -> FactInState:
    """The fact a Fact.Recorded or Fact.Corrected event's state (its JSON, parsed) holds: what
    `fact_body` gives for the event's content, without building the event."""
    occurred = stored_valid_time(state["occurred"])
    sources = [state["source"][_VALUE], *(tagged[_VALUE] for tagged in state.get("further_sources", ()))]
    published = [_publication(source["published"]) for source in sources]
    bodies = [_source_body(source, when.edtf) for source, when in zip(sources, published, strict=True)]
    body: FactBody = {
        "type": state["fact_type"][_VALUE], "subject": state["subject"], "occurred": occurred.edtf,
        "data": state["data"], "mentions": state["mentions"], "source": bodies[0],
    }  # fmt: skip
    if len(bodies) > 1:
        body["sources"] = bodies
    if state.get("disputes"):  # absent from events stored before links existed
        body["disputes"] = state["disputes"]
    if state.get("supports"):
        body["supports"] = state["supports"]
    return FactInState(body, occurred, published, [source["kind"][_VALUE] for source in sources])


def stored_valid_time(tagged: dict[str, Any]) -> ValidTime:
    """A stored ValidTime: [edtf, lower, upper], its bounds tagged dates."""
    edtf, lower, upper = tagged[_VALUE]
    return _valid_time(edtf, lower[_VALUE], upper[_VALUE])


@lru_cache(maxsize=65536)
def _valid_time(edtf: str, lower: str, upper: str) -> ValidTime:
    # A log repeats few dates many times: a rebuild reads two or more an event.
    return ValidTime(edtf, dt.date.fromisoformat(lower), dt.date.fromisoformat(upper))


def stored_value(tagged: dict[str, Any]) -> Any:
    """A tagged value as stored: an enum's value, a date's or a time's ISO text, a UUID's hex digits."""
    return tagged[_VALUE]


def _publication(tagged: dict[str, Any]) -> ValidTime:
    """A source's publication date; sources stored before EDTF publication dates held a day (as source_from_stored)."""
    if tagged[_TAG] == "date":
        day = tagged[_VALUE]
        return ValidTime(day, dt.date.fromisoformat(day), dt.date.fromisoformat(day))
    return stored_valid_time(tagged)


def _source_body(source: dict[str, Any], published: str) -> dict[str, Any]:
    """A stored source's body as the API shows it (timeline.fact_bodies.source_body)."""
    body = {"publisher": source["publisher"], "url": source["url"], "published": published, "kind": source["kind"][_VALUE]}
    if source["document"] is not None:
        body["document"] = source["document"]
    if source.get("document_version") is not None:
        body["document_version"] = source["document_version"]
    if source["quote"] is not None:
        body["quote"] = source["quote"]
    return body
