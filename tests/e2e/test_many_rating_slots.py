"""A timeline whose ratings fill more slots than SQL allows terms in one expression still answers."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import rating
from timeline.config import Settings
from timeline.http.server import create_app

pytestmark = pytest.mark.finding(6)

SLOTS = 1100


def rating_in(inspection: int) -> dict:
    return rating(data={"pillar": "effectiveness", "grade": "good", "inspection": f"Inspection {inspection}", "inspectorate": "org/hmic"})


async def test_a_timeline_with_1100_rating_slots_answers_on_each_backend(aiohttp_client, database, report):
    client = await aiohttp_client(create_app(Settings(database=database, seed=False, read_wait_seconds=30)))
    position = 0
    for start in range(0, SLOTS, 1000):
        written = await client.post("/v1/facts", json=[rating_in(n) for n in range(start, min(start + 1000, SLOTS))])
        assert written.status == 201, await written.text()
        position = (await written.json())["receipts"][-1]["position"]
    path = "/v1/subjects/force/testshire/timeline"
    page = await client.get(path, params={"limit": "1000", "min_position": str(position)})
    assert page.status == 200, await page.text()
    assert len((await page.json())["facts"]) == 1000
    export = await client.get(path, params={"format": "timelinejs"})
    assert export.status == 200, await export.text()
    assert len((await export.json())["events"]) == SLOTS
    backend = "postgres" if "://" in database else "sqlite"
    report.append(f"many rating slots [{backend}]: a timeline of {SLOTS} rating slots answered 200 (one OR per slot was a 500 on SQLite)")
