"""Idempotency-Key: a client's key for one write, so that re-sending it never records anything twice.

Every POST that writes to the log takes one. The key (per token name, so two clients' keys never meet)
is stored with the write, on its transaction, with the request's fingerprint and what it recorded
(timeline.idempotency_keys): a re-send with the key is answered with the original receipts (200), once
the first has committed, alone or concurrent, on one server or several; the same key with another
request is a 422. Keys are never deleted: they last as long as the log.

A fact sent without an `id` gets a random one, so a re-send would be a second fact. With a key, the
ids of such facts also derive from it: a re-send carries the same ids, as any re-send by id does.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
from aiohttp import web

from timeline import idempotency_keys
from timeline.commands import Command, Keyed, Receipt, receipts
from timeline.errors import FieldError
from timeline.http.auth import AUTHOR
from timeline.http.keys import WRITER
from timeline.http.problems import BadRequest
from timeline.http.respond import off_loop
from timeline.parsing import NewFact

HEADER = "Idempotency-Key"
_KEYS = uuid.UUID("1c5e2a7e-4b0f-4d8a-9f3e-6a2d7c9b1e04")


def key_of(request: web.Request) -> str | None:
    """The request's Idempotency-Key, if it sent one; a 400 for one that is empty, too long or not printable."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip().strip('"')
    if not idempotency_keys.KEY.fullmatch(key):
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


async def submit(request: web.Request, body: Any, command: Command) -> list[Receipt]:
    """Run a write's command through the writer, with the request's key if it sent one; its receipts."""
    key, by = key_of(request), request.get(AUTHOR)
    if key is None:
        return receipts(await request.app[WRITER].submit(command, by=by))
    fingerprint = await off_loop(request, fingerprint_of, request.method, request.rel_url.raw_path, _request_headers(request), body)
    return receipts(await request.app[WRITER].submit(Keyed(by or "", key, fingerprint, command), by=by))


def fingerprint_of(method: str, path: str, headers: list[tuple[str, str]], body: Any) -> str:
    """What makes two requests the same write: method, path, query, the headers that change it, and the body's
    JSON (keys sorted: a client re-serialising its body still sends the same request)."""
    canonical = orjson.dumps([method, path, headers, body], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(canonical).hexdigest()


def _request_headers(request: web.Request) -> list[tuple[str, str]]:
    # The query (a merge patch's reason), the content type (a patch or a correction), If-Match (the version
    # changed), and a binary CloudEvent's ce-* attributes.
    query = sorted((name, value) for name, value in request.query.items())
    headers = sorted(
        (name.lower(), value) for name, value in request.headers.items() if name.lower() == "if-match" or name.lower().startswith("ce-")
    )
    return [("?" + name, value) for name, value in query] + [("content-type", request.content_type), *headers]
