"""Redaction: a legal takedown hides a fact's or a document's content everywhere it is read or exported,
while the log keeps the redaction and its hash chain still verifies (docs/redaction.md). On both backends."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import TOKEN
from timeline.application import Timeline
from timeline.chain import Verified
from timeline.config import Settings, settings_from
from timeline.http.keys import RUNNER, TIMELINE
from timeline.http.server import create_app
from timeline.log_file import export_log, import_log

pytestmark = pytest.mark.finding("redaction")

ADMIN = "admin-" + TOKEN
# What a takedown must remove: a private person's name and address, in a document, a fact's quote and data.
NAME = "Quentin Ozymandias Vexley"
ADDRESS = "17 Larkspur Close"
TEXT = f"Cleveland Police confirmed that {NAME}, of {ADDRESS}, had made the complaint about the force in 2019."
DOCUMENT = {
    "id": "gazette-2019-complaint", "publisher": "The Gazette", "url": "https://example.org/gazette/complaint",
    "published": "2019-07-01", "kind": "press", "text": TEXT,
}


def statement(**changes):
    body = {
        "id": str(uuid.uuid4()),
        "type": "statement.made",
        "subject": "force/cleveland",
        "occurred": "2019-07-01",
        "data": {"speaker": "force/cleveland", "stance": "acknowledges", "summary": f"A complaint was made by {NAME}."},
        "source": {
            "publisher": "The Gazette", "url": "https://example.org/gazette/complaint", "published": "2019-07-01",
            "kind": "press", "document": DOCUMENT["id"], "quote": f"{NAME}, of {ADDRESS}, had made the complaint",
        },
    }
    return body | changes


def rating():
    return {
        "id": str(uuid.uuid4()), "type": "rating.published", "subject": "force/cleveland", "occurred": "2019-09-27",
        "data": {"pillar": "effectiveness", "grade": "inadequate", "inspection": "PEEL 2018/19", "inspectorate": "org/hmicfrs"},
        "source": {"publisher": "HMICFRS", "url": "https://example.org/peel/cleveland", "published": "2019-09-27", "kind": "official"},
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def tokens(settings: Settings, spec: str) -> Settings:
    configured = settings_from({"TIMELINE_TOKENS": spec})
    return dataclasses.replace(settings, **{n: getattr(configured, n) for n in ("token_hashes", "admin_token_hashes", "token_names")})


@pytest.fixture
async def server(aiohttp_client, database):
    settings = tokens(Settings(database=database, seed=False, read_wait_seconds=30), f"writer={TOKEN},admin=legal={ADMIN}")
    return await aiohttp_client(create_app(settings))


async def write(client, path, body, token=TOKEN, status=201):
    response = await client.post(path, json=body, headers=bearer(token))
    assert response.status == status, await response.text()
    return await response.json()


def read_surfaces(fact_id: str, after: int) -> list[str]:
    """Every read a client (or the page) can make that might show the fact or the document."""
    subject = "/v1/subjects/force/cleveland"
    return [
        f"/v1/facts/{fact_id}",
        f"/v1/documents/{DOCUMENT['id']}",
        f"/v1/documents/{DOCUMENT['id']}?version=1",
        "/v1/events?limit=1000",
        f"/v1/events?limit=1000&subject=force/cleveland&after={after}",
        "/v1/subjects",
        f"{subject}",
        f"{subject}/status",
        f"{subject}/timeline",
        f"{subject}/timeline?format=timelinejs",
        f"{subject}/statements",
        f"{subject}/disputes",
        "/v1/sources",
        "/v1/changes?since=0",
        "/v1/ratings",
        "/v1/search?q=vexley",
        "/v1/search?q=larkspur+close",
        "/v1/search?q=complaint",
        "/v1/claim-reviews",
    ]


async def shown(client, path: str, known_at: int | None = None) -> str:
    params = {"known_at": str(known_at)} if known_at is not None and path.startswith("/v1/subjects/") else {}
    response = await client.get(path, params=params)
    expected = 410 if path.startswith(("/v1/facts/", "/v1/documents/")) else 200  # the records redacted: Gone
    assert response.status == expected, (path, response.status, await response.text())
    return await response.text()


async def test_a_redacted_fact_is_gone_from_every_read_and_export_and_the_chain_still_verifies(server, database, tmp_path):
    await write(server, "/v1/documents", DOCUMENT)
    kept = await write(server, "/v1/facts", rating())
    fact = statement()
    first = await write(server, "/v1/facts", fact)
    corrected = await write(
        server, f"/v1/facts/{fact['id']}/corrections",
        {"reason": f"transcribed {NAME}'s words wrongly", "changes": {"occurred": "2019-07-02"}, "expected_version": 1},
    )
    assert NAME in await (await server.get(f"/v1/facts/{fact['id']}")).text()

    redaction = await write(server, f"/v1/facts/{fact['id']}/redactions", {"reason": "data-protection request 2024-117"}, token=ADMIN)
    assert redaction["kind"] == "fact" and redaction["id"] == fact["id"] and redaction["version"] == 3 and redaction["created"]
    await write(server, "/v1/documents/" + DOCUMENT["id"] + "/redactions", {"reason": "data-protection request 2024-117"}, token=ADMIN)
    await server.get("/v1/subjects/force/cleveland/status", params={"min_position": str(redaction["position"] + 1)})

    gone = await server.get(f"/v1/facts/{fact['id']}")
    assert gone.status == 410 and gone.content_type == "application/problem+json"
    problem = await gone.json()
    assert problem["redaction"] == {"position": redaction["position"], "reason": "data-protection request 2024-117"}
    assert (await server.get(f"/v1/documents/{DOCUMENT['id']}")).status == 410
    for path in read_surfaces(fact["id"], after=0):
        # As of now and as of before the redaction: a takedown is not readable by going back in record time.
        for known_at in (None, corrected["position"], first["position"]):
            text = await shown(server, path, known_at)
            assert NAME not in text and ADDRESS not in text, path
    for position in (first["position"], corrected["position"]):
        event = await server.get(f"/v1/events/{position}")
        assert event.status == 200
        assert NAME not in await event.text() and (await event.json())["redacted"]["sha256"]
    for view in ("facts", "documents", "search"):  # views rebuilt from the log skip what was purged
        await asyncio.to_thread(server.app[RUNNER].rebuild, view)
    for path in read_surfaces(fact["id"], after=0):
        for known_at in (None, first["position"]):
            assert NAME not in await shown(server, path, known_at), path
    status = await (await server.get("/v1/subjects/force/cleveland/status")).text()
    assert "inadequate" in status  # the subject's other facts stand
    assert kept["id"] in await shown(server, "/v1/subjects/force/cleveland/timeline")

    timeline: Timeline = server.app[TIMELINE]
    assert isinstance(timeline.verify(), Verified)
    exported = io.BytesIO()
    export_log(timeline, exported)
    assert NAME.encode() not in exported.getvalue() and ADDRESS.encode() not in exported.getvalue()
    assert b'"redacted":"' in exported.getvalue()  # the digest instead of the state
    (tmp_path / "export.ndjson").write_bytes(exported.getvalue())
    restored = Timeline(str(tmp_path / "restored.sqlite3"))
    try:
        assert import_log(restored, tmp_path / "export.ndjson") == len(list(timeline.iter_log()))
        assert restored.verify() == timeline.verify()
    finally:
        restored.close()
    if "://" not in database:
        # Nor is it left in the SQLite file's free pages or its WAL once the server has closed it (the log and the
        # views ask for secure_delete; Debian's SQLite also zeroes freed content by default).
        await server.close()
        on_disk = b"".join(p.read_bytes() for p in Path(database).parent.glob(Path(database).name + "*"))
        assert on_disk and NAME.encode() not in on_disk and ADDRESS.encode() not in on_disk


async def test_a_redacted_document_is_gone_but_the_facts_citing_it_are_kept(server):
    await write(server, "/v1/documents", DOCUMENT)
    citing = rating() | {"source": {**statement()["source"], "quote": "had made the complaint"}}
    await write(server, "/v1/facts", citing)
    done = await write(server, f"/v1/documents/{DOCUMENT['id']}/redactions", {"reason": "court order AB12"}, token=ADMIN)
    await server.get("/v1/sources", params={"min_position": str(done["position"])})
    for path in ("/v1/sources", f"/v1/documents/{DOCUMENT['id']}", "/v1/events?limit=100"):
        assert NAME not in await shown(server, path), path
    assert (await server.get(f"/v1/facts/{citing['id']}")).status == 200  # a separate record: redacted on its own
    cites = statement(source={**statement()["source"], "quote": "had made the complaint"})
    refused = await server.post("/v1/facts", json=cites, headers=bearer(TOKEN))
    assert refused.status == 422 and "redacted" in await refused.text()  # a taken-down text cannot be quoted


async def test_a_redaction_needs_an_admin_token_names_a_record_and_gives_a_reason(server, aiohttp_client, database):
    await write(server, "/v1/documents", DOCUMENT)
    fact = await write(server, "/v1/facts", statement())
    path = f"/v1/facts/{fact['id']}/redactions"
    assert (await server.post(path, json={"reason": "x"})).status == 401
    forbidden = await server.post(path, json={"reason": "x"}, headers=bearer(TOKEN))
    assert forbidden.status == 403 and forbidden.content_type == "application/problem+json"
    assert (await server.post(f"/v1/documents/{DOCUMENT['id']}/redactions", json={"reason": "x"}, headers=bearer(TOKEN))).status == 403
    assert (await server.post(f"/v1/facts/{uuid.uuid4()}/redactions", json={"reason": "x"}, headers=bearer(ADMIN))).status == 404
    assert (await server.post("/v1/documents/no-such-page/redactions", json={"reason": "x"}, headers=bearer(ADMIN))).status == 404
    assert (await server.post("/v1/facts/not-a-uuid/redactions", json={"reason": "x"}, headers=bearer(ADMIN))).status == 400
    for body in ({}, {"reason": ""}, {"reason": 7}, {"reason": "x" * 2001}, {"reason": "x", "content": "y"}, ["x"]):
        refused = await server.post(path, json=body, headers=bearer(ADMIN))
        assert refused.status == 422 and refused.content_type == "application/problem+json", body
    malformed = await server.post(path, data=b"{", headers=bearer(ADMIN) | {"Content-Type": "application/json"})
    assert malformed.status == 400
    assert NAME in await (await server.get(f"/v1/facts/{fact['id']}")).text()  # nothing refused changed anything

    # A server open to writes (no tokens, loopback) takes nothing down: there is no admin to do it.
    open_server = await aiohttp_client(create_app(Settings(database=database, seed=False)))
    assert (await open_server.post(path, json={"reason": "x"})).status == 403


async def test_a_re_sent_redaction_is_answered_with_the_original_and_another_reason_is_a_conflict(server):
    await write(server, "/v1/documents", DOCUMENT)
    fact = await write(server, "/v1/facts", statement())
    path = f"/v1/facts/{fact['id']}/redactions"
    first = await write(server, path, {"reason": "court order AB12"}, token=ADMIN)
    again = await write(server, path, {"reason": "court order AB12"}, token=ADMIN, status=200)
    assert again == first | {"created": False}
    other = await server.post(path, json={"reason": "another order"}, headers=bearer(ADMIN))
    assert other.status == 409 and "court order AB12" in (await other.json())["detail"]
    document = f"/v1/documents/{DOCUMENT['id']}/redactions"
    first = await write(server, document, {"reason": "court order AB12"}, token=ADMIN)
    assert await write(server, document, {"reason": "court order AB12"}, token=ADMIN, status=200) == first | {"created": False}
    # Nothing changes a redacted record after: not a correction, not a re-send of the original.
    correction = await server.post(
        f"/v1/facts/{fact['id']}/corrections", json={"reason": "r", "changes": {"occurred": "2019"}, "expected_version": 2},
        headers=bearer(TOKEN),
    )
    assert correction.status == 410
    assert (await server.post("/v1/documents", json=DOCUMENT, headers=bearer(TOKEN))).status == 410
