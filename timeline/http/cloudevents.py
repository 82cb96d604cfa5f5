"""CloudEvents 1.0: facts in, log events out, in structured and batch JSON mode and in binary mode.

In: a CloudEvent whose `type` is a fact type and whose `data` is the fact body; its
`id` is the fact id (a UUID), so re-sending the same event is a no-op. In binary mode the
attributes are `ce-*` headers and the body is the data; the official SDK reads them.
Out: each log event as a CloudEvent whose `id` is its log position; a single event also in
binary mode (its attributes as `ce-*` headers beside the JSON body).
"""

from __future__ import annotations

from typing import Any

from cloudevents.core.bindings.http import HTTPMessage, from_binary_event, to_binary_event
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.v1.event import CloudEvent

from timeline.errors import FieldError, InvalidRecord
from timeline.http.render import entry_json
from timeline.log_records import LogEntry
from timeline.validation import RecordValidator, field_errors

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
_VALIDATOR = RecordValidator(CLOUDEVENT_SCHEMA)


def fact_from_cloudevent(event: Any, index: int | None = None) -> dict[str, Any]:
    """The fact body a CloudEvent carries."""
    errors = field_errors(_VALIDATOR, event, index, whole="(event)")
    if errors:
        raise InvalidRecord(errors)
    body = {"id": event["id"], "type": event["type"], **event["data"]}
    if "subject" in event:
        body.setdefault("subject", event["subject"])
    return body


def is_binary(headers: Any) -> bool:
    """Whether a request carries a CloudEvent in binary mode: its attributes as ce-* headers."""
    return "ce-specversion" in headers


def event_from_binary(headers: Any, body: bytes) -> dict[str, Any]:
    """A binary-mode CloudEvent (ce-* headers, JSON body) as its structured form, read by the official SDK."""
    attributes = {name.lower(): value for name, value in headers.items() if name.lower().startswith("ce-")}
    try:
        event = from_binary_event(HTTPMessage(headers=attributes | {"content-type": "application/json"}, body=body))
    except (BaseCloudEventException, ValueError) as error:
        raise InvalidRecord([FieldError("ce-*", f"not a CloudEvent in binary mode: {error}")]) from None
    structured = {name: value for name, value in event.get_attributes().items() if value is not None}
    structured.pop("time", None)  # a datetime once read; a fact's times are its own
    structured.pop("datacontenttype", None)
    return structured | {"data": event.get_data()}


def binary_from_entry(entry: LogEntry) -> tuple[dict[str, str], bytes]:
    """One log event in binary mode: the ce-* headers and the JSON body, written by the official SDK."""
    event = cloudevent_from_entry(entry)
    attributes = {name: value for name, value in event.items() if name not in ("data", "time")}
    message = to_binary_event(CloudEvent(attributes=attributes, data=event["data"]))
    return dict(message.headers), message.body


def cloudevent_from_entry(entry: LogEntry) -> dict[str, Any]:
    body = entry_json(entry)
    kind = {"document.recorded": "documents", "framework.defined": "frameworks", "framework.revised": "frameworks"}.get(body["event"], "facts")
    event = {
        "specversion": "1.0",
        "id": str(body["position"]),
        "source": f"/v1/{kind}/{body['id']}" if body["id"] is not None else f"/v1/events/{body['position']}",
        "type": EVENT_TYPE_PREFIX + body["event"],
        "time": body["recorded_at"],
        "datacontenttype": "application/json",
        "data": body,
    }
    if event["time"] is None:  # purged by a redaction: its record time went with its state
        del event["time"]
    if "fact" in body:
        event["subject"] = body["fact"]["subject"]
    return event
