"""A redaction's purge in the store, on both backends: the one UPDATE the append-only log allows, and
what `verify` says of a purge that no redaction explains."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.test_chain import execute
from tests.integration.test_recording import DOCUMENT, rating, record
from timeline.application import Timeline
from timeline.chain import EVENT_CHANGED, PURGED_WITHOUT_REDACTION, REDACTION_PURGED, Broken, Verified
from timeline.redactions import is_tombstone, tombstone
from timeline.storage import is_postgres

pytestmark = pytest.mark.finding("redaction")

FAKE = '{"redacted":"' + "ab" * 32 + '"}'  # a tombstone's shape, with a digest that is no state's


def table_and_position(database: str) -> tuple[str, str]:
    return ("timeline_events", "notification_id") if is_postgres(database) else ("stored_events", "rowid")


def refused(database: str, statement: str) -> None:
    with pytest.raises(Exception, match="append-only"):
        execute(database, statement)


def test_the_log_lets_a_redaction_purge_its_records_earlier_events_and_nothing_else(timeline, database):
    record(timeline, DOCUMENT)
    kept, taken = rating(), rating()
    record(timeline, kept, taken)
    positions = {entry.originator_version: entry.position for entry in timeline.log() if str(entry.originator_id).replace("-", "") == uuid.UUID(taken["id"]).hex}
    table, position = table_and_position(database)
    # Before any redaction, not even a well-formed tombstone may replace a state.
    refused(database, f"UPDATE {table} SET state = CAST('{FAKE}' AS {'bytea' if is_postgres(database) else 'BLOB'}) WHERE {position} = {positions[1]}")
    timeline.redact_fact(uuid.UUID(taken["id"]), "court order AB12")
    purged = {entry.position: entry.state for entry in timeline.log()}
    assert is_tombstone(purged[positions[1]]) and not any(is_tombstone(s) for p, s in purged.items() if p != positions[1])
    # After it: the redaction itself, other records, and any other column or a DELETE stay refused.
    redaction = max(purged)
    for statement in (
        f"UPDATE {table} SET state = CAST('{FAKE}' AS {'bytea' if is_postgres(database) else 'BLOB'}) WHERE {position} = {redaction}",
        f"UPDATE {table} SET state = CAST('{FAKE}' AS {'bytea' if is_postgres(database) else 'BLOB'}) WHERE {position} = {positions[1] - 1}",
        f"UPDATE {table} SET topic = 'x' WHERE {position} = {positions[1]}",
        f"DELETE FROM {table} WHERE {position} = {positions[1]}",
    ):
        refused(database, statement)
    assert {entry.position: entry.state for entry in timeline.log()} == purged
    assert isinstance(timeline.verify(), Verified)


def test_on_postgres_even_a_purge_must_keep_the_true_digest(postgres_database):
    timeline = Timeline(postgres_database)
    try:
        record(timeline, DOCUMENT)
        taken = rating()
        (receipt,) = record(timeline, taken)
        original = next(e.state for e in timeline.log() if e.position == receipt.position)
        timeline.redact_fact(uuid.UUID(taken["id"]), "court order AB12")
        # Put the purged state back (triggers off, as only the database's owner could), to purge it again by hand.
        execute(
            postgres_database, "ALTER TABLE timeline_events DISABLE TRIGGER USER",
            f"UPDATE timeline_events SET state = '\\x{original.hex()}'::bytea WHERE notification_id = {receipt.position}",
            "ALTER TABLE timeline_events ENABLE TRIGGER USER",
        )
        refused(postgres_database, f"UPDATE timeline_events SET state = CAST('{FAKE}' AS bytea) WHERE notification_id = {receipt.position}")
        execute(postgres_database, f"UPDATE timeline_events SET state = '\\x{tombstone(original).hex()}'::bytea WHERE notification_id = {receipt.position}")
        assert isinstance(timeline.verify(), Verified)
    finally:
        timeline.close()


@pytest.mark.parametrize("blank", ["an event no redaction names", "a redaction itself", "with a wrong digest"])
def test_verify_names_a_purge_no_redaction_explains(timeline, database, blank):
    record(timeline, DOCUMENT)
    kept, taken = rating(), rating()
    receipts = record(timeline, kept, taken)
    redaction = timeline.redact_fact(uuid.UUID(taken["id"]), "court order AB12")
    target, expected = {
        "an event no redaction names": (receipts[0].position, PURGED_WITHOUT_REDACTION),
        "a redaction itself": (redaction.position, REDACTION_PURGED),
        "with a wrong digest": (receipts[1].position, EVENT_CHANGED),
    }[blank]
    stored = next(e.state for e in timeline.log() if e.position == target)
    # Blanked as a purge would be (its true digest kept), except where the digest itself is the lie.
    blanked = FAKE.encode() if expected == EVENT_CHANGED else tombstone(stored)
    table, position = table_and_position(database)
    if is_postgres(database):
        drop, value = "DROP TRIGGER timeline_events_append_only ON timeline_events", f"'\\x{blanked.hex()}'::bytea"
    else:
        drop, value = "DROP TRIGGER stored_events_append_only_update", f"X'{blanked.hex()}'"
    execute(database, drop, f"UPDATE {table} SET state = {value} WHERE {position} = {target}")
    assert timeline.verify() == Broken(target, expected)


def test_import_refuses_a_purged_line_whose_redaction_is_not_in_the_file(timeline, tmp_path):
    import io

    from timeline.loader import FileRefused
    from timeline.log_file import export_log, import_log

    record(timeline, DOCUMENT)
    taken = rating()
    (receipt,) = record(timeline, taken)
    timeline.redact_fact(uuid.UUID(taken["id"]), "court order AB12")
    exported = io.BytesIO()
    export_log(timeline, exported)
    _header, *events, _end = exported.getvalue().splitlines(keepends=True)
    whole, cut = tmp_path / "whole.ndjson", tmp_path / "cut.ndjson"
    whole.write_bytes(b"".join(events))  # as an export older than the end marker: each line still chained
    cut.write_bytes(b"".join(events[:-1]))  # without its last line, the redaction
    refusing = Timeline(str(tmp_path / "cut.sqlite3"))
    with pytest.raises(FileRefused) as refusal:
        import_log(refusing, cut)
    refusing.close()
    assert [(p.location.line, p.field) for p in refusal.value.problems] == [(len(events) - 1, "state")]
    assert "no redaction of its record follows" in refusal.value.problems[0].message
    restored = Timeline(str(tmp_path / "whole.sqlite3"))
    try:
        assert import_log(restored, whole) == len(events)
        assert restored.verify() == timeline.verify() and receipt.position < len(events)
    finally:
        restored.close()
