"""Hostile requests against the live server: each gets a 4xx problem, the server stays up, the log is untouched."""

from __future__ import annotations

import http.client
import json
import sqlite3
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import rating

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def fact_with(**changes):
    return json.dumps(rating(**changes)).encode()


def nested(depth: int) -> bytes:
    return b'{"type": "rating.published", "data": ' + b"[" * depth + b"]" * depth + b"}"


hostile = st.one_of(
    # malformed JSON and invalid UTF-8
    st.binary(max_size=200).map(lambda b: ("POST", "/v1/facts", b"{" + b)),
    st.just(("POST", "/v1/facts", b'{"subject": "force/\xff\xfe"}')),
    # deeply nested JSON
    st.integers(2, 50_000).map(lambda depth: ("POST", "/v1/facts", nested(depth))),
    # wrong types anywhere
    json_values.map(lambda v: ("POST", "/v1/facts", json.dumps(v).encode())),
    st.sampled_from([("type", str), ("subject", str), ("occurred", str), ("data", dict), ("mentions", list), ("source", dict)]).flatmap(
        lambda field: json_values.filter(lambda v: not isinstance(v, field[1])).map(
            lambda v: ("POST", "/v1/facts", fact_with(**{field[0]: v}))
        )
    ),
    # invalid EDTF and unknown types
    st.text(max_size=30).filter(lambda t: t.strip() != "").map(lambda t: ("POST", "/v1/facts", fact_with(occurred=t + "!"))),
    st.text(min_size=1, max_size=30).map(lambda t: ("POST", "/v1/facts", fact_with(type="x." + t))),
    # forged record times, positions and versions
    st.sampled_from(["position", "recorded_at", "version", "known_from"]).map(
        lambda field: ("POST", "/v1/facts", fact_with(**{field: 1}))
    ),
    # huge strings: over the body limit, and over a field's limit
    st.just(("POST", "/v1/facts", b'{"type": "' + b"x" * (9 * 1024 * 1024) + b'"}')),
    st.just(("POST", "/v1/facts", fact_with(data=rating()["data"] | {"summary": "x" * 100_000}))),
    # oversized batches
    st.just(("POST", "/v1/facts", json.dumps([rating() for _ in range(1001)]).encode())),
    # path traversal and junk in ids
    st.sampled_from([
        "/v1/facts/..%2F..%2Fetc%2Fpasswd", "/v1/facts/%2e%2e/%2e%2e/etc/passwd", "/v1/documents/..%2F..%2Fetc%2Fpasswd",
        "/v1/subjects/force/..%2Fsecret/status", "/v1/facts/00000000-0000-0000-0000-000000000000%00", "/v1/documents/%00",
    ]).map(lambda path: ("GET", path, b"")),
    st.text(alphabet="abcdef0123456789-/.%", max_size=40).map(lambda junk: ("POST", f"/v1/facts/{junk}/corrections", b"{}")),
)


@pytest.fixture
def live(run_server, sqlite_database):
    base = run_server(sqlite_database, TIMELINE_MAX_BATCH="1000")
    return urlsplit(base), sqlite_database


def log_bytes(database: str) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid").fetchall()


def send(url, method: str, path: str, body: bytes) -> tuple[int, str]:
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers={"Content-Type": "application/json"} if body else {})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Content-Type", "")
    finally:
        connection.close()


def test_hostile_requests_get_a_4xx_problem_and_change_nothing(live, report):
    url, database = live
    before = log_bytes(database)
    tried = []

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(request=hostile)
    def hostile_request_is_refused(request):
        method, path, body = request
        status, content_type = send(url, method, path, body)
        tried.append(status)
        assert 400 <= status < 500, (method, path, body[:200], status)
        assert content_type.startswith("application/problem+json"), (path, status, content_type)

    hostile_request_is_refused()
    assert send(url, "GET", "/healthz", b"")[0] == 200  # still up
    assert log_bytes(database) == before
    report.append(f"hostile input: {len(tried)} requests tried, {sum(400 <= s < 500 for s in tried)} refused with a 4xx problem; log unchanged")
