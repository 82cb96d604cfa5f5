"""Upgrading in place: a log written by an earlier version (b81eb81, before publication time, links and
framework editions) imports, replays unchanged, gains what a newer seed adds, and its views rebuild."""

from __future__ import annotations

import uuid
from pathlib import Path

import orjson

from projections import all_projections
from projections.runner import ProjectionRunner, live_prefix
from projections.store import open_store
from projections.views import Views
from tests.exports import event_lines
from timeline.application import Timeline
from timeline.loader import read_record_file
from timeline.log_file import export_log, import_log
from timeline.seed import seed_files, sync_frameworks, sync_seed

OLD_EXPORT = Path(__file__).parent.parent / "fixtures" / "export-b81eb81.ndjson"
CORRECTED = uuid.UUID("5f0c3b8e-7a51-4a8e-9a3c-1f6f4d7e2b10")  # corrected to requires-improvement in that log
RETRACTED = uuid.UUID("0b6f3a2c-9d4e-4f1a-8b7c-2e5d6f7a8b90")


def story_records(story: str) -> list[object]:
    return [record for path in seed_files() if path.parent.name == story for record in read_record_file(path).records]


def test_an_export_from_the_earlier_version_imports_and_its_events_replay_unchanged(database):
    timeline = Timeline(database)
    try:
        assert import_log(timeline, OLD_EXPORT) == 35
        corrected = timeline.fact(CORRECTED)  # its Recorded and Corrected events are upcast as they are read
        assert (corrected.version, corrected.content.data["grade"], corrected.content.disputes) == (2, "requires-improvement", [])
        assert timeline.fact(RETRACTED).retracted
    finally:
        timeline.close()


def test_the_store_gains_the_newer_seed_and_the_framework_editions_without_rewriting_anything(database, tmp_path):
    timeline = Timeline(database)
    try:
        import_log(timeline, OLD_EXPORT)
        added = sync_seed(timeline) + sync_frameworks(timeline)
        # The article's figure and the record disputing it; names and their two documents; the inspectorate's
        # two ids merged; four PEEL editions; the Cleveland story and PEEL 2016's national grades, bundles of their own.
        assert added == 2 + 8 + 1 + 4 + len(story_records("cleveland-2019")) + len(story_records("peel-2016-effectiveness"))
        assert sync_seed(timeline) + sync_frameworks(timeline) == 0
        exported = tmp_path / "now.ndjson"
        with exported.open("wb") as out:
            export_log(timeline, out)
        old = [orjson.loads(line) for line in OLD_EXPORT.read_bytes().splitlines()]
        now = [orjson.loads(line) for line in event_lines(exported.read_bytes())]
        # The old log as it was (now with its chain links beside it), then the new events.
        assert [{k: v for k, v in line.items() if k in old[0]} for line in now[: len(old)]] == old
        assert len(now) == len(old) + added
        store = open_store(database)
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        runner.catch_up()
        status = Views(store).status("force/kent")
        assert status["ratings"]["effectiveness"]["grade"] == "requires-improvement"
        assert status["ratings"]["effectiveness"]["framework"]["edition"] == "peel-2018-19"
        store.close()
    finally:
        timeline.close()


def test_a_view_kept_in_an_older_shape_is_rebuilt_from_the_log_at_start(database):
    timeline = Timeline(database)
    store = open_store(database)
    try:
        import_log(timeline, OLD_EXPORT)
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        runner.catch_up()
        with store.write() as cursor:
            cursor.execute("UPDATE view_shapes SET shape = 1 WHERE view = 'facts'")  # as a store from before shapes
        with store.read() as cursor:
            before, _ = live_prefix(cursor, "facts")
        ProjectionRunner(store, timeline.log, all_projections()).setup()
        with store.read() as cursor:
            after, position = live_prefix(cursor, "facts")
        assert after != before and position == timeline.head()
        assert Views(store).status("force/kent")["ratings"]["effectiveness"]["grade"] == "requires-improvement"
    finally:
        store.close()
        timeline.close()
