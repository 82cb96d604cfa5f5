"""The HTTP API, resource by resource, over real HTTP on a real store."""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import uuid

import pytest

from tests.conftest import SEEDED_HEAD
from tests.e2e.conftest import rating

ARTICLE = "comet-2017-03-02-bedfordshire-inadequate"


async def problem(response, status):
    assert response.status == status, await response.text()
    assert response.content_type == "application/problem+json"
    body = await response.json(content_type=None)
    assert body["status"] == status and body["detail"]
    return body


async def head(client) -> int:
    return (await (await client.get("/healthz")).json())["position"]


# Recording facts


async def test_posting_a_fact_stores_it_and_answers_201_with_its_receipt_and_location(client):
    body = rating()
    response = await client.post("/v1/facts", json=body)
    assert response.status == 201
    receipt = await response.json()
    assert (receipt["id"], receipt["version"], receipt["created"]) == (body["id"], 1, True)
    assert receipt["position"] == await head(client)
    assert receipt["recorded_at"].endswith("+00:00")
    assert response.headers["Location"] == f"/v1/facts/{body['id']}"
    stored = await (await client.get(response.headers["Location"])).json()
    assert (stored["data"], stored["history"][0]["position"]) == (body["data"], receipt["position"])


async def test_reposting_the_same_fact_answers_200_with_the_original(client):
    body = rating()
    first = await (await client.post("/v1/facts", json=body)).json()
    again = await client.post("/v1/facts", json=copy.deepcopy(body))
    assert again.status == 200
    assert await again.json() == first | {"created": False}


async def test_the_same_id_with_other_content_is_a_409(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    body["data"]["grade"] = "inadequate"
    await problem(await client.post("/v1/facts", json=body), 409)


async def test_a_batch_is_atomic_and_reports_the_index_of_the_bad_record(client):
    before = await head(client)
    response = await client.post("/v1/facts", json=[rating(), rating(occurred="someday")])
    body = await problem(response, 422)
    assert body["errors"] == [{"field": "occurred", "message": "'someday' is not a valid EDTF date", "index": 1}]
    assert await head(client) == before
    ok = await client.post("/v1/facts", json=[rating(), rating()])
    assert ok.status == 201
    assert [r["version"] for r in (await ok.json())["receipts"]] == [1, 1]


@pytest.mark.parametrize(
    ("send", "status", "field"),
    [
        (lambda b: b.update(type="rumour.heard"), 422, "type"),
        (lambda b: b.update(occurred="2019-13-45"), 422, "occurred"),
        (lambda b: b.update(subject="Testshire Police"), 422, "subject"),
        (lambda b: b.update(subject="army/testshire"), 422, "subject"),
        (lambda b: b.update(mentions="org/hmic"), 422, "mentions"),
        (lambda b: b["data"].update(grade=3), 422, "data.grade"),
        (lambda b: b.update(position=99, recorded_at="2000-01-01T00:00:00Z"), 422, "(record)"),
        (lambda b: b["source"].update(document=ARTICLE, quote="Testshire is the best force in the land"), 422, "source.quote"),
        (lambda b: b["source"].update(document="no-such-document"), 422, "source.document"),
    ],
)
async def test_invalid_facts_are_refused_with_the_failing_field_and_nothing_is_stored(client, send, status, field):
    body = rating()
    send(body)
    before = await head(client)
    response = await problem(await client.post("/v1/facts", json=body), status)
    assert field in [e["field"] for e in response["errors"]], response
    assert await head(client) == before


async def test_malformed_json_is_a_400(client):
    response = await client.post("/v1/facts", data=b'{"type": "rating.published",', headers={"Content-Type": "application/json"})
    assert "not valid JSON" in (await problem(response, 400))["detail"]


async def test_invalid_utf8_is_a_400(client):
    response = await client.post("/v1/facts", data=b'{"subject": "\xff\xfe"}', headers={"Content-Type": "application/json"})
    await problem(response, 400)


async def test_a_body_that_is_not_json_is_a_415(client):
    await problem(await client.post("/v1/facts", data=b"type=rating", headers={"Content-Type": "text/plain"}), 415)


async def test_an_empty_batch_is_a_422(client):
    await problem(await client.post("/v1/facts", json=[]), 422)


async def test_an_oversized_body_is_a_413(aiohttp_client, settings):
    import dataclasses

    from timeline.http.server import create_app

    small = await aiohttp_client(create_app(dataclasses.replace(settings, max_body_bytes=2048, max_batch=3)))
    padded = rating(data=rating()["data"] | {"summary": "x" * 1900})
    await problem(await small.post("/v1/facts", json=[padded, padded]), 413)
    await problem(await small.post("/v1/facts", json=[rating() for _ in range(4)]), 413)


# Corrections and retractions


async def test_a_correction_with_the_expected_version_makes_version_2(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    response = await client.post(
        f"/v1/facts/{body['id']}/corrections",
        json={"expected_version": 1, "reason": "the report gives only the month", "changes": {"occurred": "2019-05"}},
    )
    assert response.status == 201
    assert (await response.json())["version"] == 2
    stored = await (await client.get(f"/v1/facts/{body['id']}")).json()
    assert (stored["occurred"], [h["change"] for h in stored["history"]]) == ("2019-05", ["recorded", "corrected"])


async def test_a_stale_correction_is_a_409_naming_the_current_version(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    correction = {"expected_version": 1, "reason": "typo", "changes": {"occurred": "2019-05"}}
    assert (await client.post(f"/v1/facts/{body['id']}/corrections", json=correction)).status == 201
    another = correction | {"reason": "another reading", "changes": {"occurred": "2019"}}
    stale = await problem(await client.post(f"/v1/facts/{body['id']}/corrections", json=another), 409)
    assert stale["current_version"] == 2


async def test_if_match_carries_the_expected_version(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    etag = (await client.get(f"/v1/facts/{body['id']}")).headers["ETag"]
    change = {"reason": "typo", "changes": {"occurred": "2019-05"}}
    assert (await client.post(f"/v1/facts/{body['id']}/corrections", json=change, headers={"If-Match": etag})).status == 201
    # The same correction again is a retry (200); another change on the version read is a conflict.
    assert (await client.post(f"/v1/facts/{body['id']}/corrections", json=change, headers={"If-Match": etag})).status == 200
    other = change | {"changes": {"occurred": "2019"}}
    await problem(await client.post(f"/v1/facts/{body['id']}/corrections", json=other, headers={"If-Match": etag}), 409)


async def test_a_weak_if_match_carries_the_expected_version_too(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    response = await client.post(f"/v1/facts/{body['id']}/retractions", json={"reason": "wrong"}, headers={"If-Match": 'W/"1"'})
    assert response.status == 201


@pytest.mark.parametrize("header", ["1", '"1", "2"', "*", '"1'])
async def test_an_if_match_that_is_not_one_quoted_version_is_a_400_naming_it(client, header):
    body = rating()
    await client.post("/v1/facts", json=body)
    response = await client.post(f"/v1/facts/{body['id']}/retractions", json={"reason": "wrong"}, headers={"If-Match": header})
    refused = await problem(response, 400)
    assert [error["field"] for error in refused["errors"]] == ["If-Match"]


async def test_a_change_without_an_expected_version_is_a_428(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    await problem(await client.post(f"/v1/facts/{body['id']}/retractions", json={"reason": "wrong"}), 428)


async def test_a_retraction_keeps_the_fact_and_refuses_later_corrections(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    retracted = await client.post(f"/v1/facts/{body['id']}/retractions", json={"reason": "wrong force", "expected_version": 1})
    assert retracted.status == 201
    stored = await (await client.get(f"/v1/facts/{body['id']}")).json()
    assert (stored["retracted"], stored["version"]) == (True, 2)
    change = {"expected_version": 2, "reason": "late", "changes": {"occurred": "2019"}}
    await problem(await client.post(f"/v1/facts/{body['id']}/corrections", json=change), 409)


async def test_a_correction_that_makes_the_fact_invalid_is_a_422(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    change = {"expected_version": 1, "reason": "typo", "changes": {"data": body["data"] | {"grade": "Superb!"}}}
    assert [e["field"] for e in (await problem(await client.post(f"/v1/facts/{body['id']}/corrections", json=change), 422))["errors"]] == ["data.grade"]


async def test_unknown_and_malformed_fact_ids(client):
    await problem(await client.get(f"/v1/facts/{uuid.uuid4()}"), 404)
    await problem(await client.get("/v1/facts/not-a-uuid"), 400)
    await problem(await client.post(f"/v1/facts/{uuid.uuid4()}/retractions", json={"reason": "x", "expected_version": 1}), 404)


# Documents


async def test_a_document_is_stored_and_read_back_with_its_text_and_quotes_can_cite_it(client):
    document = {"id": "press-note-1", "publisher": "Testshire Police", "url": "https://example.org/n1",
                "published": "2019-05-02", "kind": "statement", "text": "We accept   the findings in full."}
    response = await client.post("/v1/documents", json=document)
    assert response.status == 201 and response.headers["Location"] == "/v1/documents/press-note-1"
    stored = await (await client.get("/v1/documents/press-note-1")).json()
    assert stored["text"] == document["text"] and len(stored["sha256"]) == 64
    quoting = rating(type="statement.made", data={"speaker": "force/testshire", "stance": "acknowledges", "summary": "accepts"},
                     source={"publisher": "Testshire Police", "url": "https://example.org/n1", "published": "2019-05-02",
                             "kind": "statement", "document": "press-note-1", "quote": "We accept the findings in full."})
    assert (await client.post("/v1/facts", json=quoting)).status == 201
    await problem(await client.get("/v1/documents/nothing-here"), 404)


async def test_a_source_citing_a_document_cannot_describe_it_otherwise(client):
    """Its kind decides which claim stands: a press article cited as 'official' would outrank the record."""
    article = {"id": "gazette-1", "publisher": "Testshire Gazette", "url": "https://example.org/g1", "published": "2019-05",
               "kind": "press", "text": "The force was rated good, the paper said.", "archived_url": "https://archive.example.org/g1"}
    assert (await client.post("/v1/documents", json=article)).status == 201
    cited = {"publisher": "Testshire Gazette", "url": "https://example.org/g1", "published": "2019-05", "kind": "press",
             "document": "gazette-1", "quote": "rated good"}
    before = await head(client)
    wrong = cited | {"publisher": "The Sun", "kind": "official", "published": "1999-01-01", "url": "https://example.com/x"}
    body = await problem(await client.post("/v1/facts", json=rating(source=wrong)), 422)
    assert {e["field"] for e in body["errors"]} == {"source.publisher", "source.kind", "source.published", "source.url"}
    assert "'Testshire Gazette'" in next(e["message"] for e in body["errors"] if e["field"] == "source.publisher")
    assert await head(client) == before
    several = rating(sources=[rating()["source"], cited | {"kind": "official"}])
    several.pop("source")
    body = await problem(await client.post("/v1/facts", json=several), 422)
    assert [e["field"] for e in body["errors"]] == ["sources.1.kind"]
    assert (await client.post("/v1/facts", json=rating(source=cited))).status == 201
    archived = cited | {"url": "https://archive.example.org/g1"}  # its archived copy is the same document
    assert (await client.post("/v1/facts", json=rating(source=archived))).status == 201


# Views


async def test_status_as_of_and_known_at_over_http(client):
    status = await (await client.get("/v1/subjects/force/bedfordshire/status", params={"as_of": "2017-03-03"})).json()
    effectiveness = status["ratings"]["effectiveness"]
    assert (effectiveness["grade"], effectiveness["change"], effectiveness["previous"]["grade"]) == ("inadequate", "down", "requires-improvement")
    earlier = await (await client.get("/v1/subjects/force/bedfordshire/status", params={"as_of": "2016-06-01"})).json()
    assert earlier["ratings"]["effectiveness"]["grade"] == "requires-improvement"
    known = await (await client.get("/v1/subjects/force/bedfordshire/status", params={"as_of": "2017-03-03", "known_at": "21"})).json()
    assert (known["known_at"], known["ratings"]["effectiveness"]["previous"]["grade"]) == (21, "good")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/subjects/force/bedfordshire/status", {"as_of": "the spring"}),
        ("/v1/subjects/force/bedfordshire/status", {"known_at": "yesterday"}),
        ("/v1/subjects/force/bedfordshire/status", {"known_at": "2017-03-02T12:00:00"}),  # no offset: ambiguous
        ("/v1/subjects/force/bedfordshire/timeline", {"limit": "0"}),
        ("/v1/subjects/force/bedfordshire/timeline", {"limit": "ten"}),
        ("/v1/subjects/force/bedfordshire/timeline", {"type": "rumour.heard"}),
        ("/v1/subjects/force/bedfordshire/timeline", {"cursor": "not-ours"}),
        ("/v1/subjects/force/bedfordshire/timeline", {"include_retracted": "perhaps"}),
        ("/v1/subjects/army/bedfordshire/status", {}),
        ("/v1/subjects/force/Bedfordshire/status", {}),
        ("/v1/subjects", {"kind": "army"}),
        ("/v1/ratings", {"pillar": "Kindness!"}),
        ("/v1/ratings", {"format": "xlsx"}),
        ("/v1/subjects/force/bedfordshire/timeline", {"format": "pdf"}),
        ("/v1/events", {"after": "-1"}),
        ("/v1/events", {"after": str(2**64)}),
        ("/v1/subjects/force/bedfordshire/status", {"known_at": str(2**64)}),
        ("/v1/subjects/force/bedfordshire/status", {"min_position": "soon"}),
    ],
)
async def test_bad_query_parameters_are_a_400(client, path, params):
    body = await problem(await client.get(path, params=params), 400)
    assert body["detail"]


async def test_a_subject_no_fact_names_is_a_404(client):
    await problem(await client.get("/v1/subjects/force/atlantis"), 404)


async def test_subjects_list_and_summary(client):
    forces = await (await client.get("/v1/subjects", params={"kind": "force"})).json()
    ids = [s["id"] for s in forces["subjects"]]
    # The stories' two forces, and every other one PEEL 2016's national grades name: the 43 of England and Wales, in order.
    assert ids == sorted(ids) and len(ids) == 43 and {"force/bedfordshire", "force/cleveland", "force/durham"} <= set(ids)
    summary = await (await client.get("/v1/subjects/force/bedfordshire")).json()
    assert summary["facts"] > 20 and summary["links"]["status"] == "/v1/subjects/force/bedfordshire/status"


async def test_timeline_filters_and_pages(client):
    params = {"type": "rating.published", "from": "2016", "to": "2016", "limit": "2"}
    first = await (await client.get("/v1/subjects/force/bedfordshire/timeline", params=params)).json()
    second = await (await client.get("/v1/subjects/force/bedfordshire/timeline", params=params | {"cursor": first["next_cursor"]})).json()
    assert [f["occurred"] for f in first["facts"] + second["facts"]] == ["2016", "2016-02-11", "2016-02-18", "2016-11-03"]
    assert second["next_cursor"] is None


async def test_pagination_neither_skips_nor_repeats_under_concurrent_writes(client):
    everything = await (await client.get("/v1/subjects/force/bedfordshire/timeline", params={"limit": "1000"})).json()
    seen, cursor = [], None
    while True:
        params = {"limit": "3"} | ({"cursor": cursor} if cursor else {})
        page, _ = await asyncio.gather(
            client.get("/v1/subjects/force/bedfordshire/timeline", params=params),
            client.post("/v1/facts", json=rating(subject="force/bedfordshire", occurred="2016-06-01")),
        )
        page = await page.json()
        seen += [f["id"] for f in page["facts"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [f["id"] for f in everything["facts"]]


async def test_statements_by_and_about_a_subject(client):
    holloway = await (await client.get("/v1/subjects/person/kathryn-holloway/statements")).json()
    assert {s["stance"] for s in holloway["by"]} >= {"welcomes", "disputes", "commits"}
    about = await (await client.get("/v1/subjects/force/bedfordshire/statements")).json()
    assert {s["speaker"] for s in about["about"]} >= {"person/kathryn-holloway", "person/jon-boutcher"}


async def test_ratings_across_forces_with_counts(client):
    await client.post("/v1/facts", json=rating(occurred="2017-03-02", data=rating()["data"] | {"inspection": "PEEL 2016"}))
    body = await (await client.get("/v1/ratings", params={"pillar": "effectiveness", "as_of": "2017-03-03", "min_position": str(await head(client))})).json()
    grades = {r["subject"]: r["grade"] for r in body["ratings"]}
    assert (grades["force/bedfordshire"], grades["force/testshire"], len(grades)) == ("inadequate", "good", 44)  # and the seed's 42 others
    assert body["counts"] == {"outstanding": 1, "good": 29, "requires-improvement": 13, "inadequate": 1, "not-graded": 0}


async def test_sources_list_documents_and_citing_facts(client):
    documents = {d["id"]: d for d in (await (await client.get("/v1/sources")).json())["documents"]}
    assert len(documents[ARTICLE]["cited_by"]) == 25  # the article's 20 facts, its figure and 4 names it gives


# Read-your-writes and caching


async def test_min_position_waits_for_the_write_to_reach_the_view(client):
    receipt = await (await client.post("/v1/facts", json=rating())).json()
    response = await client.get("/v1/subjects/force/testshire/status", params={"min_position": str(receipt["position"])})
    body = await response.json()
    assert body["position"] >= receipt["position"]
    assert body["ratings"]["effectiveness"]["grade"] == "good"


async def test_min_position_beyond_the_log_head_is_a_400(client):
    response = await client.get("/v1/subjects/force/bedfordshire/status", params={"min_position": "1000000"})
    assert f"the log ends at {SEEDED_HEAD}" in (await problem(response, 400))["detail"]


async def test_a_view_that_does_not_reach_min_position_in_time_is_a_503_with_retry_after(aiohttp_client, settings):
    import threading

    from timeline.http.keys import RUNNER
    from timeline.http.server import create_app

    client = await aiohttp_client(create_app(dataclasses.replace(settings, read_wait_seconds=0.5)))

    runner, release = client.app[RUNNER], threading.Event()
    catch_up = runner.catch_up

    def stuck(*args):  # a projector that cannot make progress (say, its database is locked)
        release.wait(timeout=30)
        return catch_up(*args)

    runner.catch_up = stuck
    try:
        receipt = await (await client.post("/v1/facts", json=rating())).json()
        response = await client.get("/v1/ratings", params={"pillar": "effectiveness", "min_position": str(receipt["position"])})
        await problem(response, 503)
        assert response.headers["Retry-After"] == "1"
    finally:
        release.set()
        runner.catch_up = catch_up


async def test_view_responses_carry_an_etag_and_if_none_match_gives_304(client):
    url = "/v1/subjects/force/bedfordshire/status"
    first = await client.get(url)
    etag = first.headers["ETag"]
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status == 304 and again.headers["ETag"] == etag
    receipt = await (await client.post("/v1/facts", json=rating(subject="force/bedfordshire"))).json()
    changed = await client.get(url, params={"min_position": str(receipt["position"])}, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["ETag"] != etag


@pytest.mark.parametrize("header", ["W/{etag}", '"other", {etag}'])
async def test_if_none_match_gives_304_for_a_weak_tag_or_one_of_a_list(client, header):
    url = "/v1/subjects/force/bedfordshire/status"
    etag = (await client.get(url)).headers["ETag"]
    assert (await client.get(url, headers={"If-None-Match": header.format(etag=etag)})).status == 304


@pytest.mark.parametrize("header", ["{bare}", "{etag} garbage", "*"])
async def test_an_if_none_match_that_names_no_tag_of_the_answer_gets_the_full_answer(client, header):
    url = "/v1/subjects/force/bedfordshire/status"
    etag = (await client.get(url)).headers["ETag"]
    again = await client.get(url, headers={"If-None-Match": header.format(etag=etag, bare=etag.strip('"'))})
    assert again.status == 200 and again.headers["ETag"] == etag


async def test_an_answer_is_computed_once_per_view_position_and_a_write_makes_a_fresh_one(client):
    from timeline.http.keys import VIEWS

    views, computed = client.app[VIEWS], []
    status = views.status
    views.status = lambda *args, **kwargs: computed.append(args) or status(*args, **kwargs)
    url = "/v1/subjects/force/bedfordshire/status"

    first, second = await client.get(url), await client.get(url)
    assert await first.read() == await second.read() and len(computed) == 1
    await client.get(url, params={"as_of": "2016-06-01"})  # another question: its own answer
    assert len(computed) == 2

    body = rating(subject="force/bedfordshire", data=rating()["data"] | {"pillar": "legitimacy", "grade": "outstanding"})
    receipt = await (await client.post("/v1/facts", json=body)).json()
    fresh = await (await client.get(url, params={"min_position": str(receipt["position"])})).json()
    assert fresh["ratings"]["legitimacy"]["grade"] == "outstanding" and len(computed) == 3


def test_the_answer_cache_keeps_the_most_recently_used_answers_within_its_bytes():
    from timeline.http.answers import AnswerCache

    cache = AnswerCache(max_bytes=400)
    cache.put(((), "/a", ()), (b"a" * 100, "1"))
    cache.put(((), "/b", ()), (b"b" * 100, "2"))
    assert cache.get(((), "/a", ())) == (b"a" * 100, "1")  # /a is now the most recent
    cache.put(((), "/c", ()), (b"c" * 100, "3"))
    cache.put(((), "/d", ()), (b"d" * 100, "4"))
    cache.put(((), "/e", ()), (b"e" * 100, "5"))  # 500 bytes: the least recently used (/b) goes
    assert cache.get(((), "/b", ())) is None and cache.get(((), "/a", ())) and len(cache) == 4
    cache.put(((), "/big", ()), (b"x" * 101, "6"))  # over a quarter of the cache: not kept
    assert cache.get(((), "/big", ())) is None and len(cache) == 4


# The log


async def test_events_page_through_the_log_in_order(client):
    first = await (await client.get("/v1/events", params={"limit": "10"})).json()
    assert [e["position"] for e in first["events"]] == list(range(1, 11))
    assert first["events"][0]["event"] == "document.recorded" and first["events"][1]["fact"]["type"] == "rating.published"
    rest = await (await client.get("/v1/events", params={"after": str(first["next_after"]), "limit": "1000"})).json()
    assert rest["events"][-1]["position"] == rest["head"] == SEEDED_HEAD


async def test_the_event_stream_resumes_after_last_event_id_without_repeats_or_gaps(client):
    async def read_events(response, count):
        events, current = [], {}
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("id: "):
                current["id"] = int(line[4:])
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line == "" and current:
                events.append(current)
                current = {}
                if len(events) == count:
                    return events
        return events

    stream = await client.get("/v1/events/stream", headers={"Last-Event-ID": "28"})
    assert stream.headers["Content-Type"] == "text/event-stream"
    backlog = await read_events(stream, SEEDED_HEAD - 28)  # the seed's last facts, then the framework editions
    assert [e["id"] for e in backlog] == list(range(29, SEEDED_HEAD + 1))
    assert backlog[-1]["event"] == "framework.defined"
    receipt = await (await client.post("/v1/facts", json=rating())).json()
    (live,) = await read_events(stream, 1)
    assert (live["id"], live["event"]) == (receipt["position"], "fact.recorded")
    stream.close()

    await client.post("/v1/facts", json=rating())  # recorded while disconnected
    resumed = await client.get("/v1/events/stream", headers={"Last-Event-ID": str(live["id"])})
    (missed,) = await read_events(resumed, 1)
    assert missed["id"] == receipt["position"] + 1
    resumed.close()


async def test_shutting_down_ends_open_event_streams_instead_of_waiting_for_them(client):
    stream = await client.get("/v1/events/stream")
    assert (await stream.content.readline()).startswith(b"retry:")

    await client.app.shutdown()

    async with asyncio.timeout(30):  # a guard, so that a regression fails rather than hangs
        assert await stream.content.read() == b": connected\n\n"  # the rest of the stream, then its end
    stream.close()


# Views' administration


async def test_projections_report_position_and_lag_and_rebuild_in_the_background(client):
    from timeline.http.keys import REBUILDS

    listed = await (await client.get("/v1/projections")).json()
    assert {p["name"]: p["lag"] for p in listed["projections"]} == {"documents": 0, "facts": 0, "search": 0}
    before = await (await client.get("/v1/subjects/force/bedfordshire/status")).json()
    response = await client.post("/v1/projections/facts/rebuild")
    assert response.status == 202
    await problem(await client.post("/v1/projections/facts/rebuild"), 409)
    await client.app[REBUILDS]["facts"]  # the rebuild task, awaited rather than polled
    assert await (await client.get("/v1/subjects/force/bedfordshire/status")).json() == before
    await problem(await client.post("/v1/projections/everything/rebuild"), 404)


async def test_unknown_routes_and_methods_are_problems_too(client):
    await problem(await client.get("/v1/nothing"), 404)
    response = await client.delete("/v1/facts")
    await problem(response, 405)
    assert "POST" in response.headers["Allow"]


async def test_two_concurrent_corrections_of_the_same_version_one_wins_one_gets_409(client):
    body = rating()
    await client.post("/v1/facts", json=body)
    first, second = await asyncio.gather(
        client.post(f"/v1/facts/{body['id']}/corrections", json={"expected_version": 1, "reason": "a", "changes": {"occurred": "2019-05"}}),
        client.post(f"/v1/facts/{body['id']}/corrections", json={"expected_version": 1, "reason": "b", "changes": {"occurred": "2019"}}),
    )
    assert sorted([first.status, second.status]) == [201, 409]
    stored = await (await client.get(f"/v1/facts/{body['id']}")).json()
    assert stored["version"] == 2


@pytest.mark.finding(9)
async def test_subjects_come_a_page_at_a_time_in_id_order_without_repeats(client):
    everything = [s["id"] for s in (await (await client.get("/v1/subjects")).json())["subjects"]]
    paged, after = [], ""
    while after is not None:
        page = await (await client.get("/v1/subjects", params={"limit": "3"} | ({"after": after} if after else {}))).json()
        assert len(page["subjects"]) <= 3
        paged += [s["id"] for s in page["subjects"]]
        after = page["next_after"]
    assert paged == everything == sorted(everything) and len(everything) > 3


async def test_a_subjects_disputed_claims_are_listed_beside_the_record_whatever_the_date(client):
    disputes = (await (await client.get("/v1/subjects/force/bedfordshire/disputes")).json())["disputes"]
    pairs = {(d["claim"]["source"]["publisher"], d["record"]["source"]["kind"], d["claim"]["type"]) for d in disputes}
    # The Comet's 'good' against HMIC's requires-improvement; its '28 forces' against the official 43.
    assert ("The Comet", "official", "rating.published") in pairs and ("The Comet", "official", "figure.reported") in pairs
    good = next(d for d in disputes if d["claim"]["type"] == "rating.published")
    assert (good["claim"]["data"]["grade"], good["record"]["data"]["grade"]) == ("good", "requires-improvement")
    assert good["claim"]["source"]["quote"]
    before = await (await client.get("/v1/subjects/force/bedfordshire/disputes", params={"reported_by": "2017-03-01"})).json()
    assert before["disputes"] == []  # The Comet had said nothing yet
    assert (await client.get("/v1/subjects/force/bedfordshire/disputes", params={"as_of": "2016"})).status == 400
