"""Where a redaction purges: the stored states of a redacted record's earlier events (timeline.redactions).

Called by the recorders (and `timeline import`'s restore) on the transaction that inserts the
redaction event, after its chain row, under the log's insert lock: the purge commits, or rolls back,
with the redaction. The events table refuses every other UPDATE (timeline.storage.protect_log).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from timeline.chain_store import Dialect, state_bytes
from timeline.redactions import TOPICS, is_tombstone, tombstone


def purge(cursor: Any, names: Dialect, inserted: Iterable[tuple[int, StoredEvent]]) -> int:
    """Replace each earlier event of every record redacted among `inserted` by its tombstone; how many."""
    purged = 0
    sqlite = names.param == "?"
    for _, event in inserted:
        if event.topic not in TOPICS:
            continue
        originator = event.originator_id
        key = (originator if isinstance(originator, UUID) else UUID(str(originator))).hex if sqlite else originator
        cursor.execute(
            names.sql("SELECT {position}, state FROM {events} WHERE originator_id = {p} AND originator_version < {p}"),
            (key, event.originator_version),
        )
        found = [(row["notification_id"], row["state"]) if isinstance(row, dict) else tuple(row) for row in cursor.fetchall()]
        if sqlite and found:
            cursor.execute("PRAGMA secure_delete = ON")  # the freed pages are zeroed, not left in the file
        for position, state in found:
            stored = state_bytes(state)
            if is_tombstone(stored):
                continue
            cursor.execute(names.sql("UPDATE {events} SET state = {p} WHERE {position} = {p}"), (tombstone(stored), position))
            purged += 1
    return purged
