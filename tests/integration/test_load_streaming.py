"""`timeline load` reads a record file one record at a time: memory stays bounded, lines stay named."""

import json
import tracemalloc
import uuid

import orjson
import pytest

from timeline import loader
from timeline.application import Timeline
from timeline.bulk_load import load_record_file
from timeline.loader import KEPT_PROBLEMS, FileRefused, RecordStream, read_record_file


def fact(number: int) -> dict:
    return {
        "id": str(uuid.UUID(int=number + 1, version=4)),
        "type": "statement.made",
        "subject": "force/kent",
        "occurred": "2020-01-01",
        "data": {"speaker": "person/chief-kent", "role": "Chief Constable", "stance": "acknowledges", "summary": f"said {number}"},
        "source": {"publisher": "Local Paper", "url": "https://example.org/a", "published": "2020-01-01", "kind": "press"},
    }


def ndjson(path, count: int):
    with path.open("wb") as file:
        for number in range(count):
            file.write(orjson.dumps(fact(number)) + b"\n")
    return path


def peak_while_reading(path) -> int:
    tracemalloc.start()
    try:
        stream = RecordStream(path)
        assert sum(1 for _ in stream) > 0 and stream.problems.count == 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_large_ndjson_file_holds_no_more_memory_than_a_small_one(tmp_path):
    small = peak_while_reading(ndjson(tmp_path / "small.ndjson", 1_000))
    large = peak_while_reading(ndjson(tmp_path / "large.ndjson", 20_000))
    # Twenty times the records: held in a list, the peak would grow about twentyfold.
    assert large < 2 * small + 1_000_000, (small, large)


def test_a_json_array_is_read_element_by_element_across_chunks_with_each_records_line(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "CHUNK", 64)  # every record spans several reads
    path = tmp_path / "array.json"
    path.write_text(json.dumps([fact(n) for n in range(30)], indent=1))
    expected_lines = [n + 1 for n, line in enumerate(path.read_text().splitlines()) if line == " {"]
    read = read_record_file(path)
    assert [location.line for location in read.locations] == expected_lines
    assert [str(record.id) for record in read.records] == [fact(n)["id"] for n in range(30)]


def test_a_bad_element_of_a_json_array_is_named_by_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "CHUNK", 64)
    path = tmp_path / "array.json"
    path.write_text("[\n" + json.dumps(fact(0)) + ",\n" + json.dumps(fact(1))[:-5] + "\n]\n")
    with pytest.raises(FileRefused) as refused:
        read_record_file(path)
    assert [(p.location.line, p.field) for p in refused.value.problems] == [(3, "(record)")]


def test_a_file_of_many_bad_records_keeps_the_first_problems_and_counts_them_all(tmp_path):
    path = tmp_path / "bad.ndjson"
    path.write_bytes(b"".join(orjson.dumps(fact(n) | {"subject": "nobody"}) + b"\n" for n in range(KEPT_PROBLEMS * 3)))
    with pytest.raises(FileRefused) as refused:
        read_record_file(path)
    assert refused.value.count == KEPT_PROBLEMS * 3
    assert [p.location.line for p in refused.value.problems] == list(range(1, KEPT_PROBLEMS + 1))


def test_bytes_that_are_not_utf8_in_a_later_chunk_are_named_by_their_offset_in_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "CHUNK", 16)
    path = tmp_path / "array.json"
    good = ("[" + json.dumps(fact(0)) + ",").encode()
    path.write_bytes(good + b'{"caf\xe9": 1}]')
    with pytest.raises(FileRefused) as refused:
        read_record_file(path)
    assert [str(p) for p in refused.value.problems][-1] == f"{path}: cannot be read: not UTF-8 text (invalid continuation byte at byte {len(good) + 5})"


def peak_while_loading(path, database) -> int:
    app = Timeline(database)
    tracemalloc.start()
    try:
        loaded = load_record_file(app, RecordStream(path))
        assert loaded.new > 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        app.close()


def test_loading_a_large_ndjson_file_holds_no_more_memory_than_a_small_one(tmp_path):
    small = peak_while_loading(ndjson(tmp_path / "small.ndjson", 2_000), str(tmp_path / "small.sqlite3"))
    large = peak_while_loading(ndjson(tmp_path / "large.ndjson", 20_000), str(tmp_path / "large.sqlite3"))
    # Ten times the records: held in a list (or as aggregates) until the commit, the peak would grow about tenfold.
    assert large < 2 * small + 1_000_000, (small, large)
