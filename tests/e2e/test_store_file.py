"""A SQLite file deleted or replaced under a running server, or its disk full: writes are refused and /healthz says so."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess

import pytest

from tests.e2e.conftest import rating
from timeline.config import Settings
from timeline.http.server import create_app

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


@pytest.fixture
def small_disk(tmp_path):
    """A real filesystem of 4 MiB (a tmpfs), so that the disk can really be filled."""
    if os.geteuid() != 0:
        pytest.skip("filling a real disk needs a small tmpfs, and mounting one needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "--lazy", str(disk)], check=False)


def fill(disk) -> None:
    """Write a file until the filesystem refuses another byte."""
    with open(disk / "filler", "wb", buffering=0) as filler:  # unbuffered: closing has nothing left to write
        for size in (65536, 4096, 1):  # large writes first, then smaller ones into what the last large one left
            while True:
                try:
                    filler.write(b"\0" * size)
                except OSError as error:
                    if error.errno != errno.ENOSPC:
                        raise
                    break


async def test_healthz_fails_while_the_disk_holding_the_store_is_full_and_recovers_once_space_is_freed(aiohttp_client, small_disk, report):
    client = await aiohttp_client(create_app(Settings(database=str(small_disk / "timeline.sqlite3"), seed=False)))
    assert (await client.post("/v1/facts", json=rating())).status == 201
    assert (await client.get("/healthz")).status == 200
    fill(small_disk)
    health = await refused_503(await client.get("/healthz"))
    assert "full" in health["detail"]
    refused = await refused_503(await client.post("/v1/facts", json=rating()))  # a real write, refused by the disk
    assert "full" in refused["detail"] and "nothing was stored" in refused["detail"]
    os.remove(small_disk / "filler")  # freeing the space, as an operator would
    assert (await client.get("/healthz")).status == 200
    assert (await client.post("/v1/facts", json=rating())).status == 201
    report.append("disk full under a running server (4 MiB tmpfs): /healthz 503 (was ok) and writes 503, both back once space was freed")
