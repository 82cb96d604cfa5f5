"""`timeline export` and `timeline import`: the whole log out and back, byte for byte, views and all."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid

import orjson
import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import open_store
from tests.conftest import SEEDED_HEAD
from tests.e2e.conftest import rating
from tests.exports import event_lines, marked, unmarked
from tests.tables import dump_view
from timeline import chain_store
from timeline.application import Timeline
from timeline.chain import GENESIS, Verified, extend
from timeline.loader import FileRefused, read_record_file, store_record_file
from timeline.log_file import UNMARKED, UNVERIFIED, StoreNotEmpty, export_log, import_log
from timeline.parsing import parse_record
from timeline.seed import framework_files, seed_files

STORIES = SEEDED_HEAD - len(framework_files())  # the stories' events: the fixture loads no framework editions
# The source log (below): the stories, two ratings, a correction, a retraction, a document's two versions, a fact
# and the document's withdrawal.
LOGGED = STORIES + 8


def exported(database: str) -> bytes:
    timeline = Timeline(database)
    try:
        out = io.BytesIO()
        export_log(timeline, out)
        return out.getvalue()
    finally:
        timeline.close()


def imported(database: str, path) -> int:
    timeline = Timeline(database)
    try:
        return import_log(timeline, path)
    finally:
        timeline.close()


def every_view(database: str) -> dict[str, tuple[int, list]]:
    timeline, store = Timeline(database), open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        runner.catch_up()
        return {name: dump_view(runner, name) for name in runner.projections}
    finally:
        store.close()
        timeline.close()


def rechained(lines: list[dict]) -> list[dict]:
    """Lines with their chain links recomputed, as an export of a log holding them would carry."""
    events = [(line["position"], line["id"], line["version"], line["topic"], orjson.dumps(line["state"])) for line in lines]
    return [line | {"link": row.link} for line, row in zip(lines, extend(GENESIS, events), strict=True)]


@pytest.fixture
def source_log(tmp_path):
    """The seed, then a correction and a retraction, so every kind of event is in the log."""
    source = str(tmp_path / "source.sqlite3")
    timeline = Timeline(source)
    try:
        for path in seed_files():
            store_record_file(timeline, read_record_file(path))
        first, second = timeline.record([parse_record(rating()), parse_record(rating(subject="force/kent"))])
        timeline.correct(uuid.UUID(first.id), 1, {"occurred": "2019-05"}, "the report gives only the month")
        timeline.retract(uuid.UUID(second.id), 1, "wrong force")
        # A document's second version, and a fact quoting it beside a second source.
        page = {"type": "document", "id": "kent-page", "publisher": "Kent Online", "url": "https://example.org/kent",
                "published": "2019-05", "kind": "press", "text": "Kent Police was rated good."}  # fmt: skip
        fuller = page | {"text": "Kent Police was rated good. Its chief welcomed the report.", "reason": "the full article",
                         "archived_url": "https://web.archive.org/web/2019/https://example.org/kent"}  # fmt: skip
        timeline.record([parse_record(page)])
        timeline.record([parse_record(fuller)])
        quoted = {key: page[key] for key in ("publisher", "url", "published", "kind")}
        quoted |= {"document": "kent-page", "document_version": 2, "quote": "Its chief welcomed the report."}
        several = rating(subject="force/kent") | {"sources": [quoted, rating()["source"]]}
        del several["source"]
        timeline.record([parse_record(several)])
        timeline.withdraw_document("kent-page", "Kent Online took the article down")
    finally:
        timeline.close()
    return source


def test_export_then_import_then_export_is_byte_identical_and_every_view_answers_the_same(source_log, database, tmp_path):
    first = tmp_path / "log.ndjson"
    first.write_bytes(exported(source_log))

    assert imported(database, first) == LOGGED
    assert exported(database) == first.read_bytes()
    assert every_view(database) == every_view(source_log)


def test_an_export_keeps_positions_ids_versions_and_record_times(source_log):
    lines = [orjson.loads(line) for line in event_lines(exported(source_log))]
    timeline = Timeline(source_log)
    try:
        entries = timeline.log(0, 1000)
    finally:
        timeline.close()
    assert [line["position"] for line in lines] == [entry.position for entry in entries] == list(range(1, LOGGED + 1))
    assert [(line["id"], line["version"]) for line in lines] == [
        (str(entry.event.originator_id), entry.event.originator_version) for entry in entries
    ]
    assert [line["state"]["timestamp"]["_v"] for line in lines] == [entry.event.timestamp.isoformat() for entry in entries]


def test_positions_are_restored_as_they_were_even_across_gaps_and_new_writes_follow_them(source_log, database, tmp_path):
    # PostgreSQL's sequences leave gaps where transactions rolled back; a restore keeps them.
    lines = event_lines(exported(source_log))
    gapped = [orjson.dumps(line) for line in rechained([orjson.loads(line) | {"position": orjson.loads(line)["position"] * 10} for line in lines])]
    path = tmp_path / "gapped.ndjson"
    path.write_bytes(marked(gapped))

    imported(database, path)

    timeline = Timeline(database)
    try:
        assert [entry.position for entry in timeline.log(0, 1000)] == [10 * n for n in range(1, LOGGED + 1)]
        receipt = timeline.record([parse_record(rating())])[0]
        assert receipt.position > 10 * LOGGED
    finally:
        timeline.close()
    assert event_lines(exported(database))[: len(gapped)] == gapped


def test_import_refuses_a_store_that_already_holds_a_log(source_log, tmp_path):
    path = tmp_path / "log.ndjson"
    path.write_bytes(exported(source_log))
    with pytest.raises(StoreNotEmpty, match="empty store"):
        imported(source_log, path)


@pytest.mark.parametrize(
    ("mangle", "field", "reason"),
    [
        (lambda line: b"{not json", "line", "is not JSON"),
        (lambda line: orjson.dumps({k: v for k, v in orjson.loads(line).items() if k != "topic"}), "line", "give exactly"),
        (lambda line: orjson.dumps(orjson.loads(line) | {"topic": "os:system"}), "topic", "not an event this store records"),
        (lambda line: orjson.dumps(orjson.loads(line) | {"position": 1}), "position", "does not follow"),
        (lambda line: orjson.dumps(orjson.loads(line) | {"version": 3}), "version", "follows version"),
        (lambda line: orjson.dumps(orjson.loads(line) | {"id": "../etc/passwd"}), "id", "is a UUID"),
        (lambda line: orjson.dumps(orjson.loads(line) | {"state": {"timestamp": 1}}), "state", "missing ['data'"),
        (lambda line: _with_state(line, occurred="2017-03-02"), "state", "occurred is not"),
        (lambda line: _with_state(line, timestamp={"_t": "datetime", "_v": "yesterday"}), "state", "does not decode"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_naming_file_line_and_reason_and_stores_nothing(source_log, tmp_path, mangle, field, reason):
    lines = exported(source_log).splitlines()
    lines[9] = mangle(lines[9])
    path = tmp_path / "bad.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    target = str(tmp_path / "target.sqlite3")

    with pytest.raises(FileRefused) as refused:
        imported(target, path)

    assert [(p.location.line, p.field) for p in refused.value.problems][:1] == [(10, field)]
    assert reason in refused.value.problems[0].message
    assert event_lines(exported(target)) == []


def _with_state(line: bytes, **changes: object) -> bytes:
    event = orjson.loads(line)
    return orjson.dumps(event | {"state": event["state"] | changes})


def test_the_commands_export_to_a_file_and_import_it_with_the_views_built(source_log, tmp_path):
    path, target = tmp_path / "log.ndjson", str(tmp_path / "restored.sqlite3")
    timeline_command = [sys.executable, "-m", "timeline"]

    done = subprocess.run([*timeline_command, "export", "--database", source_log, "--output", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"exported {LOGGED} events" in done.stderr

    done = subprocess.run([*timeline_command, "import", "--database", target, str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"restored {LOGGED} events" in done.stdout and f"facts: rebuilt to position {LOGGED}" in done.stdout

    again = subprocess.run([*timeline_command, "import", "--database", target, str(path)], capture_output=True, text=True)
    assert again.returncode == 2 and "empty store" in again.stderr

    refused = subprocess.run([*timeline_command, "export", "--database", source_log, "--output", str(path)], capture_output=True, text=True)
    assert refused.returncode == 2 and "exists" in refused.stderr


def flip_one_byte(line: bytes) -> bytes:
    """Change the last digit of the record time's microseconds: still valid JSON, a valid event, another time."""
    at = line.index(b'+00:00"') - 1
    return line[:at] + str((int(line[at : at + 1]) + 1) % 10).encode() + line[at + 1 :]


@pytest.mark.finding("chain")
def test_an_export_carries_each_events_chain_link(source_log):
    lines = [orjson.loads(line) for line in event_lines(exported(source_log))]
    timeline = Timeline(source_log)
    try:
        assert [line["link"] for line in lines] == [row.link for row in chain_store.all_rows(timeline.recorder)]
        assert lines[-1]["link"] == timeline.chain_head()[1]
    finally:
        timeline.close()


@pytest.mark.finding("chain")
def test_an_export_with_one_byte_changed_is_refused_naming_the_line_and_its_link(source_log, tmp_path):
    lines = exported(source_log).splitlines()
    lines[9] = flip_one_byte(lines[9])
    path = tmp_path / "flipped.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    target = str(tmp_path / "target.sqlite3")

    with pytest.raises(FileRefused) as refused:
        imported(target, path)

    assert [str(p) for p in refused.value.problems] == [
        f"{path}:10: link: does not match the chain: this line's content (or its link) was changed",
        f"{path}:{len(lines)}: end: the sha256 of the lines before the end marker does not match it: the file was changed",
    ]
    assert event_lines(exported(target)) == []


@pytest.mark.finding("chain")
def test_an_export_made_before_the_chain_imports_reported_as_unverified_and_is_chained(source_log, database, tmp_path):
    original = exported(source_log)
    path = tmp_path / "old.ndjson"
    path.write_bytes(unmarked([orjson.dumps({k: v for k, v in orjson.loads(line).items() if k != "link"}) for line in event_lines(original)]))
    said: list[str] = []

    timeline = Timeline(database)
    try:
        import_log(timeline, path, unverified=said.append)
        assert isinstance(timeline.verify(), Verified)
    finally:
        timeline.close()
    assert said == [UNVERIFIED, UNMARKED]
    assert exported(database) == original  # the same events make the same chain


@pytest.mark.finding("chain")
def test_the_import_command_says_on_stderr_that_a_file_without_links_is_unverified(source_log, tmp_path):
    path = tmp_path / "old.ndjson"
    path.write_bytes(unmarked([orjson.dumps({k: v for k, v in orjson.loads(line).items() if k != "link"}) for line in event_lines(exported(source_log))]))
    result = subprocess.run(
        [sys.executable, "-m", "timeline", "import", str(path), "--database", str(tmp_path / "target.sqlite3")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"{path}: unverified: {UNVERIFIED}" in result.stderr
    assert f"{path}: unverified: {UNMARKED}" in result.stderr
