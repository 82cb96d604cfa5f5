"""The whole log as NDJSON, and back: `timeline export` and `timeline import`.

One line per stored event, in log order, keeping everything a restore must keep:

    {"position": 3, "id": "<aggregate uuid>", "version": 1, "topic": "timeline.facts:Fact.Recorded", "state": {...}}

`state` is the event exactly as stored (record time included), so an export of an imported
log is byte-identical to the export it came from, and every view rebuilds the same. Each line
also carries `link`, the log's hash chain at that position (timeline.chain): import recomputes
the chain as it reads and refuses a line whose link does not match. An export made before the
chain existed has no links; it still imports, reported as unverified.

The first line says what the file is, and promises an end marker as its last line:

    {"format": "timeline-export", "version": 2}
    ...
    {"end": {"events": 52, "last_position": 52, "sha256": "<hex of every byte before this line>"}}

so a file cut short (a copy interrupted, a disk full while exporting) is refused rather than
restored as a shorter log. An export made before the marker has neither line: it still imports,
reported as unverified.

Import also checks every event by the rules a record must keep to enter the log (timeline.log_rules),
each event as its own class version reads once upcast: an export is not a way around validation.

An event purged by a redaction is exported as it is stored, a tombstone that keeps only its state's
sha256 (timeline.redactions): the chain's links cover it unchanged, and import accepts it as long as
its record's redaction follows in the file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import types
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any
from uuid import UUID

import orjson
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from timeline import chain_store, idempotency_keys, storage
from timeline.application import Timeline
from timeline.chain import GENESIS, content_of, link_of
from timeline.config import TOKEN_NAME
from timeline.errors import InvalidRecord
from timeline.idempotency_keys import KeyedWrite
from timeline.loader import FileRefused, Location, Problem
from timeline.log_records import EVENT_NAMES, MAX_POSITION
from timeline.log_rules import LogRules
from timeline.redactions import TOPICS as REDACTED_TOPICS
from timeline.redactions import is_tombstone

FIELDS = ("position", "id", "version", "topic", "state")
CHAINED_FIELDS = (*FIELDS, "link")
# "by": the token name that wrote it; "keys": the idempotency keys stored at this position (timeline.idempotency_keys)
SHAPES = [shape | extra for shape in (set(FIELDS), set(CHAINED_FIELDS)) for extra in (set(), {"by"}, {"keys"}, {"by", "keys"})]
UNVERIFIED = "lines carry no chain links (an export made before the hash chain): their content is not verified"
UNMARKED = "no end marker (an export made before it): whether the file is whole cannot be told"
HEADER = {"format": "timeline-export", "version": 2}
HEADER_LINE = orjson.dumps(HEADER) + b"\n"
TOPICS = frozenset(get_topic(cls) for cls in EVENT_NAMES)
PAGE = 1000
MAX_PROBLEMS = 50  # a wholly wrong file would otherwise print a line of complaint per event

Progress = Callable[[int], object]  # told how far it has got; what it returns is ignored


class StoreNotEmpty(Exception):
    """`timeline import` restores into an empty store only."""


def export_log(timeline: Timeline, out: IO[bytes], progress: Progress = lambda position: None) -> int:
    """Write every stored event to `out`, one NDJSON line each, in log order, between the header and the end
    marker with its checksum; how many events were written."""
    digest = hashlib.sha256(HEADER_LINE)
    out.write(HEADER_LINE)
    written, after = 0, 0
    while True:
        notifications = timeline.recorder.select_notifications(start=after, limit=PAGE, inclusive_of_start=False)
        if not notifications:
            end = {"events": written, "last_position": after, "sha256": digest.hexdigest()}
            out.write(orjson.dumps({"end": end}) + b"\n")
            return written
        # Chain rows commit with their events, so every event just read has its link.
        links = {row.position: row.link for row in chain_store.rows(timeline.recorder, after, notifications[-1].id)}
        by = timeline.authors(after, notifications[-1].id)
        keys = idempotency_keys.between(timeline.recorder, after, notifications[-1].id)
        for n in notifications:
            line = {"position": n.id, "id": str(n.originator_id), "version": n.originator_version, "topic": n.topic,
                    "state": orjson.Fragment(n.state), "link": links[n.id]}  # fmt: skip
            if n.id in by:
                line["by"] = by[n.id]
            if n.id in keys:
                line["keys"] = [idempotency_keys.as_line(k) for k in keys[n.id]]
            encoded = orjson.dumps(line) + b"\n"
            digest.update(encoded)
            out.write(encoded)
        written += len(notifications)
        after = notifications[-1].id
        progress(after)


def import_log(
    timeline: Timeline, path: Path, progress: Progress = lambda line: None, unverified: Callable[[str], None] = lambda message: None
) -> int:
    """Restore an exported log into this (empty) store at its positions, in one transaction.

    Every line is checked first-to-last: its event by the rules records keep, its chain link, and the
    file by its end marker and checksum; any problem (file, line, reason) refuses the whole file and
    stores nothing. A file without links (older than the chain) or without an end marker (older than
    the marker) is told to `unverified`, once for each. Returns how many events were restored."""
    if (head := timeline.head()) > 0:
        raise StoreNotEmpty(f"the store already holds a log (head position {head}); import restores into an empty store only")
    problems: list[Problem] = []
    counted = [0]
    authored: dict[tuple[UUID, int], str] = {}  # filled as lines are read, before their batch is stored
    keys: dict[tuple[str, str], KeyedWrite] = {}  # likewise; stored once every line is in

    def batches() -> Iterator[list[tuple[int, StoredEvent]]]:
        batch: list[tuple[int, StoredEvent]] = []
        for position, event in _checked_events(timeline, path, problems, progress, unverified, authored, keys):
            batch.append((position, event))
            counted[0] += 1
            if len(batch) == PAGE:
                yield batch
                batch = []
        if problems:
            raise FileRefused(problems)  # rolls the transaction back
        if batch:
            yield batch

    storage.restore_events(timeline.recorder, batches(), authored, keys.values())
    return counted[0]


def _checked_events(
    timeline: Timeline, path: Path, problems: list[Problem], progress: Progress, unverified: Callable[[str], None],
    authored: dict[tuple[UUID, int], str],
    keys: dict[tuple[str, str], KeyedWrite],
) -> Iterator[tuple[int, StoredEvent]]:
    """Each line as (position, stored event); problems are appended, and then nothing more is yielded."""
    last_position, versions = 0, dict[UUID, int]()
    chain, rules = _ChainCheck(unverified), LogRules()
    purged: dict[UUID, Location] = {}  # records with purged lines, until their redaction's line
    for number, raw in _lines(path, problems, _Marks(path, unverified)):
        location = Location(str(path), number)
        try:
            position, originator_id, event = _event(raw)
            if position <= last_position:
                raise _Bad("position", f"{position} does not follow the previous line's {last_position}")
            expected = versions.get(originator_id, 0) + 1
            if event.originator_version != expected:
                raise _Bad("version", f"{event.originator_version} of {event.originator_id} follows version {expected - 1}")
            if is_tombstone(event.state):
                if event.topic in REDACTED_TOPICS:
                    raise _Bad("state", "a redaction's own content is never purged")
                rules.purged(originator_id)
                purged.setdefault(originator_id, location)
            else:
                decoded = timeline.mapper.to_domain_event(event)  # upcast: judged as its class's current version reads it
                _check_shape(decoded)
                rules.check(decoded)
                if event.topic in REDACTED_TOPICS:
                    purged.pop(originator_id, None)
            chain.check(raw, position, event)  # last: a line wrong in any other way says so first
            if "by" in raw:
                if not isinstance(raw["by"], str) or not TOKEN_NAME.fullmatch(raw["by"]):
                    raise _Bad("by", "is the name of the token that wrote the event (letters, digits, . _ -)")
                authored[(originator_id, event.originator_version)] = raw["by"]
            if "keys" in raw:
                known = versions | {originator_id: event.originator_version}
                for keyed in _keys(raw["keys"], position, known):
                    if (keyed.name, keyed.key) in keys:
                        raise _Bad("keys", f"the key {keyed.key!r} of {keyed.name!r} was given on an earlier line")
                    keys[(keyed.name, keyed.key)] = keyed
        except _Bad as bad:
            problems.append(Problem(location, bad.field, bad.message))
        except InvalidRecord as refused:
            problems.extend(Problem(location, e.field, e.message) for e in refused.errors)
        except Exception as error:  # noqa: BLE001 - any decoding failure is the file's fault
            problems.append(Problem(location, "state", f"does not decode as {raw.get('topic')}: {error}"))
        else:
            last_position, versions[originator_id] = position, event.originator_version
            if not problems:
                yield position, event
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(location, "file", f"stopped after {MAX_PROBLEMS} problems"))
            return
        if number % PAGE == 0:
            progress(number)
    problems.extend(Problem(at, "state", "is purged, but no redaction of its record follows in the file") for at in purged.values())


def _keys(value: Any, position: int, versions: dict[UUID, int]) -> list[KeyedWrite]:
    """The idempotency keys a line carries, each naming only events at or before it."""
    message = "is a list of [name, key, fingerprint, [[kind, id, version], ...]] (see timeline.idempotency_keys)"
    if not isinstance(value, list) or not value:
        raise _Bad("keys", message)
    found = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 4 and all(isinstance(part, str) for part in item[:3]) and isinstance(item[3], list)):
            raise _Bad("keys", message)
        name, key, fingerprint, writes = item
        if name and not TOKEN_NAME.fullmatch(name):
            raise _Bad("keys", f"{name!r} is not a token's name")
        if not idempotency_keys.KEY.fullmatch(key) or not _SHA256.fullmatch(fingerprint):
            raise _Bad("keys", f"{key!r}: a key is 1 to 200 printable ASCII characters, its fingerprint a sha256 in hex")
        written = []
        for write in writes:
            if not (isinstance(write, list) and len(write) == 3 and write[0] in idempotency_keys.KINDS and isinstance(write[1], str)
                    and type(write[2]) is int):  # fmt: skip
                raise _Bad("keys", message)
            try:
                aggregate = UUID(write[1])
            except ValueError:
                raise _Bad("keys", f"{write[1]!r} is not an id") from None
            if not 1 <= write[2] <= versions.get(aggregate, 0):
                raise _Bad("keys", f"key {key!r} names version {write[2]} of {aggregate}, which no line up to this one holds")
            written.append((write[0], aggregate, write[2]))
        found.append(KeyedWrite(name, key, fingerprint, tuple(written), position))
    return found


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _lines(path: Path, problems: list[Problem], marks: _Marks) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each event line's number and value; the header and end marker are checked by `marks`, not yielded."""
    number = 0
    with path.open("rb") as file:
        for number, line in enumerate(file, start=1):
            if marks.ended_at is not None:
                if line.strip():
                    problems.append(Problem(Location(str(path), number), "line", f"follows the end marker (line {marks.ended_at})"))
                    return
                continue
            if not line.strip():
                marks.digest.update(line)
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as error:
                marks.digest.update(line)
                marks.events += 1  # a line meant as an event
                problems.append(Problem(Location(str(path), number), "line", f"is not JSON: {error}"))
                continue
            if isinstance(value, dict) and "end" in value and len(value) == 1:
                marks.end(number, value["end"], problems)
                continue
            marks.digest.update(line)
            if isinstance(value, dict) and "format" in value and marks.header is None and marks.events == 0:
                marks.begin(number, value, problems)
                continue
            marks.events += 1
            if not isinstance(value, dict) or set(value) not in SHAPES:
                problems.append(
                    Problem(Location(str(path), number), "line", f"is not an event: give exactly {', '.join(FIELDS)}, and link and by if known")
                )
                continue
            yield number, value
    marks.finish(number, problems)


class _Marks:
    """The header that promises an end marker, and the end marker: how many events the file holds, and the
    sha256 of every byte before it."""

    def __init__(self, path: Path, unverified: Callable[[str], None]) -> None:
        self.path, self.unverified = path, unverified
        self.digest = hashlib.sha256()
        self.header: int | None = None  # the header's line, once read
        self.ended_at: int | None = None  # the end marker's line, once read
        self.events = 0

    def begin(self, number: int, header: dict[str, Any], problems: list[Problem]) -> None:
        self.header = number
        if header != HEADER:
            message = f"is not a header this version reads: {orjson.dumps(HEADER).decode()} (an export of a later version?)"
            problems.append(Problem(Location(str(self.path), number), "line", message))

    def end(self, number: int, end: Any, problems: list[Problem]) -> None:
        self.ended_at = number
        location = Location(str(self.path), number)
        if not isinstance(end, dict) or type(end.get("events")) is not int or not isinstance(end.get("sha256"), str):
            problems.append(Problem(location, "end", "is the end marker: {\"events\": N, \"last_position\": P, \"sha256\": \"<hex>\"}"))
        elif end["events"] != self.events:
            problems.append(Problem(location, "end", f"the file holds {self.events} events where its end marker says {end['events']}: lines were removed or added"))
        elif end["sha256"] != self.digest.hexdigest():
            problems.append(Problem(location, "end", "the sha256 of the lines before the end marker does not match it: the file was changed"))

    def finish(self, last: int, problems: list[Problem]) -> None:
        if self.ended_at is not None:
            return
        if self.header is not None:
            message = f"ends at line {last} without its end marker: the export is cut short, and refused whole"
            problems.append(Problem(Location(str(self.path), last), "file", message))
        else:
            self.unverified(UNMARKED)


class _ChainCheck:
    """Recomputes the hash chain line by line and compares each line's link with it."""

    def __init__(self, unverified: Callable[[str], None]) -> None:
        self.previous, self.unverified = GENESIS, unverified
        self.chained: bool | None = None  # whether the file's lines carry links: its first line says

    def check(self, raw: dict[str, Any], position: int, event: StoredEvent) -> None:
        chained = "link" in raw
        if self.chained is None:
            self.chained = chained
            if not chained:
                self.unverified(UNVERIFIED)
        if chained != self.chained:
            raise _Bad("link", "missing, while the file's first line has one" if self.chained else "given, while the file's first line has none")
        if not chained:
            return
        given = raw["link"]
        expected = link_of(self.previous, content_of(position, event.originator_id, event.originator_version, event.topic, event.state))
        # Go on from the file's own link, so that one changed line is reported alone, not every line after it.
        self.previous = given if isinstance(given, str) and len(given) == 64 and _is_hex(given) else expected
        if given != expected:
            raise _Bad("link", "does not match the chain: this line's content (or its link) was changed")


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


class _Bad(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def _check_shape(event: Any) -> None:
    """The decoded event has exactly its class's fields, each of its declared type.

    The library rebuilds events without calling their constructors, so nothing else would notice
    a state with fields missing or of the wrong kind until a view tripped over it."""
    hints, declared = typing.get_type_hints(type(event)), {f.name for f in dataclasses.fields(event)}
    present = set(vars(event))
    if present != declared:
        missing, unknown = sorted(declared - present), sorted(present - declared)
        raise _Bad("state", f"does not match {type(event).__qualname__}: missing {missing}, unknown {unknown}")
    for name in declared - {"originator_id", "originator_version"}:  # those come from the line, not the state
        expected = hints[name]
        options = typing.get_args(expected) if isinstance(expected, types.UnionType) else (expected,)
        if not isinstance(vars(event)[name], tuple(typing.get_origin(o) or o for o in options)):
            raise _Bad("state", f"{name} is not {expected}")


def _event(raw: dict[str, Any]) -> tuple[int, UUID, StoredEvent]:
    """A line's position, aggregate id and stored event."""
    position, version, topic, state = raw["position"], raw["version"], raw["topic"], raw["state"]
    if type(position) is not int or not 1 <= position <= MAX_POSITION:
        raise _Bad("position", "is a log position: a whole number from 1")
    if type(version) is not int or version < 1:
        raise _Bad("version", "is a whole number from 1")
    if topic not in TOPICS:
        raise _Bad("topic", f"{topic!r} is not an event this store records")
    if not isinstance(state, dict):
        raise _Bad("state", "is the event's stored state, a JSON object")
    try:
        originator_id = UUID(raw["id"]) if isinstance(raw["id"], str) else None
    except ValueError:
        originator_id = None
    if originator_id is None:
        raise _Bad("id", "is a UUID")
    return position, originator_id, StoredEvent(originator_id=originator_id, originator_version=version, topic=topic, state=orjson.dumps(state))


def count_lines(path: Path) -> int:
    """Lines in a file, for a progress bar's total."""
    with path.open("rb") as file:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 20), b""))
