"""`timeline import` does not trust its file (issue 16, finding 7).

Each event is checked by the rules a record keeps to enter the log, as its class's current version
reads it once upcast: a `javascript:` URL, a subject that is not one, a quote missing from its document
are refused with file, line and reason, and nothing is stored. The hostile lines here are given true
chain links and end markers, as a forger would give them: only the rules can catch them. An export
ends with a marker and a checksum, so one cut short is refused; an export from before the marker
still imports, reported as unverified.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.exports import event_lines, marked, unmarked
from tests.integration.test_log_file import exported, imported, rechained, source_log  # noqa: F401 - the fixture
from timeline.loader import FileRefused
from timeline.log_file import UNMARKED, UNVERIFIED

pytestmark = pytest.mark.finding(7)

OLD_EXPORT = Path(__file__).parent.parent / "fixtures" / "export-b81eb81.ndjson"
FACT = "timeline.facts:Fact.Recorded"
DOCUMENT = "timeline.sources:Document.Recorded"


def quoting_fact(line: dict) -> bool:
    return line["topic"] == FACT and "quote" in line["state"]["source"]["_v"]


def set_url(state: dict) -> None:
    state["source"]["_v"]["url"] = "javascript:alert(document.cookie)"


def set_subject(state: dict) -> None:
    state["subject"] = "not a subject"


def set_quote(state: dict) -> None:
    state["source"]["_v"]["quote"] = "Bedfordshire Police is the best force in the country."


def set_text(state: dict) -> None:
    state["text"] += " And a sentence added after the sha256 was taken."


def set_dispute(state: dict) -> None:
    state["disputes"] = ["00000000-0000-4000-8000-000000000000"]


def set_occurred(state: dict) -> None:
    state["occurred"]["_v"][0] = "[" + ",".join(f"2017-01-{day:02}" for day in range(1, 29)) + "]"  # 300 characters of EDTF set


HOSTILE: list[tuple[str, Callable[[dict], bool], Callable[[dict], None], str, str]] = [
    ("javascript URL", quoting_fact, set_url, "source.url", "is not a web address"),
    ("not a subject", quoting_fact, set_subject, "subject", "not a subject"),
    ("quote not in its document", quoting_fact, set_quote, "source.quote", "does not occur in document"),
    ("text changed under its sha256", lambda line: line["topic"] == DOCUMENT, set_text, "sha256", "does not match the text"),
    ("dispute of a fact never recorded", quoting_fact, set_dispute, "disputes", "no fact 00000000-0000-4000-8000-000000000000"),
    ("EDTF past its length", quoting_fact, set_occurred, "occurred", "at most 100 characters"),
]


def forged(source: str, pick: Callable[[dict], bool], change: Callable[[dict], None]) -> tuple[bytes, int]:
    """The source log's export with one line changed, its chain links and end marker made true again; the
    changed line's number in the file (the header is line 1)."""
    lines = [orjson.loads(line) for line in event_lines(exported(source))]
    index = next(i for i, line in enumerate(lines) if pick(line))
    change(lines[index]["state"])
    return marked([orjson.dumps(line) for line in rechained(lines)]), index + 2


@pytest.mark.parametrize(("case", "pick", "change", "field", "reason"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_a_record_the_api_would_refuse_is_refused_naming_file_line_and_reason_and_nothing_is_stored(
    source_log, tmp_path, case, pick, change, field, reason,
):
    body, line = forged(source_log, pick, change)
    path, target = tmp_path / "forged.ndjson", str(tmp_path / "target.sqlite3")
    path.write_bytes(body)

    with pytest.raises(FileRefused) as refused:
        imported(target, path)

    problem = refused.value.problems[0]
    assert (problem.location.file, problem.location.line, problem.field) == (str(path), line, field), str(problem)
    assert reason in problem.message
    assert event_lines(exported(target)) == []


def test_the_import_command_refuses_a_forged_file_with_a_non_zero_exit_and_one_line_per_problem(source_log, tmp_path, report):
    body, line = forged(source_log, quoting_fact, set_url)
    path, target = tmp_path / "forged.ndjson", str(tmp_path / "target.sqlite3")
    path.write_bytes(body)

    done = subprocess.run([sys.executable, "-m", "timeline", "import", "--database", target, str(path)], capture_output=True, text=True, timeout=120)

    assert done.returncode == 1
    assert f"{path}:{line}: source.url: " in done.stderr and "javascript:" in done.stderr
    assert f"{path}: refused, nothing stored" in done.stderr
    assert event_lines(exported(target)) == []
    report.append("import: javascript: URLs, non-subjects, quotes not in their documents (and 3 more) refused by file:line, nothing stored")


def test_an_old_version_of_an_event_is_judged_as_upcast(tmp_path):
    """The b81eb81 log's facts are Fact.Recorded of version 1 (no disputes or supports): the rules still apply."""
    lines = OLD_EXPORT.read_bytes().splitlines()
    index = next(i for i, raw in enumerate(lines) if quoting_fact(orjson.loads(raw)))
    line = orjson.loads(lines[index])
    assert "disputes" not in line["state"]  # an event stored before links existed
    set_url(line["state"])
    lines[index] = orjson.dumps(line)
    path = tmp_path / "old-forged.ndjson"
    path.write_bytes(unmarked(lines))

    with pytest.raises(FileRefused) as refused:
        imported(str(tmp_path / "target.sqlite3"), path)

    assert [(p.location.line, p.field) for p in refused.value.problems] == [(index + 1, "source.url")]


def test_an_export_cut_short_is_refused_whole(source_log, tmp_path):
    whole = exported(source_log)
    path, target = tmp_path / "first-20-lines.ndjson", str(tmp_path / "target.sqlite3")
    path.write_bytes(b"".join(line + b"\n" for line in whole.splitlines()[:20]))

    with pytest.raises(FileRefused) as refused:
        imported(target, path)

    assert [str(p) for p in refused.value.problems] == [
        f"{path}:20: file: ends at line 20 without its end marker: the export is cut short, and refused whole"
    ]
    assert event_lines(exported(target)) == []
    done = subprocess.run([sys.executable, "-m", "timeline", "import", "--database", target, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "without its end marker" in done.stderr


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda lines: lines[:5] + lines[6:], "lines were removed or added"),  # a line dropped from the middle
        (lambda lines: [*lines[:-1], lines[-1], lines[-1]], "follows the end marker"),  # something after the end
        (lambda lines: [lines[0], *lines[1:-1], lines[-1].replace(b'"sha256":"', b'"sha256":"0')], "does not match it"),
    ],
    ids=["a line dropped", "a line after the end", "a checksum altered"],
)
def test_an_export_whose_end_marker_does_not_match_it_is_refused(source_log, tmp_path, change, reason):
    path, target = tmp_path / "changed.ndjson", str(tmp_path / "target.sqlite3")
    path.write_bytes(b"".join(line + b"\n" for line in change(exported(source_log).splitlines())))

    with pytest.raises(FileRefused) as refused:
        imported(target, path)

    assert any(reason in p.message for p in refused.value.problems), [str(p) for p in refused.value.problems]
    assert event_lines(exported(target)) == []


def test_an_export_from_before_the_end_marker_imports_reported_as_unverified(tmp_path, report):
    target = str(tmp_path / "target.sqlite3")

    done = subprocess.run([sys.executable, "-m", "timeline", "import", "--database", target, str(OLD_EXPORT)], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert f"{OLD_EXPORT}: unverified: {UNMARKED}" in done.stderr
    assert f"{OLD_EXPORT}: unverified: {UNVERIFIED}" in done.stderr
    assert f"{OLD_EXPORT}: restored 35 events (unverified: see above)" in done.stdout
    report.append("import: an export cut to its first 20 lines refused; the b81eb81 export (no marker, no chain) restored as unverified")


def test_a_marked_export_says_how_many_events_it_holds_and_ends_there(source_log):
    lines = exported(source_log).splitlines()
    header, end = orjson.loads(lines[0]), orjson.loads(lines[-1])["end"]
    assert header == {"format": "timeline-export", "version": 2}
    assert end["events"] == len(lines) - 2
    assert end["last_position"] == orjson.loads(lines[-2])["position"]
