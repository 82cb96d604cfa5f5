"""Every route's real answers, on both bundled stories, hold to the schema the served document gives for them.

The schemas are generated from the typed models (timeline/http/models.py); their `Closed` shapes refuse any
field the models do not declare, so a rendering that drifts from its model fails here."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest
from jsonschema import Draft202012Validator

from tests.e2e.conftest import rating
from timeline.http.keys import KEEPER, TIMELINE
from timeline.http.openapi import openapi_document
from timeline.parsing import parse_framework

PROBLEM = "application/problem+json"

# (method, path as requested, the document's path template, body); writes come after the reads they change.
READS = [
    ("GET", "/healthz", "/healthz"),
    ("GET", "/v1/subjects", "/v1/subjects"),
    ("GET", "/v1/subjects?kind=person&limit=3", "/v1/subjects"),
    *(
        (method, path.format(s=subject), template)
        for subject in ("force/bedfordshire", "force/cleveland", "person/richard-lewis", "org/hmic", "decision/cleveland-engage-exit")
        for method, path, template in [
            ("GET", "/v1/subjects/{s}", "/v1/subjects/{kind}/{slug}"),
            ("GET", "/v1/subjects/{s}?as_of=2017-03-03", "/v1/subjects/{kind}/{slug}"),
            ("GET", "/v1/subjects/{s}/status", "/v1/subjects/{kind}/{slug}/status"),
            ("GET", "/v1/subjects/{s}/status?as_of=2017-03-03", "/v1/subjects/{kind}/{slug}/status"),
            ("GET", "/v1/subjects/{s}/status?as_of=2019-10-01", "/v1/subjects/{kind}/{slug}/status"),
            ("GET", "/v1/subjects/{s}/status?reported_by=2017-03-01&known_at=21", "/v1/subjects/{kind}/{slug}/status"),
            ("GET", "/v1/subjects/{s}/timeline", "/v1/subjects/{kind}/{slug}/timeline"),
            ("GET", "/v1/subjects/{s}/timeline?include_retracted=true&limit=5", "/v1/subjects/{kind}/{slug}/timeline"),
            ("GET", "/v1/subjects/{s}/timeline?format=timelinejs", "/v1/subjects/{kind}/{slug}/timeline"),
            ("GET", "/v1/subjects/{s}/statements", "/v1/subjects/{kind}/{slug}/statements"),
            ("GET", "/v1/subjects/{s}/disputes", "/v1/subjects/{kind}/{slug}/disputes"),
        ]
    ),
    ("GET", "/v1/subjects/force/clevland/status", "/v1/subjects/{kind}/{slug}/status"),
    ("GET", "/v1/ratings", "/v1/ratings"),
    ("GET", "/v1/ratings?pillar=effectiveness&as_of=2017-03-03", "/v1/ratings"),
    ("GET", "/v1/ratings?inspection=PEEL%202018/19", "/v1/ratings"),
    ("GET", "/v1/sources", "/v1/sources"),
    ("GET", "/v1/frameworks", "/v1/frameworks"),
    ("GET", "/v1/changes?since=0", "/v1/changes"),
    ("GET", "/v1/changes?since=0&subject=force/cleveland&limit=5", "/v1/changes"),
    ("GET", "/v1/events?limit=1000", "/v1/events"),
    ("GET", "/v1/events?subject=force/&type=rating.published", "/v1/events"),
    ("GET", "/v1/events/1", "/v1/events/{position}"),
    ("GET", "/v1/events/999999", "/v1/events/{position}"),
    ("GET", "/v1/documents/comet-2017-03-02-bedfordshire-inadequate", "/v1/documents/{id}"),
    ("GET", "/v1/facts/7529703d-525c-53c7-b8c6-a41120c7ebdd", "/v1/facts/{id}"),
    ("GET", "/v1/projections", "/v1/projections"),
    ("GET", "/metrics", "/metrics"),
    ("GET", "/v1/facts", "/v1/facts"),
    ("GET", "/v1/facts?subject=force/cleveland&format=ndjson", "/v1/facts"),
    ("GET", "/v1/facts?format=csv&known_at=40", "/v1/facts"),
    ("GET", "/v1/subjects/force/cleveland/timeline?format=csv", "/v1/subjects/{kind}/{slug}/timeline"),
    ("GET", "/v1/search?q=inadequate", "/v1/search"),
    ("GET", "/v1/search?q=cleveland%20police&limit=3", "/v1/search"),
    ("GET", "/v1/search?q=engage&as_of=2019-10-01", "/v1/search"),
    ("GET", "/v1/claim-reviews", "/v1/claim-reviews"),
    ("GET", "/v1/claim-reviews?subject=force/bedfordshire", "/v1/claim-reviews"),
    ("GET", "/v1/claim-reviews?subject=force/cleveland&known_at=60", "/v1/claim-reviews"),
    ("GET", "/v1/ratings?typo=1", "/v1/ratings"),
]


def validator(document: dict, template: str, method: str, status: int, media: str) -> Draft202012Validator:
    responses = document["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {template} answered {status}, which its document does not declare"
    content = responses[str(status)]["content"]
    assert media in content, f"{method} {template} {status} answered {media}; the document says {sorted(content)}"
    return Draft202012Validator(content[media]["schema"] | {"components": document["components"]})


async def answer_holds(client, document, method, path, template, seen, **request) -> dict | list:
    response = await client.request(method, path, **request)
    media = response.content_type
    body = await response.json(content_type=None) if media.endswith("json") and "ndjson" not in media else await response.text()
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(document, template, method, response.status, media).iter_errors(body)]
    assert not errors, (method, path, response.status, errors[:10])
    seen.add((template, method.lower()))
    return body


async def test_every_answer_holds_to_its_served_schema(client):
    document = await (await client.get("/openapi.json")).json()
    seen: set[tuple[str, str]] = set()
    for method, path, template in READS:
        await answer_holds(client, document, method, path, template, seen)

    fact = rating(id=str(uuid.uuid4()))
    receipt = await answer_holds(client, document, "POST", "/v1/facts", "/v1/facts", seen, json=fact)
    await answer_holds(client, document, "POST", "/v1/facts", "/v1/facts", seen, json=fact)  # a re-send: 200
    await answer_holds(client, document, "POST", "/v1/facts", "/v1/facts", seen, json=[rating(), rating()])
    await answer_holds(client, document, "POST", "/v1/facts", "/v1/facts", seen, json={"type": "rating.published"})  # 422
    fact_path = f"/v1/facts/{receipt['id']}"
    change = {"reason": "the grade was mistyped", "expected_version": 1, "changes": {"data": fact["data"] | {"grade": "adequate"}}}
    await answer_holds(client, document, "POST", fact_path + "/corrections", "/v1/facts/{id}/corrections", seen, json=change)
    stale = change | {"reason": "again", "changes": {"data": fact["data"] | {"grade": "good"}}}
    problem = await answer_holds(client, document, "POST", fact_path + "/corrections", "/v1/facts/{id}/corrections", seen, json=stale)
    assert (problem["status"], problem["current_version"]) == (409, 2)
    problem = await answer_holds(client, document, "GET", "/v1/ratings", "/v1/ratings", seen, headers={"Accept": "application/xml"})
    assert problem["status"] == 406 and "text/csv" in problem["available"]
    await answer_holds(client, document, "POST", fact_path + "/retractions", "/v1/facts/{id}/retractions", seen,
                       json={"reason": "a test", "expected_version": 2})
    await answer_holds(client, document, "GET", fact_path, "/v1/facts/{id}", seen)
    taken = await answer_holds(client, document, "POST", "/v1/facts", "/v1/facts", seen, json=rating())
    redacted = f"/v1/facts/{taken['id']}"
    await answer_holds(client, document, "POST", redacted + "/redactions", "/v1/facts/{id}/redactions", seen, json={"reason": "a takedown"})
    await answer_holds(client, document, "GET", redacted, "/v1/facts/{id}", seen)  # what a redaction leaves
    text = "A page that says what it says."
    doc = {"id": "a-page", "publisher": "A", "url": "https://example.org/a", "published": "2020", "kind": "press", "text": text}
    await answer_holds(client, document, "POST", "/v1/documents", "/v1/documents", seen, json=doc)
    await answer_holds(client, document, "POST", "/v1/documents/a-page/retractions", "/v1/documents/{id}/retractions", seen,
                       json={"reason": "taken down", "withdrawn": "2021"})
    await answer_holds(client, document, "GET", "/v1/documents/a-page", "/v1/documents/{id}", seen)
    await answer_holds(client, document, "GET", "/v1/sources", "/v1/sources", seen)  # with a withdrawn document
    await answer_holds(client, document, "POST", "/v1/documents/a-page/redactions", "/v1/documents/{id}/redactions", seen,
                       json={"reason": "a takedown"})
    await answer_holds(client, document, "GET", "/v1/documents/a-page", "/v1/documents/{id}", seen)  # 410
    await answer_holds(client, document, "GET", "/v1/changes?since=0&subject=force/testshire", "/v1/changes", seen)
    await answer_holds(client, document, "GET", "/v1/events?after=100", "/v1/events", seen)
    await answer_holds(client, document, "POST", "/v1/projections/facts/rebuild", "/v1/projections/{name}/rebuild", seen)

    # Every operation the document declares was answered here, but the endless stream (tests/e2e/test_event_streams.py).
    declared = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert declared - seen == {("/v1/events/stream", "get")}


def test_every_array_says_what_it_holds_and_every_operation_has_an_id_and_a_tag():
    document = openapi_document()
    untyped = []

    def walk(schema: object, where: str) -> None:
        if isinstance(schema, dict):
            if schema.get("type") == "array" and "items" not in schema:
                untyped.append(where)
            for key, value in schema.items():
                walk(value, f"{where}.{key}")
        elif isinstance(schema, list):
            for index, value in enumerate(schema):
                walk(value, f"{where}[{index}]")

    walk(document, "")
    assert untyped == []
    operations = [operation for path in document["paths"].values() for operation in path.values()]
    ids = [operation["operationId"] for operation in operations]
    assert len(set(ids)) == len(ids) == len(operations)
    assert all(re.fullmatch("[a-z_]+", i) for i in ids)
    tags = {tag["name"] for tag in document["tags"]}
    assert all(len(operation["tags"]) == 1 and operation["tags"][0] in tags for operation in operations)


@pytest.mark.parametrize("story_area", ["effectiveness", "investigating-crime"])
async def test_the_served_document_names_the_areas_and_grades_of_the_logs_frameworks(client, story_area):
    document = await (await client.get("/openapi.json")).json()
    ratings = next(p for p in document["paths"]["/v1/ratings"]["get"]["parameters"] if p["name"] == "pillar")
    assert story_area in ratings["schema"]["examples"]
    grades = document["components"]["schemas"]["Rating"]["properties"]["grade"]["examples"]
    assert {"outstanding", "requires-improvement", "not-graded"} <= set(grades)


async def test_a_framework_edition_recorded_while_serving_shows_in_the_document(client):
    """The areas and grades come from the log, not from the code: a new edition's appear as soon as it is recorded."""
    edition = {
        "type": "framework", "id": "testland-2030", "name": "Testland 2030", "inspectorate": "org/testland-inspectorate",
        "inspections": ["Testland 2030"], "areas": [{"id": "keeping-bees", "name": "Keeping bees"}],
        "grades": ["splendid", "middling"], "scale": "testland", "source": {
            "publisher": "Testland", "url": "https://example.org/testland", "published": "2030", "kind": "official"},
    }
    before = await (await client.get("/openapi.json")).json()
    assert "keeping-bees" not in str(before)
    app = client.server.app
    await asyncio.to_thread(app[TIMELINE].record, [parse_framework(edition)])
    app[KEEPER].wake()
    after = await (await client.get("/openapi.json")).json()
    pillar = next(p for p in after["paths"]["/v1/ratings"]["get"]["parameters"] if p["name"] == "pillar")
    assert "keeping-bees" in pillar["schema"]["examples"]
    assert {"splendid", "middling"} <= set(after["components"]["schemas"]["RatingRow"]["properties"]["grade"]["examples"])
