"""Every change says why (issue 16, reasoned corrections).

We erred (a transcription), the source revised itself (dated by its revision), or the source was
retracted. A document its source withdrew stays in the log; each fact citing it is flagged, and one
citing nothing else no longer stands, from the moment the withdrawal is known.
"""

from __future__ import annotations

import uuid

import pytest

FORCE = "force/retractshire"
PAGE = {"id": "bugle-2020-01-02", "publisher": "The Bugle", "url": "https://example.org/bugle", "published": "2020-01-02",
        "kind": "press", "text": "Retractshire Police was rated good for effectiveness. Its chief was delighted."}  # fmt: skip


def rating(grade: str, **source) -> dict:
    return {
        "id": str(uuid.uuid4()), "type": "rating.published", "subject": FORCE, "occurred": "2020-01-01",
        "data": {"pillar": "effectiveness", "grade": grade, "inspection": "PEEL 2018/19", "inspectorate": "org/hmic"},
        "source": {"publisher": "The Bugle", "url": "https://example.org/bugle", "published": "2020-01-02", "kind": "press"} | source,
    }  # fmt: skip


async def post(client, path: str, body) -> dict:
    response = await client.post(path, json=body)
    assert response.status in (200, 201), await response.text()
    return await response.json()


async def history(client, fact_id: str) -> list[tuple[str, str | None]]:
    fact = await (await client.get(f"/v1/facts/{fact_id}")).json()
    return [(v["change"], v["because"]) for v in fact["history"]]


@pytest.mark.finding("corrections")
async def test_a_correction_says_whether_we_erred_or_the_source_revised_itself(client):
    stored = await post(client, "/v1/facts", rating("good"))
    undated = await client.post(f"/v1/facts/{stored['id']}/corrections",
                                json={"reason": "the paper updated it", "because": "source-revised", "expected_version": 1, "changes": {"occurred": "2019-12"}})  # fmt: skip
    assert undated.status == 422 and (await undated.json())["errors"][0]["field"] == "revised"
    contradictory = await client.post(f"/v1/facts/{stored['id']}/corrections",
                                      json={"reason": "typo", "because": "erred", "revised": "2020-01-05", "expected_version": 1, "changes": {"occurred": "2019-12"}})  # fmt: skip
    assert contradictory.status == 422
    await post(client, f"/v1/facts/{stored['id']}/corrections", {"reason": "we mistyped the date", "expected_version": 1, "changes": {"occurred": "2019-12"}})
    await post(client, f"/v1/facts/{stored['id']}/corrections",
               {"reason": "the paper revised its story", "revised": "2020-01-05", "expected_version": 2, "changes": {"occurred": "2019-11"}})  # fmt: skip
    await post(client, f"/v1/facts/{stored['id']}/retractions", {"reason": "the paper took the story down", "because": "source-retracted", "expected_version": 3})
    assert await history(client, stored["id"]) == [
        ("recorded", None), ("corrected", "erred"), ("corrected", "source-revised"), ("retracted", "source-retracted"),
    ]
    log = (await (await client.get("/v1/events", params={"subject": FORCE})).json())["events"]
    assert [e.get("because") for e in log if e["id"] == stored["id"]] == [None, "erred", "source-revised", "source-retracted"]


@pytest.mark.finding("corrections")
async def test_a_retraction_of_an_unknown_kind_is_refused(client):
    stored = await post(client, "/v1/facts", rating("good"))
    refused = await client.post(f"/v1/facts/{stored['id']}/retractions", json={"reason": "no", "because": "source-revised", "expected_version": 1})
    assert refused.status == 422


@pytest.mark.finding("withdrawal")
async def test_a_withdrawn_document_flags_the_facts_citing_it_and_one_citing_nothing_else_no_longer_stands(client):
    await post(client, "/v1/documents", PAGE)
    quoted = {"document": PAGE["id"], "quote": "rated good for effectiveness"}
    only_the_bugle = await post(client, "/v1/facts", rating("good", **quoted))
    also_elsewhere = rating("good", **quoted) | {"type": "statement.made",
                                                 "data": {"speaker": "person/chief", "stance": "welcomes", "summary": "delighted"}}  # fmt: skip
    also_elsewhere["sources"] = [also_elsewhere["source"] | {"quote": "Its chief was delighted."},
                                 {"publisher": "Radio Retract", "url": "https://example.org/radio", "published": "2020-01-03", "kind": "press"}]  # fmt: skip
    del also_elsewhere["source"]
    corroborated = await post(client, "/v1/facts", also_elsewhere)
    before = (await (await client.get(f"/v1/subjects/{FORCE}/status")).json())
    assert before["ratings"]["effectiveness"]["fact"] == only_the_bugle["id"]

    withdrawn = await post(client, f"/v1/documents/{PAGE['id']}/retractions", {"reason": "The Bugle removed the article", "withdrawn": "2020-02"})
    status = await (await client.get(f"/v1/subjects/{FORCE}/status")).json()
    assert "effectiveness" not in status["ratings"]  # its only source withdrew it: nothing stands for the slot
    timeline = {f["id"]: f for f in (await (await client.get(f"/v1/subjects/{FORCE}/timeline")).json())["facts"]}
    flagged = timeline[only_the_bugle["id"]]
    assert (flagged["discredited"], flagged["withdrawn_sources"]) == (True, [PAGE["id"]])
    kept = timeline[corroborated["id"]]
    assert (kept["discredited"], kept["withdrawn_sources"], kept["claim"]["stands"]) == (False, [PAGE["id"]], True)
    # As known before the withdrawal, and as reported before the source withdrew it, the rating stood.
    assert (await (await client.get(f"/v1/subjects/{FORCE}/status", params={"known_at": str(withdrawn["position"] - 1)})).json())["ratings"]["effectiveness"]["fact"] == only_the_bugle["id"]
    assert (await (await client.get(f"/v1/subjects/{FORCE}/status", params={"reported_by": "2020-01-31"})).json())["ratings"]["effectiveness"]["fact"] == only_the_bugle["id"]

    document = await (await client.get(f"/v1/documents/{PAGE['id']}")).json()
    assert document["withdrawn"]["reason"] == "The Bugle removed the article" and document["text"] == PAGE["text"]
    listed = {d["id"]: d for d in (await (await client.get("/v1/sources")).json())["documents"]}
    assert listed[PAGE["id"]]["withdrawn"] == {"reason": "The Bugle removed the article", "withdrawn": "2020-02"}


@pytest.mark.finding("withdrawal")
async def test_a_withdrawn_document_is_final(client):
    await post(client, "/v1/documents", PAGE)
    await post(client, f"/v1/documents/{PAGE['id']}/retractions", {"reason": "taken down"})
    assert (await client.post(f"/v1/documents/{PAGE['id']}/retractions", json={"reason": "again"})).status == 409
    revised = await client.post("/v1/documents", json=PAGE | {"text": PAGE["text"] + " More.", "reason": "fuller text"})
    assert revised.status == 409
    assert (await client.post("/v1/documents/no-such-page/retractions", json={"reason": "x"})).status == 404
