"""Accept is honoured: it picks a resource's format where there are several, and one no format satisfies is a 406."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import rating

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


async def not_acceptable(response, available: list[str]) -> dict:
    assert response.status == 406, await response.text()
    assert response.content_type == "application/problem+json"
    body = await response.json(content_type=None)
    assert body["status"] == 406 and body["title"] == "Not Acceptable"
    assert body["available"] == available
    assert all(media_type in body["detail"] for media_type in available)
    return body


@pytest.mark.parametrize("accept", ["text/csv", "text/*", "text/csv, */*", "application/json;q=0.5, text/csv"])
async def test_accept_text_csv_gets_the_ratings_as_csv(client, accept):
    response = await client.get("/v1/ratings", params={"pillar": "effectiveness"}, headers={"Accept": accept})
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (await response.text()).startswith("subject,pillar,inspection,grade,")
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", BROWSER, "text/csv;q=0.5, application/json", "text/csv;q=0, */*"])
async def test_json_stays_the_default_for_any_accept_that_allows_it(client, accept):
    headers = {"Accept": accept} if accept is not None else {}
    response = await client.get("/v1/ratings", headers=headers, skip_auto_headers=["Accept"])
    assert response.status == 200, await response.text()
    assert response.content_type == "application/json"
    assert "ratings" in await response.json()


async def test_an_accept_no_format_satisfies_is_a_406_listing_what_is_available(client):
    body = await not_acceptable(await client.get("/v1/ratings", headers={"Accept": "application/xml"}), ["application/json", "text/csv"])
    assert "application/xml" in body["detail"] and "format=csv" in body["detail"]
    await not_acceptable(await client.get("/v1/ratings", headers={"Accept": "application/json;q=0, text/csv;q=0"}), ["application/json", "text/csv"])


async def test_format_names_the_format_outright_whatever_accept_says(client):
    response = await client.get("/v1/ratings", params={"format": "csv"}, headers={"Accept": "application/json"})
    assert (response.status, response.headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
    response = await client.get("/v1/ratings", params={"format": "json"}, headers={"Accept": "text/csv"})
    assert (response.status, response.content_type) == (200, "application/json")
    response = await client.get("/v1/ratings", params={"format": "csv"}, headers={"Accept": "application/xml"})
    assert response.status == 200


async def test_an_unknown_format_is_a_400_naming_the_formats(client):
    response = await client.get("/v1/ratings", params={"format": "xml"})
    assert response.status == 400
    body = await response.json(content_type=None)
    assert body["detail"] == "format is one of json, csv"


async def test_csv_and_json_answers_are_cached_and_tagged_apart(client):
    """The answer cache and ETags are per format: Accept must not get the other format's cached body."""
    as_json = await client.get("/v1/ratings")
    as_csv = await client.get("/v1/ratings", headers={"Accept": "text/csv"})
    again_json = await client.get("/v1/ratings")
    assert as_json.content_type == again_json.content_type == "application/json"
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert as_json.headers["ETag"] != as_csv.headers["ETag"]
    assert await as_json.read() == await again_json.read()
    unchanged = await client.get("/v1/ratings", headers={"Accept": "text/csv", "If-None-Match": as_csv.headers["ETag"]})
    assert unchanged.status == 304 and unchanged.headers["Vary"] == "Accept"
    other = await client.get("/v1/ratings", headers={"If-None-Match": as_csv.headers["ETag"]})
    assert other.status == 200 and other.content_type == "application/json"


async def test_the_timeline_is_json_or_its_claims_csv_by_accept_and_timelinejs_only_by_name(client):
    path = "/v1/subjects/force/bedfordshire/timeline"
    page = await client.get(path, headers={"Accept": "application/json"})
    assert page.status == 200 and "facts" in await page.json()
    export = await client.get(path, params={"format": "timelinejs"}, headers={"Accept": "application/json"})
    assert export.status == 200 and "events" in await export.json()
    claims = await client.get(path, headers={"Accept": "text/csv"})
    assert claims.status == 200 and (await claims.text()).startswith("fact,type,subject,")
    body = await not_acceptable(await client.get(path, headers={"Accept": "image/png"}), ["application/json", "text/csv"])
    assert "format=timelinejs" in body["detail"]


async def test_events_are_cloudevents_when_accept_names_them_and_json_otherwise(client):
    cloudevents = await client.get("/v1/events", params={"limit": "2"}, headers={"Accept": "application/cloudevents-batch+json"})
    assert cloudevents.content_type == "application/cloudevents-batch+json"
    assert [event["specversion"] for event in await cloudevents.json(content_type=None)] == ["1.0", "1.0"]
    assert cloudevents.headers["Vary"] == "Accept"
    plain = await client.get("/v1/events", params={"limit": "2"}, headers={"Accept": "application/json, application/cloudevents-batch+json;q=0.5"})
    assert plain.content_type == "application/json" and len((await plain.json())["events"]) == 2
    await not_acceptable(
        await client.get("/v1/events", headers={"Accept": "text/csv"}), ["application/json", "application/cloudevents-batch+json"]
    )


@pytest.mark.parametrize(
    "path",
    ["/healthz", "/openapi.json", "/v1/subjects", "/v1/subjects/force/bedfordshire", "/v1/subjects/force/bedfordshire/status",
     "/v1/subjects/force/bedfordshire/statements", "/v1/sources", "/v1/frameworks", "/v1/changes?since=0", "/v1/projections"],
)
async def test_a_json_only_resource_answers_json_or_406(client, path):
    assert (await client.get(path, headers={"Accept": "application/json"})).status == 200
    assert (await client.get(path, headers={"Accept": BROWSER})).status == 200
    await not_acceptable(await client.get(path, headers={"Accept": "text/csv"}), ["application/json"])
    response = await client.get(path, headers={"Accept": "text/csv"})
    assert "Vary" not in response.headers  # one format: Accept only decides whether there is an answer


async def test_the_event_stream_is_only_an_event_stream(client):
    await not_acceptable(await client.get("/v1/events/stream", headers={"Accept": "application/json"}), ["text/event-stream"])


async def test_the_page_is_html(client):
    assert (await client.get("/", headers={"Accept": BROWSER})).status == 200
    await not_acceptable(await client.get("/", headers={"Accept": "application/json"}), ["text/html"])
    assert (await client.get("/page/page.css", headers={"Accept": "text/css"})).status == 200  # the page's files are not negotiated


async def test_a_write_whose_answer_the_client_cannot_take_is_refused_before_anything_is_stored(client):
    fact = rating(id=str(uuid.uuid4()))
    await not_acceptable(await client.post("/v1/facts", json=fact, headers={"Accept": "text/csv"}), ["application/json"])
    assert (await client.get(f"/v1/facts/{fact['id']}")).status == 404
    response = await client.post("/v1/facts", json=fact, headers={"Accept": "application/json"})
    assert response.status == 201


async def test_errors_stay_problems_whatever_accept_says(client):
    response = await client.get("/v1/subjects/force/clevland/status", headers={"Accept": "application/json"})
    assert (response.status, response.content_type) == (404, "application/problem+json")
    response = await client.get("/v1/nothing-here", headers={"Accept": "text/csv"})
    assert (response.status, response.content_type) == (404, "application/problem+json")


async def test_a_406_quotes_a_long_accept_shortened(client):
    accept = ", ".join(f"application/x-type-{n}" for n in range(50))
    body = await not_acceptable(await client.get("/v1/sources", headers={"Accept": accept}), ["application/json"])
    assert accept not in body["detail"] and accept[:150] in body["detail"] and len(body["detail"]) < 400


async def test_one_event_is_binary_json_or_a_structured_cloudevent_by_accept(client):
    binary = await client.get("/v1/events/1", headers={"Accept": "application/json"})
    assert binary.status == 200 and binary.content_type == "application/json" and binary.headers["ce-id"] == "1"
    assert binary.headers["Vary"] == "Accept"
    structured = await client.get("/v1/events/1", headers={"Accept": "application/cloudevents+json"})
    assert structured.content_type == "application/cloudevents+json"
    assert (await structured.json(content_type=None))["id"] == "1"
    await not_acceptable(
        await client.get("/v1/events/1", headers={"Accept": "text/csv"}), ["application/json", "application/cloudevents+json"]
    )
