"""Typed keys for what the aiohttp application holds."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from aiohttp import web

from projections.keeper import Keeper
from projections.runner import ProjectionRunner
from projections.views import Views
from timeline.application import Timeline
from timeline.config import Settings
from timeline.http.answers import AnswerCache
from timeline.http.attempts import FailedAttempts
from timeline.http.log_head import LogHead
from timeline.http.log_watch import LogWatch
from timeline.http.metrics import Metrics
from timeline.writer import Writer

SETTINGS = web.AppKey("settings", Settings)
TIMELINE = web.AppKey("timeline", Timeline)
WRITER = web.AppKey("writer", Writer)
RUNNER = web.AppKey("runner", ProjectionRunner)
VIEWS = web.AppKey("views", Views)
KEEPER = web.AppKey("keeper", Keeper)
LOG_HEAD = web.AppKey("log_head", LogHead)
LOG_WATCH = web.AppKey("log_watch", LogWatch)  # the one wake-up every event stream waits on
READS = web.AppKey("reads", ThreadPoolExecutor)
FAILED_ATTEMPTS = web.AppKey("failed_attempts", FailedAttempts)
ANSWERS = web.AppKey("answers", AnswerCache)
REBUILDS = web.AppKey("rebuilds", dict[str, asyncio.Task[int]])
METRICS = web.AppKey("metrics", Metrics)
STREAMS = web.AppKey("streams", set[asyncio.Task[object]])  # open event streams, ended on shutdown
