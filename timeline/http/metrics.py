"""What an operator's Prometheus scrapes at `GET /metrics`: requests, latencies, write batches, the log and the views.

Each app has its own registry (tests build many apps in one process; the library's global one would
mix them). Requests are labelled by the route's pattern (`/v1/facts/{id}`), never the path a client
sent, and by a known method or `other`: what a hostile client sends cannot grow the series.
The log's position and the views' lag are read when scraped, on the read threads (handlers.admin).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # the text format generate_latest writes
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "(unmatched)"  # a path no route has: one label for all of them
# Cached reads take about a millisecond, writes wait for a commit, streams last minutes.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)  # the writer groups at most 256 requests (timeline.writer)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "timeline_http_requests", "HTTP requests answered, by route pattern, method and status",
            ["route", "method", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "timeline_http_request_duration_seconds", "Time from a request's arrival to its answer (an event stream: its whole life)",
            ["route", "method"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.batches = Histogram(
            "timeline_write_batch_requests", "Write requests committed together in one transaction (group commit)",
            buckets=BATCH_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.log_position = Gauge("timeline_log_position", "The position of the log's last event, as scraped", registry=self.registry)
        self.view_position = Gauge("timeline_view_position", "The log position each view has reached", ["view"], registry=self.registry)
        self.view_lag = Gauge("timeline_view_lag_events", "Log positions each view is behind the log's head", ["view"], registry=self.registry)
        self.streams = Gauge("timeline_event_streams_open", "Event streams (/v1/events/stream) open", registry=self.registry)

    def observe_batch(self, size: int) -> None:
        self.batches.observe(size)

    def observe_log(self, head: int, views: Mapping[str, int], streams: int) -> None:
        """The log's head and each view's position, read as of one scrape (views first, so lag is never negative)."""
        self.log_position.set(head)
        for name, position in views.items():
            self.view_position.labels(name).set(position)
            self.view_lag.labels(name).set(head - position)
        self.streams.set(streams)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def route_of(request: web.Request) -> str:
    """The pattern of the route that matched (`/v1/subjects/{kind}/{slug}/status`), else one label for every other path."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


def counting(metrics: Metrics) -> Middleware:
    """A middleware counting every answer by its route's pattern and status, and timing it; placed outside the
    one that turns errors into problems, so that what it counts is the status the client got."""

    @web.middleware
    async def count(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        started, status = time.perf_counter(), 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as error:  # a redirect or a status raised past the problems middleware
            status = error.status
            raise
        except asyncio.CancelledError:
            status = 499  # the client went away before its answer (nginx's name for it)
            raise
        finally:
            route, method = route_of(request), request.method if request.method in METHODS else "other"
            metrics.requests.labels(route, method, str(status)).inc()
            metrics.latency.labels(route, method).observe(time.perf_counter() - started)

    return count
