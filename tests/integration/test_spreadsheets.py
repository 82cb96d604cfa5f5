"""`timeline load` of spreadsheets and of standard input, as a user runs it: a CSV made from the template
loads as the JSON records its rows stand for, NDJSON comes on standard input or in a `.json` file, a bad
spreadsheet is refused with its first problems and a count of the rest; and a facts CSV exported from the
views loads back to the same facts."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import orjson
import pytest

from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import open_store
from projections.views import Views
from timeline.application import Timeline
from timeline.cli import OK, REFUSED, USAGE
from timeline.formats.facts_csv import facts_csv, record_from_row
from timeline.loader import read_record_file, store_record_file
from timeline.parsing import NewFact, parse_record
from timeline.seed import framework_files, seed_files, sync_frameworks, sync_seed
from timeline.sources import DocumentContent

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "seeds" / "templates" / "facts.csv"
CLEVELAND = ROOT / "seeds" / "stories" / "cleveland-2019"
BEDFORDSHIRE = ROOT / "seeds" / "stories" / "bedfordshire-2017"
EFFECTIVENESS = "hmicfrs-2019-09-27-cleveland-peel-2018-effectiveness"
EFFECTIVENESS_QUOTE = "How effectively does the force reduce crime and keep people safe? Last updated 27/09/2019 Inadequate"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "timeline", *args], capture_output=True, input=stdin, timeout=120)


def header() -> list[str]:
    with TEMPLATE.open(newline="", encoding="utf-8") as template:
        return next(csv.reader(template))


def spreadsheet(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    """A CSV as a spreadsheet saves one: the template's header, and a cell for each of its columns."""
    columns = columns or header()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def stored_facts(database: str) -> dict[str, dict]:
    done = run("facts", "--json", "--database", database)
    assert done.returncode == OK, done.stderr
    return {fact.pop("id"): fact for fact in map(orjson.loads, done.stdout.splitlines())}


@pytest.fixture
def with_documents(tmp_path) -> str:
    """A store holding both stories' documents and nothing else, so that quotes can be checked."""
    database = str(tmp_path / "documents.sqlite3")
    done = run("load", str(BEDFORDSHIRE / "01-documents.ndjson"), str(CLEVELAND / "01-documents.ndjson"), "--database", database)
    assert done.returncode == OK, done.stderr
    return database


RATING_ROW = {
    "id": "6f1d0c1e-3f51-4f1e-9a0b-2a7d6c1b9e01", "type": "rating.published", "subject": "force/cleveland",
    "occurred": "2019-09-27", "pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2018/19",
    "inspectorate": "org/hmic", "text": "Effectiveness: inadequate.", "mentions": "org/hmic; force/cleveland",
    "source_1_publisher": "HMICFRS", "source_1_url": "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2018/cleveland/effectiveness/",
    "source_1_published": "2019-09-27", "source_1_kind": "official", "source_1_document": EFFECTIVENESS,
    "source_1_document_version": "1", "source_1_quote": EFFECTIVENESS_QUOTE,
    "source_2_publisher": "ITV News", "source_2_url": "https://www.itv.com/news/2019-09-27/cleveland-police-becomes-first-force-branded-failing-in-all-areas/",
    "source_2_published": "2019-09-27", "source_2_kind": "press",
}  # fmt: skip
RATING_RECORD = {
    "id": RATING_ROW["id"], "type": "rating.published", "subject": "force/cleveland", "occurred": "2019-09-27",
    "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2018/19", "inspectorate": "org/hmic",
             "summary": "Effectiveness: inadequate."},
    "mentions": ["org/hmic", "force/cleveland"],
    "sources": [
        {"publisher": "HMICFRS", "url": RATING_ROW["source_1_url"], "published": "2019-09-27", "kind": "official",
         "document": EFFECTIVENESS, "document_version": 1, "quote": EFFECTIVENESS_QUOTE},
        {"publisher": "ITV News", "url": RATING_ROW["source_2_url"], "published": "2019-09-27", "kind": "press"},
    ],
}  # fmt: skip
FIGURE_ROW = {
    "id": "0b7e2c55-7f43-4d7b-8d6e-5b1c0c3f2a10", "type": "figure.reported", "subject": "force/cleveland", "occurred": "2019",
    "measure": "chief constables in almost as many years", "value": "6", "unit": "chief constables",
    "compared_with": '{"value": 1, "label": "the usual one"}',
    "text": "A summary\nover two lines, with \"quotes\", and a comma",
    "source_1_publisher": "ITV News", "source_1_url": RATING_ROW["source_2_url"], "source_1_published": "2019-09-27",
    "source_1_kind": "press", "source_1_document": "itv-2019-09-27-failing-in-all-areas",
    "source_1_quote": "It has seen six chief constables in almost as many years.",
}  # fmt: skip


def test_a_row_of_the_template_becomes_exactly_the_json_record_it_stands_for():
    columns = header()
    assert record_from_row(columns, [RATING_ROW.get(column, "") for column in columns]) == RATING_RECORD
    figure = record_from_row(columns, [FIGURE_ROW.get(column, "") for column in columns])
    assert figure["data"]["value"] == 6 and figure["data"]["compared_with"] == {"value": 1, "label": "the usual one"}
    assert "sources" not in figure and figure["source"]["publisher"] == "ITV News"  # one source: `source`, as JSON has it
    assert "mentions" not in figure and "disputes" not in figure  # an empty cell leaves its field out


def test_the_template_shipped_loads_after_the_documents_it_quotes(with_documents):
    done = run("load", str(TEMPLATE), "--database", with_documents)
    assert done.returncode == OK, done.stderr
    assert f"{TEMPLATE}: 1 facts, 0 documents (1 new, 0 already stored)" in done.stdout.decode()


def test_a_csv_made_from_the_template_loads_its_rows_as_facts_about_both_stories(tmp_path, with_documents):
    statement = {
        "type": "statement.made", "subject": "force/bedfordshire", "occurred": "2017-03-02", "speaker": "org/hmic",
        "stance": "criticises", "text": "=HYPERLINK(\"not a formula here: loaded as written\")",
        "source_1_publisher": "The Comet", "source_1_url": "https://www.thecomet.net/", "source_1_published": "2017-03-02",
        "source_1_kind": "press",
    }  # fmt: skip
    sheet = spreadsheet(tmp_path / "facts.csv", [RATING_ROW, FIGURE_ROW, {}, statement])
    done = run("load", str(sheet), "--database", with_documents)
    assert done.returncode == OK, done.stderr
    assert f"{sheet}: 3 facts, 0 documents (3 new, 0 already stored)" in done.stdout.decode()

    facts = stored_facts(with_documents)
    rating = facts[RATING_ROW["id"]]
    assert {k: rating[k] for k in ("type", "subject", "occurred", "data", "mentions", "sources")} == {
        k: RATING_RECORD[k] for k in ("type", "subject", "occurred", "data", "mentions", "sources")
    }
    assert facts[FIGURE_ROW["id"]]["data"]["summary"] == FIGURE_ROW["text"]  # a cell over lines, quotes and commas kept
    (said,) = [f for f in facts.values() if f["type"] == "statement.made"]
    assert said["data"]["summary"] == statement["text"] and said["subject"] == "force/bedfordshire"


def test_ndjson_on_standard_input_loads_and_a_text_file_there_is_refused(tmp_path):
    database = str(tmp_path / "stdin.sqlite3")
    documents = (CLEVELAND / "01-documents.ndjson").read_bytes()
    refused = run("load", "-", "--database", database, stdin=documents)
    assert refused.returncode == REFUSED
    lines = refused.stderr.decode().splitlines()
    assert lines[0].startswith("<stdin>:1: text_file: names a file beside the record file, and standard input has no folder")
    assert lines[-1] == "<stdin>: refused, nothing stored"

    # The same documents with their texts inline, then the story's facts: NDJSON on standard input.
    inline = []
    for line in documents.splitlines():
        record = orjson.loads(line)
        record["text"] = (CLEVELAND / record.pop("text_file")).read_text(encoding="utf-8")
        inline.append(orjson.dumps(record))
    facts = (CLEVELAND / "02-facts.ndjson").read_bytes()
    done = run("load", "-", "--database", database, stdin=b"\n".join(inline) + b"\n" + facts)
    assert done.returncode == OK, done.stderr
    count = sum(1 for line in facts.splitlines() if line.strip())
    assert f"<stdin>: {count} facts, {len(inline)} documents ({count + len(inline)} new, 0 already stored)" in done.stdout.decode()


def test_a_json_file_holding_ndjson_loads_and_so_does_csv_on_standard_input(tmp_path, with_documents):
    renamed = tmp_path / "facts.json"
    renamed.write_bytes((CLEVELAND / "02-facts.ndjson").read_bytes())
    done = run("load", str(renamed), "--database", with_documents)
    assert done.returncode == OK, done.stderr.decode()  # not "Extra data"
    sheet = spreadsheet(tmp_path / "sheet.csv", [RATING_ROW])
    piped = run("load", "-", "--database", with_documents, stdin=b"\xef\xbb\xbf" + sheet.read_bytes())  # as Excel saves it
    assert piped.returncode == OK, piped.stderr
    assert "<stdin>: 1 facts, 0 documents (1 new, 0 already stored)" in piped.stdout.decode()


def test_a_bad_spreadsheet_is_refused_naming_its_first_problems_by_line_and_counting_the_rest(tmp_path):
    database = str(tmp_path / "bad.sqlite3")
    bad = [RATING_ROW | {"id": "", "occurred": "2019-13-45", "source_1_kind": "blog"} for _ in range(25)]
    bad[0] = bad[0] | {"text": "a summary\nover\nthree lines"}  # the rows after it start three lines further down
    sheet = spreadsheet(tmp_path / "bad.csv", bad)
    done = run("load", str(sheet), "--database", database)
    assert done.returncode == REFUSED
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 12  # ten problems, the count of the rest, the refusal: not 52 lines
    assert lines[0] == f"{sheet}:2: occurred: '2019-13-45' is not a valid EDTF date"
    assert lines[1] == f"{sheet}:2: sources.0.kind: 'blog' is not one of official, press, statement"
    assert lines[2].startswith(f"{sheet}:5: occurred: ")  # the second row starts on line 5
    assert all(line.startswith(f"{sheet}:") for line in lines[:10])
    assert lines[10:] == ["... and 40 more", f"{sheet}: refused, nothing stored"]
    assert stored_facts(database) == {}


def test_standard_input_is_read_once(tmp_path):
    done = run("load", "-", "-", "--database", str(tmp_path / "twice.sqlite3"))
    assert done.returncode == USAGE and done.stderr.decode().splitlines() == ["timeline load: - (standard input) can be read once"]
    assert not (tmp_path / "twice.sqlite3").exists()


def test_a_column_the_template_lacks_is_named_on_the_header_line(tmp_path):
    sheet = spreadsheet(tmp_path / "odd.csv", [{"type": "rating.published", "colour": "red"}], columns=["type", "colour", "Source 1 URL"])
    done = run("load", str(sheet), "--database", str(tmp_path / "odd.sqlite3"))
    assert done.returncode == REFUSED
    assert done.stderr.decode().splitlines() == [
        f"{sheet}:1: colour: is not a column of the facts template (docs/spreadsheets.md)",
        f"{sheet}: refused, nothing stored",
    ]


def test_a_facts_csv_exported_from_the_views_loads_back_to_the_same_facts(tmp_path):
    """Both stories, with their corrections, disputes, several sources and merged ids: exported, then loaded into a
    store holding only their documents and frameworks, they are the same facts; loaded into the first, nothing new."""
    original, copy = str(tmp_path / "original.sqlite3"), str(tmp_path / "copy.sqlite3")
    timeline = Timeline(original)
    sync_seed(timeline)
    sync_frameworks(timeline)
    # Beside the seed: a fact with two sources, corrected once; and one retracted, which is not exported.
    timeline.record([parse_record(RATING_RECORD), parse_record(RATING_RECORD | {"id": FIGURE_ROW["id"]})])
    timeline.correct(UUID(RATING_RECORD["id"]), 1, {"occurred": "2019-09"}, "the month is what the source attests")
    timeline.retract(UUID(FIGURE_ROW["id"]), 1, "recorded twice")
    exported = _facts(timeline, original)
    timeline.close()
    sheet = tmp_path / "export.csv"
    sheet.write_bytes(facts_csv((fact["id"], {k: v for k, v in fact.items() if k not in ("id", "version")}) for fact in exported))
    assert {fact["subject"] for fact in exported} >= {"force/bedfordshire", "force/cleveland"}
    assert any(fact.get("sources") for fact in exported) and any(fact.get("disputes") for fact in exported)
    assert {f["id"]: f["occurred"] for f in exported}[RATING_RECORD["id"]] == "2019-09" and FIGURE_ROW["id"] not in {f["id"] for f in exported}

    timeline = Timeline(copy)
    not_facts = [r for path in seed_files() for r in read_record_file(path).records if not isinstance(r, NewFact)]
    assert any(isinstance(r, DocumentContent) for r in not_facts)
    timeline.record(not_facts)
    for path in framework_files():
        store_record_file(timeline, read_record_file(path))
    timeline.close()
    done = run("load", str(sheet), "--database", copy)
    assert done.returncode == OK, done.stderr

    timeline = Timeline(copy)
    reloaded = _facts(timeline, copy)
    timeline.close()
    assert [_content(f) for f in reloaded] == [_content(f) for f in exported]

    again = run("load", str(sheet), "--database", copy)  # the same facts: each a re-send, a no-op
    assert again.returncode == OK, again.stderr
    assert f"{sheet}: {len(exported)} facts, 0 documents (0 new, {len(exported)} already stored)" in again.stdout.decode()


def _facts(timeline: Timeline, database: str) -> list[dict]:
    store = open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        runner.catch_up()
        return list(Views(store).facts()["facts"])
    finally:
        store.close()


def _content(fact: dict) -> dict:
    return {k: v for k, v in fact.items() if k != "version"}


def test_an_export_of_cells_a_spreadsheet_would_run_loads_back_as_written():
    body = {
        "type": "figure.reported", "subject": "force/cleveland", "occurred": "2019", "mentions": [],
        "data": {"measure": "=1+1", "value": -3.5, "unit": "'-quoted", "summary": "@everyone"},
        "source": {"publisher": "+44 News", "url": "https://example.org/", "published": "2019", "kind": "press", "quote": "-dash"},
    }  # fmt: skip
    exported = facts_csv([("0b7e2c55-7f43-4d7b-8d6e-5b1c0c3f2a11", body)]).decode()
    rows = list(csv.reader(io.StringIO(exported)))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert (cells["measure"], cells["value"], cells["unit"], cells["text"]) == ("'=1+1", "'-3.5", "''-quoted", "'@everyone")
    assert cells["source_1_publisher"] == "'+44 News"
    record = record_from_row(rows[0], rows[1])
    assert record == {"id": "0b7e2c55-7f43-4d7b-8d6e-5b1c0c3f2a11", **{k: v for k, v in body.items() if k != "mentions"}}
