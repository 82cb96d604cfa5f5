"""Bearer tokens for writes and administration, compared in constant time and never logged."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from timeline.config import hash_token
from timeline.http.keys import FAILED_ATTEMPTS, SETTINGS

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ADMIN_PATHS = ("/v1/projections/",)  # rebuilding views: costly, and not for every writer


@web.middleware
async def require_token_for_writes(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    if request.method in WRITE_METHODS and settings.writes_need_token:
        attempts, client = request.app[FAILED_ATTEMPTS], request.remote or "unknown"
        wait = attempts.wait_seconds(client)
        if wait:
            raise web.HTTPTooManyRequests(text=f"too many failed token checks; try again in {wait} s", headers={"Retry-After": str(wait)})
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            attempts.failed(client)
            raise web.HTTPUnauthorized(text="writes need Authorization: Bearer <token>", headers={"WWW-Authenticate": 'Bearer realm="timeline"'})
        if not _accepted(token.strip(), settings.token_hashes):
            attempts.failed(client)
            raise web.HTTPUnauthorized(
                text="that token is not accepted", headers={"WWW-Authenticate": 'Bearer realm="timeline", error="invalid_token"'}
            )
        administering = request.path.startswith(ADMIN_PATHS) and settings.admin_token_hashes
        if administering and not _accepted(token.strip(), settings.admin_token_hashes):
            # A known token, so not a failed attempt: it is simply not allowed this.
            raise web.HTTPForbidden(text="this token may write facts but not administer views; use an admin= token")
    return await handler(request)


def _accepted(token: str, hashes: tuple[str, ...]) -> bool:
    presented = hash_token(token)
    # Compare with every stored hash, so the time taken says nothing about which one matched.
    matches = [hmac.compare_digest(presented, stored) for stored in hashes]
    return any(matches)
