"""Reading record files (NDJSON, JSON holding one record or an array, or a facts CSV) with each record's line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from timeline.application import Timeline
from timeline.commands import Receipt, Record
from timeline.errors import Conflict, DocumentConflict, FactConflict, FieldError, InvalidRecord
from timeline.formats.facts_csv import check_header, record_from_row
from timeline.parsing import parse_record


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


STDIN = Path("-")  # `timeline load -`: the records come on standard input
STDIN_NAME = "<stdin>"  # how a problem names standard input


def read_record_file(path: Path, stdin: bytes | None = None) -> RecordFile:
    """Parse and validate every record of a file (or, for `-`, of `stdin`'s bytes); raise FileRefused listing all problems.

    A `.csv` file (or CSV on standard input) holds one fact a row (timeline.formats.facts_csv); any other
    file holds JSON: one record, an array of records, or NDJSON, told apart by what it holds, not by its name."""
    records: list[Record] = []
    locations: list[Location] = []
    problems: list[Problem] = []
    name = STDIN_NAME if path == STDIN else str(path)
    folder = None if path == STDIN else path.parent  # a record from standard input has no folder to read a text_file in
    for line, raw in _raw_records(path, name, stdin, problems):
        location = Location(name, line)
        try:
            records.append(parse_record(_resolve_text_file(raw, folder), len(records)))
            locations.append(location)
        except InvalidRecord as error:
            problems.extend(Problem(location, e.field, e.message) for e in error.errors)
    if problems:
        raise FileRefused(problems)
    return RecordFile(Path(name), records, locations)


def _raw_records(path: Path, name: str, stdin: bytes | None, problems: list[Problem]) -> Iterator[tuple[int, Any]]:
    try:
        text = (stdin or b"").decode("utf-8") if path == STDIN else path.read_text(encoding="utf-8")
    except OSError as error:
        problems.append(Problem(Location(name), None, f"cannot be read: {error.strerror or error}"))
        return
    except UnicodeDecodeError as error:
        problems.append(Problem(Location(name), None, f"cannot be read: not UTF-8 text ({error.reason} at byte {error.start})"))
        return
    text = text.removeprefix("\ufeff")  # the byte order mark spreadsheets put before a UTF-8 CSV
    if path.suffix.lower() == ".csv" or (path == STDIN and text.lstrip()[:1] not in ("{", "[", "")):
        yield from _csv_rows(name, text, problems)
    elif path.suffix in (".ndjson", ".jsonl") or _is_ndjson(text):
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield number, orjson.loads(line)
                except orjson.JSONDecodeError as error:
                    problems.append(Problem(Location(name, number), "(record)", f"invalid JSON: {error}"))
    else:
        yield from _json_elements(name, text, problems)


def _is_ndjson(text: str) -> bool:
    """Whether JSON text is a record a line: its first line is a whole JSON value, and more lines follow it."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        return False  # a value spread over lines: one JSON document (an array, or a record laid out)
    return True


def _csv_rows(name: str, text: str, problems: list[Problem]) -> Iterator[tuple[int, Any]]:
    """Each row of a facts CSV as the JSON record it stands for, with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        problems.append(Problem(Location(name, 1), "(header)", f"is not CSV: {error}"))
        return
    if header is None:
        return
    errors = check_header(header)
    if errors:
        problems.extend(Problem(Location(name, 1), e.field, e.message) for e in errors)
        return
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # an unclosed quote, a cell past the csv module's size limit
            problems.append(Problem(Location(name, start), "(row)", f"is not CSV: {error}"))
            return
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank row between facts
        try:
            yield line, record_from_row(header, cells)
        except InvalidRecord as error:
            problems.extend(Problem(Location(name, line), e.field, e.message) for e in error.errors)


def _json_elements(name: str, text: str, problems: list[Problem]) -> Iterator[tuple[int, Any]]:
    """Top-level records of a JSON file with the line each starts on."""
    decoder = json.JSONDecoder()
    start = _skip_space(text, 0)
    if text[start : start + 1] != "[":
        try:
            yield text.count("\n", 0, start) + 1, decoder.decode(text)
        except json.JSONDecodeError as error:
            problems.append(Problem(Location(name, error.lineno), "(record)", f"invalid JSON: {error.msg}"))
        return
    position = _skip_space(text, start + 1)
    while position < len(text) and text[position] != "]":
        try:
            value, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            problems.append(Problem(Location(name, error.lineno), "(record)", f"invalid JSON: {error.msg}"))
            return
        yield text.count("\n", 0, position) + 1, value
        position = _skip_space(text, end)
        if text[position : position + 1] == ",":
            position = _skip_space(text, position + 1)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _resolve_text_file(raw: Any, folder: Path | None) -> Any:
    """A document record may name its text by `text_file`, inside the record file's folder (a record
    from standard input has none: it gives its `text`)."""
    if not (isinstance(raw, dict) and raw.get("type") == "document" and "text_file" in raw):
        return raw
    if folder is None:
        message = "names a file beside the record file, and standard input has no folder: give the document's text instead"
        raise InvalidRecord([FieldError("text_file", message)])
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
