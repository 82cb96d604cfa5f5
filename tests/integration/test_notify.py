"""PostgreSQL pushes: the runner is woken by NOTIFY when another process commits to the log."""

from __future__ import annotations

import subprocess
import sys
import threading

from projections.notify import PostgresListener, listener_for


def test_a_commit_from_another_process_wakes_the_listener(postgres_database, tmp_path):
    from timeline.application import Timeline

    timeline = Timeline(postgres_database)  # creates the log's tables before listening
    channel = timeline.notification_channel
    timeline.close()
    woken = threading.Event()
    listener = PostgresListener(postgres_database, channel, woken.set)
    listener.start()
    try:
        assert woken.wait(timeout=10)  # the first wake-up covers anything committed before LISTEN
        woken.clear()
        facts = tmp_path / "one.ndjson"
        facts.write_text(
            '{"type": "role.held", "subject": "person/jon-boutcher", "occurred": "2017-03-02", '
            '"data": {"role": "Chief Constable", "organisation": "force/bedfordshire"}, '
            '"source": {"publisher": "The Comet", "url": "https://example.org/c", "published": "2017-03-02", "kind": "press"}}\n'
        )
        loaded = subprocess.run(
            [sys.executable, "-m", "timeline", "load", str(facts), "--database", postgres_database],
            capture_output=True, text=True, timeout=60,
        )
        assert loaded.returncode == 0, loaded.stderr
        assert woken.wait(timeout=10)
    finally:
        listener.stop()


def test_sqlite_has_no_listener_and_relies_on_the_writer_and_a_poll(sqlite_database):
    from timeline.application import Timeline

    timeline = Timeline(sqlite_database)
    try:
        assert timeline.notification_channel is None
        assert listener_for(sqlite_database, timeline.notification_channel, lambda: None) is None
    finally:
        timeline.close()
