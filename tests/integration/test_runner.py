"""The projection runner: exactly-once tracking, restarts, and rebuilds that swap atomically."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from projections import all_projections
from projections.runner import ProjectionRunner, live_prefix
from projections.store import open_store
from projections.timeline import TimelineQuery
from projections.views import Views
from tests.e2e.conftest import rating
from timeline.application import Timeline
from timeline.loader import read_record_file, store_record_file
from timeline.log_records import LogEntry
from timeline.parsing import parse_record
from timeline.seed import seed_files


@pytest.fixture
def parts(database):
    timeline, store = Timeline(database), open_store(database)
    for path in seed_files():
        store_record_file(timeline, read_record_file(path))
    runner = ProjectionRunner(store, timeline.log, all_projections(), batch_size=5)
    runner.setup()
    yield timeline, store, runner
    store.close()
    timeline.close()


def test_a_new_runner_catches_every_view_up_to_the_log_head(parts):
    timeline, _, runner = parts
    assert runner.positions() == {"facts": 0, "documents": 0, "search": 0}
    assert runner.catch_up() == {"facts": timeline.head(), "documents": timeline.head(), "search": timeline.head()}


def test_a_restarted_runner_resumes_from_its_tracked_position(parts, database):
    timeline, store, runner = parts
    runner.catch_up("facts")
    store.close()
    reopened = open_store(database)
    try:
        again = ProjectionRunner(reopened, timeline.log, all_projections())
        again.setup()  # set-up is idempotent: nothing is recreated
        assert again.positions()["facts"] == timeline.head()
        assert again.catch_up()["facts"] == timeline.head()
        latest = Views(reopened).ratings("effectiveness", inspection="PEEL 2017")["ratings"]
        assert [(r["subject"], r["grade"], r["inspection"]) for r in latest] == [
            ("force/bedfordshire", "requires-improvement", "PEEL 2017")
        ]
    finally:
        reopened.close()


def test_readers_keep_the_old_tables_until_the_rebuild_swaps(parts):
    _timeline, store, runner = parts
    runner.catch_up()
    views = Views(store)
    before = views.status("force/bedfordshire")
    seen_during_rebuild = []
    original_read_log = runner.read_log

    def read_log_and_look(after, limit):
        # Mid-rebuild, a reader still gets the complete, live view.
        seen_during_rebuild.append(views.status("force/bedfordshire"))
        return original_read_log(after, limit)

    runner.read_log = read_log_and_look
    with store.read() as cursor:
        old_prefix = live_prefix(cursor, "facts")[0]
    runner.rebuild("facts")
    with store.read() as cursor:
        new_prefix = live_prefix(cursor, "facts")[0]
    assert new_prefix != old_prefix
    assert len(seen_during_rebuild) > 1 and all(seen == before for seen in seen_during_rebuild)
    assert views.status("force/bedfordshire") == before


def test_an_interrupted_rebuild_leaves_the_live_view_serving_and_is_cleaned_up_next_time(parts):
    timeline, store, runner = parts
    runner.catch_up()
    before = Views(store).ratings("effectiveness")

    def crash(after, limit):
        raise KeyboardInterrupt

    runner.read_log, original = crash, runner.read_log
    with pytest.raises(KeyboardInterrupt):
        runner.rebuild("facts")
    runner.read_log = original
    assert Views(store).ratings("effectiveness") == before
    assert runner.rebuild("facts") == timeline.head()
    with store.read() as cursor:
        # The half-built generation is gone; the one the rebuild replaced stays until the next rebuild.
        cursor.execute("SELECT active FROM view_tracking WHERE view = 'facts' ORDER BY generation")
        assert [active for (active,) in cursor.fetchall()] == [0, 1]
    assert Views(store).ratings("effectiveness") == before


def test_a_view_behind_the_log_answers_at_its_own_position(parts):
    timeline, store, runner = parts
    runner.apply("facts", 1, timeline.log(0, 3))
    status = Views(store).status("force/bedfordshire")
    assert (status["position"], status["known_at"]) == (3, 3)
    assert Views(store).status("force/bedfordshire", known_at=10_000)["known_at"] == 3


@pytest.mark.finding(14)
def test_record_times_in_the_views_never_go_backwards_along_the_log(parts):
    """Writers in two processes can stamp an event just before an earlier-positioned one commits."""
    timeline, store, _ = parts
    entries = [e for e in timeline.log(0, 1000) if e.topic.endswith("Fact.Recorded")][:2]
    first, second = entries
    early = orjson.loads(first.state)["timestamp"]["_v"]
    late = orjson.loads(second.state)["timestamp"]["_v"]
    swapped = [_with_timestamp(first, late), _with_timestamp(second, early)]  # positions in order, stamps not
    runner = ProjectionRunner(store, lambda after, limit: [e for e in swapped if e.position > after], all_projections())
    runner.rebuild("facts")  # a view of just these two
    with store.read() as cursor:
        prefix, _ = live_prefix(cursor, "facts")
        cursor.execute(f"SELECT known_from, known_from_at FROM {prefix}_versions ORDER BY known_from")
        times = [at for _, at in cursor.fetchall()]
    assert times == sorted(times) and len(times) == 2
    # Asked at the earlier stamp, neither fact was known yet: the second is not counted before the first.
    status = Views(store).ratings(None, known_at=dt.datetime.fromisoformat(early))
    assert status["known_at"] == 0


def _with_timestamp(entry, stamp: str):
    state = orjson.loads(entry.state)
    state["timestamp"]["_v"] = stamp
    return LogEntry(entry.position, entry.originator_id, entry.originator_version, entry.topic, orjson.dumps(state), None)


@pytest.mark.finding(5)
def test_a_rebuilt_view_never_goes_live_behind_the_live_one(parts):
    """Writes that land, and reach the live view, after the replay and before the swap are in the new view
    before it goes live: a position readers were promised never goes backwards."""
    timeline, store, runner = parts
    runner.catch_up()
    swap, promised, went_live_at = runner._swap, [], []

    def swap_after_a_late_write(name, generation):
        if not promised:  # once: the replay is done, the swap not yet
            timeline.record([parse_record(rating(subject="force/late"))])
            promised.append(ProjectionRunner(store, timeline.log, all_projections()).catch_up("facts")["facts"])
        swapped = swap(name, generation)
        if swapped:
            went_live_at.append(runner.positions()["facts"])  # before the rebuild catches the new view up
        return swapped

    runner._swap = swap_after_a_late_write
    runner.rebuild("facts")
    assert went_live_at[0] >= promised[0]


@pytest.mark.finding(4)
def test_the_tables_a_rebuild_replaced_stay_for_readers_until_the_next_rebuild(parts):
    _, store, runner = parts
    runner.catch_up()
    with store.read() as cursor:
        first, _ = live_prefix(cursor, "facts")
    runner.rebuild("facts")
    with store.read() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {first}_versions")  # a reader that read the old name still can
        assert cursor.fetchone()[0] > 0
    runner.rebuild("facts")
    with store.read() as cursor:
        assert not store.table_exists(cursor, f"{first}_versions")


@pytest.mark.finding(4)
def test_a_rebuild_never_waits_on_a_reader_still_in_a_replaced_generation_and_drops_it_later(parts, database):
    """Waiting for a reader's lock could deadlock with it (it holds one table, asks for another), and the
    database would fail one of them: the rebuild leaves that generation for the next one instead."""
    import threading

    if "://" not in database:
        pytest.skip("SQLite locks the whole file: a rebuild's write waits for no reader's table")
    _, store, runner = parts
    runner.catch_up()
    with store.read() as cursor:
        first, _ = live_prefix(cursor, "facts")
    runner.rebuild("facts")
    with store.read() as reader:  # a reader still in the replaced generation, mid-transaction
        reader.execute(f"SELECT COUNT(*) FROM {first}_versions")
        rebuilt = threading.Thread(target=runner.rebuild, args=("facts",), daemon=True)
        rebuilt.start()
        rebuilt.join(timeout=120)
        assert not rebuilt.is_alive(), "the rebuild waited for the reader's lock"
        reader.execute(f"SELECT COUNT(*) FROM {first}_refs")  # and the reader goes on reading it
    with store.read() as cursor:
        assert store.table_exists(cursor, f"{first}_versions")
    runner.rebuild("facts")  # the reader has gone: now it is dropped
    with store.read() as cursor:
        assert not store.table_exists(cursor, f"{first}_versions")


@pytest.mark.finding(4)
def test_readers_never_fail_while_views_are_rebuilt_again_and_again(parts, database):
    """A reader holds the live tables' names for the length of its read; no rebuild drops them under it."""
    import threading

    _, _store, runner = parts
    runner.catch_up()
    stop, errors, reads = threading.Event(), [], []

    def read() -> None:
        views = Views(open_store(database))
        try:
            while not stop.is_set():
                try:
                    views.status("force/bedfordshire")
                    views.timeline("force/bedfordshire", TimelineQuery(limit=5))
                    reads.append(1)
                except Exception as error:  # noqa: BLE001 - any failure is the finding
                    errors.append(repr(error))
        finally:
            views.store.close()

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        for _ in range(4):
            runner.rebuild("facts")
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=60)
    assert errors == [] and reads


def test_on_postgresql_a_view_catching_up_refreshes_its_statistics_as_it_grows_not_per_batch(postgres_database):
    """Planned for the empty tables it started as, a catch-up of a bulk load slowed batch by batch (380 s for 20,000
    events); autovacuum comes too late. Manual analyses are counted apart from autovacuum's, so these are ours."""
    import math

    timeline, store = Timeline(postgres_database), open_store(postgres_database)
    try:
        for path in seed_files():
            store_record_file(timeline, read_record_file(path))
        runner = ProjectionRunner(store, timeline.log, all_projections(), batch_size=5, analyze_after=8)
        runner.setup()
        runner.catch_up("facts")
        with store.read() as cursor:
            cursor.execute("SELECT analyze_count FROM pg_stat_user_tables "
                "WHERE relname = 'facts_g1_versions' AND schemaname = current_schema()")
            analyses = int(cursor.fetchone()[0])
        batches = math.ceil(timeline.head() / 5)
        # Once per doubling of the view: a handful, where there were dozens of batches.
        assert batches > 20 and 2 <= analyses <= math.log2(timeline.head() / 8) + 1
    finally:
        store.close()
        timeline.close()
