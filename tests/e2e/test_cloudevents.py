"""CloudEvents 1.0 in and out, with the official CloudEvents SDK as the client."""

from __future__ import annotations

import uuid

import orjson
from cloudevents.core.bindings.http import (
    HTTPMessage,
    from_binary_event,
    from_structured_event,
    to_binary_event,
    to_structured_event,
)
from cloudevents.core.v1.event import CloudEvent

from tests.e2e.conftest import rating


def as_cloudevent(body: dict, **attributes: str) -> CloudEvent:
    data = {k: v for k, v in body.items() if k not in ("id", "type")}
    return CloudEvent(attributes={"id": body["id"], "type": body["type"], "source": "/tests/newsroom"} | attributes, data=data)


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


async def test_a_binary_mode_cloudevent_is_recorded_as_the_fact_it_carries(client):
    body = rating()
    message = to_binary_event(as_cloudevent(body, datacontenttype="application/json"))  # ce-* headers, the fact as the body
    response = await client.post("/v1/facts", data=message.body, headers=message.headers)
    assert response.status == 201, await response.text()
    assert (await response.json())["id"] == body["id"]
    fact = await (await client.get(f"/v1/facts/{body['id']}")).json()
    assert (fact["subject"], fact["data"]) == (body["subject"], body["data"])


async def test_a_binary_mode_cloudevent_missing_an_attribute_is_refused_saying_which(client):
    message = to_binary_event(as_cloudevent(rating(), datacontenttype="application/json"))
    headers = {name: value for name, value in message.headers.items() if name.lower() != "ce-source"}
    response = await client.post("/v1/facts", data=message.body, headers=headers)
    assert response.status == 422
    assert "source" in orjson.dumps(await response.json()).decode()


async def test_one_log_event_is_read_in_binary_mode_and_as_a_structured_cloudevent(client):
    body = rating()
    receipt = await (await client.post("/v1/facts", json=body)).json()
    response = await client.get(f"/v1/events/{receipt['position']}")
    assert response.status == 200
    event = from_binary_event(HTTPMessage(headers=dict(response.headers), body=await response.read()))
    assert (event.get_id(), event.get_type(), event.get_subject()) == (str(receipt["position"]), "org.timeline.fact.recorded", body["subject"])
    assert event.get_data()["fact"]["data"] == body["data"]
    structured = await client.get(f"/v1/events/{receipt['position']}", headers={"Accept": "application/cloudevents+json"})
    assert from_structured_event(HTTPMessage(headers=dict(structured.headers), body=await structured.read())).get_id() == str(receipt["position"])
    assert (await client.get("/v1/events/999999")).status == 404
    assert (await client.get("/v1/events/99999999999999999999999")).status == 400
