"""The views over HTTP: subjects, status, timeline, statements, ratings, sources."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from projections.timeline import TimelineQuery
from timeline.errors import FieldError
from timeline.formats.claims_csv import claims_csv
from timeline.formats.ratings_csv import ratings_csv
from timeline.formats.timelinejs import timelinejs
from timeline.http import params
from timeline.http.keys import VIEWS
from timeline.http.negotiate import CSV, JSON, TIMELINEJS, chosen, offers
from timeline.http.problems import BadRequest
from timeline.http.respond import view_response
from timeline.subjects import SUBJECT_KINDS, is_slug

EVERY_FACT = 2**31  # an export is the whole timeline, not a page of it


async def list_subjects(request: web.Request) -> web.Response:
    params.only(request, "kind", "known_at", "reported_by", "min_position", "after", "limit")
    kind, after, limit = request.query.get("kind") or None, request.query.get("after", ""), params.limit(request, default=1000)
    if len(after) > 200:
        raise BadRequest("after is a subject id, at most 200 characters", errors=[FieldError("after", "is too long")])
    if kind is not None and kind not in SUBJECT_KINDS:
        raise BadRequest(f"unknown kind {kind!r}; kinds are {', '.join(SUBJECT_KINDS)}", errors=[FieldError("kind", "unknown kind")])
    known_at, reported_by, views = params.known_at(request), await params.reported_by(request), request.app[VIEWS]
    return await view_response(request, lambda: views.subjects(kind, known_at, reported_by, after, limit))


async def get_subject(request: web.Request) -> web.Response:
    params.only(request, *params.VIEW_TIMES)
    subject, known_at, views = params.subject(request), params.known_at(request), request.app[VIEWS]
    reported_by, as_of = await params.reported_by(request), await params.as_date(request, "as_of")

    def compute() -> dict[str, Any]:
        found = views.subject(subject, known_at, reported_by, as_of)  # UnknownSubject (404) when no fact ever named it
        base = f"/v1/subjects/{subject}"
        return found | {"links": {"status": f"{base}/status", "timeline": f"{base}/timeline", "statements": f"{base}/statements"}}

    return await view_response(request, compute)


async def status(request: web.Request) -> web.Response:
    params.only(request, *params.VIEW_TIMES)
    subject, as_of, known_at = params.subject(request), await params.as_date(request, "as_of"), params.known_at(request)
    reported_by, views = await params.reported_by(request), request.app[VIEWS]
    return await view_response(request, lambda: views.status(subject, as_of, known_at, reported_by))


@offers(JSON, CSV, TIMELINEJS, by_parameter=True)
async def timeline(request: web.Request) -> web.Response:
    """A page of the timeline as JSON; or all of it as TimelineJS 3 JSON (`format=timelinejs`), or its claims as
    CSV, one row a claim with its standing and disputes (`format=csv` or `Accept: text/csv`)."""
    params.only(request, "type", "from", "to", "include_retracted", "limit", "cursor", "format", *params.VIEW_TIMES)
    subject, known_at = params.subject(request), params.known_at(request)
    form = chosen(request)
    export = form is not JSON
    query = TimelineQuery(
        as_of=await params.as_date(request, "as_of"),
        types=params.fact_types(request),
        date_from=await params.start_date(request, "from"),
        date_to=await params.as_date(request, "to"),
        include_retracted=params.flag(request, "include_retracted"),
        limit=EVERY_FACT if export else params.limit(request),
    )
    cursor, reported_by, views = request.query.get("cursor") or None, await params.reported_by(request), request.app[VIEWS]
    if export:
        stem = subject.replace("/", "-")
        whole = lambda: views.timeline(subject, query, known_at, None, reported_by)  # noqa: E731
        if form is CSV:
            return await view_response(request, whole, render=claims_csv, content_type=CSV.content_type, filename=f"{stem}-claims.csv")
        render = lambda view: orjson.dumps(timelinejs(view))  # noqa: E731
        return await view_response(request, whole, render=render, filename=f"{stem}-timelinejs.json")
    return await view_response(request, lambda: views.timeline(subject, query, known_at, cursor, reported_by))


async def statements(request: web.Request) -> web.Response:
    """Statements by the subject (as speaker) and about it."""
    params.only(request, *params.VIEW_TIMES)
    subject, as_of, known_at = params.subject(request), await params.as_date(request, "as_of"), params.known_at(request)
    reported_by, views = await params.reported_by(request), request.app[VIEWS]

    def compute() -> dict[str, Any]:
        by = views.statements(speaker=subject, as_of=as_of, known_at=known_at, reported_by=reported_by)
        about = views.statements(about=subject, as_of=as_of, known_at=by["known_at"], reported_by=reported_by)
        return {k: by[k] for k in ("position", "known_at", "as_of", "reported_by")} | {
            "subject": subject, "by": by["statements"], "about": about["statements"],
        }

    return await view_response(request, compute)


@offers(JSON, CSV, by_parameter=True)
async def ratings(request: web.Request) -> web.Response:
    """Every force's standing grade on one pillar (or on each), as JSON or CSV (`Accept: text/csv`, or `format=csv`)."""
    params.only(request, "pillar", "inspection", "format", *params.VIEW_TIMES)
    pillar = request.query.get("pillar") or None
    if pillar is not None and not is_slug(pillar):
        message = "pillar names a graded area in lower case, e.g. effectiveness or investigating-crime"
        raise BadRequest(message, errors=[FieldError("pillar", message)])
    as_of, known_at = await params.as_date(request, "as_of"), params.known_at(request)
    inspection, views = request.query.get("inspection") or None, request.app[VIEWS]
    as_csv, reported_by = chosen(request) is CSV, await params.reported_by(request)

    def compute() -> dict[str, Any]:
        return views.ratings(pillar, as_of=as_of, inspection=inspection, known_at=known_at, reported_by=reported_by)

    if as_csv:
        return await view_response(request, compute, render=ratings_csv, content_type=CSV.content_type, filename="ratings.csv")
    return await view_response(request, compute)


async def sources(request: web.Request) -> web.Response:
    params.only(request, "known_at", "reported_by", "min_position")
    known_at, reported_by, views = params.known_at(request), await params.reported_by(request), request.app[VIEWS]
    return await view_response(request, lambda: views.sources(known_at, reported_by))


async def frameworks(request: web.Request) -> web.Response:
    """Every framework edition's definition: areas, grades (best first), states and scale."""
    params.only(request, "known_at", "min_position")
    known_at, views = params.known_at(request), request.app[VIEWS]
    return await view_response(request, lambda: views.frameworks(known_at))


async def changes(request: web.Request) -> web.Response:
    """What changed between two log moments (positions or instants): facts added, corrected and retracted,
    and each subject touched with its ratings before and after."""
    params.only(request, "since", "until", "subject", "limit", "cursor", "min_position")
    since = params.log_time(request, "since")
    if since is None:
        message = "since is required: a log position (e.g. 0) or a UTC instant (e.g. 2026-11-01T00:00:00Z)"
        raise BadRequest(message, errors=[FieldError("since", message)])
    until, limit = params.log_time(request, "until"), params.limit(request)
    subject = params.checked_subject(request.query["subject"], "subject") if request.query.get("subject") else None
    cursor, views = request.query.get("cursor") or None, request.app[VIEWS]
    return await view_response(request, lambda: views.changes(since, until, subject, cursor, limit))


async def disputes(request: web.Request) -> web.Response:
    """GET .../disputes: every claim naming the subject that disputes what stands, beside the record, at any date."""
    params.only(request, "known_at", "reported_by", "min_position")
    subject, known_at, reported_by, views = params.subject(request), params.known_at(request), await params.reported_by(request), request.app[VIEWS]
    return await view_response(request, lambda: views.disputes(subject, known_at, reported_by))
