"""Reading record files (NDJSON, or JSON holding one record or an array) with each record's line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from timeline.app import Receipt, Timeline
from timeline.batch import Record
from timeline.errors import Conflict, DocumentConflict, FactConflict, FieldError, InvalidRecord
from timeline.vocabulary import parse_record


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None  # None: the file as a whole

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """Why one record of a file (or, with no field and no line, the whole file) was refused."""

    location: Location
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.field is None else f"{self.location}: {self.field}: {self.message}"


class FileRefused(Exception):
    """A file had invalid records; none of its records is stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(frozen=True)
class RecordFile:
    path: Path
    records: list[Record]
    locations: list[Location]

    def locate(self, index: int | None) -> Location:
        return self.locations[index] if index is not None else Location(str(self.path))


def read_record_file(path: Path) -> RecordFile:
    """Parse and validate every record of a file; raise FileRefused listing all problems."""
    records: list[Record] = []
    locations: list[Location] = []
    problems: list[Problem] = []
    for line, raw in _raw_records(path, problems):
        location = Location(str(path), line)
        try:
            records.append(parse_record(_resolve_text_file(raw, path.parent), len(records)))
            locations.append(location)
        except InvalidRecord as error:
            problems.extend(Problem(location, e.field, e.message) for e in error.errors)
    if problems:
        raise FileRefused(problems)
    return RecordFile(path, records, locations)


def _raw_records(path: Path, problems: list[Problem]) -> Iterator[tuple[int, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        problems.append(Problem(Location(str(path)), None, f"cannot be read: {error.strerror or error}"))
        return
    except UnicodeDecodeError as error:
        problems.append(Problem(Location(str(path)), None, f"cannot be read: not UTF-8 text ({error.reason} at byte {error.start})"))
        return
    if path.suffix in (".ndjson", ".jsonl"):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield number, orjson.loads(line)
                except orjson.JSONDecodeError as error:
                    problems.append(Problem(Location(str(path), number), "(record)", f"invalid JSON: {error}"))
        return
    yield from _json_elements(path, text, problems)


def _json_elements(path: Path, text: str, problems: list[Problem]) -> Iterator[tuple[int, Any]]:
    """Top-level records of a JSON file with the line each starts on."""
    decoder = json.JSONDecoder()
    start = _skip_space(text, 0)
    if text[start : start + 1] != "[":
        try:
            yield text.count("\n", 0, start) + 1, decoder.decode(text)
        except json.JSONDecodeError as error:
            problems.append(Problem(Location(str(path), error.lineno), "(record)", f"invalid JSON: {error.msg}"))
        return
    position = _skip_space(text, start + 1)
    while position < len(text) and text[position] != "]":
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            problems.append(Problem(Location(str(path), error.lineno), "(record)", f"invalid JSON: {error.msg}"))
            return
        yield text.count("\n", 0, position) + 1, value
        position = _skip_space(text, end)
        if text[position : position + 1] == ",":
            position = _skip_space(text, position + 1)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _resolve_text_file(raw: Any, folder: Path) -> Any:
    """A document record may name its text by `text_file`, inside the record file's folder."""
    if not (isinstance(raw, dict) and raw.get("type") == "document" and "text_file" in raw):
        return raw
    raw = dict(raw)
    path = _inside(folder, str(raw.pop("text_file")))
    try:
        raw["text"] = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidRecord([FieldError("text_file", f"cannot be read: {error}")]) from None
    return raw


def _inside(folder: Path, name: str) -> Path:
    """The file `name` names, refused unless it is (after symlinks) inside `folder`."""
    # The log is public and append-only: a record file must not be able to publish /etc/shadow.
    base = folder.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        message = f"{name!r} is outside {base}; a text file must be in the record file's folder or below it"
        raise InvalidRecord([FieldError("text_file", message)])
    return path


def store_record_file(app: Timeline, record_file: RecordFile) -> list[Receipt]:
    """Record a whole file in one transaction; a refusal names the line that caused it."""
    try:
        return app.record(record_file.records)
    except InvalidRecord as error:
        raise FileRefused(
            [Problem(record_file.locate(e.index), e.field, e.message) for e in error.errors]
        ) from None
    except (FactConflict, DocumentConflict) as error:
        raise FileRefused([Problem(record_file.locate(error.index), "id", str(error))]) from None
    except Conflict as error:
        raise FileRefused([Problem(record_file.locate(None), None, str(error))]) from None
