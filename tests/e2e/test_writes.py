"""Who may write, and how writes are committed: tokens, group commit, and a loop that never blocks."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

import pytest

from tests.e2e.conftest import TOKEN, rating
from timeline.commands import RecordRecords
from timeline.config import ConfigurationError, settings_from
from timeline.http.keys import WRITER
from timeline.http.server import create_app


async def test_writes_need_a_bearer_token_when_tokens_are_configured(secured):
    missing = await secured.post("/v1/facts", json=rating())
    assert missing.status == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = await secured.post("/v1/facts", json=rating(), headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status == 401 and "invalid_token" in wrong.headers["WWW-Authenticate"]
    assert (await secured.post("/v1/projections/facts/rebuild")).status == 401
    right = await secured.post("/v1/facts", json=rating(), headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status == 201
    assert (await secured.get("/v1/subjects/force/bedfordshire/status")).status == 200  # reads stay open


def test_tokens_may_be_configured_as_sha256_hashes():
    from timeline.config import hash_token

    settings = settings_from({"TIMELINE_TOKENS": f"sha256:{hash_token('s3cret')}, other"})
    assert settings.token_hashes == (hash_token("s3cret"), hash_token("other"))


async def test_with_admin_tokens_configured_a_write_token_may_write_but_not_rebuild_views(aiohttp_client, settings):
    admin = "admin-" + TOKEN
    app = create_app(dataclasses.replace(settings, **{
        name: getattr(settings_from({"TIMELINE_TOKENS": f"{TOKEN},admin={admin}"}), name) for name in ("token_hashes", "admin_token_hashes")
    }))  # fmt: skip
    client = await aiohttp_client(app)

    def bearer(token):
        return {"Authorization": f"Bearer {token}"}

    assert (await client.post("/v1/facts", json=rating(), headers=bearer(TOKEN))).status == 201
    forbidden = await client.post("/v1/projections/facts/rebuild", headers=bearer(TOKEN))
    assert forbidden.status == 403 and forbidden.content_type == "application/problem+json"
    assert "not administer" in (await forbidden.json())["detail"]
    assert (await client.post("/v1/projections/facts/rebuild", headers=bearer(admin))).status == 202
    assert (await client.post("/v1/facts", json=rating(), headers=bearer(admin))).status == 201  # admins write too
    assert (await client.post("/v1/projections/facts/rebuild", headers=bearer("nobody"))).status == 401


def test_admin_tokens_are_marked_in_the_token_list():
    from timeline.config import hash_token

    settings = settings_from({"TIMELINE_TOKENS": f"w1, admin=sha256:{hash_token('a1')}, admin=a2"})
    assert settings.token_hashes == (hash_token("w1"), hash_token("a1"), hash_token("a2"))
    assert settings.admin_token_hashes == (hash_token("a1"), hash_token("a2"))


def test_with_no_token_the_server_refuses_to_listen_beyond_loopback():
    with pytest.raises(ConfigurationError, match=r"refusing to listen on 0\.0\.0\.0 with no token"):
        settings_from({}, host="0.0.0.0")
    assert settings_from({"TIMELINE_TOKENS": "t"}, host="0.0.0.0").host == "0.0.0.0"
    assert settings_from({}, host="127.0.0.1").host == "127.0.0.1"


async def test_writes_waiting_together_are_committed_in_one_transaction(client, monkeypatch):
    writer = client.app[WRITER]
    release, holding = threading.Event(), threading.Event()
    hold, execute = RecordRecords(()), writer.timeline.execute

    def hold_the_writer(unit, command):
        # Runs on the writer thread: keeps the first group open until every request is queued.
        if command is hold:
            holding.set()
            release.wait(timeout=30)
        return execute(unit, command)

    monkeypatch.setattr(writer.timeline, "execute", hold_the_writer)
    blocker = asyncio.ensure_future(writer.submit(hold))
    await asyncio.to_thread(holding.wait, 30)
    batches_before = writer.batches
    posts = [asyncio.ensure_future(client.post("/v1/facts", json=rating())) for _ in range(32)]
    while writer._queue.qsize() < 32:  # noqa: ASYNC110 - the queue has no event to wait on; this only yields
        await asyncio.sleep(0)  # yield to the event loop (not a timed wait) so the requests reach the queue
    release.set()
    responses = await asyncio.gather(*posts)
    await blocker
    assert [r.status for r in responses] == [201] * 32
    positions = sorted([(await r.json())["position"] for r in responses])
    assert len(set(positions)) == 32
    assert writer.batches - batches_before == 2  # the held batch, then all 32 writes in one commit


async def test_a_refused_write_does_not_spoil_the_others_committed_with_it(client):
    bad = rating(occurred="2019")
    bad["source"] |= {"document": "comet-2017-03-02-bedfordshire-inadequate", "quote": "not in the article"}
    responses = await asyncio.gather(*(client.post("/v1/facts", json=b) for b in [rating(), bad, rating()]))
    assert sorted(r.status for r in responses) == [201, 201, 422]


@pytest.fixture
def loop_server(settings):
    """The server on its own event loop in its own thread ("loop-server"), as `timeline serve` runs it."""
    import gc
    import sys

    from aiohttp import web

    from timeline.http.server import create_app, tune_process

    switch_interval, thresholds = sys.getswitchinterval(), gc.get_threshold()
    tune_process()  # as `timeline serve` does
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(settings))
    loop.run_until_complete(runner.setup())
    site = web.TCPSite(runner, "127.0.0.1", 0)
    loop.run_until_complete(site.start())
    port = runner.addresses[0][1]
    thread = threading.Thread(target=loop.run_forever, name="loop-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=30)
    loop.close()
    sys.setswitchinterval(switch_interval)
    gc.set_threshold(*thresholds)
    gc.unfreeze()


# Everything that reads or writes a store, or parses a record or a date: none of it may run on the loop.
BLOCKING = [
    ("projections.views", "Views", ("status", "timeline", "ratings", "statements", "sources", "subjects", "subject", "changes")),
    ("projections.runner", "ProjectionRunner", ("catch_up",)),
    ("timeline.application", "Timeline", ("log", "head", "save_staged", "fact", "document")),
    ("timeline.http.handlers.facts", None, ("parse_fact", "parse_document")),
    ("timeline.dates", None, ("parse_edtf",)),  # plain ISO dates are read on the loop by design: microseconds
    ("timeline.http.handlers.facts", None, ("_parse_all",)),  # the batches' parse, and a small record's outside plain_only
]


@pytest.fixture
def calls_on_the_loop(monkeypatch):
    """The names of blocking functions called on the server's loop thread, recorded as they are called."""
    import functools
    import importlib

    found: list[str] = []

    def watched(name, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            # One record (no batch) is tried on the loop under dates.plain_only (microseconds; any date edtf's parser must
            # read sends it to a thread): by design, and still caught if it ever reaches parse_edtf.
            inline = dates._PLAIN_ONLY.get() and (not name.endswith("._parse_all") or len(args[0]) == 1)
            if threading.current_thread().name == "loop-server" and not inline:
                found.append(name)
            return function(*args, **kwargs)

        return wrapper

    from timeline import dates

    dates._parse.cache_clear()  # dates parsed by earlier tests would not reach edtf's parser again
    for module_name, class_name, names in BLOCKING:
        owner = importlib.import_module(module_name)
        owner = getattr(owner, class_name) if class_name else owner
        for name in names:
            monkeypatch.setattr(owner, name, watched(f"{class_name or module_name}.{name}", getattr(owner, name)))
    return found


@pytest.mark.finding(1)
async def test_no_store_access_or_parsing_runs_on_the_event_loop_under_reads_and_writes(calls_on_the_loop, loop_server):
    """The loop only moves bytes: every read, write, view and parse runs on a thread, so one client's heavy
    request never stalls another's. Checked by where each such call runs, not by how long anything takes."""
    import aiohttp

    async with aiohttp.ClientSession(loop_server, connector=aiohttp.TCPConnector(limit=12)) as http:
        for _ in range(3):
            assert (await http.post("/v1/facts", json=[rating() for _ in range(50)])).status == 201

        async def call(method, path, **kwargs):
            async with http.request(method, path, **kwargs) as response:
                await response.read()  # releases the connection for the next request
                return response.status

        work = []
        for n in range(20):
            work.append(call("POST", "/v1/facts", json=[rating() for _ in range(5)]))
            work.append(call("GET", "/v1/subjects/force/bedfordshire/status", params={"as_of": "2017-03-03"}))
            work.append(call("GET", "/v1/subjects/force/testshire/timeline", params={"limit": "20"}))
            if n % 5 == 0:
                work.append(call("GET", "/v1/events", params={"limit": "1000"}))
                work.append(call("GET", "/v1/subjects"))
                # Dates only edtf's general parser reads: a season to read as of, an approximate year to record.
                work.append(call("GET", "/v1/subjects/force/bedfordshire/status", params={"as_of": f"20{10 + n // 5}-22"}))
                work.append(call("POST", "/v1/facts", json=rating(occurred=f"20{10 + n // 5}~")))
        statuses = await asyncio.gather(*work)
        assert sorted(set(statuses)) == [200, 201] and len(statuses) == 76
    assert calls_on_the_loop == []


@pytest.mark.finding(2)
async def test_repeated_failed_token_checks_are_rate_limited_but_a_valid_token_is_never_refused(secured, report):
    guess = {"Authorization": "Bearer guess"}
    for _ in range(10):
        assert (await secured.post("/v1/facts", json=rating(), headers=guess)).status == 401
    limited = await secured.post("/v1/facts", json=rating(), headers=guess)
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    # Another writer at the same address, with its token, is not locked out by the guesser.
    for _ in range(3):
        assert (await secured.post("/v1/facts", json=rating(), headers={"Authorization": f"Bearer {TOKEN}"})).status == 201
    report.append("failed-token limit: after 10 bad tokens from one address, that address's valid token still wrote (201 x3)")


@pytest.fixture
async def behind_proxy(aiohttp_client, settings):
    """A server with tokens that believes X-Forwarded-For from the loopback proxy only."""
    from timeline.config import hash_token

    configured = dataclasses.replace(settings, token_hashes=(hash_token(TOKEN),), trusted_proxies=("127.0.0.1",))
    return await aiohttp_client(create_app(configured))


@pytest.mark.finding(2)
async def test_behind_a_trusted_proxy_failed_tokens_are_counted_per_forwarded_client(behind_proxy):
    for _ in range(10):
        bad = {"Authorization": "Bearer guess", "X-Forwarded-For": "203.0.113.7"}
        assert (await behind_proxy.post("/v1/facts", json=rating(), headers=bad)).status == 401
    still_guessing = {"Authorization": "Bearer guess", "X-Forwarded-For": "203.0.113.7"}
    assert (await behind_proxy.post("/v1/facts", json=rating(), headers=still_guessing)).status == 429
    # Another client behind the same proxy is not held to the guesser's count.
    other = {"Authorization": "Bearer typo", "X-Forwarded-For": "198.51.100.2"}
    assert (await behind_proxy.post("/v1/facts", json=rating(), headers=other)).status == 401


@pytest.mark.finding(2)
async def test_x_forwarded_for_is_ignored_unless_the_proxy_is_trusted(secured):
    for n in range(10):
        forged = {"Authorization": "Bearer guess", "X-Forwarded-For": f"203.0.113.{n}"}
        assert (await secured.post("/v1/facts", json=rating(), headers=forged)).status == 401
    forged = {"Authorization": "Bearer guess", "X-Forwarded-For": "203.0.113.99"}
    assert (await secured.post("/v1/facts", json=rating(), headers=forged)).status == 429


@pytest.mark.finding(2)
def test_the_forwarded_client_is_the_last_address_not_a_trusted_proxy():
    from timeline.http.auth import client_address

    proxies = ("10.0.0.0/8",)
    assert client_address("10.0.0.5", "198.51.100.1, 203.0.113.7, 10.0.0.9", proxies) == "203.0.113.7"
    assert client_address("10.0.0.5", None, proxies) == "10.0.0.5"
    assert client_address("203.0.113.7", "1.2.3.4", proxies) == "203.0.113.7"  # not from a proxy: the header is the client's word
    assert client_address("10.0.0.5", "junk, 10.0.0.9", proxies) == "junk"


@pytest.mark.finding(2)
def test_trusted_proxies_are_read_from_the_environment_and_checked():
    assert settings_from({"TIMELINE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}).trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    with pytest.raises(ConfigurationError, match="TIMELINE_TRUSTED_PROXIES"):
        settings_from({"TIMELINE_TRUSTED_PROXIES": "proxy.example"})


@pytest.mark.finding(2)
def test_the_failed_attempts_table_is_bounded():
    from timeline.http.attempts import FailedAttempts

    attempts = FailedAttempts(limit=2, window=60, clock=lambda: 0.0, max_clients=3)
    for n in range(100):
        attempts.failed(f"client-{n}")
    assert attempts.clients() == 3
    attempts.failed("client-99")
    assert attempts.wait_seconds("client-99") == 60  # the latest clients are the ones kept


def test_failed_attempts_are_forgotten_after_the_window():
    from timeline.http.attempts import FailedAttempts

    now = [0.0]
    attempts = FailedAttempts(limit=2, window=60, clock=lambda: now[0])
    attempts.failed("a")
    attempts.failed("a")
    assert attempts.wait_seconds("a") == 60 and attempts.wait_seconds("b") == 0
    now[0] = 61
    assert attempts.wait_seconds("a") == 0


async def test_responses_carry_security_headers_and_no_cors_grant(client):
    for response in (await client.get("/healthz"), await client.get("/v1/nothing"), await client.get("/v1/ratings", headers={"Origin": "https://evil.example"})):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert "Access-Control-Allow-Origin" not in response.headers


async def test_cors_is_granted_only_to_configured_origins(aiohttp_client, settings):
    import dataclasses

    from timeline.http.server import create_app

    newsroom = "https://newsroom.example"
    client = await aiohttp_client(create_app(dataclasses.replace(settings, cors_origins=(newsroom,))))
    allowed = await client.get("/v1/ratings", params={"pillar": "effectiveness"}, headers={"Origin": newsroom})
    assert allowed.headers["Access-Control-Allow-Origin"] == newsroom
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    preflight = await client.options(
        "/v1/facts", headers={"Origin": newsroom, "Access-Control-Request-Method": "POST",
                              "Access-Control-Request-Headers": "Authorization, Content-Type"},
    )
    assert preflight.status == 200 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
    other = await client.get("/v1/ratings", params={"pillar": "effectiveness"}, headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest.mark.finding(14)
async def test_an_open_loopback_server_answers_only_to_loopback_host_names(client, report):
    port = client.server.port
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        assert (await client.get("/healthz", headers={"Host": host})).status == 200, host
    before = (await (await client.get("/healthz")).json())["position"]
    # A page whose name was rebound to 127.0.0.1 sends its own name as Host.
    for host in ("rebind.attacker.example", f"rebind.attacker.example:{port}", f"127.0.0.1:{port + 1}", "127.0.0.1.attacker.example"):
        for response in (await client.get("/v1/ratings", headers={"Host": host}), await client.post("/v1/facts", json=rating(), headers={"Host": host})):
            assert response.status == 421, (host, await response.text())
            assert response.content_type == "application/problem+json"
    assert (await (await client.get("/healthz")).json())["position"] == before
    report.append("DNS rebinding: an open loopback server refused Host names other than loopback's (421); nothing stored")


@pytest.mark.finding(14)
async def test_allowed_hosts_replace_the_loopback_names(aiohttp_client, settings):
    client = await aiohttp_client(create_app(dataclasses.replace(settings, allowed_hosts=("timeline.example",))))
    assert (await client.get("/healthz", headers={"Host": "timeline.example"})).status == 200
    assert (await client.get("/healthz", headers={"Host": "timeline.example:8443"})).status == 200
    assert (await client.get("/healthz", headers={"Host": f"127.0.0.1:{client.server.port}"})).status == 421


@pytest.mark.finding(14)
async def test_with_tokens_and_no_allowed_hosts_any_host_name_is_answered(secured):
    assert (await secured.get("/healthz", headers={"Host": "timeline.example"})).status == 200


@pytest.mark.finding(14)
def test_allowed_hosts_are_read_from_the_environment():
    assert settings_from({"TIMELINE_ALLOWED_HOSTS": "timeline.example, Timeline.example:8443"}).allowed_hosts == (
        "timeline.example", "timeline.example:8443",
    )
