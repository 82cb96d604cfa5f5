"""The Host header check: a page whose name was rebound to this server's address is not answered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from timeline.http.keys import SETTINGS

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


@web.middleware
async def require_known_host(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    names = request.app[SETTINGS].host_names
    if names is not None:
        host = request.headers.get("Host", "").strip().lower()
        if not host_allowed(host, names or loopback(_listening_port(request))):
            raise web.HTTPMisdirectedRequest(
                text=f"this server does not answer to the host name {host!r}; see TIMELINE_ALLOWED_HOSTS"
            )
    return await handler(request)


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """An entry `name:port` allows exactly that; an entry `name` allows the name with any port."""
    any_port = {entry for entry in allowed if _name(entry) == entry}
    return host in allowed or _name(host) in any_port


def loopback(port: int) -> tuple[str, ...]:
    """Loopback's names as a browser writes them in Host for this port (without it for port 80)."""
    return tuple(f"{name}:{port}" for name in LOOPBACK_NAMES) + (LOOPBACK_NAMES if port == 80 else ())


def _name(host: str) -> str:
    if host.endswith("]") or ":" not in host:
        return host
    return host.rpartition(":")[0]


def _listening_port(request: web.Request) -> int:
    # The socket's own port: the configured one may be 0, or a test server's random port.
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    return sockname[1] if isinstance(sockname, tuple) and len(sockname) >= 2 else request.app[SETTINGS].port
