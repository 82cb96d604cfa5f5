"""The OpenAPI 3.1 document, generated from the very schemas that validate requests."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aiohttp import web

from timeline.facts import FactType
from timeline.http.cloudevents import BATCH, CLOUDEVENT_SCHEMA, STRUCTURED
from timeline.http.respond import JSON
from timeline.patches import MERGE_PATCH
from timeline.subjects import SUBJECT_KINDS
from timeline.vocabulary import (
    AREA,
    CORRECTION_SCHEMA,
    DOCUMENT_SCHEMA,
    FACT_SCHEMA,
    FRAMEWORK_SCHEMA,
    REDACTION_SCHEMA,
    RETRACTION_SCHEMA,
    WITHDRAWAL_SCHEMA,
)

PROBLEM = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


_INTEGER, _STRING, _BOOLEAN = {"type": "integer"}, {"type": "string"}, {"type": "boolean"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_VIEW = {"position": _INTEGER, "known_at": _INTEGER, "as_of": _NULLABLE_STRING, "reported_by": _NULLABLE_STRING}

SCHEMAS: dict[str, Any] = {
    "Fact": FACT_SCHEMA,
    "Document": {**DOCUMENT_SCHEMA, "required": [r for r in DOCUMENT_SCHEMA["required"] if r != "type"]},
    "Correction": CORRECTION_SCHEMA,
    "Retraction": RETRACTION_SCHEMA,
    "Withdrawal": WITHDRAWAL_SCHEMA,
    "Redaction": REDACTION_SCHEMA,
    "CloudEvent": CLOUDEVENT_SCHEMA,
    "Problem": _object(
        ["type", "title", "status", "detail"],
        type=_STRING, title=_STRING, status=_INTEGER, detail=_STRING,
        errors={"type": "array", "items": _object(["field", "message"], field=_STRING, message=_STRING, index=_INTEGER)},
        subject={"type": "string", "description": "404: the subject no fact names"},
        available={"type": "array", "items": _STRING, "description": "406: the media types the resource is available as"},
        redaction=_object(["position", "reason"], position=_INTEGER, reason=_STRING)
        | {"description": "410: the redaction that took the record's content down"},
    ),
    "Receipt": _object(
        ["kind", "id", "version", "position", "recorded_at", "created"],
        kind={"enum": ["fact", "document"]}, id=_STRING, version=_INTEGER, position=_INTEGER,
        recorded_at={"type": "string", "format": "date-time"}, created=_BOOLEAN,
    ),
    "Receipts": _object(["receipts"], receipts={"type": "array", "items": _ref("Receipt")}),
    "StoredFact": _object(
        ["id", "version", "retracted", "type", "subject", "occurred", "data", "source", "history"],
        id=_STRING, version=_INTEGER, retracted=_BOOLEAN, type={"enum": [t.value for t in FactType]}, subject=_STRING,
        occurred=_STRING, data={"type": "object"}, source={"type": "object"}, mentions={"type": "array"},
        history={"type": "array", "items": _object(["version", "position", "recorded_at", "change"])},
    ),
    "StoredDocument": _object(["id", "publisher", "url", "published", "kind", "sha256", "text"]),
    "Subjects": _object(["position", "known_at", "subjects"], **_VIEW, subjects={"type": "array"}),
    "Subject": _object(
        ["id", "kind", "facts", "links"], **_VIEW, id=_STRING, kind=_STRING, facts=_INTEGER, links={"type": "object"},
        first_occurred=_NULLABLE_STRING, last_occurred=_NULLABLE_STRING,
    ),
    "Status": _object(
        ["position", "known_at", "subject", "ratings", "pending_decisions", "statements", "roles"],
        **_VIEW, subject=_STRING, ratings={"type": "object"}, pending_decisions={"type": "array"},
        statements={"type": "array"}, findings={"type": ["object", "null"]}, roles={"type": "array"},
        possible={"type": "array", "description": "facts that may, but need not yet, have happened by as_of"},
    ),
    "Changes": _object(
        ["position", "since", "until", "changes", "subjects", "next_cursor"],
        position=_INTEGER, since=_INTEGER, until=_INTEGER, subject=_NULLABLE_STRING,
        changes={"type": "array", "description": "versions recorded after since, up to until, in log order"},
        subjects={"type": "array", "description": "each subject touched whose ratings moved: before and after, per pillar"},
        next_cursor=_NULLABLE_STRING,
    ),
    "Timeline": _object(
        ["position", "known_at", "subject", "facts", "next_cursor"],
        **_VIEW, subject=_STRING, facts={"type": "array"}, next_cursor=_NULLABLE_STRING,
    ),
    "Statements": _object(["position", "known_at", "subject", "by", "about"], **_VIEW, subject=_STRING, by={"type": "array"}, about={"type": "array"}),
    "Disputes": _object(["position", "known_at", "subject", "disputes"], **_VIEW, subject=_STRING, disputes={"type": "array"}),
    "Search": _object(
        ["position", "known_at", "terms", "subjects", "documents", "facts", "next_cursor"],
        **_VIEW, terms={"type": "array", "items": _STRING, "description": "the words searched for, folded (the last one as a prefix)"},
        subjects={"type": "array", "description": "subjects with a name, short name, alias or id holding every word (at most 100)"},
        documents={"type": "array", "description": "documents whose title, publisher or text holds every word (at most 100)"},
        facts={"type": "array", "description": "a page of facts holding every word, latest first by valid time"},
        next_cursor=_NULLABLE_STRING,
    ),
    "ClaimReviews": _object(
        ["position", "known_at", "claim_reviews"],
        position=_INTEGER, known_at=_INTEGER, reported_by=_NULLABLE_STRING, subject=_STRING, next_after=_NULLABLE_STRING,
        claim_reviews={
            "type": "array",
            "description": "each dispute as a schema.org ClaimReview, a JSON-LD document of its own",
            "items": _object(
                ["@context", "@type", "url", "claimReviewed", "datePublished", "author", "itemReviewed", "reviewRating"],
                **{"@context": {"const": "https://schema.org"}, "@type": {"const": "ClaimReview"}},
                url=_STRING, claimReviewed=_STRING, datePublished=_STRING, author={"type": "object"},
                itemReviewed={"type": "object"}, reviewRating=_object(["alternateName"], alternateName=_STRING),
            ),
        },
    ),
    "Ratings": _object(
        ["position", "known_at", "pillar", "ratings", "counts"],
        **_VIEW, pillar=_NULLABLE_STRING, inspection=_NULLABLE_STRING, ratings={"type": "array"},
        framework={"type": ["object", "null"], "description": "the inspection's framework edition: edition, name, scale"},
        covered={"type": "integer", "description": "how many subjects have a rating in this inspection"},
        covers={"type": ["integer", "null"], "description": "how many subjects each inspection of the edition covers"},
        counts={"type": "object", "additionalProperties": _INTEGER},
    ),
    "TimelineJS": _object(
        ["events"],
        title={"type": "object"},
        events={"type": "array", "items": _object(["start_date", "text"], start_date=_object(["year"], year=_INTEGER), text={"type": "object"})},
    ),
    "Framework": FRAMEWORK_SCHEMA,
    "Frameworks": _object(["position", "known_at", "frameworks"], **_VIEW, frameworks={"type": "array"}),
    "Facts": _object(["position", "known_at", "facts"], **_VIEW, subject={"type": ["string", "null"]}, facts={"type": "array"}),
    "Sources": _object(["position", "known_at", "documents"], **_VIEW, documents={"type": "array"}),
    "Events": _object(["events", "head", "next_after"], events={"type": "array"}, head=_INTEGER, next_after=_INTEGER),
    "Projections": _object(["head", "projections"], head=_INTEGER, projections={"type": "array"}),
    "Health": _object(
        ["status", "facts", "position", "views", "chain"], status=_STRING, facts=_INTEGER, position=_INTEGER, views={"type": "object"},
        chain=_object(["position", "link"], position=_INTEGER, link=_STRING),
    ),
}


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


AS_OF = _query("as_of", _STRING, "valid time: an EDTF date, taken at its last day")
KNOWN_AT = _query("known_at", _STRING, "record time: a log position, or a UTC instant such as 2017-03-02T12:00:00Z")
REPORTED_BY = _query("reported_by", _STRING, "publication time: an EDTF date, taken at its first day; only what sources had published by then")
MIN_POSITION = _query("min_position", {"type": "integer", "minimum": 0}, "wait (bounded) until the view has reached this log position")
LIMIT = _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "page size")
SUBJECT_PATH = [
    {"name": "kind", "in": "path", "required": True, "schema": {"enum": list(SUBJECT_KINDS)}},
    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}},
]
EVENT_FILTERS = [
    _query("subject", _STRING, "only events of facts naming these subjects: ids or whole kinds (force/), comma-separated or repeated"),
    _query("type", _STRING, "only events of these types: event names (fact.retracted) or fact types (rating.published), comma-separated or repeated"),
]
FACT_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
# With a merge patch, the correction's reason, kind, revision date and version travel as query parameters.
PATCH_PARAMETERS = [
    {"name": "reason", "in": "query", "required": False, "schema": {"type": "string", "minLength": 1, "maxLength": 500}, "description": "why (required with a merge patch)"},
    {"name": "because", "in": "query", "required": False, "schema": {"enum": ["erred", "source-revised"]}},
    {"name": "revised", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 100}, "description": "EDTF: when the source revised itself"},
    {"name": "expected_version", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
]


def _json(schema: dict[str, Any], media: str = JSON) -> dict[str, Any]:
    return {"content": {media: {"schema": schema}}}


def _problems(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": "a problem", **_json(_ref("Problem"), PROBLEM)} for s in statuses}


def _without_as_of(view: dict[str, Any]) -> dict[str, Any]:
    """A view that answers at every date: it takes no `as_of`."""
    view["get"]["parameters"] = [p for p in view["get"]["parameters"] if p is not AS_OF]
    return view


def _view(schema: str, summary: str, parameters: list[dict[str, Any]], body: dict[str, Any] | None = None) -> dict[str, Any]:
    """A view's GET; `body` replaces the 200 response's content where a `format` changes it."""
    return {
        "get": {
            "summary": summary,
            "parameters": [*parameters, AS_OF, REPORTED_BY, KNOWN_AT, MIN_POSITION],
            "responses": {
                "200": {
                    "description": "the view, reflecting every write acknowledged before the request; with an ETag",
                    "headers": {"Timeline-Position": {"schema": _INTEGER, "description": "the log position the answer reflects"}},
                    **(body or _json(_ref(schema))),
                },
                "304": {"description": "not modified since the ETag in If-None-Match"},
                **_problems(400, 404, 503),
            },
        }
    }


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"},
    "description": "stored with the write: a re-send with it is stored once and answered 200 with the original receipt; "
    "the same key with another request is a 422 (facts without an id also get ids derived from it)",
}


def _write(summary: str, body: dict[str, Any], parameters: list[dict[str, Any]] | None = None, created: str = "Receipt") -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": [*(parameters or []), IDEMPOTENCY_KEY],
            "requestBody": {"required": True, "content": body},
            "responses": {
                "200": {"description": "already stored: the original", **_json({"oneOf": [_ref("Receipt"), _ref("Receipts")]})},
                "201": {"description": "stored", **_json({"oneOf": [_ref(created), _ref("Receipts")]})},
                **_problems(400, 401, 404, 408, 409, 413, 415, 422, 428),
            },
        }
    }


def _redaction(kind: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """A redaction: an admin token's, answered like any write, and 410 for a change to what it took down."""
    operation = _write(
        f"take a {kind}'s content down (a legal takedown; an admin token only): it is gone from every view, read and "
        "export, and the log keeps the redaction with its reason and the digests of what it removed (docs/redaction.md); "
        "re-sent with the same reason: 200 and the original; with another: 409",
        {JSON: {"schema": _ref("Redaction")}}, parameters,
    )
    operation["post"]["responses"].update(_problems(403))
    return operation


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The document, each operation answering 406 too: an Accept that none of its formats satisfies."""
    document = _document()
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"].setdefault("406", {"description": "a problem", **_json(_ref("Problem"), PROBLEM)})
    return document


def _document() -> dict[str, Any]:
    timeline_filters = [
        _query("type", _STRING, "fact types, comma-separated"),
        _query("from", _STRING, "EDTF date: facts whose valid time ends on or after it"),
        _query("to", _STRING, "EDTF date: facts whose valid time starts on or before it"),
        _query("include_retracted", _BOOLEAN, "show retracted facts too"),
        LIMIT,
        _query("cursor", _STRING, "next_cursor of the previous page"),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Timeline",
            "version": "1",
            "description": "Sourced, dated facts as an event log, and views of them as of any date, as known at any moment.",
        },
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/healthz": {"get": {"summary": "health and positions", "responses": {"200": {"description": "ok", **_json(_ref("Health"))}}}},
            "/metrics": {
                "get": {
                    "summary": "requests by route pattern and status, latencies, write batch sizes, the log's position and the views' lag, "
                    "in Prometheus' text format (needs a token where TIMELINE_METRICS_NEED_TOKEN is set)",
                    "responses": {"200": {"description": "the figures", "content": {"text/plain": {"schema": _STRING}}}, **_problems(401, 403, 429)},
                }
            },
            "/v1/facts": _facts_export() | _write(
                "record a fact, or an atomic batch",
                {
                    JSON: {"schema": {"oneOf": [_ref("Fact"), {"type": "array", "items": _ref("Fact"), "minItems": 1}]}},
                    STRUCTURED: {"schema": _ref("CloudEvent")},
                    BATCH: {"schema": {"type": "array", "items": _ref("CloudEvent")}},
                },
            ),
            "/v1/facts/{id}": {
                "get": {
                    "summary": "a fact as it stands, with its version history",
                    "parameters": [FACT_ID],
                    "responses": {"200": {"description": "the fact", **_json(_ref("StoredFact"))}, **_problems(400, 404, 410)},
                }
            },
            "/v1/facts/{id}/corrections": _write(
                "correct a fact (a new version): a correction's fields, or a JSON Merge Patch of the fact with its reason as a query parameter",
                {JSON: {"schema": _ref("Correction")}, MERGE_PATCH: {"schema": {"type": "object", "minProperties": 1}}},
                [FACT_ID, _if_match(), *PATCH_PARAMETERS],
            ),
            "/v1/facts/{id}/retractions": _write(
                "retract a fact (a new version)", {JSON: {"schema": _ref("Retraction")}}, [FACT_ID, _if_match()]
            ),
            "/v1/facts/{id}/redactions": _redaction("fact", [FACT_ID]),
            "/v1/documents": _write("record a source document", {JSON: {"schema": _ref("Document")}}),
            "/v1/documents/{id}": {
                "get": {
                    "summary": "a source document with its text",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": _STRING}],
                    "responses": {"200": {"description": "the document", **_json(_ref("StoredDocument"))}, **_problems(404, 410)},
                }
            },
            "/v1/documents/{id}/retractions": _write(
                "record that a document's source withdrew it: facts citing it are flagged, and one citing nothing else no longer counts",
                {JSON: {"schema": _ref("Withdrawal")}},
                [{"name": "id", "in": "path", "required": True, "schema": _STRING}],
            ),
            "/v1/documents/{id}/redactions": _redaction("document", [{"name": "id", "in": "path", "required": True, "schema": _STRING}]),
            "/v1/subjects": _view(
                "Subjects",
                "subjects named by facts, a page at a time in id order",
                [
                    _query("kind", {"enum": list(SUBJECT_KINDS)}, "only this kind"),
                    _query("after", {"type": "string", "maxLength": 200}, "the last id of the previous page (its next_after)"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "subjects per page (default and most 1000)"),
                ],
            ),
            "/v1/subjects/{kind}/{slug}": _view("Subject", "a subject: how many facts name it", SUBJECT_PATH),
            "/v1/subjects/{kind}/{slug}/status": _view("Status", "a subject's status", SUBJECT_PATH),
            "/v1/subjects/{kind}/{slug}/timeline": _view(
                "Timeline",
                "a subject's timeline: a page as JSON, or all of it as TimelineJS 3 JSON",
                [
                    *SUBJECT_PATH, *timeline_filters,
                    _query("format", {"enum": ["json", "csv", "timelinejs"]}, "json (default); csv: its claims, one row a claim "
                           "with its standing and disputes (or Accept: text/csv); timelinejs: TimelineJS 3 JSON"),
                ],
                {"content": {JSON: {"schema": {"anyOf": [_ref("Timeline"), _ref("TimelineJS")]}}, "text/csv": {"schema": _STRING}}},
            ),
            "/v1/subjects/{kind}/{slug}/statements": _view("Statements", "statements by and about a subject", SUBJECT_PATH),
            "/v1/subjects/{kind}/{slug}/disputes": _without_as_of(
                _view("Disputes", "claims naming a subject that dispute what stands, beside the record, at any date", SUBJECT_PATH)
            ),
            "/v1/ratings": _view(
                "Ratings",
                "one inspection (the latest, unless named): every subject's standing grade per area, counts per grade on "
                "the edition's scale, and how many subjects it covers; as JSON or CSV",
                [
                    _query("pillar", AREA, "the graded area (default: every area)"),
                    _query("inspection", _STRING, "e.g. PEEL 2016"),
                    _query("format", {"enum": ["json", "csv"]}, "json (default) or csv; without it, Accept chooses"),
                ],
                {"content": {JSON: {"schema": _ref("Ratings")}, "text/csv": {"schema": _STRING}}},
            ),
            "/v1/sources": _view("Sources", "documents and the facts citing them", []),
            "/v1/search": _view(
                "Search",
                "full-text search: facts (by the words of their data, subjects, sources and quotes), subjects (by their "
                "names) and documents (by their text) holding every word of q; retracted facts are not found",
                [
                    _query("q", {"type": "string", "minLength": 1, "maxLength": 200}, "words (at most 16); case, accents and punctuation do not matter", required=True),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "facts per page (default 20)"),
                    _query("cursor", _STRING, "next_cursor of the previous page (it keeps the first page's known_at)"),
                ],
            ),
            "/v1/claim-reviews": _without_as_of(
                _view(
                    "ClaimReviews",
                    "disputes as schema.org ClaimReview JSON-LD: of one subject, or of a page of subjects",
                    [
                        _query("subject", _STRING, "only the disputes naming this subject"),
                        _query("after", {"type": "string", "maxLength": 200}, "without subject: the next_after of the previous page"),
                        _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "without subject: subjects per page (default 100)"),
                    ],
                )
            ),
            "/v1/frameworks": _view("Frameworks", "inspection framework editions: graded areas, grades (best first), scale", []),
            "/v1/changes": {
                "get": {
                    "summary": "what changed between two moments of the log: facts recorded, corrected and retracted, "
                    "and each subject's ratings before and after",
                    "parameters": [
                        _query("since", _STRING, "a log position or a UTC instant", required=True),
                        _query("until", _STRING, "a log position or a UTC instant (default: now); pin it for a permalink"),
                        _query("subject", _STRING, "only changes naming this subject"),
                        LIMIT,
                        _query("cursor", _STRING, "next_cursor of the previous page"),
                        MIN_POSITION,
                    ],
                    "responses": {
                        "200": {"description": "a page of changes", **_json(_ref("Changes"))},
                        "304": {"description": "not modified since the ETag in If-None-Match"},
                        **_problems(400, 503),
                    },
                }
            },
            "/v1/events/{position}": {
                "get": {
                    "summary": "one log event, its CloudEvent attributes as ce-* headers (binary mode), or structured by Accept",
                    "parameters": [{"name": "position", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
                    "responses": {
                        "200": {"description": "the event", "content": {JSON: {"schema": {"type": "object"}}, STRUCTURED: {"schema": _ref("CloudEvent")}}},
                        **_problems(400, 404),
                    },
                }
            },
            "/v1/events": {
                "get": {
                    "summary": "the log in order",
                    "description": "A filtered page looks at no more than 10,000 events: it may hold fewer than `limit` while "
                    "more follow. Go on from `next_after` (or the Timeline-Next-After header) until it reaches `head`.",
                    "parameters": [_query("after", {"type": "integer", "minimum": 0}, "start after this position"), LIMIT, *EVENT_FILTERS],
                    "responses": {
                        "200": {
                            "description": "a page of events",
                            "content": {JSON: {"schema": _ref("Events")}, BATCH: {"schema": {"type": "array", "items": _ref("CloudEvent")}}},
                        },
                        **_problems(400),
                    },
                }
            },
            "/v1/events/stream": {
                "get": {
                    "summary": "Server-Sent Events of new events; resume with Last-Event-ID",
                    "parameters": [_query("after", {"type": "integer", "minimum": 0}, "start after this position (Last-Event-ID wins)"), *EVENT_FILTERS],
                    "description": "At most TIMELINE_MAX_STREAMS streams are open at once; past that, 503 with Retry-After.",
                    "responses": {"200": {"description": "an event stream", "content": {"text/event-stream": {}}}, **_problems(400, 503)},
                }
            },
            "/v1/projections": {
                "get": {"summary": "each view's position and lag", "responses": {"200": {"description": "ok", **_json(_ref("Projections"))}}}
            },
            "/v1/projections/{name}/rebuild": {
                "post": {
                    "summary": "rebuild a view from the log while the old one keeps answering",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"enum": ["facts", "documents", "search"]}}],
                    "responses": {"202": {"description": "rebuilding", **_json({"type": "object"})}, **_problems(401, 403, 404, 409)},
                }
            },
        },
    }


def _facts_export() -> dict[str, Any]:
    """GET /v1/facts: every fact as it stands, as JSON, NDJSON or the facts CSV template; NDJSON and CSV load back."""
    return _without_as_of(
        _view(
            "Facts",
            "every fact not retracted, in log order, as its latest version says: as JSON, NDJSON (records `timeline load` "
            "takes) or CSV (the facts template, docs/spreadsheets.md); NDJSON and CSV as attachments",
            [
                _query("subject", _STRING, "only facts naming this subject (under any of its ids)"),
                _query("format", {"enum": ["json", "ndjson", "csv"]}, "json (default), ndjson or csv; without it, Accept chooses"),
            ],
            {"content": {JSON: {"schema": _ref("Facts")}, "application/x-ndjson": {"schema": _STRING}, "text/csv": {"schema": _STRING}}},
        )
    )


def _if_match() -> dict[str, Any]:
    return {"name": "If-Match", "in": "header", "required": False, "schema": _STRING, "description": 'the version you read, e.g. "2"'}


async def serve_openapi(request: web.Request) -> web.Response:
    from timeline.http.respond import json_response

    return json_response(openapi_document())
