"""CloudEvents 1.0 (structured JSON mode): facts in, log events out.

In: a CloudEvent whose `type` is a fact type and whose `data` is the fact body; its
`id` is the fact id (a UUID), so re-sending the same event is a no-op.
Out: each log event as a CloudEvent whose `id` is its log position.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from timeline.app import LogEntry
from timeline.errors import FieldError, InvalidRecord
from timeline.http.render import entry_json

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
EVENT_TYPE_PREFIX = "org.timeline."

CLOUDEVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["specversion", "id", "source", "type", "data"],
    "properties": {
        "specversion": {"const": "1.0"},
        "id": {"type": "string", "minLength": 1},
        "source": {"type": "string", "minLength": 1},
        "type": {"type": "string", "minLength": 1, "description": "the fact type, e.g. rating.published"},
        "subject": {"type": "string"},
        "datacontenttype": {"enum": ["application/json"]},
        "data": {"type": "object"},
    },
}
_VALIDATOR = Draft202012Validator(CLOUDEVENT_SCHEMA)


def fact_from_cloudevent(event: Any, index: int | None = None) -> dict[str, Any]:
    """The fact body a CloudEvent carries."""
    errors = [
        FieldError(".".join(map(str, e.absolute_path)) or "(event)", e.message, index)
        for e in _VALIDATOR.iter_errors(event)
    ]
    if errors:
        raise InvalidRecord(errors)
    body = {"id": event["id"], "type": event["type"], **event["data"]}
    if "subject" in event:
        body.setdefault("subject", event["subject"])
    return body


def cloudevent_from_entry(entry: LogEntry, base: str = "/v1/facts") -> dict[str, Any]:
    body = entry_json(entry)
    kind = {"document.recorded": "documents", "framework.defined": "frameworks", "framework.revised": "frameworks"}.get(body["event"], "facts")
    event = {
        "specversion": "1.0",
        "id": str(body["position"]),
        "source": f"/v1/{kind}/{body['id']}",
        "type": EVENT_TYPE_PREFIX + body["event"],
        "time": body["recorded_at"],
        "datacontenttype": "application/json",
        "data": body,
    }
    if "fact" in body:
        event["subject"] = body["fact"]["subject"]
    return event
