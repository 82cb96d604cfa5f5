"""A chain of links is one group of competing claims, however the timeline pages it.

C disputes B, which supports A: the three compete, and what stands is decided over all three,
on whichever page each falls (a timeline pages by two here), and on the subject's status.
"""

from __future__ import annotations

import uuid

FORCE = "force/chainshire"


def statement(kind: str, summary: str, **links) -> dict:
    return {
        "id": str(uuid.uuid4()), "type": "statement.made", "subject": FORCE, "occurred": "2020-01-01",
        "data": {"speaker": "person/pat", "stance": "criticises", "summary": summary},
        "source": {"publisher": kind.title(), "url": "https://example.org/x", "published": "2020-01-02", "kind": kind},
    } | links  # fmt: skip


async def test_a_claim_two_links_away_from_the_standing_one_is_judged_against_it_on_every_page(client):
    a = statement("official", "the force failed")
    b = statement("press", "the force failed, a paper says", supports=[a["id"]])
    c = statement("statement", "the force did not fail", disputes=[b["id"]])
    assert (await client.post("/v1/facts", json=[a, b, c])).status == 201
    claims, cursor = {}, None
    while True:
        params = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page = await (await client.get(f"/v1/subjects/{FORCE}/timeline", params=params)).json()
        claims |= {f["id"]: f["claim"] for f in page["facts"]}
        if not (cursor := page["next_cursor"]):
            break
    assert claims[a["id"]]["stands"] is True
    assert [d["fact"] for d in claims[a["id"]]["disputed_by"]] == [c["id"]]
    assert (claims[b["id"]]["stands"], claims[b["id"]]["disputes"]) == (False, False)
    assert (claims[c["id"]]["stands"], claims[c["id"]]["disputes"]) == (False, True)
    assert claims[c["id"]]["standing"]["fact"] == a["id"]
