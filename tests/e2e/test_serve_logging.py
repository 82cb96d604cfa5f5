"""`timeline serve`'s log as a real process writes it: --log-level, --log-format json, --access-log/--no-access-log,
and the request id on each access line."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port


@contextmanager
def serving(database: str, *args: str, log: Path) -> Iterator[str]:
    """A real server with `args`; its stderr (the log) goes to `log`, readable once the block ends and it has stopped."""
    port = free_port()
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "timeline", "serve", "--port", str(port), "--database", database, *args],
            stdout=subprocess.PIPE, stderr=stderr, text=True,
        )
        try:
            banner = process.stdout.readline()  # printed once the server listens
            assert banner.startswith("Timeline on http://"), (banner, log.read_text())
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)
            process.stdout.close()


def get(url: str, request_id: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"X-Request-Id": request_id} if request_id else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["X-Request-Id"]


def test_json_log_lines_and_an_access_line_per_request_naming_its_id(sqlite_database, tmp_path):
    log = tmp_path / "server.log"
    with serving(sqlite_database, "--access-log", "--log-format", "json", log=log) as url:
        given = get(f"{url}/healthz", "client-chosen-1")
        generated = get(f"{url}/v1/subjects/force/bedfordshire/status?as_of=2017-03-03")
    lines = [json.loads(line) for line in log.read_text().splitlines()]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    access = [line for line in lines if line["logger"] == "aiohttp.access"]
    assert [(a["request_id"], a["method"], a["path"], a["status"]) for a in access] == [
        (given, "GET", "/healthz", 200),
        (generated, "GET", "/v1/subjects/force/bedfordshire/status?as_of=2017-03-03", 200),
    ]
    assert given == "client-chosen-1" and all(a["duration_ms"] >= 0 and a["bytes"] > 0 for a in access)
    assert any(line["level"] == "WARNING" and "no token configured" in line["message"] for line in lines)


def test_text_access_lines_name_the_request_id(sqlite_database, tmp_path):
    log = tmp_path / "server.log"
    with serving(sqlite_database, "--access-log", log=log) as url:
        request_id = get(f"{url}/healthz")
    (line,) = [line for line in log.read_text().splitlines() if " aiohttp.access: " in line]
    assert '"GET /healthz HTTP/1.1" 200 ' in line and line.endswith(f"ms request_id={request_id}")


@pytest.mark.parametrize("flag", [[], ["--no-access-log"]])
def test_the_access_log_is_off_unless_asked_for(sqlite_database, tmp_path, flag):
    log = tmp_path / "server.log"
    with serving(sqlite_database, *flag, log=log) as url:
        get(f"{url}/healthz")
    text = log.read_text()
    assert "aiohttp.access" not in text and "/healthz" not in text
    assert "INFO timeline.http.server: seeded " in text  # the rest of the log is there, at info


def test_log_level_warning_leaves_out_info_lines(sqlite_database, tmp_path):
    log = tmp_path / "server.log"
    with serving(sqlite_database, "--log-level", "warning", "--access-log", log=log) as url:
        get(f"{url}/healthz")
    text = log.read_text()
    assert "WARNING timeline.cli: no token configured" in text
    assert " INFO " not in text  # neither "seeded" nor the access lines, which are at info


@pytest.mark.parametrize(("flag", "value"), [("--log-level", "loud"), ("--log-format", "xml")])
def test_an_unknown_log_level_or_format_is_a_usage_error(sqlite_database, flag, value):
    done = subprocess.run(
        [sys.executable, "-m", "timeline", "serve", "--database", sqlite_database, flag, value], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert f"argument {flag}: invalid choice: '{value}'" in done.stderr
    assert not Path(sqlite_database).exists()
