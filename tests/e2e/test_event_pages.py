"""A page of the log holds a bounded amount of stored state (issue 16, finding 9).

A thousand events over large documents made one `GET /v1/events?limit=1000` hold half a gigabyte.
A page now ends once it holds `events_page_bytes` of stored state (at least one event), and
`next_after` goes on from there: nothing is skipped or repeated.
"""

from __future__ import annotations

import dataclasses

import pytest

from timeline.http.server import create_app

pytestmark = pytest.mark.finding(9)

TEXT = "Large page. " * 20_000  # about 240 KB of stored state each


@pytest.fixture
async def client(aiohttp_client, settings):
    return await aiohttp_client(create_app(dataclasses.replace(settings, seed=False, events_page_bytes=500_000)))


async def test_a_page_of_large_documents_ends_at_its_byte_budget_and_the_next_goes_on(client):
    documents = [{"id": f"large-{n}", "publisher": "P", "url": "https://example.org/p", "published": "2020", "kind": "press",
                  "text": f"{n} {TEXT}"} for n in range(5)]  # fmt: skip
    for document in documents:
        assert (await client.post("/v1/documents", json=document)).status == 201
    head = (await (await client.get("/v1/events", params={"limit": "1"})).json())["head"]
    seen, after, pages = [], 0, 0
    while after < head:
        page = await (await client.get("/v1/events", params={"after": str(after), "limit": "1000"})).json()
        assert page["events"]
        # 500 KB holds two 240 KB documents and stops at the third (the editions before them are small).
        assert sum(e["id"].startswith("large-") for e in page["events"]) <= 3
        seen += [e["id"] for e in page["events"]]
        after, pages = page["next_after"], pages + 1
    large = [i for i in seen if i.startswith("large-")]
    assert large == [d["id"] for d in documents] and len(seen) == len(set(seen))
    assert pages >= 2
