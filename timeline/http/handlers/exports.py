"""GET /v1/facts: every fact as it stands, as JSON, NDJSON (records `timeline load` takes) or the facts CSV template."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from timeline.formats.facts_csv import facts_csv
from timeline.http import params
from timeline.http.keys import VIEWS
from timeline.http.negotiate import CSV, JSON, NDJSON, chosen, offers
from timeline.http.respond import view_response


@offers(JSON, NDJSON, CSV, by_parameter=True)
async def list_facts(request: web.Request) -> web.Response:
    """Every fact not retracted (naming `subject`, if given), in log order, each as its latest version says; by
    `format=` or Accept: JSON, NDJSON (one record a line) or CSV (docs/spreadsheets.md). NDJSON and CSV load back."""
    params.only(request, "subject", "format", "known_at", "reported_by", "min_position")
    subject = params.checked_subject(request.query["subject"], "subject") if request.query.get("subject") else None
    known_at, reported_by, views = params.known_at(request), await params.reported_by(request), request.app[VIEWS]
    form = chosen(request)

    def compute() -> dict[str, Any]:
        return views.facts(subject, known_at, reported_by)

    if form is JSON:
        return await view_response(request, compute)
    stem = f"{subject.replace('/', '-')}-facts" if subject else "facts"
    render = _ndjson if form is NDJSON else _csv
    return await view_response(request, compute, render=render, content_type=form.content_type, filename=f"{stem}.{form.name}")


def _record(fact: dict[str, Any]) -> dict[str, Any]:
    """A fact as the record that records it: without the version the view adds."""
    return {key: value for key, value in fact.items() if key != "version"}


def _ndjson(view: dict[str, Any]) -> bytes:
    return b"".join(orjson.dumps(_record(fact)) + b"\n" for fact in view["facts"])


def _csv(view: dict[str, Any]) -> bytes:
    return facts_csv((fact["id"], _record(fact)) for fact in view["facts"])
