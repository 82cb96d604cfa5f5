"""Every route of the HTTP API, declared in one place."""

from __future__ import annotations

from aiohttp import web

from timeline.http.handlers import admin, events, exports, facts, page, search, subjects
from timeline.http.openapi import serve_openapi

SUBJECT = "/v1/subjects/{kind:[a-z]+}/{slug:[^/]+}"


def add_routes(app: web.Application) -> None:
    app.router.add_routes(
        [
            web.get("/", page.index),
            web.static("/page", page.PAGE_FILES),
            web.get("/healthz", admin.healthz),
            web.get("/metrics", admin.metrics),
            web.get("/openapi.json", serve_openapi),
            web.post("/v1/facts", facts.record_facts),
            web.get("/v1/facts", exports.list_facts),
            web.get("/v1/facts/{id}", facts.get_fact),
            web.post("/v1/facts/{id}/corrections", facts.correct_fact),
            web.post("/v1/facts/{id}/retractions", facts.retract_fact),
            web.post("/v1/facts/{id}/redactions", facts.redact_fact),
            web.post("/v1/documents", facts.record_documents),
            web.get("/v1/documents/{id}", facts.get_document),
            web.post("/v1/documents/{id}/retractions", facts.withdraw_document),
            web.post("/v1/documents/{id}/redactions", facts.redact_document),
            web.get("/v1/subjects", subjects.list_subjects),
            web.get(SUBJECT, subjects.get_subject),
            web.get(SUBJECT + "/status", subjects.status),
            web.get(SUBJECT + "/timeline", subjects.timeline),
            web.get(SUBJECT + "/statements", subjects.statements),
            web.get(SUBJECT + "/disputes", subjects.disputes),
            web.get("/v1/ratings", subjects.ratings),
            web.get("/v1/sources", subjects.sources),
            web.get("/v1/changes", subjects.changes),
            web.get("/v1/frameworks", subjects.frameworks),
            web.get("/v1/search", search.search),
            web.get("/v1/claim-reviews", search.claim_reviews_of_disputes),
            web.get("/v1/events", events.list_events),
            web.get("/v1/events/stream", events.stream_events),
            web.get("/v1/events/{position:[0-9]+}", events.get_event),
            web.get("/v1/projections", admin.list_projections),
            web.post("/v1/projections/{name}/rebuild", admin.rebuild_projection),
        ]
    )
