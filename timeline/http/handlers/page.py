"""The page people read at `/`: static HTML, CSS and JavaScript that call the API."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from timeline.http.negotiate import HTML, offers

PAGE_FILES = Path(__file__).resolve().parent.parent / "page"


@offers(HTML)
async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(PAGE_FILES / "index.html", headers={"Cache-Control": "no-cache"})
