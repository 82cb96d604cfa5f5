"""Quotes citing a large document: the document's text is normalised once, not once per fact."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid

import pytest

from tests.e2e.conftest import rating
from timeline import sources

pytestmark = pytest.mark.finding(3)

PARAGRAPH = "The force was rated \u2018inadequate\u2019 for effectiveness.\n\n  Officers said  the work continues. "


def large_text() -> str:
    """About 4.5 MB, distinct each time: normalised texts are kept per process, by digest."""
    return PARAGRAPH * (4_500_000 // len(PARAGRAPH)) + uuid.uuid4().hex


def quoting(document: str, quote: str):
    fact = rating(source={"publisher": "HMIC", "url": "https://example.org/r", "published": "2017-03-02", "kind": "official"})
    fact["source"] |= {"document": document, "quote": quote}
    return fact


async def test_a_thousand_facts_quoting_one_large_document_normalise_its_text_once(aiohttp_client, settings, monkeypatch, report):
    from timeline.http.server import create_app

    client = await aiohttp_client(create_app(dataclasses.replace(settings, seed=False, max_body_bytes=16 * 1024 * 1024)))
    document = {"id": "large-report", "publisher": "HMIC", "url": "https://example.org/r", "published": "2017-03-02",
                "kind": "official", "text": large_text()}
    # A large body goes as a stream: aiohttp's client warns about sending it as raw bytes.
    body = io.BytesIO(json.dumps(document).encode())
    assert (await client.post("/v1/documents", data=body, headers={"Content-Type": "application/json"})).status == 201
    normalised = []
    normalise = sources.normalise_for_quoting

    def counted(text: str) -> str:
        if len(text) > 1_000_000:
            normalised.append(len(text))
        return normalise(text)

    monkeypatch.setattr(sources, "normalise_for_quoting", counted)
    batch = [quoting("large-report", "rated 'inadequate' for effectiveness. Officers said the work") for _ in range(1000)]
    assert (await client.post("/v1/facts", json=batch)).status == 201
    assert len(normalised) == 1
    # A later write quoting it again reuses the same normalised text.
    assert (await client.post("/v1/facts", json=quoting("large-report", "the work continues"))).status == 201
    wrong = await client.post("/v1/facts", json=quoting("large-report", "rated 'good' for effectiveness"))
    assert wrong.status == 422
    assert len(normalised) == 1
    report.append("large write: 1,000 facts quoting one 4.5 MB document normalised its text once (was once per fact)")


def test_a_document_in_the_same_batch_as_its_quotes_is_normalised_once(timeline, monkeypatch):
    from timeline.parsing import parse_record

    calls = []
    normalise = sources.normalise_for_quoting
    monkeypatch.setattr(sources, "normalise_for_quoting", lambda text: calls.append(len(text)) or normalise(text))
    text = large_text()
    document = parse_record({"type": "document", "id": "batch-report", "publisher": "HMIC", "url": "https://example.org/r",
                             "published": "2017-03-02", "kind": "official", "text": text})
    facts = [parse_record(quoting("batch-report", "Officers said the work continues.")) for _ in range(50)]
    timeline.record([document, *facts])
    assert sum(length == len(text) for length in calls) == 1
