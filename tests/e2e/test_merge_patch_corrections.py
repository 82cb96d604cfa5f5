"""Corrections as JSON Merge Patch (RFC 7396), and retried corrections (issue 15, item 6).

`{"changes": {"data": {...}}}` replaces `data` whole, as documented. A client that wants to change one
field of `data` sends a merge patch of the fact instead; the reason and version travel beside it.
"""

from __future__ import annotations

import json

from tests.e2e.conftest import rating

PATCH = "application/merge-patch+json"


async def recorded(client, **changes) -> dict:
    response = await client.post("/v1/facts", json=rating(**changes))
    assert response.status == 201, await response.text()
    return await response.json()


async def patch(client, fact_id: str, body, **query):
    return await client.post(f"/v1/facts/{fact_id}/corrections", data=body if isinstance(body, str) else json.dumps(body),
                             headers={"Content-Type": PATCH}, params=query)  # fmt: skip


async def test_a_merge_patch_changes_one_field_of_data_and_keeps_the_rest(client):
    stored = await recorded(client)
    response = await patch(client, stored["id"], {"data": {"grade": "requires-improvement"}}, reason="the report says so", expected_version="1")
    assert response.status == 201, await response.text()
    fact = await (await client.get(f"/v1/facts/{stored['id']}")).json()
    assert fact["data"] == rating()["data"] | {"grade": "requires-improvement"}
    assert (fact["version"], fact["history"][-1]["reason"]) == (2, "the report says so")


async def test_null_removes_a_field_and_a_required_one_removed_is_refused_naming_it(client):
    stored = await recorded(client, mentions=["org/hmic"])
    removed = await patch(client, stored["id"], {"mentions": None}, reason="it names no one else", expected_version="1")
    assert removed.status == 201
    assert (await (await client.get(f"/v1/facts/{stored['id']}")).json())["mentions"] == []
    refused = await patch(client, stored["id"], {"data": {"pillar": None}}, reason="drop the pillar", expected_version="2")
    assert refused.status == 422 and "data.pillar" in [e["field"] for e in (await refused.json())["errors"]]


async def test_a_patch_names_its_version_and_cannot_change_the_type_or_id(client):
    stored = await recorded(client)
    assert (await patch(client, stored["id"], {"occurred": "2019-05"}, reason="month only")).status == 428
    typed = await patch(client, stored["id"], {"type": "statement.made"}, reason="no", expected_version="1")
    assert typed.status == 422 and [e["field"] for e in (await typed.json())["errors"]] == ["type"]
    stale = await patch(client, stored["id"], {"occurred": "2019-05"}, reason="month only", expected_version="1")
    assert stale.status == 201
    assert (await patch(client, stored["id"], {"occurred": "2019"}, reason="year only", expected_version="1")).status == 409
    assert (await patch(client, stored["id"], "not json", reason="x", expected_version="2")).status == 400


async def test_a_retried_correction_whose_result_holds_answers_200_with_the_version_it_made(client):
    stored = await recorded(client)
    body = {"reason": "the month only", "expected_version": 1, "changes": {"occurred": "2019-05"}}
    first = await client.post(f"/v1/facts/{stored['id']}/corrections", json=body)
    again = await client.post(f"/v1/facts/{stored['id']}/corrections", json=body)
    assert (first.status, again.status) == (201, 200)
    assert (await again.json())["version"] == (await first.json())["version"] == 2
    other = await client.post(f"/v1/facts/{stored['id']}/corrections", json=body | {"changes": {"occurred": "2019"}})
    assert other.status == 409  # another change on a stale version is still a conflict
    patched = await patch(client, stored["id"], {"occurred": "2019-05"}, reason="the month only", expected_version="1")
    assert patched.status == 200  # the same correction as a patch: its result holds too
    assert (await (await client.get(f"/v1/facts/{stored['id']}")).json())["version"] == 2
