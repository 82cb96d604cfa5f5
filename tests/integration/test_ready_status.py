"""The ready default status, marked stale batch by batch and refreshed after them, through the changes that move a
subject's status from afar.

The seed has names, a merge of subject ids, decisions concerning forces, disputes and supports, and documents
cited by many facts. Loaded in batches of any size and then changed (a fact retracted or redacted, a document
withdrawn, a subject renamed, two subject ids merged), every valid ready answer must equal the status computed
anew from the facts, before the refresh and after it; once refreshed, every subject the log names has a valid
one; and a rebuild must make the same table. (tests/integration/test_projection_model.py checks the same after
the model's arbitrary writes, with refreshes and batches interleaved.)
"""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projections import all_projections, ready_status
from projections.runner import ProjectionRunner, live_prefix
from projections.store import open_store
from projections.views import Views
from tests.conftest import _POSTGRES_SKIP
from tests.integration.test_projection_model import postgres_database, sqlite_database
from tests.tables import dump_view
from timeline.application import Timeline
from timeline.errors import TimelineError
from timeline.parsing import parse_record
from timeline.seed import sync_frameworks, sync_seed

SOURCE = {"publisher": "Somebody", "url": "https://example.org/x", "published": "2019-01-01", "kind": "press"}
KINDS = ["retract", "redact", "withdraw", "rename", "merge"]
# Every kind of change once, in any order, each to a fact, document or subject drawn at random.
CHANGES = st.tuples(st.permutations(KINDS), st.lists(st.integers(0, 10**6), min_size=len(KINDS), max_size=len(KINDS))).map(
    lambda drawn: list(zip(*drawn, strict=True))
)


def ready_equals_computed(store, views: Views) -> None:
    with store.read() as cursor:
        prefix, position = live_prefix(cursor, "facts")
        ready = ready_status.valid(cursor, prefix)
        anew = ready_status.answered_anew(cursor, prefix, position)
        assert ready == {subject: anew[subject] for subject in ready}
    for subject in sorted(subject for subject, (answer, _) in anew.items() if answer is not None):
        assert views.status(subject) == views.status(subject, known_at=position)  # known_at given: computed


def refreshed(runner: ProjectionRunner, store) -> None:
    """Refresh until nothing is stale: then every subject the log names, and no other, has a valid answer."""
    while runner.refresh():
        pass
    with store.read() as cursor:
        prefix, position = live_prefix(cursor, "facts")
        ready = ready_status.valid(cursor, prefix)
        assert ready == ready_status.answered_anew(cursor, prefix, position)  # none stale
        cursor.execute(f"SELECT DISTINCT subject FROM {prefix}_refs")
        assert set(ready) == {row[0] for row in cursor.fetchall()}


def change(timeline: Timeline, store, kind: str, pick: int) -> None:
    """One change of the kind, to the fact, document or subjects `pick` chooses; a change the log refuses is none."""
    with store.read() as cursor:
        prefix, _ = live_prefix(cursor, "facts")
        cursor.execute(f"SELECT DISTINCT fact_id FROM {prefix}_versions WHERE known_to IS NULL AND retracted = 0 ORDER BY fact_id")
        facts = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT DISTINCT other FROM {prefix}_links WHERE kind = 'cites' AND other NOT IN (SELECT document FROM {prefix}_withdrawn) "
            "ORDER BY other"
        )
        documents = [row[0] for row in cursor.fetchall()]
        # Subjects other subjects' facts name: renaming or merging one moves those subjects' statuses from afar.
        cursor.execute(
            f"SELECT DISTINCT r.subject FROM {prefix}_refs r JOIN {prefix}_versions v ON v.fact_id = r.fact_id AND v.version = r.version "
            "WHERE v.subject <> r.subject ORDER BY r.subject"
        )
        subjects = [row[0] for row in cursor.fetchall()]
    try:
        if kind in ("retract", "redact") and facts:
            fact = UUID(facts[pick % len(facts)])
            if kind == "retract":
                timeline.retract(fact, timeline.fact(fact).version, "retracted to test the ready status")
            else:
                timeline.redact_fact(fact, "redacted to test the ready status")
        elif kind == "withdraw" and documents:
            timeline.withdraw_document(documents[pick % len(documents)], "withdrawn to test the ready status")
        elif kind == "rename":
            subject = subjects[pick % len(subjects)]
            timeline.record([parse_record({
                "id": str(uuid.uuid4()), "type": "subject.named", "subject": subject, "occurred": "2019",
                "data": {"name": f"Renamed {pick}"}, "source": SOURCE,
            })])  # fmt: skip
        elif kind == "merge":
            alias = subjects[pick % len(subjects)]
            kin = [subject for subject in subjects if subject.split("/")[0] == alias.split("/")[0] and subject != alias]
            into = kin[pick % len(kin)] if kin else alias
            timeline.record([parse_record({
                "id": str(uuid.uuid4()), "type": "subject.merged", "subject": alias, "occurred": "2019",
                "data": {"into": into}, "source": SOURCE,
            })])  # fmt: skip
    except TimelineError:
        pass  # e.g. a merge of two kinds of subject


def kept_through(database: str, batch: int, changes: list[tuple[str, int]]) -> None:
    timeline, store = Timeline(database), open_store(database)
    try:
        runner = ProjectionRunner(store, timeline.log, all_projections(), batch_size=batch)
        runner.setup()
        views = Views(store)
        sync_seed(timeline)
        sync_frameworks(timeline)
        runner.catch_up()
        ready_equals_computed(store, views)
        refreshed(runner, store)
        ready_equals_computed(store, views)
        for kind, pick in changes:
            change(timeline, store, kind, pick)
            runner.catch_up()
            ready_equals_computed(store, views)  # those it moved are stale, the others still valid
            refreshed(runner, store)
            ready_equals_computed(store, views)
        kept = dump_view(runner, "facts")
        runner.rebuild("facts")
        runner.rebuild("facts")  # drops the generation the views last read: they find the live one
        ready_equals_computed(store, views)  # every answer stale: each read computes
        assert dump_view(runner, "facts") == kept  # refreshed: the same answers
        ready_equals_computed(store, views)
    finally:
        store.close()
        timeline.close()


@settings(max_examples=6, deadline=None)
@given(batch=st.integers(1, 40), changes=CHANGES)
def test_the_ready_status_is_the_computed_one_on_sqlite(batch, changes):
    database, cleanup = sqlite_database()
    try:
        kept_through(database, batch, changes)
    finally:
        cleanup()


@pytest.mark.skipif(bool(_POSTGRES_SKIP), reason=_POSTGRES_SKIP or "")
@settings(max_examples=3, deadline=None)
@given(batch=st.integers(1, 40), changes=CHANGES)
def test_the_ready_status_is_the_computed_one_on_postgres(batch, changes):
    database, cleanup = postgres_database()
    try:
        kept_through(database, batch, changes)
    finally:
        cleanup()


def test_a_starting_server_warms_every_ready_answer_within_its_bound_and_says_when_some_remain(tmp_path):
    """After a rebuild every answer is stale; warming refreshes them before the first read, within a time bound."""
    database = str(tmp_path / "timeline.sqlite3")
    timeline, store = Timeline(database), open_store(database)
    try:
        sync_seed(timeline)
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        runner.catch_up()
        runner.rebuild("facts")  # leaves every subject stale
        assert runner.warm(0) is True  # no time: nothing refreshed, and it says some remain
        with store.read() as cursor:
            prefix, _ = live_prefix(cursor, "facts")
            assert ready_status.valid(cursor, prefix) == {}
        assert runner.warm(600) is False  # a bound it stays far within: all refreshed
        with store.read() as cursor:
            prefix, position = live_prefix(cursor, "facts")
            ready = ready_status.valid(cursor, prefix)
            assert ready and ready == ready_status.answered_anew(cursor, prefix, position)
    finally:
        store.close()
        timeline.close()


async def test_the_thread_keeper_warms_the_ready_answers_before_it_reports_started(tmp_path):
    from projections.keeper import ViewKeeper

    database = str(tmp_path / "timeline.sqlite3")
    timeline, store = Timeline(database), open_store(database)
    keeper = None
    try:
        sync_seed(timeline)
        runner = ProjectionRunner(store, timeline.log, all_projections())
        runner.setup()
        runner.rebuild("facts")  # every subject stale
        keeper = ViewKeeper(runner)
        await keeper.start()
        with store.read() as cursor:
            prefix, position = live_prefix(cursor, "facts")
            ready = ready_status.valid(cursor, prefix)
            assert ready and ready == ready_status.answered_anew(cursor, prefix, position)
    finally:
        if keeper is not None:
            await keeper.close()
        store.close()
        timeline.close()
