"""Reading and making export files in tests: the event lines between the header and the end marker."""

from __future__ import annotations

import hashlib

import orjson

from timeline.log_file import HEADER_LINE


def event_lines(exported: bytes) -> list[bytes]:
    """An export's event lines, without its header and end marker."""
    lines = exported.splitlines()
    assert lines[0] + b"\n" == HEADER_LINE and orjson.loads(lines[-1]).keys() == {"end"}, "not a marked export"
    return lines[1:-1]


def marked(lines: list[bytes]) -> bytes:
    """Event lines as an export file with its header and a true end marker (as an export of such a log would be)."""
    body = HEADER_LINE + b"".join(line + b"\n" for line in lines)
    last = orjson.loads(lines[-1])["position"] if lines else 0
    end = {"events": len(lines), "last_position": last, "sha256": hashlib.sha256(body).hexdigest()}
    return body + orjson.dumps({"end": end}) + b"\n"


def unmarked(lines: list[bytes]) -> bytes:
    """Event lines as an export made before the end marker existed: no header, no end."""
    return b"".join(line + b"\n" for line in lines)
