"""Errors as RFC 9457 problem details, mapped from the domain's exceptions in one place."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

import orjson
from aiohttp import web

from projections.views import InvalidQuery
from timeline.errors import (
    Conflict,
    FieldError,
    InvalidRecord,
    KeyReused,
    NotFound,
    Redacted,
    StaleVersion,
    StoreUnavailable,
    UnknownSubject,
)

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


class BadRequest(Exception):
    """A request the API cannot parse: malformed JSON, a bad parameter, a wrong content type."""

    def __init__(self, detail: str, status: int = 400, errors: list[FieldError] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail, self.status, self.errors, self.extra = detail, status, errors or [], extra


def problem(status: int, detail: str, *, errors: list[FieldError] | None = None, headers: dict[str, str] | None = None, **extra: Any) -> web.Response:
    body: dict[str, Any] = {"type": "about:blank", "title": _title(status), "status": status, "detail": detail}
    if errors:
        body["errors"] = [
            {"field": e.field, "message": e.message, **({"index": e.index} if e.index is not None else {})} for e in errors
        ]
    body.update(extra)
    return web.Response(body=orjson.dumps(body), status=status, content_type=PROBLEM, headers=headers)


@web.middleware
async def problems_middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    response = await _answer(request, handler)
    if response.status >= 400 and not request.content.is_eof():
        # Refused with its body unread (too large, too slow, or not wanted): end the connection after the
        # answer rather than wait on the rest for the next request.
        response.force_close()
    return response


async def _answer(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    try:
        return await handler(request)
    except BadRequest as error:
        return problem(error.status, error.detail, errors=error.errors, **error.extra)
    except InvalidRecord as error:
        return problem(422, "the record is invalid; nothing was stored", errors=error.errors)
    except KeyReused as error:
        return problem(422, str(error))
    except InvalidQuery as error:
        return problem(400, str(error))
    except StaleVersion as error:
        return problem(409, str(error), current_version=error.actual)
    except Conflict as error:
        index = getattr(error, "index", None)
        return problem(409, str(error), **({"index": index} if index is not None else {}))
    except Redacted as error:
        if error.position is None:
            return problem(410, str(error))
        return problem(410, str(error), redaction={"position": error.position, "reason": error.reason})
    except UnknownSubject as error:
        return problem(404, str(error), subject=error.subject)
    except NotFound as error:
        return problem(404, str(error))
    except StoreUnavailable as error:
        return problem(503, str(error))
    except web.HTTPException as error:
        if error.status < 400:
            raise
        detail = error.text if error.text and not error.text.startswith(f"{error.status}:") else error.reason
        return problem(error.status, detail, headers={k: v for k, v in error.headers.items() if k.lower() in ("allow", "www-authenticate", "retry-after")})
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return problem(500, "an unexpected error occurred; nothing was stored")


# RFC 9110's names where Python 3.11's http.HTTPStatus still has the older phrases ("Request Entity Too Large",
# "Unprocessable Entity"); every other title is the standard library's phrase.
_RENAMED = {413: "Content Too Large", 422: "Unprocessable Content"}


def _title(status: int) -> str:
    if status in _RENAMED:
        return _RENAMED[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a status the standard library does not name
        return "Error"
