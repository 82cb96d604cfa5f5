"""A real server in-process (aiohttp's test server on a real socket) over a real store."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from timeline.config import Settings, hash_token
from timeline.http.app import create_app

TOKEN = "test-token-" + uuid.uuid4().hex


@pytest.fixture
def settings(sqlite_database) -> Settings:
    return Settings(database=sqlite_database, read_wait_seconds=0.5)


@pytest.fixture
async def client(aiohttp_client, settings):
    return await aiohttp_client(create_app(settings))


@pytest.fixture
async def secured(aiohttp_client, settings):
    """A server that needs a bearer token for writes."""
    return await aiohttp_client(create_app(dataclasses.replace(settings, token_hashes=(hash_token(TOKEN),))))


def rating(**changes):
    body = {
        "id": str(uuid.uuid4()),
        "type": "rating.published",
        "subject": "force/testshire",
        "occurred": "2019-05-01",
        "data": {"pillar": "effectiveness", "grade": "good", "inspection": "PEEL 2018", "inspectorate": "org/hmic"},
        "source": {"publisher": "HMICFRS", "url": "https://example.org/peel", "published": "2019-05-01", "kind": "official"},
    }
    return body | changes
