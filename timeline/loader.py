"""Reading record files (NDJSON, JSON holding one record or an array, or a facts CSV) with each record's line."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

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
    """A file had invalid records; none of its records is stored. `problems` are the first of them (`count` in all)."""

    def __init__(self, problems: list[Problem], count: int | None = None):
        self.problems = problems
        self.count = len(problems) if count is None else count
        super().__init__("\n".join(map(str, problems)))


STDIN = Path("-")  # `timeline load -`: the records come on standard input
STDIN_NAME = "<stdin>"  # how a problem names standard input
KEPT_PROBLEMS = 100  # a refused file's first problems are kept; the rest are only counted
CHUNK = 1 << 20  # bytes read at a time from a JSON document


class Problems:
    """A file's problems: the first KEPT_PROBLEMS kept, all counted (a file of a million bad records
    must not hold a million messages)."""

    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.kept) < KEPT_PROBLEMS:
            self.kept.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def refusal(self) -> FileRefused:
        return FileRefused(self.kept, self.count)


class RecordStream:
    """A record file read, parsed and validated one record at a time: iterate it for each valid record and
    its location; `problems` gathers what was refused on the way, so the whole file is read either way.

    A `.csv` file (or CSV on standard input) holds one fact a row (timeline.formats.facts_csv); any other
    file holds JSON: one record, an array of records, or NDJSON, told apart by what it holds, not by its name."""

    def __init__(self, path: Path, stdin: BinaryIO | bytes | None = None) -> None:
        self.path = path
        self.name = STDIN_NAME if path == STDIN else str(path)
        self.problems = Problems()
        self._stdin = io.BytesIO(stdin) if isinstance(stdin, bytes) else stdin
        self._folder = None if path == STDIN else path.parent  # a record from standard input has no folder to read a text_file in

    def __iter__(self) -> Iterator[tuple[Location, Record]]:
        for index, (line, raw) in enumerate(self._raw_records()):
            location = Location(self.name, line)
            try:
                yield location, parse_record(_resolve_text_file(raw, self._folder), index)
            except InvalidRecord as error:
                self.problems.extend(Problem(location, e.field, e.message) for e in error.errors)

    def _raw_records(self) -> Iterator[tuple[int, Any]]:
        try:
            stream = self._open()
        except OSError as error:
            self.problems.add(Problem(Location(self.name), None, f"cannot be read: {error.strerror or error}"))
            return
        with stream as opened:
            try:
                yield from self._records_in(_Sniffed(opened))
            except UnicodeDecodeError as error:
                self.problems.add(Problem(Location(self.name), None, f"cannot be read: not UTF-8 text ({error.reason} at byte {error.start})"))
            except OSError as error:
                self.problems.add(Problem(Location(self.name), None, f"cannot be read: {error.strerror or error}"))

    def _open(self) -> AbstractContextManager[BinaryIO]:
        if self.path != STDIN:
            return self.path.open("rb")
        return nullcontext(self._stdin or io.BytesIO())  # standard input is not ours to close

    def _records_in(self, file: _Sniffed) -> Iterator[tuple[int, Any]]:
        first = file.first_character()
        if self.path.suffix.lower() == ".csv" or (self.path == STDIN and first not in (b"{", b"[", b"")):
            yield from _csv_rows(self.name, file, self.problems)
        elif self.path.suffix in (".ndjson", ".jsonl") or (first == b"{" and file.is_ndjson()):
            yield from _ndjson_lines(self.name, file, self.problems)
        else:
            yield from _json_elements(self.name, file, self.problems)


@dataclass(frozen=True)
class RecordFile:
    path: Path
    records: list[Record]
    locations: list[Location]

    def locate(self, index: int | None) -> Location:
        return self.locations[index] if index is not None else Location(str(self.path))


def read_record_file(path: Path, stdin: BinaryIO | bytes | None = None) -> RecordFile:
    """Every record of a small file (the seed, a test's) in memory; raise FileRefused listing its problems.
    `timeline load` streams instead (`RecordStream`)."""
    stream = RecordStream(path, stdin)
    records: list[Record] = []
    locations: list[Location] = []
    for location, record in stream:
        records.append(record)
        locations.append(location)
    if stream.problems.count:
        raise stream.problems.refusal()
    return RecordFile(Path(stream.name), records, locations)


class _Sniffed:
    """A byte stream whose start has been looked at (to tell NDJSON from a JSON document) and is read again."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._head = b""
        self._eof = False
        self.offset = 0  # bytes handed out so far, to name where undecodable bytes are

    def _peek(self, size: int) -> bytes:
        while len(self._head) < size and not self._eof:
            chunk = self._stream.read(max(CHUNK, size - len(self._head)))
            self._eof = not chunk
            self._head += chunk
        return self._head

    def first_character(self) -> bytes:
        """The first character that is not space (after a byte order mark), or b"" for an empty file."""
        size = 4096
        while True:
            head = self._peek(size)
            text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
            if text or self._eof:
                return text[:1]
            size *= 2

    def is_ndjson(self) -> bool:
        """Whether JSON text is a record a line: its first line is a whole JSON value, and more lines follow it."""
        size = 4096
        while True:
            head = self._peek(size).removeprefix(b"\xef\xbb\xbf")
            lines = head.split(b"\n")
            filled = [line for line in lines[:-1] if line.strip()]
            if len(filled) >= 2 or (len(filled) == 1 and lines[-1].strip()) or self._eof:
                break
            size *= 2
        filled = [line for line in head.split(b"\n") if line.strip()]
        if len(filled) < 2:
            return False
        try:
            orjson.loads(filled[0])
        except orjson.JSONDecodeError:
            return False  # a value spread over lines: one JSON document (an array, or a record laid out)
        return True

    def read(self, size: int) -> bytes:
        if self._head:
            chunk, self._head = self._head[:size], self._head[size:]
        else:
            chunk = self._stream.read(size)
        self.offset += len(chunk)
        return chunk

    def lines(self) -> Iterator[bytes]:
        """The bytes' lines, each with its newline (the last perhaps without)."""
        rest = b""
        while chunk := self.read(CHUNK):
            pieces = (rest + chunk).split(b"\n")
            rest = pieces.pop()
            for piece in pieces:
                yield piece + b"\n"
        if rest:
            yield rest

    def text(self) -> Iterator[str]:
        """The text in chunks, checked as UTF-8 (UnicodeDecodeError naming the byte in the whole file)."""
        decoder = codecs.getincrementaldecoder("utf-8")()
        first = True
        while True:
            start = self.offset - len(decoder.getstate()[0])  # where the bytes decoded next begin in the file
            chunk = self.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                raise UnicodeDecodeError("utf-8", chunk, start + error.start, start + error.end, error.reason) from None
            if first:
                text, first = text.removeprefix("\ufeff"), False  # the byte order mark spreadsheets put before UTF-8
            if text:
                yield text
            if not chunk:
                return


def _decoded(line: bytes, offset: int) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnicodeDecodeError("utf-8", line, offset + error.start, offset + error.end, error.reason) from None


def _ndjson_lines(name: str, file: _Sniffed, problems: Problems) -> Iterator[tuple[int, Any]]:
    offset = 0
    for number, line in enumerate(file.lines(), start=1):
        text = _decoded(line, offset)
        offset += len(line)
        if number == 1:
            text = text.removeprefix("\ufeff")
        if text.strip():
            try:
                yield number, orjson.loads(text)
            except orjson.JSONDecodeError as error:
                problems.add(Problem(Location(name, number), "(record)", f"invalid JSON: {error}"))


def _text_lines(file: _Sniffed) -> Iterator[str]:
    rest = ""
    for text in file.text():
        pieces = (rest + text).split("\n")
        rest = pieces.pop()
        for piece in pieces:
            yield piece + "\n"
    if rest:
        yield rest


def _csv_rows(name: str, file: _Sniffed, problems: Problems) -> Iterator[tuple[int, Any]]:
    """Each row of a facts CSV as the JSON record it stands for, with the line it starts on."""
    reader = csv.reader(_text_lines(file), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        problems.add(Problem(Location(name, 1), "(header)", f"is not CSV: {error}"))
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
            problems.add(Problem(Location(name, start), "(row)", f"is not CSV: {error}"))
            return
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # a blank row between facts
        try:
            yield line, record_from_row(header, cells)
        except InvalidRecord as error:
            problems.extend(Problem(Location(name, line), e.field, e.message) for e in error.errors)


class _JSONText:
    """A JSON document's text, read a chunk at a time and dropped once decoded, with the line each part is on."""

    def __init__(self, file: _Sniffed) -> None:
        self._chunks = file.text()
        self.text = ""
        self.position = 0
        self.line = 1  # the line `text` starts on
        self.eof = False

    def more(self) -> bool:
        """Read more (as much again as is held, so a long value is re-decoded a bounded number of times); False at the end."""
        self.text, self.position = self.text[self.position :], 0
        wanted = max(CHUNK, len(self.text))
        added = 0
        while added < wanted:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                break
            self.text += chunk
            added += len(chunk)
        return added > 0

    def skip_space(self) -> str:
        """The next character that is not space ("" at the end of the text)."""
        while True:
            while self.position < len(self.text) and self.text[self.position] in " \t\r\n":
                if self.text[self.position] == "\n":
                    self.line += 1
                self.position += 1
            if self.position < len(self.text) or not self.more():
                return self.text[self.position : self.position + 1]

    def advance(self, end: int) -> None:
        self.line += self.text.count("\n", self.position, end)
        self.position = end


def _json_elements(name: str, file: _Sniffed, problems: Problems) -> Iterator[tuple[int, Any]]:
    """Top-level records of a JSON document (one record, or an array of them) with the line each starts on."""
    decoder = json.JSONDecoder()
    text = _JSONText(file)

    def decode() -> Any:
        while True:
            try:
                value, end = decoder.raw_decode(text.text, text.position)
            except json.JSONDecodeError as error:
                if not text.eof and text.more():
                    continue  # the value may go on in the text not read yet
                problems.add(Problem(Location(name, text.line + error.lineno - 1 - text.text.count("\n", 0, text.position)), "(record)", f"invalid JSON: {error.msg}"))
                return _INVALID
            line = text.line
            text.advance(end)
            return line, value

    if text.skip_space() != "[":
        while text.more():
            pass  # one record: the whole document, decoded whole so that anything after it is refused
        try:
            yield text.line, decoder.decode(text.text)
        except json.JSONDecodeError as error:
            problems.add(Problem(Location(name, error.lineno), "(record)", f"invalid JSON: {error.msg}"))
        return
    text.advance(text.position + 1)
    while text.skip_space() not in ("]", ""):
        found = decode()
        if found is _INVALID:
            return
        yield found
        if text.skip_space() == ",":
            text.advance(text.position + 1)


_INVALID = object()


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
