"""`timeline serve` as a real process: a fresh store is seeded and reports its health over HTTP."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.conftest import SEEDED_FACTS, SEEDED_HEAD


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        return json.loads(response.read())


@pytest.fixture
def server(database, run_server):
    return run_server(database)


def test_serve_seeds_an_empty_store_and_healthz_reports_it(server):
    health = get_json(f"{server}/healthz")
    assert (health["status"], health["facts"], health["position"]) == ("ok", SEEDED_FACTS, SEEDED_HEAD)
    # The views are brought up to the log before the server starts listening.
    assert health["views"] == {view: {"position": SEEDED_HEAD, "lag": 0} for view in ("documents", "facts", "search")}


@pytest.mark.finding("chain")
def test_healthz_reports_the_chain_head_as_stored(server, database):
    from timeline.application import Timeline

    health = get_json(f"{server}/healthz")
    timeline = Timeline(database)
    try:
        position, link = timeline.chain_head()
    finally:
        timeline.close()
    assert health["chain"] == {"position": SEEDED_HEAD, "link": link}
    assert position == SEEDED_HEAD
