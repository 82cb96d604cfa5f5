"""Who wrote what: each write over HTTP is recorded with its token's configured name, never the token."""

from __future__ import annotations

import dataclasses
import io

import orjson
import pytest

from tests.e2e.conftest import rating
from timeline.application import Timeline
from timeline.config import ConfigurationError, hash_token, settings_from
from timeline.http.server import create_app
from timeline.log_file import export_log, import_log

pytestmark = pytest.mark.finding("authors")

ALICE, BOB = "alice-s3cret-token", "bob-s3cret-token"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_may_be_named_and_unnamed_ones_are_called_by_their_place():
    settings = settings_from({"TIMELINE_TOKENS": f"alice={ALICE}, sha256:{hash_token('x')}, plain, admin=ops=a1, admin=a2, padded=="})
    assert settings.token_names == ("alice", "token-2", "token-3", "ops", "token-5", "token-6")
    assert settings.token_hashes == tuple(hash_token(t) for t in (ALICE, "x", "plain", "a1", "a2", "padded=="))
    assert settings.admin_token_hashes == (hash_token("a1"), hash_token("a2"))
    assert settings_from({"TIMELINE_TOKENS": f"alice=sha256:{hash_token(ALICE)}"}).token_hashes == (hash_token(ALICE),)


def test_two_tokens_may_not_share_a_name():
    with pytest.raises(ConfigurationError, match="alice is given twice"):
        settings_from({"TIMELINE_TOKENS": "alice=one,alice=two"})


@pytest.fixture
async def named(aiohttp_client, settings):
    configured = settings_from({"TIMELINE_TOKENS": f"alice={ALICE},bob=sha256:{hash_token(BOB)}"})
    fields = ("token_hashes", "token_names", "admin_token_hashes")
    return await aiohttp_client(create_app(dataclasses.replace(settings, **{f: getattr(configured, f) for f in fields})))


async def test_the_log_names_the_token_behind_each_write_and_an_export_carries_it(named, settings, tmp_path):
    recorded = await named.post("/v1/facts", json=rating(), headers=bearer(ALICE))
    assert recorded.status == 201
    receipt = await recorded.json()
    corrected = await named.post(
        f"/v1/facts/{receipt['id']}/corrections",
        json={"reason": "the month only", "changes": {"occurred": "2019-05"}, "expected_version": 1},
        headers=bearer(BOB),
    )
    assert corrected.status == 201, await corrected.text()

    events = (await (await named.get("/v1/events?limit=1000")).json())["events"]
    mine = [e for e in events if e["id"] == receipt["id"]]
    assert [(e["version"], e["by"]) for e in mine] == [(1, "alice"), (2, "bob")]
    assert {e["by"] for e in events if e["id"] != receipt["id"]} == {None}  # the seed: loaded without a token

    timeline = Timeline(settings.database)
    try:
        out = io.BytesIO()
        export_log(timeline, out)
    finally:
        timeline.close()
    exported = out.getvalue()
    assert ALICE.encode() not in exported and BOB.encode() not in exported
    lines = [orjson.loads(line) for line in exported.splitlines()]
    assert [line.get("by") for line in lines if line.get("id") == receipt["id"]] == ["alice", "bob"]

    path = tmp_path / "log.ndjson"
    path.write_bytes(exported)
    copy = Timeline(str(tmp_path / "copy.sqlite3"))
    try:
        import_log(copy, path)
        again = io.BytesIO()
        export_log(copy, again)
    finally:
        copy.close()
    assert again.getvalue() == exported  # the names came back with the events


async def test_without_tokens_writes_are_by_no_one(client):
    assert (await client.post("/v1/facts", json=rating())).status == 201
    events = (await (await client.get("/v1/events?limit=1000")).json())["events"]
    assert {e["by"] for e in events} == {None}
