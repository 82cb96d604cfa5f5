"""A request id on every response (`X-Request-Id`) and on every log line written for the request.

A client (or a proxy in front) may send its own `X-Request-Id`; a sane one (1 to 128 characters:
letters, digits and `. _ : + = / @ -`, starting with a letter or digit) is kept, so one id follows a
request through every hop. Anything else (empty, too long, spaces, quotes, control characters that
could forge a log line) is replaced by a new UUID: the response then says which one to quote.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from timeline import logs

HEADER = "X-Request-Id"
REQUEST_ID = web.RequestKey("request_id", str)
SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/@-]{0,127}")


def request_id_for(given: str | None) -> str:
    """The client's id when it is sane, else a new one."""
    return given if given is not None and SANE.fullmatch(given) else str(uuid.uuid4())


@web.middleware
async def request_ids(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """Outermost: the id is known to every middleware and handler after it, and to whatever they log."""
    request_id = request[REQUEST_ID] = request_id_for(request.headers.get(HEADER))
    token = logs.REQUEST_ID.set(request_id)
    try:
        return await handler(request)
    finally:
        logs.REQUEST_ID.reset(token)


async def add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    """On every response as it is prepared: answers, problems, 304s, event streams and the page's files."""
    request_id = request.get(REQUEST_ID)
    if request_id is not None:
        response.headers[HEADER] = request_id


class AccessLogger(AbstractAccessLogger):
    """One line per request, at INFO on `aiohttp.access`, naming its request id; as text:
    `127.0.0.1 "GET /healthz HTTP/1.1" 200 312 1.4ms request_id=...`, and in JSON lines with
    `remote`, `method`, `path`, `status`, `bytes`, `duration_ms` and `user_agent` as fields."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        fields = {
            "remote": request.remote or "-",
            "method": request.method,
            "path": request.path_qs,
            "status": response.status,
            "bytes": response.body_length,
            "duration_ms": round(time * 1000, 3),
            "user_agent": request.headers.get("User-Agent"),
            "request_id": request.get(REQUEST_ID),
        }
        version = f"{request.version.major}.{request.version.minor}"
        self.logger.info(
            '%s "%s %s HTTP/%s" %d %d %.1fms', fields["remote"], request.method, request.path_qs, version,
            response.status, response.body_length, time * 1000, extra=fields,
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
