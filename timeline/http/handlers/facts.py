"""Recording, correcting and retracting facts; recording documents; reading both back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from aiohttp import web

from timeline.commands import Correct, Patch, RecordRecords, RedactDocument, RedactFact, Retract, WithdrawDocument
from timeline.dates import NeedsParser, ValidTime, parse_valid_time, plain_only
from timeline.errors import FactConflict, FieldError, InvalidRecord
from timeline.http import idempotency, params
from timeline.http.auth import AUTHOR
from timeline.http.cloudevents import BATCH, STRUCTURED, event_from_binary, fact_from_cloudevent, is_binary
from timeline.http.keys import SETTINGS, TIMELINE
from timeline.http.problems import BadRequest
from timeline.http.render import document_json, location, receipt_json, stored_fact_json
from timeline.http.respond import JSON, json_response, off_loop, read_json
from timeline.parsing import (
    parse_document,
    parse_fact,
    validate_correction,
    validate_patch_parameters,
    validate_redaction,
    validate_retraction,
    validate_withdrawal,
)
from timeline.patches import MERGE_PATCH

INLINE_PARSE_BYTES = 8 * 1024  # a record this small validates in tens of microseconds (its dates aside)


async def record_facts(request: web.Request) -> web.Response:
    """POST /v1/facts: one fact (object) or an atomic batch (array); JSON or CloudEvents."""
    body = await read_json(request, (JSON, STRUCTURED, BATCH))
    if request.content_type == STRUCTURED and not isinstance(body, dict):
        fact_from_cloudevent(body)  # refuses it, saying why: a structured CloudEvent is one object
    if request.content_type == BATCH and not isinstance(body, list):
        raise BadRequest("a CloudEvents batch is a JSON array of events")
    if request.content_type in (STRUCTURED, BATCH):
        # Unwrapped with the records' parsing, off the loop, once the batch's size has been checked.
        return await _record(request, body, lambda item, index: parse_fact(fact_from_cloudevent(item, index), index))
    if is_binary(request.headers):
        if not isinstance(body, dict):
            raise BadRequest("a CloudEvent in binary mode carries one fact: its body is a JSON object")
        headers = dict(request.headers)

        def from_binary(item: Any, index: int | None) -> Any:
            return parse_fact(fact_from_cloudevent(event_from_binary(headers, orjson.dumps(item)), index), index)

        return await _record(request, body, from_binary)
    return await _record(request, body, lambda item, index: parse_fact(item, index))


async def record_documents(request: web.Request) -> web.Response:
    """POST /v1/documents: a source document with its full text."""
    body = await read_json(request)
    return await _record(request, body, lambda item, index: parse_document(_as_document(item), index))


async def _record(request: web.Request, body: Any, parse: Any) -> web.Response:
    items = body if isinstance(body, list) else [body]
    if isinstance(body, list) and not body:
        raise BadRequest("the batch is empty", status=422)
    if len(items) > request.app[SETTINGS].max_batch:
        raise BadRequest(f"a batch holds at most {request.app[SETTINGS].max_batch} records", status=413)
    key, derived = idempotency.key_of(request), set[UUID]()
    records = await _parsed(request, items, parse)
    if key is not None:
        records, derived = idempotency.with_keyed_ids(records, key, request.get(AUTHOR))
    try:
        receipts = await idempotency.submit(request, body, RecordRecords(tuple(records)))
    except FactConflict as conflict:
        if conflict.fact_id in derived:
            raise BadRequest(f"this {idempotency.HEADER} was sent before with another body", status=422) from None
        raise
    created = any(r.created for r in receipts)
    status = 201 if created else 200
    if isinstance(body, list):
        return json_response({"receipts": [receipt_json(r) for r in receipts]}, status=status)
    (receipt,) = receipts
    return json_response(receipt_json(receipt), status=status, headers={"Location": location(receipt)})


async def _parsed(request: web.Request, items: list[Any], parse: Any) -> list[Any]:
    """The records parsed: one small record on the loop if none of its dates needs edtf's parser (tens of microseconds,
    less than handing it to a read thread), any other on a read thread (a date may take edtf milliseconds)."""
    if len(items) == 1 and request.content_length is not None and request.content_length <= INLINE_PARSE_BYTES:
        try:
            with plain_only():
                return _parse_all(items, parse)
        except NeedsParser:
            pass
    return await off_loop(request, _parse_all, items, parse)


def _parse_all(items: list[Any], parse: Any) -> list[Any]:
    """Parse every record, reporting every invalid one (with its index) at once."""
    records, errors = [], []
    for index, item in enumerate(items):
        try:
            records.append(parse(item, index if len(items) > 1 else None))
        except InvalidRecord as error:
            errors.extend(error.errors)
    if errors:
        raise InvalidRecord(errors)
    return records


def _as_document(item: Any) -> Any:
    return {"type": "document", **item} if isinstance(item, dict) and "type" not in item else item


async def get_fact(request: web.Request) -> web.Response:
    fact = await off_loop(request, request.app[TIMELINE].fact, params.fact_id(request))
    return json_response(stored_fact_json(fact), headers={"ETag": f'"{fact.version}"'})


async def correct_fact(request: web.Request) -> web.Response:
    """POST /v1/facts/{id}/corrections: {reason, changes, expected_version} or If-Match: "<version>"; or, as
    application/merge-patch+json, a patch of the fact's body with `reason` (and `because`, `revised`,
    `expected_version`) as query parameters."""
    if request.content_type == MERGE_PATCH:
        return await _patch_fact(request)
    fact_id, body = params.fact_id(request), await read_json(request)
    await off_loop(request, validate_correction, body)  # its EDTF dates are parsed by edtf: not on the loop
    expected = _expected_version(request, body)
    revised = await _valid_time(request, body.get("revised"))
    (receipt,) = await idempotency.submit(request, body, Correct(fact_id, expected, body["changes"], body["reason"], revised))
    return _changed(request, receipt)


async def _patch_fact(request: web.Request) -> web.Response:
    params.only(request, "reason", "because", "revised", "expected_version")
    fact_id, patch = params.fact_id(request), await read_json(request, (MERGE_PATCH,))
    meta: dict[str, Any] = {name: request.query[name] for name in ("reason", "because", "revised") if name in request.query}
    if "expected_version" in request.query:
        meta["expected_version"] = params.integer(request, "expected_version", None, low=1)
    await off_loop(request, validate_patch_parameters, meta)
    expected = _expected_version(request, meta)
    revised = await _valid_time(request, meta.get("revised"))
    (receipt,) = await idempotency.submit(request, patch, Patch(fact_id, expected, patch, meta["reason"], revised))
    return _changed(request, receipt)


async def retract_fact(request: web.Request) -> web.Response:
    """POST /v1/facts/{id}/retractions: {reason, expected_version} or If-Match: "<version>"."""
    fact_id, body = params.fact_id(request), await read_json(request)
    because = validate_retraction(body)
    expected = _expected_version(request, body)
    (receipt,) = await idempotency.submit(request, body, Retract(fact_id, expected, body["reason"], because))
    return _changed(request, receipt)


async def withdraw_document(request: web.Request) -> web.Response:
    """POST /v1/documents/{id}/retractions: {reason, withdrawn}: its source withdrew it. Facts citing it are flagged."""
    slug, body = request.match_info["id"], await read_json(request)
    await off_loop(request, validate_withdrawal, body)  # an EDTF date: parsed off the loop
    withdrawn = await _valid_time(request, body.get("withdrawn"))
    (receipt,) = await idempotency.submit(request, body, WithdrawDocument(slug, body["reason"], withdrawn))
    return _changed(request, receipt)


async def redact_fact(request: web.Request) -> web.Response:
    """POST /v1/facts/{id}/redactions: {reason}; an admin token only. The fact's content is taken down from the
    log, the views and exports; its id, its digests and the reason stay (docs/redaction.md)."""
    fact_id, body = params.fact_id(request), await read_json(request)
    reason = validate_redaction(body)
    (receipt,) = await idempotency.submit(request, body, RedactFact(fact_id, reason))
    await off_loop(request, request.app[TIMELINE].forget_purged)
    return _changed(request, receipt)


async def redact_document(request: web.Request) -> web.Response:
    """POST /v1/documents/{id}/redactions: {reason}; an admin token only. Every version's content is taken down."""
    slug, body = request.match_info["id"], await read_json(request)
    reason = validate_redaction(body)
    (receipt,) = await idempotency.submit(request, body, RedactDocument(slug, reason))
    await off_loop(request, request.app[TIMELINE].forget_purged)
    return _changed(request, receipt)


async def _valid_time(request: web.Request, edtf: str | None) -> ValidTime | None:
    """A date the request gives, parsed off the loop (edtf is slow), once its request was validated."""
    return None if edtf is None else await off_loop(request, parse_valid_time, edtf)


def _changed(request: web.Request, receipt: Any) -> web.Response:
    status = 201 if receipt.created else 200  # 200: a retry, answered with the version it made
    return json_response(receipt_json(receipt), status=status, headers={"Location": location(receipt), "ETag": f'"{receipt.version}"'})


def _expected_version(request: web.Request, body: dict[str, Any]) -> int:
    tags = request.if_match  # aiohttp's parse: quoted tags, weak or strong; nothing for a malformed header
    if tags is not None:
        version = params.position(tags[0].value) if len(tags) == 1 else None  # versions are counted as positions are
        if version is None:
            message = 'If-Match names the version you read, e.g. If-Match: "2"'
            raise BadRequest(message, errors=[FieldError("If-Match", "is not a version")])
        if "expected_version" in body and body["expected_version"] != version:
            raise BadRequest("If-Match and expected_version disagree")
        return version
    if "expected_version" not in body:
        raise BadRequest(
            "say which version you are changing: expected_version in the body, or If-Match",
            status=428,
            errors=[FieldError("expected_version", "is required (or send If-Match)")],
        )
    expected: int = body["expected_version"]  # the schema made it an integer from 1
    return expected


async def get_document(request: web.Request) -> web.Response:
    """GET /v1/documents/{id}: a document's latest version (or `?version=N`), with the history of its versions."""
    params.only(request, "version")
    slug = request.match_info["id"]
    version = params.integer(request, "version", None, low=1)
    document = await off_loop(request, request.app[TIMELINE].document, slug, version)
    return json_response(document_json(document))

