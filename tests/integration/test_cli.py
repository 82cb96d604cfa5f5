"""The `timeline` command, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDED_HEAD
from timeline.seed import framework_files, seed_files


def timeline(*args: str, database: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "timeline", *args, "--database", database],
        capture_output=True, text=True, timeout=120, cwd=cwd,
    )


def fact_line(**changes) -> str:
    body = {
        "type": "role.held", "subject": "person/jon-boutcher", "occurred": "2017-03-02",
        "data": {"role": "Chief Constable", "organisation": "force/bedfordshire"},
        "source": {"publisher": "The Comet", "url": "https://example.org/comet", "published": "2017-03-02", "kind": "press"},
    }
    return json.dumps(body | changes)


def test_load_prints_counts_and_loading_again_adds_nothing(sqlite_database):
    files = [str(p) for p in seed_files()]
    first = timeline("load", *files, database=sqlite_database)
    assert first.returncode == 0, first.stderr
    assert "20 facts, 0 documents (20 new, 0 already stored)" in first.stdout  # the article's file
    second = timeline("load", *files, database=sqlite_database)
    assert "(0 new, 20 already stored)" in second.stdout
    stories = SEEDED_HEAD - len(framework_files())
    assert first.stdout.splitlines()[-1] == second.stdout.splitlines()[-1] == f"log head: {stories}"


def test_a_file_with_an_invalid_record_is_reported_by_file_and_line_and_stores_nothing(sqlite_database, tmp_path):
    bad = tmp_path / "facts.ndjson"
    bad.write_text("\n".join([fact_line(), "", fact_line(occurred="spring 2017"), "{not json"]) + "\n")
    result = timeline("load", str(bad), database=sqlite_database)
    assert result.returncode == 1
    assert f"{bad}:3: occurred: 'spring 2017' is not a valid EDTF date" in result.stderr
    assert f"{bad}:4: (record): invalid JSON" in result.stderr
    assert "refused, nothing stored" in result.stderr
    assert timeline("log", database=sqlite_database).stdout == ""


def document_line(text_file: str) -> str:
    return json.dumps({"type": "document", "id": "notes", "publisher": "Newsroom", "url": "https://example.org/notes",
                       "published": "2017-03-02", "kind": "statement", "text_file": text_file})


@pytest.mark.parametrize("escape", ["absolute", "dotdot", "symlink"])
@pytest.mark.finding(8)
def test_a_text_file_outside_the_record_files_folder_is_refused_and_nothing_is_stored(sqlite_database, tmp_path, escape, report):
    folder, secret = tmp_path / "records", tmp_path / "secret.txt"
    folder.mkdir()
    secret.write_text("the operator's private notes\n")
    name = {"absolute": str(secret), "dotdot": "../secret.txt", "symlink": "link.txt"}[escape]
    if escape == "symlink":
        (folder / "link.txt").symlink_to(secret)
    records = folder / "documents.ndjson"
    records.write_text(document_line(name) + "\n")
    result = timeline("load", str(records), database=sqlite_database)
    assert result.returncode == 1
    assert f"{records}:1: text_file: " in result.stderr and "outside" in result.stderr, result.stderr
    assert timeline("log", database=sqlite_database).stdout == ""
    if escape == "symlink":
        report.append("timeline load: a text_file outside the record file's folder (absolute, ../, symlink) was refused; nothing stored")


@pytest.mark.finding(8)
def test_a_text_file_in_a_subfolder_of_the_record_file_is_read(sqlite_database, tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "notes.txt").write_text("What was said.\n")
    records = tmp_path / "documents.ndjson"
    records.write_text(document_line("texts/notes.txt") + "\n")
    result = timeline("load", str(records), database=sqlite_database)
    assert result.returncode == 0, result.stderr


def test_a_json_array_file_reports_the_line_each_bad_record_starts_on(sqlite_database, tmp_path):
    bad = tmp_path / "facts.json"
    bad.write_text("[\n  " + fact_line() + ",\n  " + fact_line(subject="people/x") + "\n]\n")
    result = timeline("load", str(bad), database=sqlite_database)
    assert result.returncode == 1
    assert f"{bad}:3: subject:" in result.stderr


def test_a_good_file_loads_even_when_another_file_is_refused(sqlite_database, tmp_path):
    good, bad = tmp_path / "good.ndjson", tmp_path / "bad.ndjson"
    good.write_text(fact_line() + "\n")
    bad.write_text(fact_line(type="rumour.heard") + "\n")
    result = timeline("load", str(bad), str(good), database=sqlite_database)
    assert result.returncode == 1
    assert f"{good}: 1 facts, 0 documents (1 new, 0 already stored)" in result.stdout
    listed = timeline("facts", "--json", database=sqlite_database).stdout.splitlines()
    assert [json.loads(line)["subject"] for line in listed] == ["person/jon-boutcher"]


def test_log_lists_events_with_positions_and_record_times(sqlite_database, tmp_path):
    path = tmp_path / "one.ndjson"
    path.write_text(fact_line() + "\n")
    timeline("load", str(path), database=sqlite_database)
    (line,) = timeline("log", "--json", database=sqlite_database).stdout.splitlines()
    entry = json.loads(line)
    assert (entry["position"], entry["event"], entry["version"]) == (1, "fact.recorded", 1)
    assert entry["recorded_at"].endswith("+00:00")


def test_the_database_defaults_to_timeline_sqlite3_in_the_working_folder(tmp_path):
    path = tmp_path / "one.ndjson"
    path.write_text(fact_line() + "\n")
    result = subprocess.run([sys.executable, "-m", "timeline", "load", str(path)], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "timeline.sqlite3").exists()


def test_rebuild_replays_the_log_and_prints_the_final_position(sqlite_database):
    timeline("load", *map(str, seed_files()), database=sqlite_database)
    result = timeline("rebuild", database=sqlite_database)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    stories = SEEDED_HEAD - len(framework_files())
    assert lines[0].startswith(f"facts: rebuilt to position {stories}, {stories} events at ")
    assert lines[1].startswith(f"documents: rebuilt to position {stories}")
    assert lines[0].endswith(" events/s")


def test_rebuild_names_the_views_when_given_an_unknown_one(sqlite_database):
    result = timeline("rebuild", "everything", database=sqlite_database)
    assert result.returncode == 2
    assert "unknown view everything; views are facts, documents" in result.stderr


@pytest.mark.finding(14)
def test_the_start_up_banner_masks_the_database_password(capsys, report):
    from timeline.cli import _announce
    from timeline.config import Settings

    _announce(Settings(database="postgresql://ann:s3cret-pw@db.example:5432/news?schema=tl"))("")
    banner = capsys.readouterr().out
    assert "s3cret-pw" not in banner
    assert "postgresql://ann:***@db.example:5432/news?schema=tl" in banner
    report.append("start-up banner: the database password is masked")
