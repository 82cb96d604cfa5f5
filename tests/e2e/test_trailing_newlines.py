"""A trailing newline is not part of an id or a URL: Python's `$` would let it through."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import rating

pytestmark = pytest.mark.finding(13)

DOCUMENT = {"id": "evil", "publisher": "The Comet", "url": "https://example.org/c", "published": "2017-03-02",
            "kind": "press", "text": "Some text."}
SOURCE = rating()["source"]
REPORT = rating(type="report.published", subject="report/peel-2017",
                data={"title": "PEEL 2017", "issued_by": "org/hmic", "url": "https://example.org/r"})


async def refused_naming(response, field):
    assert response.status == 422, await response.text()
    body = await response.json(content_type=None)
    assert field in [e["field"] for e in body["errors"]], body


@pytest.mark.parametrize(("change", "field"), [({"id": "evil\n"}, "id"), ({"url": "https://example.org/c\n"}, "url")])
async def test_a_document_whose_id_or_url_ends_in_a_newline_is_refused_and_not_stored(client, change, field, report):
    await refused_naming(await client.post("/v1/documents", json=DOCUMENT | change), field)
    assert (await client.get("/v1/documents/evil%0A")).status == 404
    if field == "id":
        report.append("trailing newline: a document id \"evil\\n\" is refused (422), not stored with a Location that breaks")


@pytest.mark.parametrize(
    ("fact", "field"),
    [
        (rating(source=SOURCE | {"url": "https://example.org/peel\n"}), "source.url"),
        (rating(source=SOURCE | {"document": "evil\n"}), "source.document"),
        (REPORT | {"data": REPORT["data"] | {"url": "https://example.org/r\n"}}, "data.url"),
    ],
)
async def test_a_fact_with_a_field_ending_in_a_newline_is_refused(client, fact, field):
    await refused_naming(await client.post("/v1/facts", json=fact), field)


async def test_a_document_with_a_sha256_ending_in_a_newline_is_refused(client):
    from timeline.sources import sha256_of

    digest = sha256_of(DOCUMENT["text"])
    assert (await client.post("/v1/documents", json=DOCUMENT | {"sha256": digest})).status == 201
    await refused_naming(await client.post("/v1/documents", json=DOCUMENT | {"id": "other", "sha256": digest + "\n"}), "sha256")
