"""Settings, read once at start from the command line and the environment."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from timeline.storage import DEFAULT_DATABASE

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
LOOPBACK = ("127.0.0.1", "::1", "localhost")
PROJECTORS = ("thread", "process")  # where the projections run (Settings.projector)


@dataclass(frozen=True)
class Settings:
    database: str = DEFAULT_DATABASE
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    seed: bool = True  # load the bundled seed into an empty store at start
    token_hashes: tuple[str, ...] = ()  # sha256 hex of each bearer token allowed to write; none: writes are open
    token_names: tuple[str, ...] = ()  # the name of each of those tokens, recorded with what it writes (`name=token`)
    admin_token_hashes: tuple[str, ...] = ()  # those of them that may also rebuild views; none: every write token may
    max_body_bytes: int = 8 * 1024 * 1024
    max_batch: int = 1000  # records in one POST
    body_timeout_seconds: float = 60.0  # a request body must arrive whole within this; past it, 408 and the connection ends
    read_wait_seconds: float = 5.0  # how long a read waits for `min_position` before answering 503
    view_poll_seconds: float = 0.5  # how often views (and waiting event streams, once per process) look for other processes' writes
    events_scan: int = 10_000  # events a filtered page of /v1/events looks at, at most, before answering
    events_page_bytes: int = 8 * 1024 * 1024  # stored state a page of /v1/events holds, at most, beyond its first event
    max_streams: int = 1000  # event streams open at once; past that a new one is answered 503 with Retry-After
    read_threads: int = 2  # threads computing view reads; CPU-bound, so about one per core
    projector: str = "thread"  # where the projections run: a thread of the server, or a child process (off its GIL)
    access_log: bool = False  # a line per request costs about a third of a cached read: opt in (--access-log)
    cors_origins: tuple[str, ...] = ()  # origins whose pages may call the API; none: no CORS at all
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-For names the client; none: never believed
    allowed_hosts: tuple[str, ...] = ()  # Host names (name or name:port) answered; none: loopback's when open, else any
    metrics_need_token: bool = False  # GET /metrics needs a token (an admin one, where any is marked); off: open, as /healthz is
    organisation: str = "Timeline"  # who runs the service: the author of its ClaimReviews
    organisation_url: str = ""  # the organisation's site; none: the public URL
    public_url: str = ""  # where readers reach the service (behind a proxy, its public address); none: http://host:port

    @property
    def site_url(self) -> str:
        """The service's public address, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def organisation_site(self) -> str:
        return self.organisation_url or self.site_url

    @property
    def host_names(self) -> tuple[str, ...] | None:
        """The Host names answered (loopback's with the port are added per request), or None for any."""
        if "*" in self.allowed_hosts:
            return None
        if self.allowed_hosts:
            return self.allowed_hosts
        # Open writes on loopback: a DNS-rebinding page is the one remote writer left, and it sends its own name.
        return () if not self.writes_need_token else None

    @property
    def writes_need_token(self) -> bool:
        return bool(self.token_hashes)

    def token_name(self, index: int) -> str:
        """The configured name of the token_hashes[index]; `token-N` (from 1) for one given without a name."""
        return self.token_names[index] if index < len(self.token_names) else f"token-{index + 1}"


class ConfigurationError(ValueError):
    """Settings that cannot work together."""


def database_from(environ: Mapping[str, str] = os.environ, given: str | None = None) -> str:
    """`--database`, else TIMELINE_DATABASE, else ./timeline.sqlite3."""
    return given or environ.get("TIMELINE_DATABASE") or DEFAULT_DATABASE


TOKEN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _named(item: str) -> tuple[str | None, str]:
    """`name=token` as (name, token); a token without a name (or whose `=` is its own, as in padded base64) as (None, token)."""
    name, sign, token = item.partition("=")
    if sign and token and not token.startswith("=") and not item.startswith("sha256:") and TOKEN_NAME.fullmatch(name):
        return name, token
    return None, item


def token_names(spec: str) -> tuple[str, ...]:
    """The name of each token in TIMELINE_TOKENS, in order: its `name=`, else `token-N` (N its place, from 1).

    Names are what the log records as who wrote each event (never the token); they must differ."""
    names = []
    for index, item in enumerate(filter(None, (part.strip().removeprefix("admin=") for part in spec.split(",")))):
        name, _ = _named(item)
        names.append(name or f"token-{index + 1}")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigurationError(f"TIMELINE_TOKENS: token names must differ; {', '.join(duplicated)} is given twice")
    return tuple(names)


def token_hashes(spec: str) -> tuple[str, ...]:
    """Parse TIMELINE_TOKENS: comma-separated tokens, each plain or as `sha256:<hex>` (so config need not hold it),
    optionally named `name=<token>`.

    A token written `admin=<token>` may also administer (rebuild views); see `admin_token_hashes`."""
    hashes = []
    for item in filter(None, (_named(part.strip().removeprefix("admin="))[1] for part in spec.split(","))):
        if item.startswith("sha256:"):
            digest = item.removeprefix("sha256:").lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ConfigurationError("a sha256: token must be 64 hexadecimal digits")
            hashes.append(digest)
        else:
            hashes.append(hash_token(item))
    return tuple(hashes)


def admin_token_hashes(spec: str) -> tuple[str, ...]:
    """The hashes of the tokens TIMELINE_TOKENS marks `admin=`."""
    return token_hashes(",".join(part.strip() for part in spec.split(",") if part.strip().startswith("admin=")))


def trusted_proxies(spec: str) -> tuple[str, ...]:
    """Parse TIMELINE_TRUSTED_PROXIES: comma-separated addresses or networks (10.0.0.0/8) of our own proxies."""
    proxies = tuple(p.strip() for p in spec.split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigurationError(f"TIMELINE_TRUSTED_PROXIES: {proxy!r} is not an address or network") from None
    return proxies


def web_address(variable: str, value: str) -> str:
    """An absolute http(s) URL (it is published in what the service says of itself), or empty."""
    value = value.strip()
    if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise ConfigurationError(f"{variable} must be an absolute http(s) URL without query or fragment, not {value!r}")
    return value


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _switch(environ: Mapping[str, str], variable: str) -> bool:
    value = environ.get(variable, "").strip().lower()
    if value not in ("", "0", "1", "false", "true", "no", "yes"):
        raise ConfigurationError(f"{variable} is 1 or 0 (true or false), not {environ[variable]!r}")
    return value in ("1", "true", "yes")


def settings_from(environ: Mapping[str, str] = os.environ, **given: Any) -> Settings:
    """Settings from the command line (`given`, where not None) over the environment over defaults.

    `given` and the values read here are Settings' fields by name, of their several types: the
    dataclass is what checks them."""
    values: dict[str, Any] = {
        "database": database_from(environ, given.pop("database", None)),
        "token_hashes": token_hashes(environ.get("TIMELINE_TOKENS", "")),
        "admin_token_hashes": admin_token_hashes(environ.get("TIMELINE_TOKENS", "")),
        "token_names": token_names(environ.get("TIMELINE_TOKENS", "")),
        "cors_origins": tuple(o.strip() for o in environ.get("TIMELINE_CORS_ORIGINS", "").split(",") if o.strip()),
        "trusted_proxies": trusted_proxies(environ.get("TIMELINE_TRUSTED_PROXIES", "")),
        "allowed_hosts": tuple(h.strip().lower() for h in environ.get("TIMELINE_ALLOWED_HOSTS", "").split(",") if h.strip()),
        "organisation": environ.get("TIMELINE_ORGANISATION", "").strip() or Settings.organisation,
        "organisation_url": web_address("TIMELINE_ORGANISATION_URL", environ.get("TIMELINE_ORGANISATION_URL", "")),
        "public_url": web_address("TIMELINE_PUBLIC_URL", environ.get("TIMELINE_PUBLIC_URL", "")),
        "metrics_need_token": _switch(environ, "TIMELINE_METRICS_NEED_TOKEN"),
        "projector": environ.get("TIMELINE_PROJECTOR", "").strip() or Settings.projector,
    }
    for name, variable, kind in (
        ("max_body_bytes", "TIMELINE_MAX_BODY_BYTES", int),
        ("max_batch", "TIMELINE_MAX_BATCH", int),
        ("body_timeout_seconds", "TIMELINE_BODY_TIMEOUT_SECONDS", float),
        ("read_wait_seconds", "TIMELINE_READ_WAIT_SECONDS", float),
        ("max_streams", "TIMELINE_MAX_STREAMS", int),
        ("events_page_bytes", "TIMELINE_EVENTS_PAGE_BYTES", int),
    ):
        if variable in environ:
            try:
                values[name] = kind(environ[variable])
            except ValueError:
                raise ConfigurationError(f"{variable} must be a number, not {environ[variable]!r}") from None
    values.update({k: v for k, v in given.items() if v is not None})
    settings = Settings(**values)
    if settings.projector not in PROJECTORS:
        raise ConfigurationError(f"the projector is {' or '.join(PROJECTORS)}, not {settings.projector!r} (TIMELINE_PROJECTOR, --projector)")
    if settings.metrics_need_token and not settings.writes_need_token:
        raise ConfigurationError("TIMELINE_METRICS_NEED_TOKEN is set but no token is configured (TIMELINE_TOKENS): /metrics could not be read")
    if not settings.writes_need_token and settings.host not in LOOPBACK:
        raise ConfigurationError(
            f"refusing to listen on {settings.host} with no token: anyone who can reach it could write. "
            "Set TIMELINE_TOKENS, or listen on 127.0.0.1."
        )
    return settings
