"""Disputes as schema.org ClaimReview, read back by a real JSON-LD processor (pyld), over HTTP and in the page."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid

import pytest
from pyld import jsonld

from timeline.config import ConfigurationError, settings_from
from timeline.http.server import create_app

S = "http://schema.org/"
# schema.org's context, offline: its vocabulary and URL-valued `url`, as https://schema.org/docs/jsonldcontext.json has them.
SCHEMA_ORG_CONTEXT = {"@context": {"@vocab": S, "schema": S, "url": {"@id": "schema:url", "@type": "@id"}}}
COMET = "https://www.thecomet.net/news/bedfordshire-police-the-only-force-rated-inadequate-by-hmic-but-5358388"


def offline_loader(url, options=None):
    assert url.rstrip("/") == "https://schema.org", f"only schema.org's context is fetched, not {url}"
    return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_ORG_CONTEXT}


def expanded(review: dict) -> dict:
    [node] = jsonld.expand(review, {"documentLoader": offline_loader})
    return node


def value(node: dict, name: str):
    [item] = node[S + name]
    return item.get("@value", item.get("@id"))


def child(node: dict, name: str) -> dict:
    [item] = node[S + name]
    return item


@pytest.fixture
async def seeded(aiohttp_client, settings):
    desk = dataclasses.replace(
        settings, seed=True, organisation="Fact Check Desk", organisation_url="https://desk.example.org",
        public_url="https://timeline.example.org/",
    )
    return await aiohttp_client(create_app(desk))


async def reviews(client, **query) -> list[dict]:
    response = await client.get("/v1/claim-reviews", params=query)
    assert response.status == 200, await response.text()
    return (await response.json())["claim_reviews"]


def verdicts(found: list[dict]) -> dict[str, dict]:
    return {value(child(node, "reviewRating"), "alternateName"): node for node in map(expanded, found)}


async def test_bedfordshire_the_comets_good_and_28_forces_are_reviewed_false_by_the_official_record(seeded):
    found = verdicts(await reviews(seeded, subject="force/bedfordshire"))
    assert set(found) == {"False: official record says requires improvement", "False: official record says 43 forces"}
    good = found["False: official record says requires improvement"]
    assert good["@type"] == [S + "ClaimReview"]
    assert "a drop from \u2018good\u2019" in value(good, "claimReviewed")
    assert value(child(good, "author"), "name") == "Fact Check Desk"
    assert value(child(good, "author"), "url") == "https://desk.example.org"
    assert value(good, "url").startswith("https://timeline.example.org/?subject=force/bedfordshire#fact-")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value(good, "datePublished"))
    claim = child(good, "itemReviewed")
    assert claim["@type"] == [S + "Claim"]
    assert (value(child(claim, "author"), "name"), value(claim, "datePublished")) == ("The Comet", "2017-03-02")
    assert value(child(claim, "appearance"), "url") == COMET
    forces = found["False: official record says 43 forces"]
    assert value(forces, "claimReviewed") == "the only force out of the 28 across the UK"
    assert value(child(child(forces, "itemReviewed"), "appearance"), "url") == COMET


async def test_cleveland_press_against_press_is_disputed_not_false(seeded):
    found = verdicts(await reviews(seeded, subject="force/cleveland"))
    chiefs = found["Disputed: ITV News Tyne Tees says 5 chief constables"]
    assert value(child(child(chiefs, "itemReviewed"), "author"), "name") == "ITV News"
    # Two sources agreeing on the role, not on when it began: the words say what differs.
    assert "Disputed: ITV News Tyne Tees says from March 2018" in found


async def test_only_a_dispute_makes_a_review_one_each_and_every_subjects_reviews_are_each_subjects(seeded):
    per_subject = {}
    for subject in ("force/bedfordshire", "force/cleveland", "report/peel-effectiveness-2016"):
        disputes = (await (await seeded.get(f"/v1/subjects/{subject}/disputes")).json())["disputes"]
        found = await reviews(seeded, subject=subject)
        assert [r["url"].rsplit("#fact-", 1)[1] for r in found] == [d["claim"]["id"] for d in disputes]
        per_subject |= {r["url"].rsplit("#fact-", 1)[1]: r for r in found}
    # The standing 'inadequate' of PEEL 2016 is a claim nobody disputes: no review of it.
    assert not any("deemed" in r["claimReviewed"] for r in per_subject.values())
    every, after = [], ""
    while True:
        page = await (await seeded.get("/v1/claim-reviews", params={"limit": "7", "after": after})).json()
        every += page["claim_reviews"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    ids = [r["url"].rsplit("#fact-", 1)[1] for r in every]
    assert len(ids) == len(set(ids)) and set(per_subject) <= set(ids)


async def test_the_page_embeds_the_subjects_reviews_as_json_ld_under_its_policy(seeded):
    page = await seeded.get("/", params={"subject": "force/bedfordshire"})
    html = await page.text()
    [block] = re.findall(r'<script type="application/ld\+json" id="claim-reviews">(.*?)</script>', html, re.DOTALL)
    assert json.loads(block) == await reviews(seeded, subject="force/bedfordshire")
    assert len(verdicts(json.loads(block))) == 2
    # A data block is not a script: the page's policy still allows only its own files to run.
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy


async def test_a_quote_cannot_close_the_pages_json_ld_block(seeded):
    force = f"force/x{uuid.uuid4().hex[:8]}"
    official = {"publisher": "HMICFRS", "url": "https://example.org/peel", "published": "2019-05-01", "kind": "official"}
    data = {"pillar": "effectiveness", "grade": "good", "inspection": "PEEL 2018", "inspectorate": "org/hmic"}
    for grade, source in (("good", official), ("inadequate", official | {"kind": "press", "quote": "</script><script>alert(1)</script> & <!--"})):
        body = {"type": "rating.published", "subject": force, "occurred": "2019-05-01", "data": data | {"grade": grade}, "source": source}
        assert (await seeded.post("/v1/facts", json=body)).status == 201
    html = await (await seeded.get("/", params={"subject": force})).text()
    assert "<script>alert" not in html and "<!--" not in html
    [block] = re.findall(r'<script type="application/ld\+json" id="claim-reviews">(.*?)</script>', html, re.DOTALL)
    assert [r["claimReviewed"] for r in json.loads(block)] == ["</script><script>alert(1)</script> & <!--"]


async def test_a_url_the_api_would_refuse_gets_the_page_without_reviews(seeded):
    page = await seeded.get("/", params={"subject": "not a subject", "known_at": "yesterday"})
    assert page.status == 200 and "application/ld+json" not in await page.text()


def test_the_organisation_and_addresses_are_configured_and_checked():
    settings = settings_from({"TIMELINE_ORGANISATION": "Desk", "TIMELINE_PUBLIC_URL": "https://t.example.org/"})
    assert (settings.organisation, settings.site_url, settings.organisation_site) == ("Desk", "https://t.example.org", "https://t.example.org")
    assert settings_from({}).site_url == "http://127.0.0.1:8080"
    with pytest.raises(ConfigurationError, match="TIMELINE_ORGANISATION_URL"):
        settings_from({"TIMELINE_ORGANISATION_URL": "javascript:alert(1)"})


async def test_reviews_follow_the_times_of_the_disputes_they_come_from(seeded):
    # Before The Comet published, nothing of Bedfordshire's was disputed: no review.
    assert await reviews(seeded, subject="force/bedfordshire", reported_by="2017-03-01") == []
    # Before any fact was recorded, none either.
    assert await reviews(seeded, subject="force/bedfordshire", known_at="1") == []
    assert len(await reviews(seeded, subject="force/bedfordshire", reported_by="2017-03-02")) == 2


async def test_reviews_of_a_subject_nobody_named_are_a_404_not_an_empty_list(seeded):
    """A typo must not read as "no disputes": the fact-checker would publish nothing and not know why."""
    response = await seeded.get("/v1/claim-reviews", params={"subject": "force/clevland"})
    assert response.status == 404 and response.content_type == "application/problem+json"
    assert (await seeded.get("/v1/subjects/force/clevland/disputes")).status == 404


async def test_the_page_of_a_subject_nobody_named_is_served_without_reviews(seeded):
    """The page says itself that the subject is unknown; the reviews it would embed are simply none."""
    response = await seeded.get("/", params={"subject": "force/atlantis"}, headers={"Accept": "text/html"})
    assert response.status == 200 and response.content_type == "text/html"
    assert 'id="claim-reviews"' not in await response.text()
