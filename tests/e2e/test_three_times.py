"""The three times over HTTP on the seed: valid time (`as_of`, certain or possible), publication time
(`reported_by`) and record time (`known_at`), and what changed between two moments of the log."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import rating

STATUS = "/v1/subjects/force/bedfordshire/status"


async def effectiveness(client, **query) -> tuple[str, str]:
    body = await (await client.get(STATUS, params=query)).json()
    current = body["ratings"]["effectiveness"]
    return current["grade"], current["inspection"]


async def test_reported_by_the_day_before_the_article_the_official_2015_grade_stands(client):
    assert await effectiveness(client, reported_by="2017-03-01") == ("requires-improvement", "PEEL 2015")


async def test_reported_by_the_articles_day_the_force_is_inadequate(client):
    assert await effectiveness(client, reported_by="2017-03-02") == ("inadequate", "PEEL 2016")


async def test_reported_by_combines_with_as_of(client):
    body = await (await client.get(STATUS, params={"reported_by": "2017-03-01", "as_of": "2017-03-03"})).json()
    assert (body["reported_by"], body["as_of"]) == ("2017-03-01", "2017-03-03")
    assert body["ratings"]["effectiveness"]["grade"] == "requires-improvement"


async def test_reported_by_hides_what_was_published_later_from_every_view(client):
    ratings = await (await client.get("/v1/ratings", params={"pillar": "effectiveness", "reported_by": "2017-03-01"})).json()
    assert {(row["subject"], row["inspection"]) for row in ratings["ratings"]} == {("force/bedfordshire", "PEEL 2015")}
    timeline = await (await client.get("/v1/subjects/force/bedfordshire/timeline", params={"reported_by": "2016-12"})).json()
    assert timeline["facts"] and all(f["source"]["published"] <= "2016-12-01" for f in timeline["facts"])
    sources = await (await client.get("/v1/sources", params={"reported_by": "2017-03-01"})).json()
    assert all(document["published"] <= "2017-03-01" for document in sources["documents"])


async def test_as_of_within_an_uncertain_date_lists_the_fact_as_possible_not_standing(client):
    """The Comet's 'good' is dated 2016: on 1 June 2016 it may have happened, but need not have."""
    body = await (await client.get(STATUS, params={"as_of": "2016-06-01"})).json()
    assert [(p["data"]["grade"], p["occurred"], p["in_effect"], p["possible_days"]) for p in body["possible"]] == [
        ("good", "2016", "possible", ["2016-01-01", "2016-12-31"])
    ]
    assert body["ratings"]["effectiveness"]["grade"] == "requires-improvement"
    timeline = await (await client.get("/v1/subjects/force/bedfordshire/timeline", params={"as_of": "2016-06-01"})).json()
    effect = {f["id"]: f["in_effect"] for f in timeline["facts"]}
    assert effect[body["possible"][0]["id"]] == "possible"
    assert "certain" in effect.values()


async def test_an_approximate_date_counts_only_once_its_fuzzy_bounds_have_passed(client):
    approximate = rating(subject="force/approxshire", occurred="2019~")
    assert (await client.post("/v1/facts", json=approximate)).status == 201
    during = await (await client.get("/v1/subjects/force/approxshire/status", params={"as_of": "2019-12-31"})).json()
    assert during["ratings"] == {} and [p["in_effect"] for p in during["possible"]] == ["possible"]
    after = await (await client.get("/v1/subjects/force/approxshire/status", params={"as_of": "2020-12-31"})).json()
    assert after["ratings"]["effectiveness"]["grade"] == "good" and after["possible"] == []


async def test_every_view_answer_says_which_log_position_it_reflects(client):
    for path in [STATUS, "/v1/ratings", "/v1/subjects", "/v1/sources", "/v1/subjects/force/bedfordshire/timeline"]:
        response = await client.get(path)
        assert int(response.headers["Timeline-Position"]) == (await response.json())["position"], path


async def test_changes_lists_facts_added_and_corrected_and_each_subjects_ratings_before_and_after(client):
    start = (await (await client.get("/v1/subjects")).json())["position"]
    first = await (await client.post("/v1/facts", json=rating(subject="force/changeshire"))).json()
    fixed = rating()["data"] | {"grade": "inadequate"}
    await client.post(f"/v1/facts/{first['id']}/corrections", json={"reason": "typo", "expected_version": 1, "changes": {"data": fixed}})
    body = await (await client.get("/v1/changes", params={"since": str(start)})).json()
    assert [(c["id"], c["change"]) for c in body["changes"]] == [(first["id"], "recorded"), (first["id"], "corrected")]
    assert body["since"] == start and body["until"] == start + 2
    moved = {m["subject"]: m for m in body["subjects"]}
    assert moved["force/changeshire"]["before"] == {}
    assert moved["force/changeshire"]["after"]["effectiveness"]["grade"] == "inadequate"


async def test_changes_pinned_by_both_ends_answer_the_same_after_later_writes(client):
    start = (await (await client.get("/v1/subjects")).json())["position"]
    await client.post("/v1/facts", json=rating(subject="force/pinshire"))
    query = {"since": str(start), "until": str(start + 1)}
    before = await (await client.get("/v1/changes", params=query)).json()
    await client.post("/v1/facts", json=rating(subject="force/pinshire", data=rating()["data"] | {"inspection": "PEEL 2019"}))
    after = await (await client.get("/v1/changes", params=query)).json()
    assert {k: v for k, v in after.items() if k != "position"} == {k: v for k, v in before.items() if k != "position"}


async def test_changes_page_through_a_subjects_changes_without_repeats(client):
    start = (await (await client.get("/v1/subjects")).json())["position"]
    posted = [await (await client.post("/v1/facts", json=rating(subject="force/pageshire"))).json() for _ in range(5)]
    await client.post("/v1/facts", json=rating(subject="force/othershire"))
    ids, cursor = [], None
    while True:
        query = {"since": str(start), "subject": "force/pageshire", "limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = await (await client.get("/v1/changes", params=query)).json()
        ids += [c["id"] for c in page["changes"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert ids == [p["id"] for p in posted]


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "since"), ({"since": "yesterday"}, "since"), ({"since": "0", "until": "x"}, "until"), ({"since": "0", "cursor": "bogus"}, None)],
)
async def test_bad_changes_queries_are_400s(client, query, field):
    response = await client.get("/v1/changes", params=query)
    assert response.status == 400 and response.content_type == "application/problem+json"
    if field:
        assert field in [e["field"] for e in (await response.json())["errors"]]


async def test_a_bad_reported_by_is_a_400_naming_it(client):
    response = await client.get(STATUS, params={"reported_by": "March"})
    assert response.status == 400
    assert [e["field"] for e in (await response.json())["errors"]] == ["reported_by"]


@pytest.mark.parametrize(
    ("path", "typo"),
    [
        ("/v1/subjects/force/bedfordshire/timeline", "typ"),
        ("/v1/ratings", "pilar"),
        (STATUS, "asof"),
        ("/v1/changes", "snice"),
    ],
)
@pytest.mark.finding(9)
async def test_an_unknown_query_parameter_is_a_400_naming_it_and_what_the_resource_takes(client, path, typo):
    response = await client.get(path, params={typo: "x", "since": "0"} if path == "/v1/changes" else {typo: "x"})
    problem = await response.json()
    assert response.status == 400 and [e["field"] for e in problem["errors"]] == [typo]
    assert "this resource takes" in problem["detail"]
