"""Two server processes on one PostgreSQL database: writes to both, the same views from both, each fact once."""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest

from tests.e2e.conftest import rating

WRITES_EACH = 60


async def write_all(base: str, bodies: list[dict]) -> list[int]:
    async with aiohttp.ClientSession(base) as http:

        async def one(body: dict) -> int:
            async with http.post("/v1/facts", json=body) as response:
                assert response.status == 201, await response.text()
                return (await response.json())["position"]

        return await asyncio.gather(*(one(b) for b in bodies))


async def read(base: str, path: str, min_position: int) -> dict:
    async with (
        aiohttp.ClientSession(base) as http,
        http.get(path, params={"min_position": str(min_position)}) as response,
    ):
        assert response.status == 200, await response.text()
        body = await response.json()
        body.pop("position")  # how far each server's view has got may differ; the answer may not
        return body


@pytest.mark.parametrize("projector", ["thread", "process"])
def test_two_servers_on_one_database_serve_the_same_views_with_every_fact_once(run_server, postgres_database, projector):
    # The second server's projections run where `projector` says: both kinds of runner share the views.
    first, second = run_server(postgres_database), run_server(postgres_database, TIMELINE_PROJECTOR=projector)
    bodies = [rating(id=str(uuid.uuid4()), subject=f"force/shared-{n % 3}") for n in range(2 * WRITES_EACH)]

    async def scenario():
        positions = await asyncio.gather(write_all(first, bodies[:WRITES_EACH]), write_all(second, bodies[WRITES_EACH:]))
        head = max(max(p) for p in positions)
        every_position = sorted(p for ps in positions for p in ps)
        assert len(set(every_position)) == 2 * WRITES_EACH  # no write lost or given another's position
        return [
            [await read(base, f"/v1/subjects/force/shared-{n}/timeline?limit=1000", head) for n in range(3)]
            + [await read(base, "/v1/ratings?pillar=effectiveness", head)]
            for base in (first, second)
        ]

    from_first, from_second = asyncio.run(scenario())
    assert from_first == from_second
    ids = [f["id"] for timeline in from_first[:3] for f in timeline["facts"]]
    assert sorted(ids) == sorted(b["id"] for b in bodies)  # every fact once, none twice
