"""Read-your-writes by default: once a write is acknowledged, every read that starts after it, from
any client of that server, reflects it; no `min_position` needed."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid

import aiohttp
import pytest

from tests.e2e.conftest import rating
from timeline.config import Settings

ROUNDS = 40


@pytest.fixture(params=["thread", "process"])
def projector(request: pytest.FixtureRequest) -> str:
    """Where the server runs the projections: read-your-writes holds either way."""
    return request.param


@pytest.fixture
def settings(sqlite_database, projector) -> Settings:
    return Settings(database=sqlite_database, read_wait_seconds=30, projector=projector)


async def test_a_write_acknowledged_to_one_client_is_in_the_next_read_of_another_while_others_write(client):
    base = str(client.make_url("/"))
    stop = asyncio.Event()

    async def background_writer(session: aiohttp.ClientSession) -> int:
        written = 0
        while not stop.is_set():
            response = await session.post("/v1/facts", json=rating(subject=f"force/busy-{written % 7}"))
            assert response.status == 201, await response.text()
            written += 1
        return written

    async with (
        aiohttp.ClientSession(base) as writer_a,
        aiohttp.ClientSession(base) as writer_b,
        aiohttp.ClientSession(base) as poster,
        aiohttp.ClientSession(base) as reader,
    ):
        busy = [asyncio.create_task(background_writer(writer_a)), asyncio.create_task(background_writer(writer_b))]
        try:
            for round_ in range(ROUNDS):
                force = f"force/fresh-{round_}"
                grade = ("good", "inadequate")[round_ % 2]
                posted = await poster.post("/v1/facts", json=rating(subject=force, data=rating()["data"] | {"grade": grade}))
                assert posted.status == 201
                receipt = await posted.json()
                status = await reader.get(f"/v1/subjects/{force}/status")
                body = await status.json()
                assert body["ratings"]["effectiveness"]["grade"] == grade, f"round {round_}: the acknowledged write is missing"
                assert int(status.headers["Timeline-Position"]) >= receipt["position"]
                if round_ % 4 == 0:  # a correction, read back at once by yet another client
                    fixed = rating()["data"] | {"grade": "outstanding"}
                    corrected = await poster.post(
                        f"/v1/facts/{receipt['id']}/corrections", json={"reason": "typo", "expected_version": 1, "changes": {"data": fixed}}
                    )
                    assert corrected.status == 201
                    async with aiohttp.ClientSession(base) as another:
                        again = await (await another.get(f"/v1/subjects/{force}/status")).json()
                    assert again["ratings"]["effectiveness"]["grade"] == "outstanding"
        finally:
            stop.set()
            written = await asyncio.gather(*busy)
    assert sum(written) > 0  # the other writers really were writing meanwhile


async def test_a_batch_of_ratings_is_all_in_the_next_national_read(client):
    forces = [f"force/batch-{n}" for n in range(43)]
    posted = await client.post("/v1/facts", json=[rating(subject=force) for force in forces])
    assert posted.status == 201
    ratings = await (await client.get("/v1/ratings", params={"pillar": "effectiveness", "inspection": "PEEL 2018"})).json()
    assert set(forces) <= {row["subject"] for row in ratings["ratings"]}


def test_a_file_loaded_by_the_cli_is_in_the_servers_next_read(run_server, sqlite_database, tmp_path, projector):
    base = run_server(sqlite_database, TIMELINE_PROJECTOR=projector)
    force = f"force/loaded-{uuid.uuid4().hex[:8]}"
    records = tmp_path / "ratings.ndjson"
    records.write_text(json.dumps(rating(subject=force)) + "\n")
    loaded = subprocess.run(
        [sys.executable, "-m", "timeline", "load", str(records), "--database", sqlite_database], capture_output=True, text=True
    )
    assert loaded.returncode == 0, loaded.stderr

    async def read() -> dict:
        async with aiohttp.ClientSession(base) as session:
            return await (await session.get(f"/v1/subjects/{force}/status")).json()

    status = asyncio.run(read())
    assert status["ratings"]["effectiveness"]["grade"] == "good"
