"""Re-sending a record, alone or at once, on one server or two: one answer for every re-send —
the first stores it (201), every other gets the original receipt (200); never a 409."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.e2e.conftest import rating
from timeline.http.server import create_app

pytestmark = pytest.mark.finding(10)

ROUNDS = 30


async def test_identical_posts_at_once_store_one_fact_and_answer_every_other_with_its_receipt(client):
    body = rating()
    responses = await asyncio.gather(*(client.post("/v1/facts", json=body) for _ in range(4)))
    receipts = [await response.json() for response in responses]
    assert sorted(response.status for response in responses) == [200, 200, 200, 201]
    assert len({(r["id"], r["position"]) for r in receipts}) == 1
    assert [r["created"] for r in receipts].count(True) == 1


async def test_a_resend_racing_the_same_record_on_another_server_gets_the_original_not_a_conflict(aiohttp_client, settings):
    one, other = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
    statuses = []
    for _ in range(40):
        body = rating()
        both = await asyncio.gather(one.post("/v1/facts", json=body), other.post("/v1/facts", json=body))
        statuses.append(sorted(response.status for response in both))
        receipts = [await response.json() for response in both]
        assert receipts[0]["position"] == receipts[1]["position"]
    assert all(pair == [200, 201] for pair in statuses), statuses


def test_identical_re_sends_racing_on_two_postgres_server_processes_get_one_201_and_the_original_receipt(run_server, postgres_database, report):
    first, second = run_server(postgres_database), run_server(postgres_database)

    async def post(http: aiohttp.ClientSession, base: str, body: dict) -> tuple[int, dict]:
        async with http.post(f"{base}/v1/facts", json=body) as response:
            return response.status, await response.json(content_type=None)

    async def rounds() -> list[list[int]]:
        statuses = []
        async with aiohttp.ClientSession() as http:
            for _ in range(ROUNDS):
                body = rating()
                answers = await asyncio.gather(*(post(http, base, body) for base in (first, second, first, second)))
                statuses.append(sorted(status for status, _ in answers))
                receipts = [receipt for _, receipt in answers]
                assert len({(r["id"], r["version"], r["position"], r["recorded_at"]) for r in receipts}) == 1, receipts
        return statuses

    statuses = asyncio.run(rounds())
    assert all(four == [200, 200, 200, 201] for four in statuses), statuses
    report.append(
        f"re-sends on two PostgreSQL server processes: {ROUNDS} rounds of 4 identical concurrent POSTs (2 to each), "
        "each one 201 and three 200 with the original receipt, no 409"
    )
