"""Redaction: a legal takedown of a fact's or a document's content, without rewriting the log's history.

A redaction is an event on the record it takes down (`Fact.Redacted`, `Document.Redacted`), with its
reason, chained and attributed like any other. In the transaction that stores it, every earlier event
of that record is *purged*: its stored state is replaced by a tombstone that keeps only the state's
sha256,

    {"redacted":"<sha256 hex of the state it replaced>"}

The hash chain (timeline.chain) covers each event's state through that digest alone, so the chain
verifies unchanged, and an export carries the tombstone where the state was. Nothing else about the
event changes: its position, record id, version and topic stay. See docs/redaction.md.

Pure functions, no I/O: the SQL that purges lives in timeline.redaction_store.
"""

from __future__ import annotations

import hashlib
import re

FACT_REDACTED = "timeline.facts:Fact.Redacted"
DOCUMENT_REDACTED = "timeline.sources:Document.Redacted"
TOPICS = (FACT_REDACTED, DOCUMENT_REDACTED)

_PREFIX = b'{"redacted":"'
_TOMBSTONE = re.compile(rb'\{"redacted":"[0-9a-f]{64}"\}')
TOMBSTONE_LENGTH = len(_PREFIX) + 64 + 2


def tombstone(state: bytes) -> bytes:
    """What a purged event's stored state becomes: the sha256 of the state it replaces, and nothing of it."""
    return _PREFIX + hashlib.sha256(state).hexdigest().encode() + b'"}'


def is_tombstone(state: bytes) -> bool:
    return len(state) == TOMBSTONE_LENGTH and _TOMBSTONE.fullmatch(state) is not None


def state_digest(state: bytes) -> bytes:
    """The sha256 the hash chain covers for a stored state: its own, or, once purged, the one its tombstone kept."""
    if is_tombstone(state):
        return bytes.fromhex(state[len(_PREFIX) : len(_PREFIX) + 64].decode())
    return hashlib.sha256(state).digest()


def kept_sha256(state: bytes) -> str | None:
    """The digest a tombstone keeps, as hex; None for a state that was not purged."""
    return state_digest(state).hex() if is_tombstone(state) else None
