"""The OpenAPI 3.1 document: request bodies' schemas are the vocabulary's (which validate them), every answer's is
generated from its typed model (timeline/http/models.py), and values that come from the log (framework editions'
areas and grades) are filled in as the document is served."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from aiohttp import web
from pydantic.json_schema import models_json_schema

from timeline.http import models, params
from timeline.http.cloudevents import BATCH, CLOUDEVENT_SCHEMA, STRUCTURED
from timeline.http.keys import VIEWS
from timeline.http.problems import PROBLEM
from timeline.http.respond import JSON, view_response
from timeline.patches import MERGE_PATCH
from timeline.schemas import (
    AREA,
    CORRECTION_SCHEMA,
    DOCUMENT_SCHEMA,
    FACT_SCHEMA,
    FRAMEWORK_SCHEMA,
    REDACTION_SCHEMA,
    RETRACTION_SCHEMA,
    WITHDRAWAL_SCHEMA,
)
from timeline.subjects import SLUG, SUBJECT_KINDS

REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


_INTEGER, _STRING, _BOOLEAN = {"type": "integer"}, {"type": "string"}, {"type": "boolean"}

# The request bodies' schemas are the vocabulary's, which validate them; every answer's is generated from its model.
REQUESTS: dict[str, Any] = {
    "Fact": FACT_SCHEMA,
    "Document": {**DOCUMENT_SCHEMA, "required": [r for r in DOCUMENT_SCHEMA["required"] if r != "type"]},
    "Correction": CORRECTION_SCHEMA,
    "Retraction": RETRACTION_SCHEMA,
    "Withdrawal": WITHDRAWAL_SCHEMA,
    "Redaction": REDACTION_SCHEMA,
    "CloudEvent": CLOUDEVENT_SCHEMA,
    "Framework": FRAMEWORK_SCHEMA,
}


def response_schemas() -> dict[str, Any]:
    """Every answer's schema and the schemas they use, generated from the models, by model name."""
    _, generated = models_json_schema([(model, "validation") for model in models.RESPONSES], ref_template=REF)
    schemas: dict[str, Any] = generated["$defs"]
    clash = set(schemas) & set(REQUESTS)
    assert not clash, f"a response model is named like a request schema: {clash}"
    return schemas


SCHEMAS: dict[str, Any] = REQUESTS | response_schemas()

# A fact to record, as an example clients (and schemathesis) can send as it is.
FACT_EXAMPLE: dict[str, Any] = {
    "type": "rating.published",
    "subject": "force/cleveland",
    "occurred": "2019-09-27",
    "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2018/19", "inspectorate": "org/hmicfrs"},
    "mentions": ["org/hmicfrs"],
    "source": {"publisher": "HMICFRS", "url": "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2018/",
               "published": "2019-09-27", "kind": "official"},
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
    {"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "pattern": f"^{SLUG}$"}},
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




def _json(schema: dict[str, Any], media: str = JSON, example: Any = None) -> dict[str, Any]:
    return {"content": {media: {"schema": schema, **({"example": example} if example is not None else {})}}}


def _problems(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": "a problem", **_json(_ref("Problem"), PROBLEM)} for s in statuses}


def _get(operation_id: str, tag: str, summary: str, parameters: list[dict[str, Any]], responses: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"get": {"operationId": operation_id, "tags": [tag], "summary": summary, "parameters": parameters, "responses": responses, **more}}


def _view(
    operation_id: str, tag: str, schema: str, summary: str, parameters: list[dict[str, Any]],
    body: dict[str, Any] | None = None, times: tuple[dict[str, Any], ...] = (AS_OF, REPORTED_BY, KNOWN_AT),
) -> dict[str, Any]:
    """A view's GET; `body` replaces the 200 response's content where a `format` changes it."""
    return _get(
        operation_id, tag, summary, [*parameters, *times, MIN_POSITION],
        {
            "200": {
                "description": "the view, reflecting every write acknowledged before the request; with an ETag",
                "headers": {"Timeline-Position": {"schema": _INTEGER, "description": "the log position the answer reflects"}},
                **(body or _json(_ref(schema))),
            },
            "304": {"description": "not modified since the ETag in If-None-Match"},
            **_problems(400, 404, 503),
        },
    )


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[!-~]{1,200}$"},
    "description": "stored with the write: a re-send with it is stored once and answered 200 with the original receipt; "
    "the same key with another request is a 422 (facts without an id also get ids derived from it)",
}


def _write(
    operation_id: str, tag: str, summary: str, body: dict[str, Any], parameters: list[dict[str, Any]] | None = None,
    answers: dict[str, Any] | None = None, **more: Any,
) -> dict[str, Any]:
    answer = answers or _ref("Receipt")
    return {
        "post": {
            "operationId": operation_id,
            "tags": [tag],
            "summary": summary,
            **more,
            "security": [{"bearer": []}],
            "parameters": [*(parameters or []), IDEMPOTENCY_KEY],
            "requestBody": {"required": True, "content": body},
            "responses": {
                "200": {"description": "already stored: the original", **_json(answer)},
                "201": {"description": "stored", **_json(answer)},
                **_problems(400, 401, 404, 408, 409, 413, 415, 422, 428),
            },
        }
    }


def _redaction(operation_id: str, tag: str, kind: str, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """A redaction: an admin token's, answered like any write, and 410 for a change to what it took down."""
    operation = _write(
        operation_id, tag,
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


def with_frameworks(document: dict[str, Any], frameworks: list[dict[str, Any]]) -> dict[str, Any]:
    """The document as served: the graded areas and grades of the framework editions the log holds, as examples
    (and said in descriptions) wherever an area or grade is asked for or given. Not an enum: a claimed grade
    that no edition lists is recorded all the same, marked unsupported."""
    areas = sorted({area["id"] for edition in frameworks for area in edition["areas"]})
    grades = list(dict.fromkeys(grade for edition in frameworks for grade in [*edition["grades"], *edition.get("states", [])]))
    if not areas:
        return document
    served = copy.deepcopy(document)
    known = f" Areas the log's framework editions grade: {', '.join(areas)}; their grades and states: {', '.join(grades)}."
    served["info"]["description"] += known
    for branch in served["components"]["schemas"]["Fact"]["allOf"]:
        data = branch["then"]["properties"]["data"]["properties"]
        if "pillar" in data and "grade" in data:
            data["pillar"] = data["pillar"] | {"examples": areas}
            data["grade"] = data["grade"] | {"examples": grades}
    for schema in ("Rating", "RatingRow"):
        properties = served["components"]["schemas"][schema]["properties"]
        properties["grade"] = properties["grade"] | {"examples": grades}
    for parameter in served["paths"]["/v1/ratings"]["get"]["parameters"]:
        if parameter["name"] == "pillar":
            parameter["schema"] = parameter["schema"] | {"examples": areas}
            parameter["description"] += f"; one of the log's: {', '.join(areas)}"
    return served


def _document() -> dict[str, Any]:
    timeline_filters = [
        _query("type", _STRING, "fact types, comma-separated"),
        _query("from", _STRING, "EDTF date: facts whose valid time ends on or after it"),
        _query("to", _STRING, "EDTF date: facts whose valid time starts on or before it"),
        _query("include_retracted", _BOOLEAN, "show retracted facts too"),
        LIMIT,
        _query("cursor", _STRING, "next_cursor of the previous page"),
    ]
    document_id = [{"name": "id", "in": "path", "required": True, "schema": _STRING}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Timeline",
            "version": "1",
            "description": "Sourced, dated facts as an event log, and views of them as of any date, as known at any moment.",
        },
        "tags": [
            {"name": "facts", "description": "recording, correcting and retracting facts, and reading one back"},
            {"name": "documents", "description": "source documents, whose text quotes are checked against"},
            {"name": "subjects", "description": "views of one subject: status, timeline, statements, disputes"},
            {"name": "views", "description": "views across subjects: ratings, sources, frameworks, changes"},
            {"name": "log", "description": "the raw log: pages, single events, and a stream"},
            {"name": "operations", "description": "health, views' positions and rebuilds"},
        ],
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            "/healthz": _get("health", "operations", "health and positions", [], {"200": {"description": "ok", **_json(_ref("Health"))}, **_problems(503)}),
            "/v1/facts": _view(
                "list_facts", "facts", "Facts",
                "every fact not retracted, in log order, as its latest version says: as JSON, NDJSON (records `timeline load` "
                "takes) or CSV (the facts template, docs/spreadsheets.md); NDJSON and CSV as attachments",
                [
                    _query("subject", _STRING, "only facts naming this subject (under any of its ids)"),
                    _query("format", {"enum": ["json", "ndjson", "csv"]}, "json (default), ndjson or csv; without it, Accept chooses"),
                ],
                {"content": {JSON: {"schema": _ref("Facts")}, "application/x-ndjson": {"schema": _STRING}, "text/csv": {"schema": _STRING}}},
                times=(REPORTED_BY, KNOWN_AT),
            ) | _write(
                "record_facts", "facts", "record a fact, or an atomic batch",
                # The CloudEvents forms are said in the description, not as further bodies: given several bodies one of
                # which is an array, openapi-python-client (0.29) writes a client that fails on every call.
                {
                    JSON: {
                        "schema": {"oneOf": [_ref("Fact"), {"type": "array", "items": _ref("Fact"), "minItems": 1}]},
                        "example": FACT_EXAMPLE,
                    },
                },
                answers={"oneOf": [_ref("Receipt"), _ref("Receipts")]},
                description=f"Also as CloudEvents: one structured event ({STRUCTURED}, the CloudEvent schema: its `type` the "
                f"fact type, its `id` the fact id, its `data` the rest of the fact), a batch of them ({BATCH}), or one "
                "event in binary mode (its attributes as ce-* headers, the fact as a JSON body).",
            ),
            "/metrics": _get(
                "get_metrics", "operations",
                "requests by route pattern and status, latencies, write batch sizes, the log's position and the views' lag, "
                "in Prometheus' text format (needs a token where TIMELINE_METRICS_NEED_TOKEN is set)",
                [], {"200": {"description": "the figures", "content": {"text/plain": {"schema": _STRING}}}, **_problems(401, 403, 429)},
            ),
            "/v1/facts/{id}": _get(
                "get_fact", "facts", "a fact as it stands, with its version history", [FACT_ID],
                {"200": {"description": "the fact", **_json(_ref("StoredFact"))}, **_problems(400, 404, 410)},
            ),
            "/v1/facts/{id}/corrections": _write(
                "correct_fact", "facts",
                "correct a fact (a new version): a correction's fields, or a JSON Merge Patch of the fact with its reason as a query parameter",
                {JSON: {"schema": _ref("Correction")}, MERGE_PATCH: {"schema": {"type": "object", "minProperties": 1}}},
                [FACT_ID, _if_match(), *PATCH_PARAMETERS],
            ),
            "/v1/facts/{id}/retractions": _write(
                "retract_fact", "facts", "retract a fact (a new version)", {JSON: {"schema": _ref("Retraction")}}, [FACT_ID, _if_match()]
            ),
            "/v1/facts/{id}/redactions": _redaction("redact_fact", "facts", "fact", [FACT_ID]),
            "/v1/documents": _write("record_document", "documents", "record a source document", {JSON: {"schema": _ref("Document")}}),
            "/v1/documents/{id}": _get(
                "get_document", "documents", "a source document with its text",
                [*document_id, _query("version", {"type": "integer", "minimum": 1}, "this version (default: the latest)")],
                {"200": {"description": "the document", **_json(_ref("StoredDocument"))}, **_problems(400, 404, 410)},
            ),
            "/v1/documents/{id}/retractions": _write(
                "withdraw_document", "documents",
                "record that a document's source withdrew it: facts citing it are flagged, and one citing nothing else no longer counts",
                {JSON: {"schema": _ref("Withdrawal")}},
                document_id,
            ),
            "/v1/documents/{id}/redactions": _redaction("redact_document", "documents", "document", document_id),
            "/v1/subjects": _view(
                "list_subjects", "subjects", "Subjects",
                "subjects named by facts, a page at a time in id order",
                [
                    _query("kind", {"enum": list(SUBJECT_KINDS)}, "only this kind"),
                    _query("after", {"type": "string", "maxLength": 200}, "the last id of the previous page (its next_after)"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "subjects per page (default and most 1000)"),
                ],
                times=(REPORTED_BY, KNOWN_AT),
            ),
            "/v1/subjects/{kind}/{slug}": _view("get_subject", "subjects", "Subject", "a subject: how many facts name it", SUBJECT_PATH),
            "/v1/subjects/{kind}/{slug}/status": _view("get_status", "subjects", "Status", "a subject's status", SUBJECT_PATH),
            "/v1/subjects/{kind}/{slug}/timeline": _view(
                "get_timeline", "subjects", "Timeline",
                "a subject's timeline: a page as JSON, or all of it as TimelineJS 3 JSON",
                [
                    *SUBJECT_PATH, *timeline_filters,
                    _query("format", {"enum": ["json", "csv", "timelinejs"]}, "json (default); csv: its claims, one row a claim "
                           "with its standing and disputes (or Accept: text/csv); timelinejs: TimelineJS 3 JSON"),
                ],
                {"content": {JSON: {"schema": {"anyOf": [_ref("Timeline"), _ref("TimelineJS")]}}, "text/csv": {"schema": _STRING}}},
            ),
            "/v1/subjects/{kind}/{slug}/statements": _view("get_statements", "subjects", "Statements", "statements by and about a subject", SUBJECT_PATH),
            "/v1/subjects/{kind}/{slug}/disputes": _view(
                "get_disputes", "subjects", "Disputes", "claims naming a subject that dispute what stands, beside the record, at any date",
                SUBJECT_PATH, times=(REPORTED_BY, KNOWN_AT),
            ),
            "/v1/ratings": _view(
                "list_ratings", "views", "Ratings",
                "one inspection (the latest, unless named): every subject's standing grade per area, counts per grade on "
                "the edition's scale, and how many subjects it covers; as JSON or CSV",
                [
                    _query("pillar", AREA, "the graded area (default: every area)"),
                    _query("inspection", _STRING, "e.g. PEEL 2016"),
                    _query("format", {"enum": ["json", "csv"]}, "json (default) or csv; without it, Accept chooses"),
                ],
                {"content": {JSON: {"schema": _ref("Ratings")}, "text/csv": {"schema": _STRING}}},
            ),
            "/v1/sources": _view("list_sources", "views", "Sources", "documents and the facts citing them", [], times=(REPORTED_BY, KNOWN_AT)),
            "/v1/search": _view(
                "search", "views", "Search",
                "full-text search: facts (by the words of their data, subjects, sources and quotes), subjects (by their "
                "names) and documents (by their text) holding every word of q; retracted facts are not found",
                [
                    _query("q", {"type": "string", "minLength": 1, "maxLength": 200}, "words (at most 16); case, accents and punctuation do not matter", required=True),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "facts per page (default 20)"),
                    _query("cursor", _STRING, "next_cursor of the previous page (it keeps the first page's known_at)"),
                ],
            ),
            "/v1/claim-reviews": _view(
                "list_claim_reviews", "views", "ClaimReviews",
                "disputes as schema.org ClaimReview JSON-LD: of one subject, or of a page of subjects",
                [
                    _query("subject", _STRING, "only the disputes naming this subject"),
                    _query("after", {"type": "string", "maxLength": 200}, "without subject: the next_after of the previous page"),
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "without subject: subjects per page (default 100)"),
                ],
                times=(REPORTED_BY, KNOWN_AT),
            ),
            "/v1/frameworks": _view(
                "list_frameworks", "views", "Frameworks", "inspection framework editions: graded areas, grades (best first), scale", [],
                times=(KNOWN_AT,),
            ),
            "/v1/changes": _get(
                "list_changes", "views",
                "what changed between two moments of the log: facts recorded, corrected and retracted, "
                "and each subject's ratings before and after",
                [
                    _query("since", _STRING, "a log position or a UTC instant", required=True),
                    _query("until", _STRING, "a log position or a UTC instant (default: now); pin it for a permalink"),
                    _query("subject", _STRING, "only changes naming this subject"),
                    LIMIT,
                    _query("cursor", _STRING, "next_cursor of the previous page"),
                    MIN_POSITION,
                ],
                {
                    "200": {"description": "a page of changes", **_json(_ref("Changes"))},
                    "304": {"description": "not modified since the ETag in If-None-Match"},
                    **_problems(400, 503),
                },
            ),
            "/v1/events/{position}": _get(
                "get_event", "log", "one log event, its CloudEvent attributes as ce-* headers (binary mode), or structured by Accept",
                [{"name": "position", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
                {
                    "200": {"description": "the event", "content": {JSON: {"schema": _ref("Event")}, STRUCTURED: {"schema": _ref("CloudEvent")}}},
                    **_problems(400, 404),
                },
            ),
            "/v1/events": _get(
                "list_events", "log", "the log in order",
                [_query("after", {"type": "integer", "minimum": 0}, "start after this position"), LIMIT, *EVENT_FILTERS],
                {
                    "200": {
                        "description": "a page of events",
                        "content": {JSON: {"schema": _ref("Events")}, BATCH: {"schema": {"type": "array", "items": _ref("CloudEvent")}}},
                    },
                    **_problems(400),
                },
                description="A filtered page looks at no more than 10,000 events: it may hold fewer than `limit` while "
                "more follow. Go on from `next_after` (or the Timeline-Next-After header) until it reaches `head`.",
            ),
            "/v1/events/stream": _get(
                "stream_events", "log", "Server-Sent Events of new events; resume with Last-Event-ID",
                [_query("after", {"type": "integer", "minimum": 0}, "start after this position (Last-Event-ID wins)"), *EVENT_FILTERS],
                {
                    "200": {"description": "an event stream: each event's data is an Event", "content": {"text/event-stream": {"schema": _STRING}}},
                    **_problems(400, 503),
                },
                description="At most TIMELINE_MAX_STREAMS streams are open at once; past that, 503 with Retry-After.",
            ),
            "/v1/projections": _get(
                "list_projections", "operations", "each view's position and lag", [],
                {"200": {"description": "ok", **_json(_ref("Projections"))}},
            ),
            "/v1/projections/{name}/rebuild": {
                "post": {
                    "operationId": "rebuild_projection",
                    "tags": ["operations"],
                    "summary": "rebuild a view from the log while the old one keeps answering",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"enum": ["facts", "documents", "search"]}}],
                    "responses": {"202": {"description": "rebuilding", **_json(_ref("Rebuilding"))}, **_problems(401, 403, 404, 409)},
                }
            },
        },
    }


def _if_match() -> dict[str, Any]:
    return {"name": "If-Match", "in": "header", "required": False, "schema": _STRING, "description": 'the version you read, e.g. "2"'}


async def serve_openapi(request: web.Request) -> web.Response:
    """GET /openapi.json: the document with the log's framework editions in it, as of the views' position
    (cached and tagged like any view answer)."""
    params.only(request)
    views = request.app[VIEWS]
    return await view_response(request, lambda: with_frameworks(openapi_document(), views.frameworks(None)["frameworks"]))
