"""Stable SQL views for tools that read the database (Datasette, `sqlite3`, `psql`): `facts`, `claims` and
`ratings` keep their names across `timeline rebuild`, and read the standing the projection stores, which is
what the views' one rule says and what a rebuild makes again."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID, uuid4

import pytest

from projections import all_projections
from projections.runner import ProjectionRunner, live_prefix
from projections.store import open_store
from projections.timeline import TimelineQuery
from projections.views import Views
from timeline.application import Timeline
from timeline.parsing import parse_fact
from timeline.seed import sync_frameworks, sync_seed
from timeline.storage import eventsourcing_env
from timeline.storage.postgres import conninfo

EVERY = TimelineQuery(limit=10_000)
COMET_DOCUMENT, ITV_DOCUMENT = "comet-2017-03-02-bedfordshire-inadequate", "itv-2019-09-27-failing-in-all-areas"


@contextmanager
def outside_reader(database: str) -> Iterator[Any]:
    """A connection as another tool opens one: the stdlib's sqlite3 on the file, or psycopg on the schema."""
    if database.startswith("postgresql://"):
        import psycopg

        schema = eventsourcing_env(database)["POSTGRES_SCHEMA"]
        with psycopg.connect(conninfo(database), options=f"-c search_path={schema}", autocommit=True) as connection:
            yield connection
    else:
        connection = sqlite3.connect(database)
        try:
            yield connection
        finally:
            connection.close()


def read(connection: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(sql).fetchall()]


@pytest.fixture
def served(database: str) -> Iterator[tuple[Timeline, ProjectionRunner, Views]]:
    """Both stories loaded and the views kept, as the server keeps them."""
    timeline, store = Timeline(database), open_store(database)
    sync_seed(timeline)
    sync_frameworks(timeline)
    runner = ProjectionRunner(store, timeline.log, all_projections())
    runner.setup()
    runner.catch_up()
    yield timeline, runner, Views(store)
    store.close()
    timeline.close()


RATINGS = "SELECT id, subject, pillar, inspection, grade, stands, standing, disputes, disputed_by, publisher FROM ratings ORDER BY id"
CLAIMS = "SELECT id, type, subject, stands, standing, disputes, disputed_by FROM claims ORDER BY id"
FACTS = "SELECT id, version, type, subject, occurred, stands, publisher FROM facts ORDER BY id"


def test_another_tool_reads_the_views_by_the_same_names_before_and_after_timeline_rebuild(served, database):
    with outside_reader(database) as reader:  # opened before the rebuild, kept across it, as Datasette keeps one
        before = {name: read(reader, sql) for name, sql in (("facts", FACTS), ("claims", CLAIMS), ("ratings", RATINGS))}
        done = subprocess.run(
            [sys.executable, "-m", "timeline", "rebuild", "--database", database], capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        after = {name: read(reader, sql) for name, sql in (("facts", FACTS), ("claims", CLAIMS), ("ratings", RATINGS))}
        tables = {row[0] for row in read(reader, _TABLES[database.startswith("postgresql://")])}
        # The views read the generation now live: what is recorded after the swap shows in them.
        timeline, runner, _ = served
        timeline.record([parse_fact(_rating("force/cleveland", "outstanding"))])
        runner.catch_up()
        newest = read(reader, "SELECT subject, grade, stands FROM ratings WHERE grade = 'outstanding' AND subject = 'force/cleveland'")
        again = subprocess.run(  # a second rebuild drops the first generation, which no view may still read
            [sys.executable, "-m", "timeline", "rebuild", "facts", "--database", database], capture_output=True, text=True, timeout=300
        )
        assert again.returncode == 0, again.stderr
        assert len(read(reader, FACTS)) == len(before["facts"]) + 1
    assert after == before
    assert {"facts_g1_versions", "facts_g2_versions"} <= tables  # the rebuild did make a new generation
    assert newest == [("force/cleveland", "outstanding", 0)]  # the official inadequate of PEEL 2018/19 stands
    ratings = {(r[1], r[2], r[3], r[4], r[9]): r for r in before["ratings"]}
    claimed = ratings[("force/bedfordshire", "effectiveness", "PEEL 2015", "good", "The Comet")]
    official = ratings[("force/bedfordshire", "effectiveness", "PEEL 2015", "requires-improvement", "HMIC")]
    assert (claimed[5], claimed[6], claimed[7]) == (0, official[0], 1)  # it does not stand; the record does; it disputes it
    assert (official[5], official[8]) == (1, f'["{claimed[0]}"]')
    assert any(r[1] == "force/cleveland" for r in before["ratings"])
    assert len(before["facts"]) + 1 == len(served[2].facts()["facts"])


def _rating(subject: str, grade: str) -> dict[str, Any]:
    return {
        "type": "rating.published", "subject": subject, "occurred": "2019-09-27",
        "data": {"pillar": "effectiveness", "grade": grade, "inspection": "PEEL 2018/19", "inspectorate": "org/hmic"},
        "source": {"publisher": "The Bugle", "url": "https://example.org/bugle", "published": "2019-09-28", "kind": "press"},
    }  # fmt: skip


_TABLES = {
    False: "SELECT name FROM sqlite_master WHERE type = 'table'",
    True: "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
}


def test_the_stored_standing_is_what_the_views_rule_says_on_both_stories(served, database):
    _, _, views = served
    with outside_reader(database) as reader:
        stored = {row[0]: row for row in read(reader, CLAIMS)}
    for subject in ("force/bedfordshire", "force/cleveland"):
        facts = views.timeline(subject, EVERY)["facts"]
        claims = [f for f in facts if f["type"] in ("rating.published", "figure.reported") and "claim" in f]
        assert claims
        for fact in claims:
            stands, disputes, standing = stored[fact["id"]][3], stored[fact["id"]][5], stored[fact["id"]][4]
            assert (bool(stands), bool(disputes)) == (fact["claim"]["stands"], fact["claim"]["disputes"]), fact["headline"]
            assert standing == fact["claim"].get("standing", {"fact": fact["id"]})["fact"]


def test_the_standing_kept_batch_by_batch_is_what_a_rebuild_makes(database):
    """Kept one event at a time through a retraction, a withdrawal and a correction, the stored standing is the
    rebuild's: each change judged its groups again (the Comet's 'good' stands once the record it disputes is retracted)."""
    timeline, store = Timeline(database), open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections(), batch_size=1)
        runner.setup()
        sync_seed(timeline)
        sync_frameworks(timeline)
        runner.catch_up()
        with store.read() as cursor:
            prefix, _ = live_prefix(cursor, "facts")
            cursor.execute(f"SELECT fact_id, disputed_by FROM {prefix}_standing WHERE stands = 1 AND disputed_by <> '[]'")
            disputed = dict(cursor.fetchall())
        record = next(fact for fact, by in disputed.items() if fact in _official(store))
        timeline.retract(UUID(record), _version(timeline, record), "retracted to test the standing")
        timeline.withdraw_document(ITV_DOCUMENT, "withdrawn to test the standing")
        runner.catch_up()
        kept = _standing(store)
        ProjectionRunner(store, timeline.log, all_projections()).rebuild("facts")  # the whole log in one batch
        rebuilt = _standing(store)
    finally:
        store.close()
        timeline.close()
    assert kept == rebuilt
    claimed = disputed[record].strip('[]"')
    assert kept[claimed][1:4] == (1, claimed, 0)  # the Comet's claim stands now, disputing nothing that stands
    assert record not in kept
    # Cleveland's two counts of chief constables: with ITV's page withdrawn, its six no longer disputes the five.
    assert "9df452be-03c2-58b4-ae07-7fbcad4ea275" not in kept and kept["f21691d6-7d78-5734-84a5-af9e1a6799e5"][4] == "[]"


def _official(store: Any) -> set[str]:
    with store.read() as cursor:
        prefix, _ = live_prefix(cursor, "facts")
        cursor.execute(f"SELECT fact_id FROM {prefix}_versions WHERE source_kind = 'official' AND subject = 'force/bedfordshire'")
        return {row[0] for row in cursor.fetchall()}


def _version(timeline: Timeline, fact_id: str) -> int:
    return timeline.fact(UUID(fact_id)).version


def _standing(store: Any) -> dict[str, tuple[Any, ...]]:
    with store.read() as cursor:
        prefix, _ = live_prefix(cursor, "facts")
        cursor.execute(f"SELECT fact_id, subject, stands, standing, disputes, disputed_by FROM {prefix}_standing")
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def test_a_correction_dropping_a_dispute_frees_the_claim_it_disputed(database):
    """A force's statement that disputes the inspectorate's, corrected to dispute nothing: the inspectorate's is judged
    again, though no current link reaches it, and is no longer a claim (it stands alone, about no slot)."""
    said = _statement("org/hmic", "official", "criticises")
    answer = _statement("force/cleveland", "statement", "refutes") | {"disputes": [said["id"]]}
    timeline, store = Timeline(database), open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        timeline.record([parse_fact(said), parse_fact(answer)])
        runner.catch_up()
        assert _standing(store)[said["id"]][1:] == (1, said["id"], 0, f'["{answer["id"]}"]')
        timeline.correct(UUID(answer["id"]), 1, {"disputes": []}, "it answered another report")
        runner.catch_up()
        kept = _standing(store)
        runner.rebuild("facts")
        assert _standing(store) == kept
    finally:
        store.close()
        timeline.close()
    assert kept == {}


def _statement(speaker: str, kind: str, stance: str) -> dict[str, Any]:
    return {
        "id": str(uuid4()), "type": "statement.made", "subject": "force/cleveland", "occurred": "2019-09-27",
        "data": {"speaker": speaker, "stance": stance, "summary": f"{speaker} {stance}"},
        "source": {"publisher": speaker, "url": "https://example.org/said", "published": "2019-09-27", "kind": kind},
    }  # fmt: skip


def test_a_redacted_record_leaves_the_claim_it_outranked_standing(database):
    """The official 'requires improvement' taken down: no row of it is left, and the Comet's 'good', which it
    outranked, stands undisputed, as a rebuild (which never sees the purged content) says too."""
    timeline, store = Timeline(database), open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        sync_seed(timeline)
        runner.catch_up()
        record, claimed = _record_and_claim(_standing(store), store)
        timeline.redact_fact(UUID(record), "a takedown, to test the standing")
        runner.catch_up()
        kept = _standing(store)
        ProjectionRunner(store, timeline.log, all_projections()).rebuild("facts")
        assert _standing(store) == kept
    finally:
        store.close()
        timeline.close()
    assert record not in kept and record not in {row[2] for row in kept.values()}
    assert kept[claimed][1:] == (1, claimed, 0, "[]")


def _record_and_claim(standing: dict[str, tuple[Any, ...]], store: Any) -> tuple[str, str]:
    """An official record standing over exactly one claim that disputes it."""
    official = _official(store)
    for fact, (_, stands, _, _, disputed_by) in standing.items():
        if fact in official and stands == 1 and disputed_by.count(",") == 0 and disputed_by != "[]":
            return fact, disputed_by.strip('[]"')
    raise AssertionError("the seed has an official record disputed by one claim")
