"""A request id on every response (X-Request-Id), echoing a sane one the client sent, and on the log lines of its request."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid

import pytest

from projections.runner import ProjectionRunner
from projections.views import Views
from tests.e2e.conftest import rating
from timeline.application import Timeline
from timeline.http.keys import REBUILDS
from timeline.logs import RequestIdFilter


def generated(value: str) -> bool:
    return str(uuid.UUID(value)) == value


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/subjects/force/bedfordshire/status", 200),
        ("GET", "/v1/subjects/force/clevland/status", 404),
        ("GET", "/v1/nothing-here", 404),
        ("DELETE", "/v1/facts", 405),
        ("GET", "/v1/ratings?pilar=effectiveness", 400),
        ("GET", "/healthz", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/", 200),
        ("GET", "/page/page.css", 200),
    ],
)
async def test_every_response_has_a_request_id(client, method, path, status):
    response = await client.request(method, path)
    assert response.status == status
    assert generated(response.headers["X-Request-Id"])


async def test_problems_writes_not_modified_and_event_streams_have_one_too(client):
    not_acceptable = await client.get("/v1/ratings", headers={"Accept": "application/xml"})
    assert not_acceptable.status == 406 and generated(not_acceptable.headers["X-Request-Id"])
    written = await client.post("/v1/facts", json=rating())
    assert written.status == 201 and generated(written.headers["X-Request-Id"])
    first = await client.get("/v1/sources")
    unchanged = await client.get("/v1/sources", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status == 304 and generated(unchanged.headers["X-Request-Id"])
    stream = await client.get("/v1/events/stream", headers={"X-Request-Id": "stream-1"})
    try:
        assert stream.status == 200 and stream.headers["X-Request-Id"] == "stream-1"
    finally:
        stream.close()


async def test_each_request_gets_its_own_id(client):
    ids = {(await client.get("/healthz")).headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize(
    "given",
    ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "trace:4bf92f3577b34da6a3ce929d0e0e4736", "A1/b2+c3=@x.y_z", "x" * 128],
)
async def test_a_sane_client_request_id_is_echoed(client, given):
    response = await client.get("/healthz", headers={"X-Request-Id": given})
    assert response.headers["X-Request-Id"] == given


@pytest.mark.parametrize("given", ["", "has space", "x" * 129, '"quoted"', "-leading-dash", "ünïcode", "a;b", "<script>"])
async def test_another_client_request_id_is_replaced_by_a_new_one(client, given):
    response = await client.get("/healthz", headers={"X-Request-Id": given})
    assert generated(response.headers["X-Request-Id"])


async def test_lines_logged_for_a_request_name_its_id_on_the_loop_and_on_the_read_threads(client, caplog, monkeypatch):
    """What a request's handler logs, on the event loop or on a read thread, carries that request's id."""

    def failing_status(self, subject, *args):
        logging.getLogger("tests.read-thread").warning("reading %s", subject)
        raise RuntimeError("a view that breaks")

    monkeypatch.setattr(Views, "status", failing_status)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING):
        responses = await asyncio.gather(
            *(client.get("/v1/subjects/force/bedfordshire/status", headers={"X-Request-Id": f"req-{n}"}) for n in range(3))
        )
    assert [r.status for r in responses] == [500, 500, 500]
    for n in range(3):
        mine = [r for r in caplog.records if r.request_id == f"req-{n}"]
        assert sorted((r.name, r.levelname) for r in mine) == [("tests.read-thread", "WARNING"), ("timeline.http.problems", "ERROR")]
    assert all(r.request_id is not None for r in caplog.records if r.name in ("tests.read-thread", "timeline.http.problems"))


async def test_a_failed_commit_logs_the_ids_of_the_requests_it_held(client, caplog, monkeypatch):
    """The writer's line is logged on its own thread, for a whole group of writes: it names each of them."""

    def failing(self, *args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Timeline, "save_staged", failing)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR):
        response = await client.post("/v1/facts", json=rating(), headers={"X-Request-Id": "write-1"})
    assert response.status == 500
    lines = [(r.name, r.request_id) for r in caplog.records]
    assert ("timeline.writer", "write-1") in lines and ("timeline.http.problems", "write-1") in lines


async def test_a_failed_rebuild_logs_the_id_of_the_request_that_started_it(client, caplog, monkeypatch):
    go = threading.Event()

    def failing(self, name):
        go.wait(timeout=30)  # until the test holds the task
        raise RuntimeError("no space left for the new tables")

    monkeypatch.setattr(ProjectionRunner, "rebuild", failing)
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.ERROR):
        response = await client.post("/v1/projections/facts/rebuild", headers={"X-Request-Id": "rebuild-1"})
        assert response.status == 202
        task = client.server.app[REBUILDS]["facts"]
        finished = asyncio.Event()
        task.add_done_callback(lambda _: finished.set())  # runs after the handler's own callback, which logs
        go.set()
        await finished.wait()
    assert [(r.name, r.request_id) for r in caplog.records if r.name == "timeline.http.handlers.admin"] == [
        ("timeline.http.handlers.admin", "rebuild-1")
    ]
