"""The log and its stream filtered by subject and type (issue 15, item 3), as EventSourcingDB's observe is.

`subject` names subjects (one or several) or whole kinds (`force/`); an event matches when its fact
names one of them, as `/v1/changes?subject=` does. `type` is an event's name (`fact.retracted`) or its
fact's type (`rating.published`). Resuming a filtered stream by Last-Event-ID neither repeats nor skips.
"""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from tests.conftest import SEEDED_HEAD
from tests.e2e.conftest import rating
from tests.e2e.sse import connected, next_event
from timeline.http.server import create_app
from timeline.references import references


async def positions(client, **query: str) -> list[int]:
    response = await client.get("/v1/events", params={"limit": "1000", **query})
    assert response.status == 200, await response.text()
    return [event["position"] for event in (await response.json())["events"]]


async def every_event(client) -> list[dict]:
    return (await (await client.get("/v1/events", params={"limit": "1000"})).json())["events"]


def named(event: dict) -> list[str]:
    """The subjects a fact's event names (its subject, mentions and subject-valued data); none for other events."""
    fact = event.get("fact")
    return references(fact["type"], fact["subject"], fact["mentions"], fact["data"]) if fact else []


@pytest.fixture
async def story(client):
    """Testshire's rating recorded, corrected and retracted; Kent's rating; a statement by a person about Testshire."""
    testshire, kent = rating(), rating(subject="force/kentshire")
    statement = {
        "type": "statement.made", "subject": "person/jane-doe", "occurred": "2019-05-02", "mentions": ["force/testshire"],
        "data": {"speaker": "person/jane-doe", "stance": "welcomes", "summary": "welcomes the grade"},
        "source": {"publisher": "The Comet", "url": "https://example.org/s", "published": "2019-05-02", "kind": "press"},
    }
    made = {}
    for name, body in (("testshire", testshire), ("kent", kent), ("statement", statement)):
        response = await client.post("/v1/facts", json=body)
        assert response.status == 201, await response.text()
        made[name] = (await response.json())["position"]
    corrected = await client.post(f"/v1/facts/{testshire['id']}/corrections", json={"expected_version": 1, "reason": "month only", "changes": {"occurred": "2019-05"}})
    retracted = await client.post(f"/v1/facts/{testshire['id']}/retractions", json={"expected_version": 2, "reason": "wrong force"})
    made["corrected"], made["retracted"] = (await corrected.json())["position"], (await retracted.json())["position"]
    return made


async def test_a_subject_gives_every_event_of_the_facts_naming_it_retractions_included(client, story):
    testshire = [story["testshire"], story["statement"], story["corrected"], story["retracted"]]
    assert await positions(client, subject="force/testshire") == sorted(testshire)
    assert await positions(client, subject="force/kentshire") == [story["kent"]]
    both = sorted([*testshire, story["kent"]])
    assert await positions(client, subject="force/testshire,force/kentshire") == both
    response = await client.get("/v1/events?limit=1000&subject=force/testshire&subject=force/kentshire")  # repeated, as well as listed
    assert [e["position"] for e in (await response.json())["events"]] == both


async def test_a_kind_gives_every_event_naming_a_subject_of_that_kind_and_no_documents(client, story):
    events = await every_event(client)
    forces = await positions(client, subject="force/")
    expected = [e["position"] for e in events if any(s.startswith("force/") for s in named(e))]
    assert story["retracted"] in forces  # a retraction names what its fact named
    assert [p for p in forces if p != story["retracted"]] == expected
    assert not {e["position"] for e in events if e["event"] in ("document.recorded", "framework.defined")} & set(forces)
    assert await positions(client, subject="person/", after=str(SEEDED_HEAD)) == [story["statement"]]


async def test_a_type_is_an_events_name_or_its_facts_type_and_combines_with_subject(client, story):
    assert await positions(client, type="fact.retracted") == [story["retracted"]]
    ratings = await positions(client, type="rating.published", after=str(SEEDED_HEAD))
    assert ratings == sorted([story["testshire"], story["kent"], story["corrected"], story["retracted"]])
    documents = await positions(client, type="document.recorded")
    assert documents and all(e["event"] == "document.recorded" for e in await every_event(client) if e["position"] in documents)
    assert await positions(client, subject="force/testshire", type="statement.made,fact.corrected") == [story["statement"], story["corrected"]]
    assert await positions(client, subject="force/kentshire", type="fact.retracted") == []


async def test_a_filtered_page_in_cloudevents_holds_only_what_the_filter_wants(client, story):
    response = await client.get("/v1/events", params={"subject": "force/kentshire"}, headers={"Accept": "application/cloudevents-batch+json"})
    assert [int(e["id"]) for e in await response.json(content_type=None)] == [story["kent"]]
    assert int(response.headers["Timeline-Next-After"]) >= story["kent"]


async def test_a_filtered_page_looks_at_a_bounded_number_of_events_and_next_after_goes_on_to_the_head(aiohttp_client, settings):
    client = await aiohttp_client(create_app(dataclasses.replace(settings, events_scan=7)))
    for subject in ["force/kentshire", "force/essexshire"] * 6:
        await client.post("/v1/facts", json=rating(subject=subject))
    wanted, after, pages = [], 0, 0
    while True:
        response = await client.get("/v1/events", params={"subject": "force/kentshire", "after": str(after)})
        body = await response.json()
        positions_seen = [e["position"] for e in await every_event(client) if after < e["position"] <= body["next_after"]]
        assert len(positions_seen) <= 7  # the page looked at no more than events_scan events
        assert int(response.headers["Timeline-Next-After"]) == body["next_after"]
        wanted += [e["position"] for e in body["events"]]
        after, pages = body["next_after"], pages + 1
        if after == body["head"]:
            break
    assert pages > 2
    assert wanted == [e["position"] for e in await every_event(client) if "force/kentshire" in named(e)]
    assert len(wanted) >= 6


async def test_a_filtered_stream_sends_only_what_it_wants_and_resumes_by_last_event_id_without_repeats_or_gaps(client):
    stream = await connected(client, params={"subject": "force/testshire", "type": "rating.published"})
    await client.post("/v1/facts", json=rating(subject="force/kentshire"))  # not wanted
    wanted = await (await client.post("/v1/facts", json=rating())).json()
    first = await next_event(stream)
    assert (int(first["id"]), first["event"]) == (wanted["position"], "fact.recorded")
    assert orjson.loads(first["data"])["fact"]["subject"] == "force/testshire"
    stream.close()

    missed = []
    for body in (rating(subject="force/kentshire"), rating(), rating(subject="force/kentshire"), rating()):  # while disconnected
        receipt = await (await client.post("/v1/facts", json=body)).json()
        if body["subject"] == "force/testshire":
            missed.append(receipt["position"])
    resumed = await connected(client, params={"subject": "force/testshire", "type": "rating.published"}, headers={"Last-Event-ID": first["id"]})
    assert [int((await next_event(resumed))["id"]) for _ in missed] == missed
    live = await (await client.post("/v1/facts", json=rating())).json()
    assert int((await next_event(resumed))["id"]) == live["position"]  # nothing repeated before it
    resumed.close()


async def test_a_filtered_stream_from_the_start_sends_what_the_filtered_log_lists(client, story):
    listed = await positions(client, subject="force/testshire")
    stream = await connected(client, params={"subject": "force/testshire"}, headers={"Last-Event-ID": "0"})
    assert [int((await next_event(stream))["id"]) for _ in listed] == listed
    stream.close()


@pytest.mark.parametrize("path", ["/v1/events", "/v1/events/stream"])
@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"typ": "fact.recorded"}, "typ"),  # a typo is not silently ignored
        ({"subjects": "force/kentshire"}, "subjects"),
        ({"subject": "kent"}, "subject"),  # no kind
        ({"subject": "planet/"}, "subject"),  # no such kind
        ({"type": "rating.publish"}, "type"),
    ],
)
async def test_unknown_or_malformed_filters_are_a_400_naming_them(client, path, query, named):
    response = await client.get(path, params=query)
    assert response.status == 400, await response.text()
    assert response.content_type == "application/problem+json"
    body = await response.json(content_type=None)
    assert named in [e["field"] for e in body["errors"]]
