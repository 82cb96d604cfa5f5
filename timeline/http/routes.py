"""Every route of the HTTP API, declared in one place."""

from __future__ import annotations

from aiohttp import web

from timeline.http import views


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", views.healthz)
