"""Dates from outside are bounded in length, and only plain ISO dates are parsed on the event loop."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.e2e.conftest import rating

pytestmark = pytest.mark.finding(1)

# An EDTF set of 650 dates: edtf's general parser takes seconds over it.
DATE_SET = "{" + ",".join(f"{2000 + n // 300}-01-{1 + n % 28:02d}" for n in range(650)) + "}"
SHORT_SET = "{2017-01-01,2017-02-01,2017-03-01}"
STATUS = "/v1/subjects/force/bedfordshire/status"
TIMELINE = "/v1/subjects/force/bedfordshire/timeline"


async def refused(response, status, field):
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    body = await response.json(content_type=None)
    assert field in body["detail"] or field in [e["field"] for e in body.get("errors", [])], body
    return body


@pytest.mark.parametrize(("path", "name"), [(STATUS, "as_of"), (TIMELINE, "from"), (TIMELINE, "to"), ("/v1/ratings", "as_of")])
async def test_a_long_date_parameter_is_refused_unparsed_while_healthz_answers(client, report, path, name):
    hostile = asyncio.ensure_future(client.get(path, params={name: DATE_SET}))
    health = await client.get("/healthz")
    assert health.status == 200
    body = await refused(await hostile, 400, name)
    assert "100 characters" in body["detail"]
    if name == "as_of" and path == STATUS:
        report.append("hostile date parameter (a 650-date EDTF set): refused by its length at once; /healthz answered meanwhile")


async def test_an_edtf_date_parameter_is_parsed_on_a_read_thread_and_a_plain_one_on_the_loop(client, monkeypatch):
    from timeline.http import params

    threads: list[tuple[str, str]] = []
    parse = params.parse_bounded

    def recorded(text):
        threads.append((text, threading.current_thread().name))
        return parse(text)

    monkeypatch.setattr(params, "parse_bounded", recorded)
    assert (await client.get(STATUS, params={"as_of": SHORT_SET})).status == 200
    assert (await client.get(STATUS, params={"as_of": "2017-03-03"})).status == 200
    assert threads[0][0] == SHORT_SET and threads[0][1].startswith("timeline-read")
    assert threads[1] == ("2017-03-03", threading.main_thread().name)


async def test_an_invalid_edtf_parameter_parsed_off_the_loop_is_still_a_400_naming_it(client):
    await refused(await client.get(TIMELINE, params={"from": "{2017-01-01,nonsense}"}), 400, "from")


@pytest.mark.parametrize(
    "fact",
    [
        rating(occurred=DATE_SET),
        rating(type="decision.pending", subject="decision/x", data={"title": "t", "decider": "org/hmic", "expected": DATE_SET}),
        rating(type="role.held", subject="person/p", data={"role": "r", "organisation": "org/hmic", "from": DATE_SET}),
        rating(type="role.held", subject="person/p", data={"role": "r", "organisation": "org/hmic", "to": DATE_SET}),
    ],
    ids=["occurred", "expected", "from", "to"],
)
async def test_a_long_edtf_field_in_a_write_is_refused_naming_the_field(client, fact):
    body = await refused(await client.post("/v1/facts", json=fact), 422, "")
    assert any("100" in e["message"] for e in body["errors"]), body


async def test_a_long_edtf_date_in_a_correction_is_refused(client):
    receipt = await (await client.post("/v1/facts", json=rating())).json()
    correction = {"reason": "r", "expected_version": 1, "changes": {"occurred": DATE_SET}}
    body = await refused(await client.post(f"/v1/facts/{receipt['id']}/corrections", json=correction), 422, "")
    assert body["errors"][0]["field"] == "changes.occurred"


async def test_a_small_fact_with_plain_dates_is_parsed_on_the_loop_and_one_with_an_edtf_date_on_a_read_thread(client, monkeypatch):
    from timeline.http.handlers import facts

    threads: list[tuple[str, str]] = []
    parse = facts.parse_fact

    def recorded(item, index):
        threads.append((item["occurred"], threading.current_thread().name))
        return parse(item, index)

    monkeypatch.setattr(facts, "parse_fact", recorded)
    assert (await client.post("/v1/facts", json=rating(occurred="2017-03-02"))).status == 201
    assert threads == [("2017-03-02", threading.main_thread().name)]
    threads.clear()
    unread = "{2009-04-01,2009-05-02,2009-06-03}"  # in no other test: no cache of this process holds it
    assert (await client.post("/v1/facts", json=rating(occurred=unread))).status == 201
    # Tried on the loop, which left the set to edtf's parser on a read thread.
    assert [name.startswith("timeline-read") for _, name in threads] == [False, True]
    await refused(await client.post("/v1/facts", json=rating(occurred="{2017-01-01,nonsense}")), 422, "occurred")
