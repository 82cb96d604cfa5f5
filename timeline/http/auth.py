"""Bearer tokens for writes and administration, compared in constant time and never logged."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable
from typing import NoReturn

from aiohttp import web

from timeline.config import hash_token
from timeline.http.keys import FAILED_ATTEMPTS, SETTINGS

AUTHOR = web.RequestKey("author", str)  # the configured name of the token that made this write; never the token
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ADMIN_PATHS = ("/v1/projections/", "/metrics")  # rebuilding views: costly, and not for every writer; an operator's figures
METRICS_PATH = "/metrics"
REDACTIONS = "/redactions"  # a legal takedown purges content from the log: for an admin= token only, always


@web.middleware
async def require_token_for_writes(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    settings = request.app[SETTINGS]
    if request.method in WRITE_METHODS and request.path.endswith(REDACTIONS) and not settings.admin_token_hashes:
        # Even a server open to writes on loopback takes nothing down without a configured admin token.
        raise web.HTTPForbidden(text="redactions need an admin= token, and this server has none configured (TIMELINE_TOKENS)")
    guarded = request.method in WRITE_METHODS or (request.path == METRICS_PATH and settings.metrics_need_token)
    if guarded and settings.writes_need_token:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        # The token first: a valid token is never refused for what others at its address tried.
        index = _accepted_index(token, settings.token_hashes) if token else None
        if index is None:
            _refuse(request, missing=not token)
        request[AUTHOR] = settings.token_name(index)
        administering = (request.path.startswith(ADMIN_PATHS) or request.path.endswith(REDACTIONS)) and settings.admin_token_hashes
        if administering and not _accepted(token, settings.admin_token_hashes):
            # A known token, so not a failed attempt: it is simply not allowed this.
            raise web.HTTPForbidden(text="this token may write facts but not administer (rebuild views, redact); use an admin= token")
    return await handler(request)


def _refuse(request: web.Request, missing: bool) -> NoReturn:
    """A failed token check: 429 once this client has failed too often, else 401 (and one more failure)."""
    attempts = request.app[FAILED_ATTEMPTS]
    client = client_address(request.remote or "unknown", request.headers.get("X-Forwarded-For"), request.app[SETTINGS].trusted_proxies)
    wait = attempts.wait_seconds(client)
    if wait:
        raise web.HTTPTooManyRequests(text=f"too many failed token checks; try again in {wait} s", headers={"Retry-After": str(wait)})
    attempts.failed(client)
    if missing:
        raise web.HTTPUnauthorized(text="writes need Authorization: Bearer <token>", headers={"WWW-Authenticate": 'Bearer realm="timeline"'})
    raise web.HTTPUnauthorized(text="that token is not accepted", headers={"WWW-Authenticate": 'Bearer realm="timeline", error="invalid_token"'})


def client_address(remote: str, forwarded_for: str | None, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the last X-Forwarded-For hop no proxy of ours added."""
    if not forwarded_for or not _is_trusted(remote, trusted_proxies):
        return remote  # anyone can write X-Forwarded-For: it is believed only from our own proxies
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted_proxies):
            return hop
    return hops[0] if hops else remote


def _is_trusted(address: str, trusted_proxies: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies)


def _accepted(token: str, hashes: tuple[str, ...]) -> bool:
    return _accepted_index(token, hashes) is not None


def _accepted_index(token: str, hashes: tuple[str, ...]) -> int | None:
    """Which of the hashes the token has, if any."""
    presented = hash_token(token)
    # Compare with every stored hash, so the time taken says nothing about which one matched.
    matches = [hmac.compare_digest(presented, stored) for stored in hashes]
    return matches.index(True) if any(matches) else None
