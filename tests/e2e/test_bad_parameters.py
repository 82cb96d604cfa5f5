"""Parameters that Python parses differently from what they look like are 400s naming them, never 500s."""

from __future__ import annotations

import base64
import json

import pytest

from tests.e2e.conftest import rating

pytestmark = pytest.mark.finding(12)

STATUS = "/v1/subjects/force/bedfordshire/status"
TIMELINE = "/v1/subjects/force/bedfordshire/timeline"


def forged_cursor(key: list, known_at: object) -> str:
    return base64.urlsafe_b64encode(json.dumps({"k": key, "p": known_at}).encode()).decode().rstrip("=")


async def names(response, name: str) -> None:
    assert response.status == 400, await response.text()
    assert response.content_type == "application/problem+json"
    body = await response.json(content_type=None)
    assert name in body["detail"] or name in [e["field"] for e in body.get("errors", [])], body


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        (STATUS, {"known_at": "\u00b2"}, "known_at"),  # str.isdigit says yes; int() says no
        (STATUS, {"known_at": "9999-12-31T23:59:59-12:00"}, "known_at"),  # past year 9999 in UTC
        (STATUS, {"known_at": "0001-01-01T00:00:00+14:00"}, "known_at"),  # before year 1 in UTC
        ("/v1/events/stream", {"after": "\u00b2"}, "after"),
        # int() refuses over 4,300 digits with a ValueError of its own
        (STATUS, {"known_at": "9" * 5000}, "known_at"),
        ("/v1/events/stream", {"after": "9" * 5000}, "after"),
        ("/v1/events", {"after": "9" * 5000}, "after"),
        (TIMELINE, {"cursor": forged_cursor(["2017-01-01", "2017-01-01", 1e29], 5)}, "cursor"),
        (TIMELINE, {"cursor": forged_cursor(["2017-01-01", "2017-01-01", -(10**20)], 5)}, "cursor"),
        (TIMELINE, {"cursor": forged_cursor(["2017-01-01", "2017-01-01", 1], 1e29)}, "cursor"),
        (TIMELINE, {"cursor": forged_cursor(["2017-01-01", "2017-01-01", 1.5], 5)}, "cursor"),
    ],
)
async def test_a_parameter_python_misreads_is_a_400_naming_it(client, path, params, name):
    await names(await client.get(path, params=params), name)


async def test_a_last_event_id_of_superscript_digits_is_a_400_naming_it(client, report):
    await names(await client.get("/v1/events/stream", headers={"Last-Event-ID": "\u00b2"}), "Last-Event-ID")
    report.append("misread parameters (known_at=², Last-Event-ID: ², If-Match: \"²\", year-9999 instants, forged 1e29 cursors): 400s, not 500s")


async def test_an_if_match_of_superscript_digits_is_a_400_naming_it(client):
    receipt = await (await client.post("/v1/facts", json=rating())).json()
    response = await client.post(f"/v1/facts/{receipt['id']}/retractions", json={"reason": "r"}, headers={"If-Match": '"\u00b2"'})
    await names(response, "If-Match")


async def test_an_if_match_of_five_thousand_digits_is_a_400_naming_it(client):
    receipt = await (await client.post("/v1/facts", json=rating())).json()
    response = await client.post(f"/v1/facts/{receipt['id']}/retractions", json={"reason": "r"}, headers={"If-Match": f'"{"9" * 5000}"'})
    await names(response, "If-Match")


async def test_an_event_position_of_five_thousand_digits_is_a_400(client):
    await names(await client.get(f"/v1/events/{'9' * 5000}"), "position")
