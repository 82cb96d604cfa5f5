"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from projections.runner import ProjectionRunner
from projections.views import Views
from timeline.app import Timeline
from timeline.config import Settings
from timeline.http.keeper import ViewKeeper

SETTINGS = web.AppKey("settings", Settings)
TIMELINE = web.AppKey("timeline", Timeline)
# The one thread that writes: the library is synchronous, and SQLite wants a single writer.
WRITER = web.AppKey("writer", ThreadPoolExecutor)
RUNNER = web.AppKey("runner", ProjectionRunner)
VIEWS = web.AppKey("views", Views)
KEEPER = web.AppKey("keeper", ViewKeeper)
