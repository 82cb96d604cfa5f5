"""Log lines: their level, their format (text or one JSON object a line), and the request each belongs to.

A request's id is kept in a context variable while the request is handled, so that every line logged on
its behalf (by the handler, by the error middleware, on a read thread) names it; the access log names it
too. Lines logged outside any request carry none.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from contextvars import ContextVar
from typing import Any, TextIO

import orjson

REQUEST_ID: ContextVar[str | None] = ContextVar("timeline_request_id", default=None)

LEVELS = ("debug", "info", "warning", "error")
FORMATS = ("text", "json")

# Every attribute a plain LogRecord has, so that what a caller adds with extra= can be told from them.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Names the request a line was logged for (`record.request_id`, None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-01-02 10:00:00,123 INFO name: message request_id=...` (the id only where there is one)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        if request_id is None:
            return line
        first, newline, rest = line.partition("\n")  # a traceback follows the first line
        return f"{first} request_id={request_id}{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, request_id, fields given with extra=, exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        line.update({key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


_chosen: list[tuple[str, str]] = []  # the (level, style) configure was given, for a child process to log alike


def configure(level: str = "info", style: str = "text", stream: TextIO | None = None) -> None:
    """Send every log line to stderr (or `stream`) at `level` and above, as text or JSON lines."""
    if level not in LEVELS:
        raise ValueError(f"log level is one of {', '.join(LEVELS)}")
    if style not in FORMATS:
        raise ValueError(f"log format is one of {', '.join(FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if style == "json" else TextFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())
    _chosen[:] = [(level, style)]


def chosen() -> tuple[str, str] | None:
    """The level and style this process logs at, where `configure` was called."""
    return _chosen[0] if _chosen else None
