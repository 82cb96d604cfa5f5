"""The log's hash chain: each stored event's content, linked to everything before it.

For each event in log order:

    content = sha256("<position>\\n<originator id hex>\\n<version>\\n<topic>\\n" + sha256(state))
    link    = sha256(previous link + content)         (links and contents as their 32 bytes)

starting from GENESIS. A state purged by a redaction (timeline.redactions) is a tombstone that keeps
its sha256: the chain covers it unchanged. A changed byte anywhere in an event (or a removed or inserted event)
changes its link and every link after it, so a chain head written down elsewhere (from
`/healthz` or `timeline verify`) vouches for the whole log up to it. Pure functions, no I/O:
the SQL lives in timeline.chain_store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from uuid import UUID

import orjson

from timeline.redactions import TOPICS as REDACTED_TOPICS
from timeline.redactions import is_tombstone, state_digest

GENESIS = hashlib.sha256(b"timeline genesis").hexdigest()
DOCUMENT_TOPIC = "timeline.sources:Document.Recorded"

# Why a position fails verification (`timeline verify`, first failure only).
EVENT_CHANGED = "event content changed"
LINK_CHANGED = "chain link changed"
DOCUMENT_CHANGED = "document text does not match its sha256"
LINK_MISSING = "event has no chain link"
EVENT_MISSING = "chain link has no event (an event was deleted)"
PURGED_WITHOUT_REDACTION = "event content purged, but no redaction of its record follows"
REDACTION_PURGED = "a redaction's own content was purged"


@dataclass(frozen=True, slots=True)
class ChainRow:
    """One row of the side table: a position's link, and its content digest (kept to tell why a link fails)."""

    position: int
    link: str
    content: str


@dataclass(frozen=True, slots=True)
class Verified:
    events: int
    position: int
    link: str


@dataclass(frozen=True, slots=True)
class Broken:
    position: int
    reason: str


def uuid_hex(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(originator_id).hex


def content_of(position: int, originator_id: UUID | str, version: int, topic: str, state: bytes) -> str:
    """The digest of one stored event: what it is, where it stands, and its state's sha256."""
    return content_of_digested(position, originator_id, version, topic, state_digest(state))


def content_of_digested(position: int, originator_id: UUID | str, version: int, topic: str, digest: bytes) -> str:
    """`content_of`, given the state's sha256 (a bulk load hashes states before it takes the log's lock)."""
    head = f"{position}\n{uuid_hex(originator_id)}\n{version}\n{topic}\n".encode()
    return hashlib.sha256(head + digest).hexdigest()


def link_of(previous: str, content: str) -> str:
    return hashlib.sha256(bytes.fromhex(previous) + bytes.fromhex(content)).hexdigest()


def extend(previous: str, events: Iterable[tuple[int, UUID | str, int, str, bytes]]) -> Iterator[ChainRow]:
    """The chain rows for events that follow a link, in their order."""
    for position, originator_id, version, topic, state in events:
        content = content_of(position, originator_id, version, topic, state)
        previous = link_of(previous, content)
        yield ChainRow(position, previous, content)


def extend_digested(previous: str, events: Iterable[tuple[int, UUID | str, int, str, bytes]]) -> Iterator[ChainRow]:
    """`extend` over events given with their states' sha256 instead of their states."""
    for position, originator_id, version, topic, digest in events:
        content = content_of_digested(position, originator_id, version, topic, digest)
        previous = link_of(previous, content)
        yield ChainRow(position, previous, content)


def verify(events: Iterable[tuple[int, UUID | str, int, str, bytes]], rows: Iterable[ChainRow]) -> Verified | Broken:
    """Recompute the chain from GENESIS over `events` and compare it with the stored `rows`, both in
    position order; the first position that fails, and why. Documents' texts are checked against
    their recorded sha256 too."""
    previous, count, last, stored = GENESIS, 0, 0, iter(rows)
    purged: dict[str, int] = {}  # record (id hex): its first purged position, until its redaction is seen
    row = next(stored, None)
    for position, originator_id, version, topic, state in events:
        if row is not None and row.position < position:
            return Broken(row.position, EVENT_MISSING)
        if row is None or row.position != position:
            return Broken(position, LINK_MISSING)
        content = content_of(position, originator_id, version, topic, state)
        expected = link_of(previous, content)
        if expected != row.link or content != row.content:
            # The row still agrees with itself and with the chain before it: the event is what changed.
            intact = row.content != content and link_of(previous, row.content) == row.link
            return Broken(position, EVENT_CHANGED if intact else LINK_CHANGED)
        if is_tombstone(state):
            if topic in REDACTED_TOPICS:
                return Broken(position, REDACTION_PURGED)
            purged.setdefault(uuid_hex(originator_id), position)
        elif topic in REDACTED_TOPICS:
            purged.pop(uuid_hex(originator_id), None)
        elif topic == DOCUMENT_TOPIC and not document_matches(state):
            return Broken(position, DOCUMENT_CHANGED)
        previous, count, last = expected, count + 1, position
        row = next(stored, None)
    if row is not None:
        return Broken(row.position, EVENT_MISSING)
    if purged:
        return Broken(min(purged.values()), PURGED_WITHOUT_REDACTION)
    return Verified(count, last, previous)


def document_matches(state: bytes) -> bool:
    """Whether a recorded document's text still has the sha256 recorded with it."""
    try:
        fields = orjson.loads(state)
        return bool(hashlib.sha256(fields["text"].encode("utf-8")).hexdigest() == fields["sha256"])
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, UnicodeEncodeError):
        return False
