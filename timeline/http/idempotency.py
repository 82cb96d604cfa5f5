"""Idempotency-Key: a client's key for one write, so that re-sending it never records anything twice.

A fact sent without an `id` gets a random one, so a re-send would be a second fact. With a key, the
ids of such facts derive from the key (and the token's name, so two clients' keys never meet):
a re-send carries the same ids, and is answered as every re-send is, with the original receipts
(200), alone or concurrent, on one server or several. The ids are in the log, so the key holds as
long as the log does. The same key with another body would give the same ids other content: 422.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from timeline.errors import FieldError
from timeline.http.problems import BadRequest
from timeline.vocabulary import NewFact

HEADER = "Idempotency-Key"
_KEYS = uuid.UUID("1c5e2a7e-4b0f-4d8a-9f3e-6a2d7c9b1e04")
_VALID = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, as the IETF draft's examples are


def key_of(request: web.Request) -> str | None:
    """The request's Idempotency-Key, if it sent one; a 400 for one that is empty, too long or not printable."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip().strip('"')
    if not _VALID.fullmatch(key):
        raise BadRequest(f"{HEADER} is 1 to 200 printable ASCII characters", errors=[FieldError(HEADER, "is not a valid key")])
    return key


def with_keyed_ids(records: Sequence[Any], key: str, author: str | None) -> tuple[list[Any], set[uuid.UUID]]:
    """The records, each fact without an id given the one its key and place in the batch derive; and those ids."""
    keyed: list[Any] = []
    derived: set[uuid.UUID] = set()
    for index, record in enumerate(records):
        if isinstance(record, NewFact) and record.id is None:
            fact_id = keyed_id(key, author, index)
            record = NewFact(fact_id, record.content)
            derived.add(fact_id)
        keyed.append(record)
    return keyed, derived


def keyed_id(key: str, author: str | None, index: int) -> uuid.UUID:
    return uuid.uuid5(_KEYS, f"{author or ''}\n{key}\n{index}")
