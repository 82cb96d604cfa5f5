"""Idempotency-Key on every POST that writes to the log (issue 15, item 5): documents and their revisions,
corrections (JSON or merge patch), retractions, document withdrawals, facts. A write re-sent with its key,
alone or at once, on one server or two over one store, is stored once and every re-send is answered 200
with the original receipt; the key is kept with the log, so a re-send after later writes still gets it;
the same key with another request is a 422 that stores nothing."""

from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp
import pytest

from tests.e2e.conftest import rating
from timeline.config import Settings
from timeline.http.server import create_app

PATCH = "application/merge-patch+json"


def document(slug: str, text: str = "Cleveland Police accepts the inspectorate's findings in full.", **changes) -> dict:
    return {"id": slug, "publisher": "Cleveland Police", "url": f"https://example.org/{slug}", "published": "2019-09-27",
            "kind": "statement", "text": text} | changes  # fmt: skip


async def stored_fact(client) -> str:
    response = await client.post("/v1/facts", json=rating(subject="force/cleveland"))
    assert response.status == 201
    return (await response.json())["id"]


async def stored_document(client) -> str:
    slug = f"note-{uuid.uuid4().hex[:8]}"
    assert (await client.post("/v1/documents", json=document(slug))).status == 201
    return slug


# Each write: given a client, the request it sends (method, path, keyword arguments), and another request
# under the same key (a different body).
async def a_fact(client):
    body = rating(subject="force/cleveland")
    del body["id"]
    return ("/v1/facts", {"json": body}), ("/v1/facts", {"json": body | {"occurred": "2019-06"}})


async def a_document(client):
    slug = f"report-{uuid.uuid4().hex[:8]}"
    return ("/v1/documents", {"json": document(slug)}), ("/v1/documents", {"json": document(slug, text="Another text.")})


async def a_document_revision(client):
    slug = await stored_document(client)
    revised = document(slug, text="Cleveland Police accepts the findings.", reason="the force reworded its statement")
    return ("/v1/documents", {"json": revised}), ("/v1/documents", {"json": revised | {"text": "Reworded again."}})


async def a_correction(client):
    fact_id = await stored_fact(client)
    change = {"reason": "the report says so", "expected_version": 1, "changes": {"occurred": "2019-05-02"}}
    other = change | {"changes": {"occurred": "2019-05-03"}}
    path = f"/v1/facts/{fact_id}/corrections"
    return (path, {"json": change}), (path, {"json": other})


async def a_merge_patch(client):
    fact_id = await stored_fact(client)
    path = f"/v1/facts/{fact_id}/corrections"

    def sent(grade: str) -> dict:
        return {"data": json.dumps({"data": {"grade": grade}}), "headers": {"Content-Type": PATCH},
                "params": {"reason": "the report says so", "expected_version": "1"}}  # fmt: skip

    return (path, sent("inadequate")), (path, sent("outstanding"))


async def a_retraction(client):
    fact_id = await stored_fact(client)
    path = f"/v1/facts/{fact_id}/retractions"
    return (path, {"json": {"reason": "recorded twice", "expected_version": 1}}), (path, {"json": {"reason": "wrong force", "expected_version": 1}})


async def a_document_withdrawal(client):
    path = f"/v1/documents/{await stored_document(client)}/retractions"
    return (path, {"json": {"reason": "taken down", "withdrawn": "2019-10"}}), (path, {"json": {"reason": "superseded"}})


WRITES = [a_fact, a_document, a_document_revision, a_correction, a_merge_patch, a_retraction, a_document_withdrawal]


@pytest.fixture
async def two_servers(aiohttp_client, database):
    """Two servers over one store (a SQLite file, or a PostgreSQL schema)."""
    settings = Settings(database=database, read_wait_seconds=30, seed=False)
    return await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))


async def head(client) -> int:
    return (await (await client.get("/healthz")).json())["position"]


async def send(server, path: str, sent: dict, key: dict | None = None):
    return await server.post(path, **(sent | {"headers": sent.get("headers", {}) | (key or {})}))


def receipt_of(body: dict) -> list[tuple]:
    receipts = body.get("receipts", [body])
    return [(r["id"], r["version"], r["position"], r["recorded_at"]) for r in receipts]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
async def test_a_keyed_write_sent_at_once_to_two_servers_is_stored_once_and_every_answer_is_its_receipt(two_servers, write):
    one, other = two_servers
    (path, sent), _ = await write(one)
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    before = await head(one)
    responses = await asyncio.gather(
        *(send(server, path, sent, key) for server in (one, other, one, other, one, other))
    )
    bodies = [await response.json() for response in responses]
    assert sorted(r.status for r in responses) == [200, 200, 200, 200, 200, 201], bodies
    assert all(receipt_of(b) == receipt_of(bodies[0]) for b in bodies)
    assert await head(one) == before + 1  # one event: the write, once
    again = await send(other, path, sent, key)
    assert again.status == 200 and receipt_of(await again.json()) == receipt_of(bodies[0])


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.__name__)
async def test_the_same_key_with_another_request_is_a_422_and_stores_nothing(two_servers, write):
    one, other = two_servers
    (path, sent), (_, changed) = await write(one)
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    assert (await send(one, path, sent, key)).status == 201
    before = await head(one)
    refused = await send(other, path, changed, key)
    assert refused.status == 422 and "Idempotency-Key" in (await refused.json())["detail"]
    assert await head(one) == before


async def test_a_keyed_correction_re_sent_after_a_later_correction_still_gets_its_own_receipt(two_servers):
    """Without its key the re-send would name a stale version (409); the key was kept with the log."""
    one, other = two_servers
    (path, sent), _ = await a_correction(one)
    key = {"Idempotency-Key": "correction-of-the-day"}
    first = await send(one, path, sent, key)
    later = await one.post(path, json={"reason": "a later reading", "expected_version": 2, "changes": {"occurred": "2019-05-04"}})
    assert (first.status, later.status) == (201, 201)
    again = await send(other, path, sent, key)
    assert again.status == 200 and receipt_of(await again.json()) == receipt_of(await first.json())
    assert (await send(other, path, sent)).status == 409  # the same request without its key: a stale version


async def test_a_key_first_used_on_records_already_stored_is_still_kept(two_servers):
    """A keyed write that found every record stored stores no event, but its key: another body under it is a 422."""
    one, other = two_servers
    slug = await stored_document(one)
    key = {"Idempotency-Key": "already-there"}
    assert (await one.post("/v1/documents", json=document(slug), headers=key)).status == 200
    refused = await other.post("/v1/documents", json=document("another-one"), headers=key)
    assert refused.status == 422
    assert (await one.get("/v1/documents/another-one")).status == 404


async def test_a_key_used_on_one_kind_of_write_is_refused_on_another(two_servers):
    one, _ = two_servers
    fact_id = await stored_fact(one)
    key = {"Idempotency-Key": "one-write-only"}
    assert (await one.post(f"/v1/facts/{fact_id}/retractions", json={"reason": "erred", "expected_version": 1}, headers=key)).status == 201
    assert (await one.post("/v1/documents", json=document("unrelated"), headers=key)).status == 422


def test_two_server_processes_on_one_postgresql_database_answer_keyed_re_sends_alike(run_server, postgres_database):
    """Real `timeline serve` processes: a keyed correction and a keyed retraction sent to both at once, ten times."""
    urls = [run_server(postgres_database), run_server(postgres_database)]

    async def scenario() -> None:
        async with aiohttp.ClientSession() as session:
            for _ in range(10):
                created = await session.post(f"{urls[0]}/v1/facts", json=rating(subject="force/cleveland"))
                fact_id = (await created.json())["id"]
                for path, body in (
                    (f"/v1/facts/{fact_id}/corrections", {"reason": "typo", "expected_version": 1, "changes": {"occurred": "2019-05-02"}}),
                    (f"/v1/facts/{fact_id}/retractions", {"reason": "recorded twice", "expected_version": 2}),
                ):
                    key = {"Idempotency-Key": str(uuid.uuid4())}
                    responses = await asyncio.gather(*(session.post(url + path, json=body, headers=key) for url in urls * 2))
                    bodies = [await r.json() for r in responses]
                    assert sorted(r.status for r in responses) == [200, 200, 200, 201], bodies
                    assert all(b == bodies[0] | {"created": b["created"]} for b in bodies)

    asyncio.run(scenario())
