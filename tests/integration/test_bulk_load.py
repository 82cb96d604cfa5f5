"""`timeline load`'s bulk path stores exactly what the one write path (`Timeline.record`) stores, and stages
a file before one short commit: all of it, or (refused) none of it."""

import re
import tempfile
import threading
import uuid
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline import authors, idempotency_keys
from timeline.application import Timeline
from timeline.bulk_load import load_record_file
from timeline.chain import Verified
from timeline.chain_store import _rows, dialect
from timeline.loader import FileRefused, RecordStream, read_record_file, store_record_file

TEXTS = [
    "The force was graded good at keeping people safe and reducing crime.",
    "Crime fell by a tenth over the year, the chief constable said on Monday.",
    "Inspectors found the force requires improvement in how it protects vulnerable people.",
]
STANCES = ["welcomes", "disputes", "acknowledges", "criticises"]
OCCURRED = ["2020-03-01", "2020-03", "2020", "2020-21", "2020~"]  # each kind of date a load meets often


def document(number: int, text: str) -> dict:
    return {
        "type": "document", "id": f"doc-{number}", "title": f"Report {number}", "publisher": "HMICFRS",
        "url": f"https://example.org/report-{number}", "published": "2020-01-01", "kind": "official", "text": text,
    }


@st.composite
def record_files(draw: st.DrawFn) -> list[dict]:
    """Documents, facts that quote them (now and then wrongly), name others, cite further sources and dispute or
    support earlier facts (now and then ones not recorded), and records sent again."""
    documents = [document(n, draw(st.sampled_from(TEXTS))) for n in range(draw(st.integers(0, 3)))]
    records: list[dict] = list(documents)
    facts: list[dict] = []
    for number in range(draw(st.integers(1, 10))):
        source = {"publisher": "Local Paper", "url": "https://example.org/paper", "published": "2020-02-01", "kind": "press"}
        if documents and draw(st.booleans()):
            cited = draw(st.sampled_from(documents))
            words = cited["text"].split()
            start = draw(st.integers(0, len(words) - 1))
            quote = " ".join(words[start : draw(st.integers(start + 1, len(words)))])
            if draw(st.integers(0, 9)) == 0:
                quote = "words the report never says"
            source = {k: cited[k] for k in ("publisher", "url", "published", "kind")} | {"document": cited["id"], "quote": quote}
        fact = {
            "id": str(uuid.UUID(int=draw(st.integers(1, 2**64)), version=4)), "type": "statement.made", "subject": "force/kent",
            "occurred": draw(st.sampled_from(OCCURRED)), "source": source,
            "data": {"speaker": "person/chief-kent", "role": "Chief Constable", "stance": draw(st.sampled_from(STANCES)), "summary": f"said {number}"},
        }
        if draw(st.booleans()):
            fact["mentions"] = draw(st.lists(st.sampled_from(["person/chief-kent", "force/testshire", "org/hmicfrs"]), unique=True, max_size=2))
        if draw(st.integers(0, 3)) == 0:  # several sources: the same claim reported elsewhere too
            fact["sources"] = [source, {"publisher": "Other Paper", "url": "https://example.org/other", "published": draw(st.sampled_from(OCCURRED)), "kind": "press"}]
        if draw(st.integers(0, 2)) == 0:
            linked = draw(st.sampled_from(facts))["id"] if facts and draw(st.integers(0, 9)) else str(uuid.uuid4())
            fact[draw(st.sampled_from(["disputes", "supports"]))] = [linked]
        facts.append(fact)
        records.append(fact)
    for again in draw(st.lists(st.sampled_from(records), max_size=3)):
        records.insert(draw(st.integers(records.index(again) + 1, len(records))), again)
    return records


TIMESTAMP = re.compile(rb'"timestamp":\{"_t":"datetime","_v":"[^"]*"\}')


def stored(app: Timeline) -> list[tuple]:
    """The log as stored, each event's record time left out."""
    return [(entry.topic, str(entry.originator_id).replace("-", ""), entry.originator_version, TIMESTAMP.sub(b"", entry.state)) for entry in app.iter_log()]


def side_tables(app: Timeline) -> tuple:
    names = dialect(app.recorder)
    with app.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {names.table(idempotency_keys.TABLE)}")
        keys = _rows(cursor)[0][0]
    return (authors.between(app.recorder, 0, app.head()), keys)


def outcome(store: callable) -> list[tuple]:
    try:
        store()
    except FileRefused as error:
        return [(p.location.line, p.field) for p in error.problems]
    return []


@settings(max_examples=60)
@given(record_files())
def test_the_bulk_path_stores_what_the_write_path_stores(records):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.ndjson"
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
        one, bulk = Timeline(str(Path(folder) / "one.sqlite3")), Timeline(str(Path(folder) / "bulk.sqlite3"))
        try:
            refused = outcome(lambda: store_record_file(one, read_record_file(path)))
            assert outcome(lambda: load_record_file(bulk, RecordStream(path))) == refused
            assert stored(bulk) == stored(one)
            assert side_tables(bulk) == side_tables(one)
            verified = bulk.verify()
            assert isinstance(verified, Verified) and verified.events == len(stored(one))
        finally:
            one.close()
            bulk.close()


def statement(number: int) -> bytes:
    return orjson.dumps({
        "id": str(uuid.UUID(int=number + 1, version=4)), "type": "statement.made", "subject": "force/kent", "occurred": "2020-03-01",
        "source": {"publisher": "Local Paper", "url": "https://example.org/paper", "published": "2020-02-01", "kind": "press"},
        "data": {"speaker": "person/chief-kent", "role": "Chief Constable", "stance": "welcomes", "summary": f"said {number}"},
    })


def facts_file(path: Path, count: int, offset: int = 0) -> Path:
    path.write_bytes(b"\n".join(statement(number) for number in range(offset, offset + count)) + b"\n")
    return path


def test_a_load_goes_after_what_the_log_holds_and_a_second_load_of_it_adds_nothing(database, tmp_path):
    app = Timeline(database)
    try:
        app.record(read_record_file(facts_file(tmp_path / "first.ndjson", 3)).records)
        path = facts_file(tmp_path / "more.ndjson", 2000)  # its first three are stored already
        loaded = load_record_file(app, RecordStream(path))
        assert (loaded.facts, loaded.new, loaded.head) == (2000, 1997, 2000)
        again = load_record_file(app, RecordStream(path))
        assert (again.new, again.head) == (0, 2000)
        verified = app.verify()
        assert isinstance(verified, Verified) and verified.events == 2000
    finally:
        app.close()


def test_a_refused_file_stores_nothing_even_when_its_bad_record_comes_after_a_thousand_good_ones(database, tmp_path):
    path = facts_file(tmp_path / "records.ndjson", 1500)
    with path.open("ab") as file:
        file.write(orjson.dumps({**orjson.loads(path.read_bytes().splitlines()[0]), "id": str(uuid.uuid4()), "disputes": [str(uuid.uuid4())]}) + b"\n")
    app = Timeline(database)
    try:
        with pytest.raises(FileRefused) as refused:
            load_record_file(app, RecordStream(path))
        assert [(p.location.line, p.field) for p in refused.value.problems] == [(1501, "disputes")]
        assert app.head() == 0
    finally:
        app.close()


def test_another_writer_is_not_held_up_while_a_file_is_staged(sqlite_database, tmp_path):
    path = facts_file(tmp_path / "records.ndjson", 3000)
    app, other = Timeline(sqlite_database), Timeline(sqlite_database)
    written: list[int] = []

    def write_between(line: int) -> None:
        if line % 1000 == 0:  # mid-file: the load holds no lock yet, so this commit goes through at once
            (receipt,) = other.record(read_record_file(facts_file(tmp_path / f"other-{line}.ndjson", 1, offset=10_000 + line)).records)
            written.append(receipt.position)

    try:
        loaded = load_record_file(app, RecordStream(path), progress=write_between)
        assert written == [1, 2, 3] and loaded.head == 3003
        verified = app.verify()
        assert isinstance(verified, Verified) and verified.events == 3003
    finally:
        app.close()
        other.close()


def test_a_load_into_a_log_written_since_its_records_were_staged_is_refused_whole(sqlite_database, tmp_path):
    path = facts_file(tmp_path / "records.ndjson", 1200)
    app, other = Timeline(sqlite_database), Timeline(sqlite_database)
    clash = read_record_file(facts_file(tmp_path / "clash.ndjson", 1, offset=1100)).records

    def clash_once(line: int) -> None:
        if line == 1200:  # the last record is staged: another writer stores one of the file's ids first
            other.record(clash)

    try:
        with pytest.raises(FileRefused) as refused:
            load_record_file(app, RecordStream(path), progress=clash_once)
        assert "another writer" in refused.value.problems[0].message
        assert app.head() == 1
    finally:
        app.close()
        other.close()


def test_loads_from_two_threads_both_land_whole_with_one_chain(sqlite_database, tmp_path):
    paths = [facts_file(tmp_path / f"file-{n}.ndjson", 1500, offset=n * 10_000) for n in range(2)]
    apps = [Timeline(sqlite_database) for _ in paths]
    threads = [threading.Thread(target=load_record_file, args=(app, RecordStream(path))) for app, path in zip(apps, paths, strict=True)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        verified = apps[0].verify()
        assert isinstance(verified, Verified) and verified.events == 3000
    finally:
        for app in apps:
            app.close()


def test_a_write_between_the_staged_chain_and_the_commit_is_chained_before_the_load(sqlite_database, tmp_path, monkeypatch):
    from timeline.staging import Staging

    path = facts_file(tmp_path / "records.ndjson", 1200)
    app, other = Timeline(sqlite_database), Timeline(sqlite_database)
    between = read_record_file(facts_file(tmp_path / "between.ndjson", 1, offset=50_000)).records
    chain_after = Staging.chain_after

    def then_another_write(staging: Staging, position: int, link: str) -> None:
        chain_after(staging, position, link)  # the load links its events after the head it saw...
        other.record(between)  # ...and another writer commits before the load takes the lock

    monkeypatch.setattr(Staging, "chain_after", then_another_write)
    try:
        loaded = load_record_file(app, RecordStream(path))
        assert loaded.head == 1201 and app.fact(between[0].id).history[0].position == 1
        verified = app.verify()
        assert isinstance(verified, Verified) and verified.events == 1201
    finally:
        app.close()
        other.close()
