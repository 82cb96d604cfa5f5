"""A SQLite file deleted or replaced under a running server: writes are refused and /healthz says so."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.e2e.conftest import rating

pytestmark = pytest.mark.finding(11)


def remove_store(database: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(database + suffix):
            os.remove(database + suffix)


def replace_store(database: str) -> None:
    copy = database + ".copy"
    shutil.copyfile(database, copy)
    os.replace(copy, database)


async def refused_503(response) -> dict:
    assert response.status == 503, await response.text()
    assert response.content_type == "application/problem+json"
    return await response.json(content_type=None)


@pytest.mark.parametrize("lose", [remove_store, replace_store], ids=["deleted", "replaced"])
async def test_writes_are_refused_and_healthz_fails_once_the_sqlite_file_is_gone_or_replaced(client, sqlite_database, lose, report):
    assert (await client.post("/v1/facts", json=rating())).status == 201
    assert (await client.get("/healthz")).status == 200
    lose(sqlite_database)
    refusal = await refused_503(await client.post("/v1/facts", json=rating()))
    assert sqlite_database in refusal["detail"]
    health = await refused_503(await client.get("/healthz"))
    assert sqlite_database in health["detail"]
    if lose is remove_store:
        assert not os.path.exists(sqlite_database)  # noqa: ASYNC240 - a test's one stat; and nothing acknowledged went to a file no one will find
        report.append("SQLite file deleted under a running server: the next write got 503 (was 201, then lost) and /healthz 503")


async def test_a_store_whose_file_is_still_there_keeps_writing(client):
    for _ in range(3):
        assert (await client.post("/v1/facts", json=rating())).status == 201
    assert (await client.get("/healthz")).status == 200
