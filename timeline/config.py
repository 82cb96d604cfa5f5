"""Settings, read once at start from the command line and the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from timeline.storage import DEFAULT_DATABASE

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


@dataclass(frozen=True)
class Settings:
    database: str = DEFAULT_DATABASE
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    seed: bool = True  # load the bundled seed into an empty store at start


def database_from(environ: Mapping[str, str] = os.environ, given: str | None = None) -> str:
    """`--database`, else TIMELINE_DATABASE, else ./timeline.sqlite3."""
    return given or environ.get("TIMELINE_DATABASE") or DEFAULT_DATABASE
