"""The second bundled story, Cleveland Police from 2019, read over HTTP as a newsroom would.

Every record in seeds/stories/cleveland-2019/ comes from a stored public page, quoted verbatim;
these tests pin what the story says once loaded beside the first one.
"""

from __future__ import annotations

CLEVELAND = "/v1/subjects/force/cleveland"


async def status(client, **query) -> dict:
    response = await client.get(f"{CLEVELAND}/status", params=query)
    assert response.status == 200, await response.text()
    return await response.json()


async def test_in_autumn_2019_every_peel_pillar_is_inadequate_and_the_force_is_in_engage(client):
    autumn = await status(client, as_of="2019-10-01")
    pillars = {area: rating["grade"] for area, rating in autumn["ratings"].items() if rating["framework"]["supported"]}
    assert pillars == {"effectiveness": "inadequate", "efficiency": "inadequate", "legitimacy": "inadequate"}
    assert autumn["monitoring"]["state"] == "engage"
    # The press's "inadequate overall" is kept, as its claim, and shown as a grade PEEL 2018/19 does not give.
    overall = autumn["ratings"]["overall"]
    assert (overall["source"]["kind"], overall["framework"]["supported"]) == ("press", False)


async def test_the_force_leaves_engage_in_september_2023(client):
    assert (await status(client, as_of="2023-09-19"))["monitoring"]["state"] == "engage"
    after = await status(client, as_of="2023-09-21")
    assert after["monitoring"]["state"] == "routine"
    assert after["monitoring"]["history"][0]["state"] == "engage"


async def test_its_chief_constable_and_commissioner_change_over_the_years(client):
    def holders(answer: dict) -> set[str]:
        return {role["person"] for role in answer["roles"]}

    assert {"person/richard-lewis", "person/barry-coppinger"} <= holders(await status(client, as_of="2019-10-01"))
    later = holders(await status(client, as_of="2023-06-01"))
    assert {"person/mark-webster", "person/steve-turner"} <= later and "person/richard-lewis" not in later


async def test_2023_25_grades_are_not_compared_with_2021_22_ones(client):
    latest = (await status(client))["ratings"]
    assert (latest["preventing-crime"]["grade"], latest["preventing-crime"]["change"]) == ("good", "not-comparable")
    assert latest["preventing-crime"]["previous"]["grade"] == "inadequate"
    assert latest["use-of-resources"]["framework"]["supported"] is True  # an area the 2021/22 edition gained


async def test_a_source_dated_only_approximately_is_public_from_its_last_possible_day(client):
    documents = {d["id"]: d for d in (await (await client.get("/v1/sources")).json())["documents"]}
    assert documents["hartlepoolmail-2025-04-peel-2023-25"]["published"] == "2025-04?"
    early = {d["id"] for d in (await (await client.get("/v1/sources", params={"reported_by": "2025-04-20"})).json())["documents"]}
    assert "hartlepoolmail-2025-04-peel-2023-25" not in early


async def test_the_sources_disagreements_are_kept_and_shown(client):
    timeline = (await (await client.get(f"{CLEVELAND}/timeline", params={"limit": "200"})).json())["facts"]
    # Two ITV pieces of one day: six chief constables, or the fifth in six years. One stands; neither is lost.
    counts = {f["data"]["value"]: f["claim"] for f in timeline if f["type"] == "figure.reported" and f["data"]["measure"] == "chief constables in almost as many years"}
    assert sorted(counts) == [5, 6]
    assert sorted(claim["stands"] for claim in counts.values()) == [False, True]
    assert all(len(claim["disputed_by"]) == 1 for claim in counts.values())
    overruled = next(claim for claim in counts.values() if not claim["stands"])
    assert overruled["disputes"] is True and overruled["standing"]["value"] in counts
