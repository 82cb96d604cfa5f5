"""The orjson transcoder: stored event state as compact JSON that keeps its Python types.

orjson writes UUIDs, dates and enums as plain strings, which would come back as
strings. Values of registered types are tagged as {"_t": name, "_v": value} on the
way in and rebuilt on the way out. Fact data never holds such a dict: the schemas
refuse unknown keys, and `_t` is not a valid data key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Transcoder

_TAG, _VALUE = "_t", "_v"
_PLAIN = frozenset({str, int, float, bool, type(None)})


@dataclass(frozen=True, slots=True)
class Transcoding:
    name: str
    type: type
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


class OrjsonTranscoder(Transcoder):
    """Encodes event state with orjson; types are registered once, at construction."""

    def __init__(self, transcodings: list[Transcoding] | None = None) -> None:
        self._by_type: dict[type, Transcoding] = {}
        self._by_name: dict[str, Transcoding] = {}
        for transcoding in [*BUILTIN_TRANSCODINGS, *(transcodings or [])]:
            self.register(transcoding)

    def register(self, transcoding: Transcoding) -> None:
        self._by_type[transcoding.type] = transcoding
        self._by_name[transcoding.name] = transcoding

    def register_enum(self, enum_type: type[Enum]) -> None:
        # `_value_`, not `.value`: the property costs more than the rest of the encoding.
        self.register(Transcoding(enum_type.__qualname__, enum_type, lambda e: e._value_, enum_type))

    def encode(self, obj: Any) -> bytes:
        return orjson.dumps(self._tag(obj))

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
    from timeline.dates import ValidTime
    from timeline.facts import Because, FactType, Source, SourceKind, source_from_stored

    transcoder = OrjsonTranscoder(
        [
            Transcoding("valid_time", ValidTime, lambda v: [v.edtf, v.lower, v.upper], lambda v: ValidTime(*v)),
            Transcoding("source", Source, _fields_of, source_from_stored),
        ]
    )
    transcoder.register_enum(FactType)
    transcoder.register_enum(SourceKind)
    transcoder.register_enum(Because)
    return transcoder


def _fields_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}
