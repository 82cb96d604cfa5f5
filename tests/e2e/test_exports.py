"""Views in the formats other tools read: TimelineJS 3 JSON and CSV; and the words the page shows."""

from __future__ import annotations

import csv
import io

from tests.e2e.conftest import rating
from tests.e2e.test_http_api import head
from timeline.formats.timelinejs import timelinejs

BEDFORDSHIRE = "/v1/subjects/force/bedfordshire/timeline"


async def every_fact(client, path=BEDFORDSHIRE, **params):
    facts, cursor = [], None
    while True:
        page = await (await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})).json()
        facts += page["facts"]
        if not (cursor := page["next_cursor"]):
            return facts


async def test_the_timelinejs_export_has_one_slide_per_fact_in_timeline_order(client):
    facts = await every_fact(client, limit="5")
    response = await client.get(BEDFORDSHIRE, params={"format": "timelinejs"})
    assert response.status == 200 and response.content_type == "application/json"
    document = await response.json()

    assert [slide["unique_id"] for slide in document["events"]] == [f"fact-{fact['id']}" for fact in facts]
    assert document["title"]["text"]["headline"] == "Bedfordshire Police"  # its name fact
    groups = {slide["group"] for slide in document["events"]}
    assert {"Ratings", "Findings", "Statements"} <= groups


async def test_timelinejs_dates_keep_their_precision_and_partial_dates_say_it_in_words(client):
    slides = {s["unique_id"]: s for s in (await (await client.get(BEDFORDSHIRE, params={"format": "timelinejs"})).json())["events"]}
    facts = {f"fact-{f['id']}": f for f in await every_fact(client)}
    claimed_good = next(k for k, f in facts.items() if f["occurred"] == "2016" and f["data"].get("grade") == "good")
    inadequate = next(k for k, f in facts.items() if f["data"].get("grade") == "inadequate" and f["source"]["kind"] == "official")

    assert slides[claimed_good]["start_date"] == {"year": 2016}
    assert slides[claimed_good]["display_date"] == "2016"
    assert slides[inadequate]["start_date"] == {"year": 2017, "month": 3, "day": 2}
    assert "display_date" not in slides[inadequate]
    assert slides[inadequate]["text"]["headline"] == "Effectiveness: inadequate (PEEL 2016)"


def test_a_season_spans_its_months_and_an_approximate_year_says_so():
    def fact(occurred, label):
        return {
            "id": occurred, "type": "decision.pending", "occurred": occurred, "occurred_label": label, "headline": "Pending",
            "data": {"summary": "<b>bold</b> claim"}, "retracted": False,
            "source": {"publisher": "A & B", "url": "https://example.org/?a=1&b=2", "published": "2017-03-02", "kind": "press"},
        }  # fmt: skip

    document = timelinejs({"subject": "decision/x", "known_at": 7, "as_of": None, "facts": [fact("2017-21", "spring 2017"), fact("2016~", "2016 (approximate)")]})
    spring, approximate = document["events"]

    assert (spring["start_date"], spring["end_date"], spring["display_date"]) == (
        {"year": 2017, "month": 3, "day": 1}, {"year": 2017, "month": 5, "day": 31}, "spring 2017",
    )  # fmt: skip
    assert (approximate["start_date"], approximate["display_date"]) == ({"year": 2016}, "2016 (approximate)")
    # The slide text is HTML: what came from a source is escaped, never markup.
    assert "&lt;b&gt;bold&lt;/b&gt;" in spring["text"]["text"] and "<b>" not in spring["text"]["text"]
    assert 'href="https://example.org/?a=1&amp;b=2"' in spring["text"]["text"] and "A &amp; B" in spring["text"]["text"]


async def test_timelinejs_slides_carry_the_dispute_both_ways(client):
    document = await (await client.get(BEDFORDSHIRE, params={"format": "timelinejs"})).json()
    slides = {s["unique_id"]: s["text"]["text"] for s in document["events"]}
    facts = await every_fact(client)
    claimed_good = next(f for f in facts if f["occurred"] == "2016" and f["data"].get("grade") == "good")
    record = claimed_good["claim"]["disputed_by"][0]

    said = slides[f"fact-{claimed_good['id']}"]
    assert "Disputed by the record" in said and record["headline"] in said and "HMIC</a> (official), 18 February 2016" in said
    assert "The Comet" in slides[f"fact-{record['fact']}"] and "Stands, though disputed by" in slides[f"fact-{record['fact']}"]
    assert "The record disputes 2 of its claims" in document["title"]["text"]["text"]  # the 'good', and the 28 forces
    assert "The Comet</a> (press), 2 March 2017" in said  # dates in words


async def test_timelinejs_honours_as_of_and_known_at(client):
    before_official = await (await client.get(BEDFORDSHIRE, params={"format": "timelinejs", "known_at": "21"})).json()
    now = await (await client.get(BEDFORDSHIRE, params={"format": "timelinejs"})).json()
    in_2016 = await (await client.get(BEDFORDSHIRE, params={"format": "timelinejs", "as_of": "2016-12-31"})).json()

    assert len(before_official["events"]) < len(now["events"])
    assert all(slide["start_date"]["year"] <= 2016 for slide in in_2016["events"]) and in_2016["events"]


async def test_ratings_as_csv_one_row_per_force_and_pillar_with_sources_and_disputes(client):
    response = await client.get("/v1/ratings", params={"format": "csv", "as_of": "2017-03-02"})
    assert response.status == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(await response.text())))

    bedfordshire = [r for r in rows if r["subject"] == "force/bedfordshire"]
    assert [(r["pillar"], r["grade"]) for r in bedfordshire] == [
        ("effectiveness", "inadequate"),
        ("efficiency", "requires-improvement"),
        ("legitimacy", "good"),
    ]
    first = bedfordshire[0]
    assert first["publisher"] == "HMIC" and first["url"].startswith("https://") and first["source_kind"] == "official"
    # That day HMIC graded every force's effectiveness (PEEL 2016): one row each.
    assert sum(r["pillar"] == "effectiveness" and r["inspection"] == "PEEL 2016" for r in rows) == 43


async def test_ratings_csv_lists_disputes_and_keeps_spreadsheets_from_running_formulas(client):
    standing = rating(source=rating()["source"] | {"publisher": '=HYPERLINK("https://evil.example")'})
    disputed = rating(data=rating()["data"] | {"grade": "outstanding"}, source=rating()["source"] | {"kind": "press", "publisher": "The Bugle"})
    receipts = []
    for body in (standing, disputed):
        response = await client.post("/v1/facts", json=body)
        assert response.status == 201
        receipts.append(await response.json())
    disputed_id = receipts[1]["id"]
    text = await (await client.get("/v1/ratings", params={"format": "csv", "pillar": "effectiveness", "inspection": "PEEL 2018", "min_position": str(await head(client))})).text()
    (testshire,) = [r for r in csv.DictReader(io.StringIO(text)) if r["subject"] == "force/testshire"]

    assert testshire["grade"] == "good"
    assert testshire["disputed_by"] == "outstanding (The Bugle, press)"
    # The dispute in columns of its own, not only in words: how many, which facts, which grades.
    assert (testshire["disputes"], testshire["disputed_by_facts"], testshire["disputed_by_grades"]) == ("1", disputed_id, "outstanding")
    assert testshire["publisher"] == "'=HYPERLINK(\"https://evil.example\")"


async def test_ratings_without_a_pillar_cover_every_pillar(client):
    body = await (await client.get("/v1/ratings", params={"inspection": "PEEL 2018/19"})).json()
    assert body["pillar"] is None
    # Cleveland's three pillars, and the press's "overall" grade, kept though the edition has none.
    assert {r["pillar"] for r in body["ratings"]} == {"effectiveness", "efficiency", "legitimacy", "overall"}


async def test_timeline_facts_carry_dates_in_words_headlines_and_which_claim_stands(client):
    facts = {(f["data"].get("grade"), f["source"]["kind"], f["data"].get("inspection")): f for f in await every_fact(client)}
    claimed = facts[("good", "press", "PEEL 2015")]
    official = facts[("requires-improvement", "official", "PEEL 2015")]

    assert claimed["occurred_label"] == "2016" and official["occurred_label"] == "18 February 2016"
    assert claimed["headline"] == "Effectiveness: good (PEEL 2015)"
    assert claimed["claim"]["stands"] is False and claimed["claim"]["disputes"] is True
    assert claimed["claim"]["standing"]["fact"] == official["id"]
    assert official["claim"]["stands"] is True
    assert [c["fact"] for c in official["claim"]["disputed_by"]] == [claimed["id"]]


async def test_before_the_official_record_was_known_the_press_claim_stood_alone(client):
    facts = await every_fact(client, known_at="21")
    (claimed,) = [f for f in facts if f["data"].get("grade") == "good" and f["data"].get("pillar") == "effectiveness"]
    assert claimed["claim"] == {"stands": True, "disputes": False, "disputed_by": []}


async def test_a_pending_decisions_expected_season_comes_with_its_days_and_words(client):
    facts = await every_fact(client)
    (pending,) = [f for f in facts if f["type"] == "decision.pending"]
    assert pending["data"]["expected"] == "2017-21"
    assert (pending["expected_bounds"], pending["expected_label"]) == (["2017-03-01", "2017-05-31"], "spring 2017")
    assert all("expected_bounds" not in f for f in facts if f["type"] != "decision.pending")
