"""`--projector process`: the views kept by a child process still answer every read with every write
acknowledged before it, rebuild over HTTP, and outlive the child's death (reported, then recovered)."""

from __future__ import annotations

import dataclasses
import logging
import os
import signal

import aiohttp
import pytest

from tests.e2e.conftest import rating
from timeline.config import ConfigurationError, Settings, settings_from
from timeline.http.keys import KEEPER, REBUILDS
from timeline.http.server import create_app


@pytest.fixture
def settings(database) -> Settings:
    return Settings(database=database, read_wait_seconds=30, projector="process")


def test_the_projector_is_chosen_by_flag_over_environment_and_an_unknown_one_is_refused():
    assert settings_from({}).projector == "thread"  # the default, until the process is measured better
    assert settings_from({"TIMELINE_PROJECTOR": "process"}).projector == "process"
    assert settings_from({"TIMELINE_PROJECTOR": "process"}, projector="thread").projector == "thread"
    with pytest.raises(ConfigurationError, match="TIMELINE_PROJECTOR"):
        settings_from({"TIMELINE_PROJECTOR": "fork"})


def graded(force: str, grade: str) -> dict:
    return rating(subject=force, data=rating()["data"] | {"grade": grade})


async def grade_of(session, force: str) -> str:
    response = await session.get(f"/v1/subjects/{force}/status")
    assert response.status == 200, await response.text()
    return (await response.json())["ratings"]["effectiveness"]["grade"]


async def test_every_write_is_in_the_very_next_read(client):
    for round_ in range(20):
        force, grade = f"force/fresh-{round_}", ("good", "inadequate")[round_ % 2]
        assert (await client.post("/v1/facts", json=graded(force, grade))).status == 201
        assert await grade_of(client, force) == grade


async def test_healthz_names_the_projector_process(client):
    health = await (await client.get("/healthz")).json()
    assert health["status"] == "ok"
    assert health["projector"] | {"pid": None} == {"mode": "process", "alive": True, "pid": None, "deaths": 0, "restarts": 0}
    assert health["projector"]["pid"] not in (None, os.getpid())


async def test_a_view_is_rebuilt_by_the_projector_process_and_keeps_answering(client):
    assert (await client.post("/v1/facts", json=graded("force/rebuilt", "good"))).status == 201
    before = await (await client.get("/v1/subjects/force/rebuilt/status")).json()
    assert (await client.post("/v1/projections/facts/rebuild")).status == 202
    assert await client.app[REBUILDS]["facts"] > 0  # the position the child's rebuild swapped in at
    assert await (await client.get("/v1/subjects/force/rebuilt/status")).json() == before
    assert (await client.post("/v1/facts", json=graded("force/rebuilt", "outstanding"))).status == 201
    assert await grade_of(client, "force/rebuilt") == "outstanding"  # the new generation keeps up


async def test_the_childs_death_is_logged_and_reported_then_it_is_started_again(client, caplog):
    keeper = client.app[KEEPER]
    first = keeper.health().pid
    with caplog.at_level(logging.ERROR, logger="projections.projector"):
        os.kill(first, signal.SIGKILL)
        await keeper.died.wait()
        health = keeper.health()
        assert (health.alive, health.pid, health.deaths, health.restarts) == (False, None, 1, 0)
    assert any("ended unasked" in record.getMessage() for record in caplog.records)
    # The next read waits for the views, so for a new child to have caught them up.
    assert (await client.post("/v1/facts", json=graded("force/after-death", "good"))).status == 201
    assert await grade_of(client, "force/after-death") == "good"
    health = await (await client.get("/healthz")).json()
    assert health["status"] == "ok"
    assert health["projector"]["alive"] and health["projector"]["deaths"] == health["projector"]["restarts"] == 1
    assert health["projector"]["pid"] != first


async def test_a_read_answers_503_in_time_while_the_child_cannot_catch_up(aiohttp_client, settings):
    client = await aiohttp_client(create_app(dataclasses.replace(settings, read_wait_seconds=0.5)))
    pid = client.app[KEEPER].health().pid
    os.kill(pid, signal.SIGSTOP)  # alive, but doing nothing: as a child stuck in a long batch
    try:
        assert (await client.post("/v1/facts", json=graded("force/stuck", "good"))).status == 201
        response = await client.get("/v1/subjects/force/stuck/status")
        assert response.status == 503 and response.headers["Retry-After"] == "1"
    finally:
        os.kill(pid, signal.SIGCONT)
    assert await grade_of(client, "force/stuck") == "good"


def test_a_served_process_recovers_from_its_projectors_death(run_server, database):
    """The real command: `timeline serve` with TIMELINE_PROJECTOR=process, its child killed from outside."""
    import asyncio

    async def scenario() -> None:
        async with aiohttp.ClientSession(run_server(database, TIMELINE_PROJECTOR="process")) as session:
            first = (await (await session.get("/healthz")).json())["projector"]
            assert first["mode"] == "process" and first["alive"]
            assert (await session.post("/v1/facts", json=graded("force/served", "good"))).status == 201
            assert await grade_of(session, "force/served") == "good"
            os.kill(first["pid"], signal.SIGKILL)
            assert (await session.post("/v1/facts", json=graded("force/served", "inadequate"))).status == 201
            assert await grade_of(session, "force/served") == "inadequate"
            after = (await (await session.get("/healthz")).json())["projector"]
            assert after["alive"] and after["pid"] != first["pid"] and after["deaths"] == after["restarts"] == 1

    asyncio.run(scenario())
