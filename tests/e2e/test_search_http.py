"""GET /v1/search over real HTTP: what it finds at the three times, its pages, and what it refuses."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from timeline.http.server import create_app


@pytest.fixture
async def seeded(aiohttp_client, settings):
    return await aiohttp_client(create_app(dataclasses.replace(settings, seed=True)))


async def search(client, **query) -> dict:
    response = await client.get("/v1/search", params=query)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert int(response.headers["Timeline-Position"]) == body["position"]
    return body


async def test_a_word_of_a_quote_finds_its_fact_and_an_alias_its_subject(seeded):
    found = await search(seeded, q="deemed")
    assert [(f["subject"], f["source"]["publisher"]) for f in found["facts"]] == [("force/bedfordshire", "The Comet")]
    assert [d["id"] for d in found["documents"]] == ["comet-2017-03-02-bedfordshire-inadequate"]
    named = await search(seeded, q="Cleveland's Police and Crime Commissioner")  # an alias: case and the apostrophe do not matter
    assert [(s["id"], s["name"]["name"]) for s in named["subjects"]] == [("office/cleveland-pcc", "Cleveland Police and Crime Commissioner")]


async def test_a_fact_posted_later_is_not_found_at_an_earlier_known_at(seeded):
    before = (await search(seeded, q="deemed"))["position"]
    word = "q" + uuid.uuid4().hex[:10]
    body = {
        "type": "statement.made", "subject": "force/bedfordshire", "occurred": "2017-03-03",
        "data": {"speaker": "person/jon-boutcher", "stance": "welcomes", "summary": f"A {word} remark"},
        "source": {"publisher": "Luton Today", "url": "https://example.org/l", "published": "2017-03-03", "kind": "press"},
    }
    posted = await (await seeded.post("/v1/facts", json=body)).json()
    assert [f["id"] for f in (await search(seeded, q=word))["facts"]] == [posted["id"]]  # read-your-writes
    assert (await search(seeded, q=word, known_at=str(before)))["facts"] == []
    assert (await search(seeded, q=word, reported_by="2017-03-02"))["facts"] == []
    assert (await search(seeded, q=word, as_of="2017-03-02"))["facts"] == []


async def test_pages_follow_the_cursor_at_the_first_pages_known_at(seeded):
    everything = [f["id"] for f in (await search(seeded, q="cleveland", limit="100"))["facts"]]
    first = await search(seeded, q="cleveland", limit="5")
    paged, page = [f["id"] for f in first["facts"]], first
    while page["next_cursor"]:
        page = await search(seeded, q="cleveland", limit="5", cursor=page["next_cursor"])
        assert page["known_at"] == first["known_at"]
        paged += [f["id"] for f in page["facts"]]
    assert len(everything) > 5 and paged == everything


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "police", "qq": "x"}, "qq"),  # strict: a typo is refused, not ignored
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "!!! ... ???"}, "q"),  # no word in it
        ({"q": "x" * 201}, "q"),
        ({"q": " ".join(f"w{n}" for n in range(17))}, "q"),
        ({"q": "police", "limit": "101"}, "limit"),
        ({"q": "police", "cursor": "not-ours"}, None),
        ({"q": "police", "known_at": "yesterday"}, "known_at"),
    ],
)
async def test_bad_searches_are_refused_with_a_problem(client, query, field):
    response = await client.get("/v1/search", params=query)
    assert response.status == 400 and response.content_type == "application/problem+json"
    problem = await response.json()
    if field is not None:
        assert field in [e["field"] for e in problem["errors"]]


@pytest.mark.parametrize("q", ['"', 'police"', "AND OR NOT", "NEAR(police, 2)", "police*", "^police", "col:police", "(", "{x}", "\u2028", "ǅ"])
async def test_query_syntax_in_q_is_only_words(client, q):
    response = await client.get("/v1/search", params={"q": q})
    assert response.status in (200, 400), await response.text()


async def test_the_search_view_is_rebuilt_from_the_log_and_finds_the_same(seeded):
    from timeline.http.keys import REBUILDS

    before = await search(seeded, q="police", limit="100")
    assert (await seeded.post("/v1/projections/search/rebuild")).status == 202
    await seeded.app[REBUILDS]["search"]  # the rebuild task, awaited rather than polled
    assert await search(seeded, q="police", limit="100") == before
