"""A subject no fact names is a 404 on every subject resource; one the log names is known at every time."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import rating

RESOURCES = ["", "/status", "/timeline", "/timeline?format=timelinejs", "/statements"]


async def not_found(response, subject: str) -> dict:
    assert response.status == 404, await response.text()
    assert response.content_type == "application/problem+json"
    body = await response.json(content_type=None)
    assert body["status"] == 404 and subject in body["detail"] and body["subject"] == subject
    return body


@pytest.mark.parametrize("resource", RESOURCES)
async def test_a_subject_no_fact_names_is_a_404_naming_it_on_every_subject_resource(client, resource):
    body = await not_found(await client.get(f"/v1/subjects/force/clevland{resource}"), "force/clevland")
    assert body["detail"] == "no fact names force/clevland"


@pytest.mark.parametrize("resource", RESOURCES)
async def test_a_subject_is_a_404_whatever_times_are_asked(client, resource):
    times = {"as_of": "2017-03-03", "known_at": "5", "reported_by": "2017"}
    separator = "&" if "?" in resource else "?"
    query = "&".join(f"{k}={v}" for k, v in times.items())
    await not_found(await client.get(f"/v1/subjects/force/clevland{resource}{separator}{query}"), "force/clevland")


@pytest.mark.parametrize("resource", ["", "/status", "/timeline", "/statements"])
async def test_a_named_subject_answers_200_at_times_before_its_first_fact(client, resource):
    """known_at before the subject's first fact, as_of before anything happened, reported_by before any
    source published: the subject exists in the log, so it answers, with nothing to show."""
    for times in ({"known_at": "0"}, {"as_of": "1900"}, {"reported_by": "1900"}):
        response = await client.get(f"/v1/subjects/force/bedfordshire{resource}", params=times)
        assert response.status == 200, (times, await response.text())


async def test_the_subject_before_its_first_fact_has_no_facts_and_no_dates(client):
    body = await (await client.get("/v1/subjects/force/bedfordshire", params={"known_at": "0"})).json()
    assert (body["id"], body["facts"], body["types"], body["first_occurred"], body["last_occurred"]) == (
        "force/bedfordshire", 0, {}, None, None,
    )
    status = await (await client.get("/v1/subjects/force/bedfordshire/status", params={"known_at": "0"})).json()
    assert status["ratings"] == {}
    timeline = await (await client.get("/v1/subjects/force/bedfordshire/timeline", params={"known_at": "0"})).json()
    assert timeline["facts"] == []


async def test_a_subject_named_only_in_a_mention_or_in_data_is_known(client):
    await not_found(await client.get("/v1/subjects/org/inspectorate-x/status"), "org/inspectorate-x")
    await not_found(await client.get("/v1/subjects/place/mentionville/timeline"), "place/mentionville")
    fact = rating(mentions=["place/mentionville"])
    fact["data"] = fact["data"] | {"inspectorate": "org/inspectorate-x"}
    assert (await client.post("/v1/facts", json=fact)).status == 201
    assert (await client.get("/v1/subjects/org/inspectorate-x/status")).status == 200
    timeline = await (await client.get("/v1/subjects/place/mentionville/timeline")).json()
    assert [f["id"] for f in timeline["facts"]] == [fact["id"]]


async def test_a_subject_whose_only_fact_is_retracted_stays_known(client):
    fact = rating(subject="force/retractshire")
    assert (await client.post("/v1/facts", json=fact)).status == 201
    response = await client.post(f"/v1/facts/{fact['id']}/retractions", json={"reason": "wrong force", "expected_version": 1})
    assert response.status == 201
    summary = await (await client.get("/v1/subjects/force/retractshire")).json()
    assert summary["facts"] == 0
    assert (await client.get("/v1/subjects/force/retractshire/status")).status == 200
    timeline = await (await client.get("/v1/subjects/force/retractshire/timeline", params={"include_retracted": "true"})).json()
    assert [f["retracted"] for f in timeline["facts"]] == [True]
