"""Idempotency-Key (issue 15, item 5): a write re-sent with its key is stored once, and every re-send,
alone or at once, is answered with the original receipts; the same key with another body is a 422."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import rating


def without_id(**changes) -> dict:
    body = rating(**changes)
    del body["id"]
    return body


async def test_a_fact_without_an_id_re_sent_with_its_key_is_stored_once(client):
    body, key = without_id(), {"Idempotency-Key": "order-2019-05-01-a"}
    first = await client.post("/v1/facts", json=body, headers=key)
    again = await client.post("/v1/facts", json=body, headers=key)
    assert (first.status, again.status) == (201, 200)
    assert (await again.json())["id"] == (await first.json())["id"]
    assert (await again.json())["position"] == (await first.json())["position"]
    unkeyed = await client.post("/v1/facts", json=body)  # without a key, a fact without an id is a new fact
    assert (await unkeyed.json())["id"] != (await first.json())["id"]


async def test_concurrent_re_sends_of_a_keyed_batch_answer_one_201_and_the_rest_200_with_the_same_receipts(client):
    batch, key = [without_id(), without_id(subject="force/kent")], {"Idempotency-Key": "batch-7"}
    responses = await asyncio.gather(*(client.post("/v1/facts", json=batch, headers=key) for _ in range(4)))
    assert sorted(r.status for r in responses) == [200, 200, 200, 201]
    receipts = [[(r["id"], r["position"]) for r in (await response.json())["receipts"]] for response in responses]
    assert all(r == receipts[0] for r in receipts)


async def test_the_same_key_with_another_body_is_a_422_and_keys_are_checked(client):
    key = {"Idempotency-Key": "reused"}
    assert (await client.post("/v1/facts", json=without_id(), headers=key)).status == 201
    other = await client.post("/v1/facts", json=without_id(occurred="2019-06"), headers=key)
    assert other.status == 422 and "Idempotency-Key" in (await other.json())["detail"]
    for bad in ("", "x" * 201, "caf\u00e9"):
        response = await client.post("/v1/facts", json=without_id(), headers={"Idempotency-Key": bad.encode().decode("latin-1")})
        assert response.status == 400, bad
