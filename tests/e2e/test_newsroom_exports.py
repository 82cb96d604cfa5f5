"""Exports a newsroom takes away: every fact as CSV (the template's shape) or NDJSON, a subject's claims as
long-format CSV, each saved as a named attachment; chosen by `format=` or Accept, with strict parameters."""

from __future__ import annotations

import csv
import io

import orjson

from tests.e2e.test_exports import every_fact
from timeline.formats.claims_csv import COLUMNS as CLAIM_COLUMNS
from timeline.formats.facts_csv import record_from_row


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_every_fact_as_csv_is_an_attachment_whose_rows_are_the_facts_records(client):
    facts = (await (await client.get("/v1/facts")).json())["facts"]
    response = await client.get("/v1/facts", params={"format": "csv"})
    assert response.status == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="facts.csv"'
    reader = list(csv.reader(io.StringIO(await response.text())))
    records = [record_from_row(reader[0], row) for row in reader[1:]]
    # Each row is the record that would record its fact again: the fact's id and content, no more.
    assert records == [{k: v for k, v in f.items() if k != "version" and not (k == "mentions" and not v)} for f in facts]
    assert {f["subject"] for f in facts} >= {"force/bedfordshire", "force/cleveland"}


async def test_every_fact_as_ndjson_by_accept_is_one_record_a_line(client):
    response = await client.get("/v1/facts", headers={"Accept": "application/x-ndjson"})
    assert response.status == 200 and response.content_type == "application/x-ndjson"
    assert response.headers["Content-Disposition"] == 'attachment; filename="facts.ndjson"'
    assert "Accept" in response.headers.get("Vary", "")
    lines = [orjson.loads(line) for line in (await response.read()).splitlines()]
    facts = (await (await client.get("/v1/facts")).json())["facts"]
    assert lines == [{k: v for k, v in f.items() if k != "version"} for f in facts]


async def test_one_subjects_facts_are_named_for_it_and_name_it(client):
    response = await client.get("/v1/facts", params={"subject": "force/cleveland", "format": "csv"})
    assert response.headers["Content-Disposition"] == 'attachment; filename="force-cleveland-facts.csv"'
    listed = rows(await response.text())
    assert listed and all("cleveland" in " ".join(row.values()) for row in listed)
    everything = (await (await client.get("/v1/facts")).json())["facts"]
    assert len(listed) < len(everything)


async def test_the_facts_export_keeps_its_parameters_strict(client):
    assert (await client.get("/v1/facts", params={"as_of": "2017"})).status == 400  # no as_of: facts as they stand
    assert (await client.get("/v1/facts", params={"format": "xlsx"})).status == 400
    assert (await client.get("/v1/facts", params={"subject": "cleveland"})).status == 400
    assert (await client.get("/v1/facts", params={"subject": "force/nowhere"})).status == 404
    refused = await client.get("/v1/facts", headers={"Accept": "image/png"})
    assert refused.status == 406 and refused.content_type == "application/problem+json"


async def test_a_timelines_claims_as_csv_say_which_stands_and_who_disputes_it(client):
    response = await client.get("/v1/subjects/force/bedfordshire/timeline", headers={"Accept": "text/csv"})
    assert response.status == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="force-bedfordshire-claims.csv"'
    text = await response.text()
    assert text.splitlines()[0] == ",".join(CLAIM_COLUMNS)
    claims = {(r["grade"], r["source_kind"], r["inspection"]): r for r in rows(text)}
    claimed, official = claims[("good", "press", "PEEL 2015")], claims[("requires-improvement", "official", "PEEL 2015")]
    assert (claimed["stands"], claimed["disputes_standing"], claimed["standing_fact"]) == ("false", "true", official["fact"])
    assert (official["stands"], official["disputed_by_facts"]) == ("true", claimed["fact"])
    assert official["disputed_by"] == "good (The Comet, press)"
    # The same standing the timeline's JSON gives each claim.
    timeline = {f["id"]: f["claim"] for f in await every_fact(client) if "claim" in f}
    assert all(timeline[r["fact"]]["stands"] == (r["stands"] == "true") for r in rows(text))


async def test_clevelands_claims_as_csv_carry_its_disputes(client):
    text = await (await client.get("/v1/subjects/force/cleveland/timeline", params={"format": "csv"})).text()
    claims = rows(text)
    assert {r["type"] for r in claims} >= {"rating.published", "figure.reported"}
    disputing = [r for r in claims if r["disputes_standing"] == "true"]
    assert disputing and all(r["stands"] == "false" and r["standing_fact"] != r["fact"] for r in disputing)
    stood = {r["fact"]: r for r in claims}
    for row in disputing:
        assert row["fact"] in stood[row["standing_fact"]]["disputed_by_facts"].split(";")


async def test_the_older_exports_are_attachments_too(client):
    ratings = await client.get("/v1/ratings", params={"format": "csv"})
    assert ratings.headers["Content-Disposition"] == 'attachment; filename="ratings.csv"'
    slides = await client.get("/v1/subjects/force/cleveland/timeline", params={"format": "timelinejs"})
    assert slides.headers["Content-Disposition"] == 'attachment; filename="force-cleveland-timelinejs.json"'
    assert "Content-Disposition" not in (await client.get("/v1/subjects/force/cleveland/timeline")).headers  # a page is not saved
