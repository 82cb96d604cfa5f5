"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from timeline.app import Timeline
from timeline.config import Settings

SETTINGS = web.AppKey("settings", Settings)
TIMELINE = web.AppKey("timeline", Timeline)
# The one thread that writes: the library is synchronous, and SQLite wants a single writer.
WRITER = web.AppKey("writer", ThreadPoolExecutor)
