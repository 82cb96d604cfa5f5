"""The page at `/`, in real Chromium against a real seeded server."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from tests.conftest import SEEDED_HEAD
from tests.e2e.conftest import rating

EFFECTIVENESS = ".rating[data-pillar=effectiveness]"


def open_page(page, server: str, query: str = ""):
    page.goto(f"{server}/{query}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def claimed_good(page):
    """The Comet's claim that the force had been rated 'good' on effectiveness the year before."""
    return page.locator("li.fact", has_text="Effectiveness: good (PEEL 2015)")


def post(server: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"{server}/v1/facts", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.load(response)


def test_the_seeded_bedfordshire_page_shows_inadequate_and_the_disputed_good(page, server, output, report):
    open_page(page, server)

    expect(page.locator("#status-heading")).to_have_text("Status of Bedfordshire Police")
    card = page.locator(EFFECTIVENESS)
    expect(card.locator(".current")).to_have_text("requires improvement")  # PEEL 2017, the latest
    expect(card.locator(".change")).to_contain_text("Up from inadequate")
    good = claimed_good(page)
    expect(good).to_have_class(re.compile(r"\bis-disputed\b"))
    expect(good.locator(".claim-note")).to_contain_text("Disputed. The standing claim is requires improvement")
    expect(good.locator(".source-line")).to_contain_text("The Comet (press)")
    expect(good.locator("time")).to_have_text("2016")

    # As of the article's day, 'inadequate' is the grade and the 'good' it says came before is disputed.
    page.fill("#as-of", "2017-03-02")
    expect(card.locator(".current")).to_have_text("inadequate")
    expect(card.locator(".change")).to_contain_text("Down from requires improvement")
    expect(card.locator(".disputes")).to_contain_text("good (PEEL 2015, 2016)")
    expect(card.locator(".disputes")).to_contain_text("The Comet (press)")

    shot = output / "bedfordshire.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    report.append(f"browser: screenshot of the seeded Bedfordshire page at {shot}")


def test_moving_as_of_to_june_2016_shows_requires_improvement(page, server):
    open_page(page, server)
    page.fill("#as-of", "2016-06-01")

    card = page.locator(EFFECTIVENESS)
    expect(card.locator(".current")).to_have_text("requires improvement")
    expect(card.locator(".meta")).to_contain_text("PEEL 2015, 18 February 2016")
    expect(page.locator(".rating")).to_have_count(2)  # efficiency had not been graded yet
    assert "as_of=2016-06-01" in page.url  # a link to this view keeps it
    expect(page.locator("li.fact time", has_text="2 March 2017")).to_have_count(0)


def test_the_claims_the_record_disputes_are_shown_on_arrival_whatever_the_date(page, server, output):
    open_page(page, server)
    disputed = page.locator("#disputed")
    expect(disputed).to_be_visible()
    good = disputed.locator("li.dispute", has_text="Effectiveness: good")
    expect(good).to_contain_text("The Comet")
    expect(good.locator(".record")).to_contain_text("requires improvement")
    expect(good.locator("blockquote").first).to_contain_text("a drop from")
    figure = disputed.locator("li.dispute", has_text="28")
    expect(figure.locator(".record")).to_contain_text("43")
    page.screenshot(path=str(output / "disputes-on-arrival.png"), full_page=True)
    shown = disputed.locator("li.dispute").count()
    page.fill("#as-of", "2015-06-01")  # long before either claim was made: the disputes stay in view
    expect(page.locator(EFFECTIVENESS)).to_have_count(0)  # the status card follows as_of ...
    expect(disputed.locator("li.dispute")).to_have_count(shown)  # ... the disputes do not
    expect(good).to_be_visible()


def test_moving_known_at_back_shows_what_the_log_held_then(page, server):
    open_page(page, server)
    page.locator("#known-at").fill("21")  # the article's facts, before any official record was stored

    card = page.locator(EFFECTIVENESS)
    expect(card.locator(".current")).to_have_text("inadequate")
    expect(card.locator(".change")).to_contain_text("Down from good")
    expect(page.locator("#known-at-text")).to_contain_text(f"position 21 of {SEEDED_HEAD}")
    expect(claimed_good(page)).not_to_have_class(re.compile(r"\bis-disputed\b"))
    expect(page.locator(".source-official")).to_have_count(0)

    page.click("#known-at-clear")
    expect(card.locator(".current")).to_have_text("requires improvement")


@pytest.mark.finding(9)
def test_a_fact_posted_over_http_appears_on_an_open_page_within_two_seconds(page, server):
    open_page(page, server)
    expect(page.locator("body")).to_have_attribute("data-live", "true")
    subject_lists: list[str] = []
    page.on("request", lambda request: subject_lists.append(request.url) if "/v1/subjects?" in request.url or request.url.endswith("/v1/subjects") else None)

    body = rating(
        id=str(uuid.uuid4()), subject="force/bedfordshire", occurred="2019-09-27",
        data={"pillar": "legitimacy", "grade": "requires-improvement", "inspection": "PEEL 2018/19", "inspectorate": "org/hmic"},
    )  # fmt: skip
    post(server, body)

    fact = page.locator(f"#fact-{body['id']}")
    expect(fact).to_be_visible(timeout=2000)
    expect(fact).to_contain_text("Legitimacy: requires improvement (PEEL 2018/19)")
    expect(page.locator(".rating[data-pillar=legitimacy] .current")).to_have_text("requires improvement")
    assert subject_lists == []  # a fact about subjects the picker lists does not reload the list (finding 9)

    post(server, rating(subject="force/testshire"))  # a subject no fact named before joins the picker
    expect(page.locator("#subject option[value='force/testshire']")).to_have_count(1, timeout=2000)
    assert len(subject_lists) == 1


def test_corrections_and_retractions_show_as_such(page, server):
    body = rating(id=str(uuid.uuid4()), subject="force/bedfordshire", occurred="2019-09-27")
    post(server, body)
    retraction = urllib.request.Request(
        f"{server}/v1/facts/{body['id']}/retractions", data=json.dumps({"expected_version": 1, "reason": "wrong force"}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )  # fmt: skip
    urllib.request.urlopen(retraction, timeout=10).close()

    open_page(page, server)
    fact = page.locator(f"#fact-{body['id']}")
    expect(fact).to_have_class(re.compile(r"\bretracted\b"))
    expect(fact.locator(".badge")).to_have_text("retracted")
    expect(fact.locator(".history")).to_contain_text("Retracted (recorded in error) (version 2")
    expect(fact.locator(".history")).to_contain_text("wrong force")


def send(server: str, path: str, body: dict) -> None:
    request = urllib.request.Request(f"{server}{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(request, timeout=10).close()


@pytest.mark.finding("corrections", "withdrawal")
def test_each_kind_of_change_and_a_withdrawn_source_read_differently(page, server):
    revised = rating(id=str(uuid.uuid4()), subject="force/bedfordshire", occurred="2019-09-27")
    post(server, revised)
    send(server, f"/v1/facts/{revised['id']}/corrections",
         {"expected_version": 1, "reason": "the inspectorate reissued its report", "revised": "2019-10-01", "changes": {"occurred": "2019-09-26"}})  # fmt: skip
    taken_down = rating(id=str(uuid.uuid4()), subject="force/bedfordshire", occurred="2019-09-28", data=rating()["data"] | {"pillar": "legitimacy"})
    post(server, taken_down)
    send(server, f"/v1/facts/{taken_down['id']}/retractions", {"expected_version": 1, "reason": "the paper withdrew it", "because": "source-retracted"})
    send(server, "/v1/documents", {"id": "bugle-page", "publisher": "The Bugle", "url": "https://example.org/bugle",
                                   "published": "2019-09-29", "kind": "press", "text": "Bedfordshire was rated good on efficiency."})  # fmt: skip
    cited = rating(id=str(uuid.uuid4()), subject="force/bedfordshire", occurred="2019-09-29", data=rating()["data"] | {"pillar": "efficiency"})
    bugle = {"publisher": "The Bugle", "url": "https://example.org/bugle", "published": "2019-09-29", "kind": "press"}
    cited["sources"] = [bugle | {"document": "bugle-page", "quote": "rated good on efficiency"},
                        {"publisher": "Radio Beds", "url": "https://example.org/radio", "published": "2019-09-30", "kind": "press"}]  # fmt: skip
    del cited["source"]
    post(server, cited)
    send(server, "/v1/documents/bugle-page/retractions", {"reason": "The Bugle took the page down"})

    open_page(page, server)
    expect(page.locator(f"#fact-{revised['id']} .history")).to_contain_text("Revised by the source")
    expect(page.locator(f"#fact-{taken_down['id']} .history")).to_contain_text("Retracted by the source")
    corroborated = page.locator(f"#fact-{cited['id']}")
    expect(corroborated.locator(".source-line")).to_contain_text("Sources: The Bugle")
    expect(corroborated.locator(".source-line")).to_contain_text("Radio Beds")
    expect(corroborated.locator(".badge-withdrawn")).to_have_text("one source withdrawn")


def test_the_page_works_by_keyboard(page, server):
    open_page(page, server)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "subject"

    # Another subject, chosen with the arrow keys alone.
    page.keyboard.press("ArrowDown")
    expect(page.locator("#status-heading")).not_to_have_text("Status of Bedfordshire Police")

    page.focus("#known-at")
    page.keyboard.press("Home")
    expect(page.locator("#known-at-text")).to_contain_text(f"position 1 of {SEEDED_HEAD}")
    page.focus("#known-at-clear")
    page.keyboard.press("Enter")
    expect(page.locator("#known-at-text")).to_contain_text("everything known now")


def test_the_page_is_readable_at_phone_width(browser, server, output):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = open_page(context.new_page(), server)
        expect(page.locator(EFFECTIVENESS)).to_be_visible()
        # Nothing wider than the screen: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        for control in ("#subject", "#as-of", "#known-at", "#known-at-clear"):
            box = page.locator(control).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, control
        page.screenshot(path=str(output / "bedfordshire-phone.png"), full_page=True)
    finally:
        context.close()


def test_reported_by_shows_what_had_been_published_by_a_day(page, server):
    open_page(page, server)
    card = page.locator(EFFECTIVENESS)

    page.fill("#reported-by", "2017-03-01")  # the day before the article and the inspection report
    expect(card.locator(".current")).to_have_text("requires improvement")
    expect(card.locator(".meta")).to_contain_text("PEEL 2015")
    assert "reported_by=2017-03-01" in page.url

    page.fill("#reported-by", "2017-03-02")
    expect(card.locator(".current")).to_have_text("inadequate")
    expect(card.locator(".meta")).to_contain_text("PEEL 2016")

    page.click("#reported-by-clear")
    expect(card.locator(".current")).to_have_text("requires improvement")
    expect(card.locator(".meta")).to_contain_text("PEEL 2017")


def test_a_fact_dated_within_a_year_shows_as_possible_during_that_year(page, server):
    open_page(page, server, "?subject=force/bedfordshire&as_of=2016-06-01")
    possible = page.locator(".possible li", has_text="Effectiveness: good (PEEL 2015)")
    expect(possible).to_contain_text("dated 2016, so possibly by then")
    good = claimed_good(page)
    expect(good).to_have_class(re.compile(r"\bpossible\b"))
    expect(good.locator(".badge-possible")).to_contain_text("possibly by then (1 January 2016 to 31 December 2016)")


def test_what_changed_since_a_position_and_its_permalink_pins_every_time(page, server):
    open_page(page, server)
    page.fill("#changes-since", "21")  # after the article, before the official record
    page.click("#changes-form button")
    body = page.locator("#changes-body")
    expect(body).to_contain_text(f"Between log positions 21 and {SEEDED_HEAD}")
    expect(body.locator(".moves")).to_contain_text("Effectiveness: inadequate → requires improvement")
    expect(body.locator(".changes li").first).to_contain_text("Recorded at position 22")
    assert "changes_since=21" in page.url and f"changes_until={SEEDED_HEAD}" in page.url

    permalink = page.locator("#permalink").get_attribute("href")
    assert f"known_at={SEEDED_HEAD}" in permalink and "changes_since=21" in permalink
    post(server, rating(subject="force/bedfordshire", occurred="2020-01-01"))
    open_page(page, server, permalink.lstrip("/"))
    expect(page.locator(EFFECTIVENESS).locator(".current")).to_have_text("requires improvement")
    expect(page.locator("#changes-body")).to_contain_text(f"Between log positions 21 and {SEEDED_HEAD}")


def test_the_articles_28_forces_shows_as_disputed_by_the_official_43(page, server):
    open_page(page, server)
    said = page.locator("#fact-3c87fb31-07a4-5a47-b3e3-710f209a20bf")  # the article's figure (seeds/stories/bedfordshire-2017/04-disputes.ndjson)
    expect(said.locator(".headline")).to_have_text("Forces graded on effectiveness: 28 forces (PEEL 2016)")
    expect(said).to_have_class(re.compile(r"\bis-disputed\b"))
    expect(said.locator(".claim-note")).to_contain_text("Disputed. The standing claim is Forces graded on effectiveness: 43 forces")
    expect(said.locator(".claim-note")).to_contain_text("HMIC (official)")


def test_roles_with_their_dates_reported_speech_and_an_unsupported_grade(page, server):
    post(server, rating(subject="force/northshire", occurred="2019-09-27",
                        data={"pillar": "overall", "grade": "inadequate", "inspection": "PEEL 2018/19", "inspectorate": "org/hmicfrs"}))  # fmt: skip
    post(server, rating(subject="person/pat-smith", type="role.held", occurred="2019-09-27",
                        data={"role": "Chief Constable", "organisation": "force/northshire", "from": "2012-04", "to": "2019-01-18", "ended": "resigned"}))  # fmt: skip
    post(server, rating(subject="force/northshire", type="statement.made", occurred="2019-09-27",
                        data={"speaker": "person/sam-jones", "stance": "criticises", "summary": "the force had failed", "speech": "reported"}))  # fmt: skip
    open_page(page, server, "?subject=force/northshire")
    expect(page.locator(".rating[data-pillar=overall] .unsupported")).to_contain_text("gives no overall grade")
    expect(page.locator(".roles.former")).to_contain_text("Pat Smith, Chief Constable, from April 2012 to 18 January 2019 (resigned)")
    expect(page.locator("li.fact .headline", has_text="reports that")).to_contain_text("HMICFRS reports that Sam Jones criticises")


@pytest.mark.finding("redaction")
def test_a_redacted_fact_leaves_an_open_page_at_once_and_stays_gone(page, run_server, tmp_path):
    writer, admin = "w-" + uuid.uuid4().hex, "a-" + uuid.uuid4().hex
    server = run_server(str(tmp_path / "tokens.sqlite3"), TIMELINE_TOKENS=f"writer={writer},admin=legal={admin}")

    def authorised(path: str, body: dict, token: str) -> None:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        request = urllib.request.Request(f"{server}{path}", data=json.dumps(body).encode(), headers=headers, method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    open_page(page, server)
    expect(page.locator("body")).to_have_attribute("data-live", "true")
    body = rating(
        id=str(uuid.uuid4()), subject="force/bedfordshire", occurred="2019-09-27",
        data={"pillar": "legitimacy", "grade": "requires-improvement", "inspection": "PEEL 2018/19", "inspectorate": "org/hmic"},
    )  # fmt: skip
    authorised("/v1/facts", body, writer)
    fact = page.locator(f"#fact-{body['id']}")
    expect(fact).to_be_visible(timeout=2000)

    authorised(f"/v1/facts/{body['id']}/redactions", {"reason": "court order AB12"}, admin)
    expect(fact).to_have_count(0, timeout=2000)
    open_page(page, server)  # and not back on a fresh load
    expect(page.locator(f"#fact-{body['id']}")).to_have_count(0)
    expect(page.locator(".rating[data-pillar=effectiveness]")).to_have_count(1)  # the rest stands
