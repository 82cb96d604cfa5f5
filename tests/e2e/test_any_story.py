"""Walls a second real story hit (Cleveland Police, PEEL 2018/19 and after), entered over HTTP alone.

Each test states what a newsroom needs from a story the first seed did not contain. Each was
committed first as an expected failure, then made to pass. The story itself is now a bundled seed
(seeds/stories/cleveland-2019/), so these tests start from a store without it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest

from timeline.http.server import create_app

CLEVELAND = "force/cleveland"
HMICFRS = {"publisher": "HMICFRS", "url": "https://hmicfrs.justiceinspectorates.gov.uk/peel-assessments/peel-2018/cleveland/",
           "published": "2019-09-27", "kind": "official"}  # fmt: skip
ITV = {"publisher": "ITV News", "url": "https://www.itv.com/news/2019-09-27/cleveland-police-becomes-first-force-branded-failing-in-all-areas/",
       "published": "2019-09-27", "kind": "press"}  # fmt: skip


@pytest.fixture
def settings(settings):
    """A store without the bundled stories (Cleveland is one of them now): each wall is entered from nothing."""
    return dataclasses.replace(settings, seed=False)


@pytest.fixture
async def seeded(aiohttp_client, settings):
    return await aiohttp_client(create_app(dataclasses.replace(settings, seed=True)))


def fact(fact_type: str, subject: str, occurred: str, data: dict, source: dict = HMICFRS, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "type": fact_type, "subject": subject, "occurred": occurred, "data": data, "source": source} | extra


def rating(area: str, grade: str, inspection: str = "PEEL 2018/19", source: dict = HMICFRS, subject: str = CLEVELAND, **data) -> dict:
    return fact("rating.published", subject, "2019-09-27",
                {"pillar": area, "grade": grade, "inspection": inspection, "inspectorate": "org/hmicfrs"} | data, source)  # fmt: skip


async def post(client, body) -> dict:
    response = await client.post("/v1/facts", json=body)
    assert response.status == 201, await response.text()
    return await response.json()


async def status(client, subject: str = CLEVELAND, **query) -> dict:
    response = await client.get(f"/v1/subjects/{subject}/status", params=query)
    assert response.status == 200, await response.text()
    return await response.json()


# 1. Inspection frameworks as data


async def test_a_press_claim_of_an_overall_grade_is_kept_and_shown_as_unsupported_by_the_framework(client):
    await post(client, [rating(area, "inadequate") for area in ("effectiveness", "efficiency", "legitimacy")])
    claimed = await post(client, rating("overall", "inadequate", source=ITV))
    timeline = await (await client.get(f"/v1/subjects/{CLEVELAND}/timeline")).json()
    item = next(f for f in timeline["facts"] if f["id"] == claimed["id"])
    assert item["framework"]["supported"] is False
    assert "overall" in item["framework"]["why"]


async def test_peel_2021_areas_and_the_adequate_grade_are_recorded_and_graded_on_their_own_scale(client):
    await post(client, rating("investigating-crime", "adequate", inspection="PEEL 2021/22"))
    area = (await status(client))["ratings"]["investigating-crime"]
    assert (area["grade"], area["framework"]["edition"]) == ("adequate", "peel-2021-22")


async def test_a_change_across_editions_whose_scales_differ_is_not_comparable(client):
    await post(client, rating("effectiveness", "inadequate"))
    await post(client, fact("rating.published", CLEVELAND, "2022-04-07",
                            {"pillar": "effectiveness", "grade": "adequate", "inspection": "PEEL 2021/22", "inspectorate": "org/hmicfrs"}))  # fmt: skip
    assert (await status(client))["ratings"]["effectiveness"]["change"] == "not-comparable"


async def test_a_body_other_than_a_police_force_is_rated_on_its_own_framework(client):
    """HMICFRS also inspects England's 44 fire and rescue services, on three pillars of its own."""
    from timeline.http.keys import TIMELINE
    from timeline.parsing import parse_record

    edition = {
        "type": "framework", "id": "fire-2018-19", "name": "Fire and rescue 2018/19", "inspectorate": "org/hmicfrs",
        "inspections": ["Fire and rescue 2018/19"], "covers": 45,
        "areas": [{"id": area, "name": area.capitalize()} for area in ("effectiveness", "efficiency", "people")],
        "grades": ["outstanding", "good", "requires-improvement", "inadequate"], "scale": "fire-four-grades",
        "source": {"publisher": "HMICFRS", "kind": "official", "published": "2018-06",
                   "url": "https://www.justiceinspectorates.gov.uk/hmicfrs/fire-and-rescue-services/how-we-inspect/"},
    }  # fmt: skip
    await asyncio.to_thread(client.app[TIMELINE].record, [parse_record(edition)])
    service = "org/cleveland-fire-brigade"
    await post(client, [rating(area, grade, inspection="Fire and rescue 2018/19", subject=service)
                        for area, grade in (("effectiveness", "good"), ("efficiency", "good"), ("people", "requires-improvement"))])  # fmt: skip
    card = (await status(client, service))["ratings"]
    assert {area: (r["grade"], r["framework"]["edition"]) for area, r in card.items()} == {
        "effectiveness": ("good", "fire-2018-19"), "efficiency": ("good", "fire-2018-19"), "people": ("requires-improvement", "fire-2018-19"),
    }  # fmt: skip
    national = await (await client.get("/v1/ratings", params={"inspection": "Fire and rescue 2018/19"})).json()
    assert (national["covered"], national["covers"]) == (1, 45)
    assert {r["subject"] for r in national["ratings"]} == {service}
    refused = await client.post("/v1/facts", json=rating("effectiveness", "good", subject="place/teesside"))
    assert refused.status == 422 and "force or org" in (await refused.json())["errors"][0]["message"]


async def test_ratings_of_one_inspection_leave_out_the_other_cycles_of_its_edition(client):
    """PEEL 2014 to 2017 is one edition of three yearly inspections: asking for one is not asking for all."""
    await post(client, [rating("effectiveness", grade, inspection=inspection) for grade, inspection in
                        (("good", "PEEL 2015"), ("inadequate", "PEEL 2016"), ("requires-improvement", "PEEL 2017"))])  # fmt: skip
    ratings = await (await client.get("/v1/ratings", params={"inspection": "PEEL 2016", "pillar": "effectiveness"})).json()
    assert [(r["inspection"], r["grade"]) for r in ratings["ratings"]] == [("PEEL 2016", "inadequate")]


async def test_ratings_by_an_inspections_other_spelling_find_its_edition_and_say_how_many_forces_it_covers(client):
    await post(client, [rating(area, "inadequate") for area in ("effectiveness", "efficiency", "legitimacy")])
    ratings = await (await client.get("/v1/ratings", params={"inspection": "PEEL 2018-19"})).json()
    assert ratings["framework"]["edition"] == "peel-2018-19"
    assert ratings["covered"] == 1 and {r["subject"] for r in ratings["ratings"]} == {CLEVELAND}


# 2. Roles over time


async def test_a_role_counts_from_its_from_date_and_ends_with_a_reason(client):
    await post(client, [
        fact("role.held", "person/richard-lewis", "2019-04-10", {"role": "Chief Constable", "organisation": CLEVELAND, "from": "2019-04-29"}),
        fact("role.held", "person/sean-price", "2019-09-27",
             {"role": "Chief Constable", "organisation": CLEVELAND, "from": "2003", "to": "2012-10", "ended": "dismissed"}),
    ])  # fmt: skip
    september = {r["person"]: r for r in (await status(client, as_of="2019-09-01"))["roles"]}
    assert "person/richard-lewis" in september and "person/sean-price" not in september
    in_2011 = {r["person"]: r for r in (await status(client, as_of="2011-06-01"))["roles"]}
    assert "person/sean-price" in in_2011
    ended = (await status(client, as_of="2013-01-01"))["former_roles"]
    assert [(r["person"], r["ended"]) for r in ended] == [("person/sean-price", "dismissed")]


async def test_a_commissioner_holding_an_office_that_governs_the_force_shows_on_its_card(client):
    await post(client, fact("role.held", "person/barry-coppinger", "2019-09-30",
                            {"role": "Police and Crime Commissioner", "organisation": "office/cleveland-pcc", "governs": CLEVELAND, "from": "2012-11"}))  # fmt: skip
    roles = (await status(client))["roles"]
    assert [(r["person"], r["organisation"]) for r in roles] == [("person/barry-coppinger", "office/cleveland-pcc")]


async def test_a_role_disputed_by_a_claim_that_stands_is_not_held_and_the_one_that_stands_names_its_disputer(client):
    said = await post(client, fact("role.held", "person/jason-harwin", "2019-09-27",
                                   {"role": "Deputy Chief Constable", "organisation": CLEVELAND}, source=ITV))  # fmt: skip
    bbc = ITV | {"publisher": "BBC News", "url": "https://www.bbc.co.uk/news/uk-england-tees", "published": "2019-09-28"}
    disputing = await post(client, fact("role.held", "person/jason-harwin", "2019-09-28",
                                        {"role": "Assistant Chief Constable", "organisation": CLEVELAND}, source=bbc,
                                        disputes=[said["id"]]))  # fmt: skip
    for subject in ("person/jason-harwin", CLEVELAND):
        roles = (await status(client, subject))["roles"]
        assert [(r["role"], r["fact"]) for r in roles] == [("Assistant Chief Constable", disputing["id"])], subject
        assert [d["fact"] for d in roles[0]["disputed_by"]] == [said["id"]]
    # The dispute holds whatever the date asked (it is about one attestation), and goes with a retraction.
    assert [r["fact"] for r in (await status(client, as_of="2019-09-27"))["roles"]] == []
    await client.post(f"/v1/facts/{disputing['id']}/retractions", json={"reason": "wrong person", "expected_version": 1})
    roles = (await status(client))["roles"]
    assert [(r["role"], r["disputed_by"]) for r in roles] == [("Deputy Chief Constable", [])]


# 3. Named subjects


async def test_a_subject_is_called_by_the_name_in_force_at_the_asked_date(client):
    await post(client, [
        fact("subject.named", "org/hmic", "1856", {"name": "Her Majesty's Inspectorate of Constabulary", "short_name": "HMIC"}),
        fact("subject.named", "org/hmic", "2017-07-19",
             {"name": "HM Inspectorate of Constabulary and Fire & Rescue Services", "short_name": "HMICFRS"}),
    ])  # fmt: skip
    before = await (await client.get("/v1/subjects/org/hmic", params={"as_of": "2017-03-02"})).json()
    after = await (await client.get("/v1/subjects/org/hmic", params={"as_of": "2019-09-27"})).json()
    assert (before["name"]["short_name"], after["name"]["short_name"]) == ("HMIC", "HMICFRS")
    await post(client, fact("statement.made", CLEVELAND, "2019-09-27", {"speaker": "org/hmic", "stance": "criticises", "summary": "failing"}))
    status = await (await client.get(f"/v1/subjects/{CLEVELAND}/status")).json()
    assert status["statements"][0]["headline"].startswith("HM Inspectorate of Constabulary and Fire & Rescue Services criticises")
    assert status["names"]["org/hmic"]["short_name"] == "HMICFRS"


# 4. Disputes about any claim, and 8. figures


async def test_a_figure_can_be_disputed_by_another_fact_and_the_official_one_stands(client):
    said = await post(client, fact("figure.reported", CLEVELAND, "2019-09-27",
                                   {"measure": "chief constables", "value": 6, "unit": "people", "period": "2013/2019"}, ITV))  # fmt: skip
    counted = await post(client, fact("figure.reported", CLEVELAND, "2019-09-27",
                                      {"measure": "chief constables", "value": 5, "unit": "people", "period": "2013/2019"},
                                      HMICFRS | {"kind": "official"}, disputes=[said["id"]]))  # fmt: skip
    timeline = {f["id"]: f for f in (await (await client.get(f"/v1/subjects/{CLEVELAND}/timeline")).json())["facts"]}
    assert timeline[counted["id"]]["claim"]["stands"] is True
    assert [d["fact"] for d in timeline[counted["id"]]["claim"]["disputed_by"]] == [said["id"]]
    assert timeline[said["id"]]["claim"] == timeline[said["id"]]["claim"] | {"stands": False, "disputes": True}


async def test_the_seed_records_the_articles_28_forces_as_disputed_by_the_official_43(seeded):
    timeline = (await (await seeded.get("/v1/subjects/force/bedfordshire/timeline", params={"type": "figure.reported"})).json())["facts"]
    by_value = {f["data"]["value"]: f for f in timeline}
    said, record = by_value[28], by_value[43]
    assert (said["source"]["publisher"], record["source"]["kind"]) == ("The Comet", "official")
    assert said["claim"]["stands"] is False and said["claim"]["disputes"] is True
    assert said["claim"]["standing"]["value"] == 43
    assert [d["value"] for d in record["claim"]["disputed_by"]] == [28]


# 5. Several sources per fact


async def test_one_fact_cites_several_sources_and_views_show_the_corroboration(client):
    body = rating("efficiency", "inadequate") | {"sources": [HMICFRS, ITV]}
    del body["source"]
    await post(client, body)
    current = (await status(client))["ratings"]["efficiency"]
    assert [s["publisher"] for s in current["sources"]] == ["HMICFRS", "ITV News"]
    assert current["source"]["publisher"] == "HMICFRS"  # the first, as for a fact with one source


async def record_document(client, slug: str, text: str, **fields) -> dict:
    response = await client.post("/v1/documents", json={
        "id": slug, "publisher": fields.pop("publisher", "ITV News"), "url": ITV["url"],
        "published": "2019-09-27", "kind": "press", "text": text,
    } | fields)  # fmt: skip
    assert response.status in (200, 201), await response.text()
    return await response.json()


async def test_each_of_several_sources_has_its_quote_checked_against_its_own_document(client):
    await record_document(client, "itv-failing", "Cleveland Police has become the first force branded failing in all areas.")
    await record_document(client, "bbc-failing", "The force was rated inadequate in every area.", publisher="BBC News")
    itv = ITV | {"document": "itv-failing", "quote": "first force branded failing in all areas"}
    bbc = ITV | {"publisher": "BBC News", "document": "bbc-failing", "quote": "rated inadequate in every area"}
    body = rating("legitimacy", "inadequate", source=itv) | {"sources": [itv, bbc | {"quote": "rated good"}]}
    refused = await client.post("/v1/facts", json=body)
    assert refused.status == 422
    assert [e["field"] for e in (await refused.json())["errors"]] == ["sources.1.quote"]
    stored = await post(client, body | {"sources": [itv, bbc]})
    cited = {d["id"]: d["cited_by"] for d in (await (await client.get("/v1/sources")).json())["documents"]}
    assert cited["itv-failing"] == cited["bbc-failing"] == [stored["id"]]


async def test_a_fact_reported_by_several_sources_is_public_from_the_first_and_as_authoritative_as_the_most(client):
    early_press = ITV | {"published": "2019-09-26"}
    await post(client, rating("effectiveness", "requires-improvement", source=ITV | {"publisher": "Teesside Live"}))
    both = rating("effectiveness", "inadequate", source=early_press) | {"sources": [early_press, HMICFRS]}
    stored = await post(client, both)
    current = (await status(client))["ratings"]["effectiveness"]
    assert (current["fact"], current["grade"]) == (stored["id"], "inadequate")  # official among its sources: it stands
    reported = (await status(client, reported_by="2019-09-26"))["ratings"]["effectiveness"]
    assert reported["fact"] == stored["id"]


async def test_a_correction_giving_one_source_replaces_all_of_a_facts_sources(client):
    body = rating("efficiency", "inadequate") | {"sources": [HMICFRS, ITV]}
    del body["source"]
    stored = await post(client, body)
    response = await client.post(f"/v1/facts/{stored['id']}/corrections",
                                 json={"reason": "only HMICFRS said so", "expected_version": 1, "changes": {"source": HMICFRS}})  # fmt: skip
    assert response.status == 201, await response.text()
    fact = await (await client.get(f"/v1/facts/{stored['id']}")).json()
    assert fact["source"] == HMICFRS and "sources" not in fact


# 6. Reported and direct speech


async def test_reported_speech_is_attributed_to_the_source_that_reports_it(client):
    said = await post(client, fact("statement.made", CLEVELAND, "2019-09-27",
                                   {"speaker": "person/phil-gormley", "stance": "criticises", "summary": "the force had failed", "speech": "reported"},
                                   ITV))  # fmt: skip
    statement = (await status(client))["statements"][0]
    assert statement["id"] == said["id"]
    assert statement["headline"].startswith("ITV News reports that Phil Gormley")


# 7. Decisions and monitoring


async def test_the_inspectorates_monitoring_of_a_force_shows_on_its_status_over_time(client):
    await post(client, [
        fact("monitoring.changed", CLEVELAND, "2019-08-30", {"state": "engage", "inspectorate": "org/hmicfrs"}),
        fact("monitoring.changed", CLEVELAND, "2023-09", {"state": "routine", "inspectorate": "org/hmicfrs"}),
    ])  # fmt: skip
    assert (await status(client, as_of="2020-01-01"))["monitoring"]["state"] == "engage"
    assert (await status(client))["monitoring"]["state"] == "routine"


async def test_a_pending_decision_past_its_expected_date_is_overdue_and_a_made_one_shows_as_decided(client):
    await post(client, fact("decision.pending", "decision/cleveland-chief", "2019-01-21",
                            {"title": "Appoint a chief constable", "decider": "office/cleveland-pcc", "expected": "2019-03"},
                            mentions=[CLEVELAND]))  # fmt: skip
    pending = (await status(client, as_of="2019-04-15"))["pending_decisions"]
    assert [(d["decision"], d["overdue"]) for d in pending] == [("decision/cleveland-chief", True)]
    await post(client, fact("decision.made", "decision/cleveland-chief", "2019-04-10",
                            {"outcome": "Richard Lewis appointed", "decider": "office/cleveland-pcc"}, mentions=[CLEVELAND]))  # fmt: skip
    decided = (await status(client, as_of="2019-05-01"))["decisions"]
    assert [d["outcome"] for d in decided] == ["Richard Lewis appointed"]


# 9. Documents


async def test_an_undated_web_page_can_be_recorded_with_the_month_it_is_known_to_date_from(client):
    response = await client.post("/v1/documents", json={
        "id": "hmicfrs-previously-in-engage", "publisher": "HMICFRS", "url": "https://hmicfrs.justiceinspectorates.gov.uk/",
        "published": "2023-09/2024-12", "kind": "official", "text": "Cleveland Police. Moved out of Engage September 2023.",
        "archived_url": "https://web.archive.org/web/2024/https://hmicfrs.justiceinspectorates.gov.uk/",
    })  # fmt: skip
    assert response.status == 201, await response.text()
    document = await (await client.get("/v1/documents/hmicfrs-previously-in-engage")).json()
    assert (document["published"], document["archived_url"]) == ("2023-09/2024-12", "https://web.archive.org/web/2024/https://hmicfrs.justiceinspectorates.gov.uk/")
    # Public from the last day its date may mean: not yet by 2024-06, by 2025.
    assert "hmicfrs-previously-in-engage" not in [d["id"] for d in (await (await client.get("/v1/sources", params={"reported_by": "2024-06-01"})).json())["documents"]]
    assert "hmicfrs-previously-in-engage" in [d["id"] for d in (await (await client.get("/v1/sources", params={"reported_by": "2025-01-01"})).json())["documents"]]


async def test_a_source_dated_only_to_a_month_counts_as_reported_from_the_end_of_that_month(client):
    stored = await post(client, rating("efficiency", "inadequate", source=HMICFRS | {"published": "2019-09"}))
    assert "efficiency" not in (await status(client, reported_by="2019-09-29"))["ratings"]
    assert (await status(client, reported_by="2019-09-30"))["ratings"]["efficiency"]["fact"] == stored["id"]


SHORT = "Cleveland Police was rated inadequate."
FULL = "Cleveland Police was rated inadequate. The chief constable said the force would improve."


async def test_a_document_gains_a_version_with_its_reason_and_each_quote_is_checked_against_the_version_it_cites(client):
    first = await record_document(client, "itv-cleveland", SHORT)
    unexplained = await client.post("/v1/documents", json={"id": "itv-cleveland", "publisher": "ITV News", "url": ITV["url"],
                                                           "published": "2019-09-27", "kind": "press", "text": FULL})  # fmt: skip
    assert unexplained.status == 409 and "reason" in (await unexplained.json())["detail"]
    second = await record_document(client, "itv-cleveland", FULL, reason="the first copy stopped at the first paragraph")
    assert (first["version"], second["version"], second["created"]) == (1, 2, True)
    said = ITV | {"document": "itv-cleveland", "quote": "the force would improve"}
    refused = await client.post("/v1/facts", json=rating("legitimacy", "inadequate", source=said))
    assert refused.status == 422 and "version 2" in (await refused.json())["errors"][0]["message"]
    await post(client, rating("legitimacy", "inadequate", source=said | {"document_version": 2}))
    out_of_range = await client.post("/v1/facts", json=rating("efficiency", "inadequate", source=said | {"document_version": 3}))
    assert out_of_range.status == 422
    document = await (await client.get("/v1/documents/itv-cleveland")).json()
    assert (document["version"], document["text"]) == (2, FULL)
    assert [(v["version"], v["reason"]) for v in document["versions"]] == [(1, None), (2, "the first copy stopped at the first paragraph")]
    assert (await (await client.get("/v1/documents/itv-cleveland", params={"version": 1})).json())["text"] == SHORT
    assert (await client.get("/v1/documents/itv-cleveland", params={"version": 3})).status == 404


async def test_re_sending_a_documents_first_version_after_its_revision_changes_nothing(client):
    await record_document(client, "itv-cleveland", SHORT)
    await record_document(client, "itv-cleveland", FULL, reason="fuller text")
    again = await record_document(client, "itv-cleveland", SHORT)
    assert (again["version"], again["created"]) == (1, False)
    log = (await (await client.get("/v1/events")).json())["events"]
    assert [e["event"] for e in log if e["id"] == "itv-cleveland"] == ["document.recorded", "document.revised"]


# 2. Named subjects: two ids found to name one body


def merged(alias: str, into: str, **extra) -> dict:
    return fact("subject.merged", alias, "2017-07-19", {"into": into}, **extra)


async def test_two_ids_found_to_name_one_body_are_merged_by_a_fact_and_every_lookup_resolves_the_alias(client):
    said = await post(client, fact("statement.made", CLEVELAND, "2019-09-27",
                                   {"speaker": "person/zoe-billingham", "stance": "criticises", "summary": "failing"},
                                   mentions=["org/hmicfrs"]))  # fmt: skip
    named = await post(client, fact("subject.named", "org/hmic", "2017-07-19", {"name": "HMICFRS"}))
    before = await post(client, merged("org/hmicfrs", "org/hmic"))
    both = await post(client, fact("subject.named", "org/hmic", "2017-07-20", {"name": "HMICFRS"}, mentions=["org/hmicfrs"]))
    timeline = await (await client.get("/v1/subjects/org/hmic/timeline")).json()
    ids = [f["id"] for f in timeline["facts"]]
    assert {said["id"], named["id"], before["id"], both["id"]} <= set(ids)
    assert len(ids) == len(set(ids))  # a fact naming both ids is listed once
    item = next(f for f in timeline["facts"] if f["id"] == said["id"])
    assert item["mentions"] == ["org/hmic"]  # views speak of the subject, whichever id the source used
    via_alias = await (await client.get("/v1/subjects/org/hmicfrs/timeline")).json()
    assert via_alias["subject"] == "org/hmic" and [f["id"] for f in via_alias["facts"]] == [f["id"] for f in timeline["facts"]]
    summary = await (await client.get("/v1/subjects/org/hmicfrs")).json()
    assert (summary["id"], summary["aliases"], summary["name"]["name"]) == ("org/hmic", ["org/hmicfrs"], "HMICFRS")
    listed = [s["id"] for s in (await (await client.get("/v1/subjects", params={"kind": "org"})).json())["subjects"]]
    assert "org/hmicfrs" not in listed and "org/hmic" in listed
    # As known before the merge, the two ids were two subjects.
    earlier = await (await client.get("/v1/subjects/org/hmicfrs/timeline", params={"known_at": str(before["position"] - 1)})).json()
    assert earlier["subject"] == "org/hmicfrs" and named["id"] not in {f["id"] for f in earlier["facts"]}


async def test_claims_about_one_slot_under_two_ids_compete_once_the_ids_are_merged(client):
    await post(client, rating("effectiveness", "inadequate"))
    press = await post(client, rating("effectiveness", "good", source=ITV, subject="force/cleveland-police"))
    assert (await status(client))["ratings"]["effectiveness"]["disputed_by"] == []
    merge = await post(client, merged("force/cleveland-police", CLEVELAND))
    effectiveness = (await status(client))["ratings"]["effectiveness"]
    assert (effectiveness["grade"], [d["fact"] for d in effectiveness["disputed_by"]]) == ("inadequate", [press["id"]])
    retracted = await client.post(f"/v1/facts/{merge['id']}/retractions", json={"reason": "two forces after all", "expected_version": 1})
    assert retracted.status == 201
    assert (await status(client))["ratings"]["effectiveness"]["disputed_by"] == []


async def test_a_merge_joins_two_ids_of_one_kind(client):
    for into in ("force/cleveland", "person/cleveland"):
        response = await client.post("/v1/facts", json=merged("force/cleveland", into))
        assert response.status == 422 and (await response.json())["errors"][0]["field"] == "data.into"
