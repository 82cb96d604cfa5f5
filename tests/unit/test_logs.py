"""Log lines as text or JSON, each naming the request it was written for (timeline.logs)."""

from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from timeline import logs


def record(message: str = "hello %s", args: tuple = ("world",), **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("timeline.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def named(made: logging.LogRecord) -> logging.LogRecord:
    logs.RequestIdFilter().filter(made)
    return made


def test_a_line_outside_any_request_names_none():
    line = logs.TextFormatter().format(named(record()))
    assert line.endswith(" WARNING timeline.test: hello world")
    assert json.loads(logs.JsonFormatter().format(named(record()))).get("request_id") is None


def test_a_line_inside_a_request_names_its_id():
    token = logs.REQUEST_ID.set("req-7")
    try:
        made = named(record())
    finally:
        logs.REQUEST_ID.reset(token)
    assert logs.TextFormatter().format(made).endswith(" WARNING timeline.test: hello world request_id=req-7")
    line = json.loads(logs.JsonFormatter().format(made))
    assert (line["level"], line["logger"], line["message"], line["request_id"]) == ("WARNING", "timeline.test", "hello world", "req-7")
    assert line["time"].endswith("Z")


def test_an_id_given_with_the_line_wins_over_the_context():
    token = logs.REQUEST_ID.set("the-context")
    try:
        made = named(record(request_id="the-access-log"))
    finally:
        logs.REQUEST_ID.reset(token)
    assert made.request_id == "the-access-log"


def test_json_lines_carry_extra_fields_and_the_traceback():
    try:
        raise ValueError("broken")
    except ValueError:
        made = record(status=200, path="/healthz")
        made.exc_info = sys.exc_info()
    line = json.loads(logs.JsonFormatter().format(named(made)))
    assert (line["status"], line["path"]) == (200, "/healthz")
    assert "ValueError: broken" in line["exception"]
    assert "\n" not in logs.JsonFormatter().format(named(made))  # one line, whatever the traceback


def test_the_text_traceback_follows_the_first_line_with_its_id():
    try:
        raise ValueError("broken")
    except ValueError:
        made = record(request_id="r1")
        made.exc_info = sys.exc_info()
    first, *rest = logs.TextFormatter().format(named(made)).splitlines()
    assert first.endswith("hello world request_id=r1") and rest[-1] == "ValueError: broken"


def test_configure_sends_lines_at_the_level_and_above_in_the_format(monkeypatch):
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))  # restored afterwards, with pytest's own
    monkeypatch.setattr(root, "level", root.level)
    stream = io.StringIO()
    logs.configure("warning", "json", stream)
    logging.getLogger("timeline.test").info("not shown")
    logging.getLogger("timeline.test").warning("shown")
    (line,) = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == "shown"


@pytest.mark.parametrize(("level", "style", "says"), [("loud", "text", "log level is one of"), ("info", "xml", "log format is one of")])
def test_configure_refuses_an_unknown_level_or_format(level, style, says):
    with pytest.raises(ValueError, match=says):
        logs.configure(level, style, io.StringIO())
