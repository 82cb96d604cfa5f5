"""GET /metrics (issue 15, item 8): Prometheus' text format, scraped over HTTP and read with the client
library's own parser. Requests are counted by route pattern and status (a hostile path or method adds
no series), timed, write batches measured, and the log's position and the views' lag are /healthz's."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import urllib.request
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from projections.runner import ProjectionRunner
from tests.e2e.conftest import TOKEN, rating
from timeline.config import ConfigurationError, hash_token, settings_from
from timeline.http.server import create_app

STATUS = "/v1/subjects/{kind}/{slug}/status"


async def scrape(client, **headers) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape, by name and labels."""
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(await response.text())
        for sample in family.samples
    }


def requests(samples, route: str, status: str, method: str = "GET") -> float:
    return samples.get(("timeline_http_requests_total", (("method", method), ("route", route), ("status", status))), 0.0)


async def test_requests_are_counted_and_timed_by_route_pattern_and_status(client):
    before = await scrape(client)
    for subject in ("force/cleveland", "force/bedfordshire"):
        assert (await client.get(f"/v1/subjects/{subject}/status")).status == 200
    assert (await client.get("/v1/subjects/force/clevland/status")).status == 404  # a typo: 404 under its route's pattern
    assert (await client.get(f"/v1/no-such-thing/{uuid.uuid4()}")).status == 404
    after = await scrape(client)
    assert requests(after, STATUS, "200") - requests(before, STATUS, "200") == 2
    assert requests(after, STATUS, "404") - requests(before, STATUS, "404") == 1
    assert requests(after, "(unmatched)", "404") - requests(before, "(unmatched)", "404") == 1
    timed = ("timeline_http_request_duration_seconds_count", (("method", "GET"), ("route", STATUS)))
    assert after[timed] - before.get(timed, 0.0) == 3
    assert not [labels for _, labels in after if any("clevland" in value or "no-such-thing" in value for _, value in labels)]


async def test_hostile_paths_and_methods_add_no_series(client):
    await client.get("/healthz")
    await scrape(client)
    before = {key for key in await scrape(client) if key[0].startswith("timeline_http_")}
    for n in range(30):
        await client.get(f"/v1/{uuid.uuid4()}/{n}")
        await client.get(f"/v1/subjects/force/{uuid.uuid4()}/status")
        await client.request("FROB", f"/v1/facts/{uuid.uuid4()}")
    after = {key for key in await scrape(client) if key[0].startswith("timeline_http_")}
    routes = {dict(labels).get("route") for _, labels in after} - {None}
    methods = {dict(labels).get("method") for _, labels in after} - {None}
    patterns = {resource.canonical for resource in client.server.app.router.resources()}
    assert routes <= patterns | {"(unmatched)"}
    assert methods <= {"GET", "POST", "other"}
    # At most three new (route, method, status) combinations, whatever the ninety requests' paths:
    # each one a counter and a histogram (its buckets, sum, count and created).
    assert len(after - before) <= 3 * 25


async def test_each_commit_observes_its_batch_of_writes(client):
    count, total = "timeline_write_batch_requests_count", "timeline_write_batch_requests_sum"
    before = await scrape(client)
    assert (await client.post("/v1/facts", json=rating(subject="force/cleveland"))).status == 201
    after = await scrape(client)
    assert after[(count, ())] - before[(count, ())] == 1
    assert after[(total, ())] - before[(total, ())] == 1
    responses = await asyncio.gather(*(client.post("/v1/facts", json=rating(subject="force/cleveland")) for _ in range(6)))
    assert [r.status for r in responses] == [201] * 6
    grouped = await scrape(client)
    assert grouped[(total, ())] - after[(total, ())] == 6  # six writes, in however many commits
    assert 1 <= grouped[(count, ())] - after[(count, ())] <= 6


async def test_the_log_position_and_the_views_lag_are_what_healthz_says(client):
    assert (await client.post("/v1/facts", json=rating(subject="force/cleveland"))).status == 201
    assert (await client.get("/v1/subjects/force/cleveland/status")).status == 200  # a read waits for the views to reach the write
    health = await (await client.get("/healthz")).json()
    samples = await scrape(client)
    assert samples[("timeline_log_position", ())] == health["position"]
    for name, view in health["views"].items():
        assert samples[("timeline_view_position", (("view", name),))] == view["position"]
        assert samples[("timeline_view_lag_events", (("view", name),))] == view["lag"]


async def test_a_scrape_waiting_on_the_views_position_does_not_hold_up_other_requests(client, monkeypatch):
    """The views' positions are read on a read thread: while that read is stuck, the loop answers others.
    Another thread asks while it is stuck, then lets it go (on the loop, the scrape would hold the answer back
    until the guard's timeout, and the request would fail)."""
    entered, release, answered = threading.Event(), threading.Event(), []
    positions = ProjectionRunner.positions

    def slow_positions(self):
        entered.set()
        release.wait(timeout=60)
        return positions(self)

    def ask_meanwhile() -> None:
        try:
            entered.wait(timeout=60)
            with urllib.request.urlopen(str(client.make_url("/openapi.json")), timeout=20) as response:
                answered.append(response.status)
        except OSError as error:
            answered.append(repr(error))
        finally:
            release.set()

    monkeypatch.setattr(ProjectionRunner, "positions", slow_positions)
    asker = threading.Thread(target=ask_meanwhile)
    asker.start()
    scraped = await client.get("/metrics")
    await asyncio.to_thread(asker.join)
    assert (scraped.status, answered) == (200, [200])


async def test_metrics_can_be_made_to_need_a_token(aiohttp_client, settings):
    private = dataclasses.replace(settings, token_hashes=(hash_token(TOKEN),), metrics_need_token=True)
    client = await aiohttp_client(create_app(private))
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 401
    await scrape(client, Authorization=f"Bearer {TOKEN}")
    open_by_default = await aiohttp_client(create_app(dataclasses.replace(settings, token_hashes=(hash_token(TOKEN),))))
    await scrape(open_by_default)


def test_needing_a_token_for_metrics_without_any_token_is_refused_at_start():
    with pytest.raises(ConfigurationError, match="TIMELINE_METRICS_NEED_TOKEN"):
        settings_from({"TIMELINE_METRICS_NEED_TOKEN": "1"})
    with pytest.raises(ConfigurationError, match="TIMELINE_METRICS_NEED_TOKEN"):
        settings_from({"TIMELINE_METRICS_NEED_TOKEN": "perhaps", "TIMELINE_TOKENS": f"sha256:{hash_token(TOKEN)}"})
    assert settings_from({"TIMELINE_METRICS_NEED_TOKEN": "true", "TIMELINE_TOKENS": f"sha256:{hash_token(TOKEN)}"}).metrics_need_token


async def test_every_app_counts_its_own_requests(aiohttp_client, settings):
    one, other = await aiohttp_client(create_app(settings)), await aiohttp_client(create_app(settings))
    for _ in range(3):
        await one.get("/healthz")
    assert requests(await scrape(one), "/healthz", "200") == 3
    assert requests(await scrape(other), "/healthz", "200") == 0
