"""CloudEvents 1.0 in and out, with the official CloudEvents SDK as the client."""

from __future__ import annotations

import uuid

import orjson
from cloudevents.core.bindings.http import HTTPMessage, from_structured_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

from tests.e2e.conftest import rating


def as_cloudevent(body: dict) -> CloudEvent:
    data = {k: v for k, v in body.items() if k not in ("id", "type")}
    return CloudEvent(attributes={"id": body["id"], "type": body["type"], "source": "/tests/newsroom"}, data=data)


async def test_a_structured_cloudevent_is_recorded_as_the_fact_it_carries(client):
    body = rating()
    message = to_structured_event(as_cloudevent(body))
    response = await client.post("/v1/facts", data=message.body, headers=message.headers)
    assert response.status == 201, await response.text()
    assert (await response.json())["id"] == body["id"]
    again = await client.post("/v1/facts", data=message.body, headers=message.headers)
    assert again.status == 200  # the CloudEvent id is the fact id: re-sending is a no-op


async def test_a_cloudevents_batch_is_recorded_atomically(client):
    events = [to_structured_event(as_cloudevent(rating())) for _ in range(3)]
    batch = b"[" + b",".join(m.body for m in events) + b"]"
    response = await client.post("/v1/facts", data=batch, headers={"Content-Type": "application/cloudevents-batch+json"})
    assert response.status == 201
    assert len((await response.json())["receipts"]) == 3


async def test_a_cloudevent_that_is_not_a_valid_fact_is_refused(client):
    body = rating(occurred="whenever")
    message = to_structured_event(as_cloudevent(body))
    response = await client.post("/v1/facts", data=message.body, headers=message.headers)
    assert response.status == 422
    missing = await client.post("/v1/facts", data=b'{"specversion": "1.0"}', headers={"Content-Type": "application/cloudevents+json"})
    assert missing.status == 422


async def test_the_log_can_be_read_as_cloudevents(client):
    response = await client.get("/v1/events", params={"limit": "3"}, headers={"Accept": "application/cloudevents-batch+json"})
    assert response.content_type == "application/cloudevents-batch+json"
    events = [
        from_structured_event(HTTPMessage(headers={"content-type": "application/cloudevents+json"}, body=orjson.dumps(e)))
        for e in orjson.loads(await response.read())
    ]
    assert [e.get_id() for e in events] == ["1", "2", "3"]
    assert [e.get_type() for e in events] == ["org.timeline.document.recorded", "org.timeline.fact.recorded", "org.timeline.fact.recorded"]
    assert events[1].get_subject() == "force/bedfordshire"
    assert uuid.UUID(events[1].get_data()["id"])
