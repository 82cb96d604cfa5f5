"""The page's pictures and words (issue 14, items 2 to 4): the time axis, the grades and national
charts, dates and names in words, an unknown subject, a failed load, in real Chromium against a
real seeded server; and axe-core finds no WCAG 2.1 AA violation."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import missing
from tests.browser.test_page import open_page

CLAIMED_GOOD = "8c9ce14a-252a-5922-8eb5-e024dc1ae77e"  # The Comet's 'good' (dated 2016), seeds/stories/bedfordshire-2017/02-comet-article.ndjson
OFFICIAL_RI = "b3cf94d8-5d56-597f-8f7a-53a1c209f1df"  # HMIC's requires improvement that disputes it
FUNDING_DECISION = "6b5f0102-f445-519b-8832-940722a67cd3"  # pending, expected "2017-21" (spring 2017)
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
AXE = __import__("pathlib").Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def get(server: str, path: str) -> dict:
    with urllib.request.urlopen(f"{server}{path}", timeout=10) as response:
        return json.load(response)


def mark(page, fact: str, kind: str = "occurred"):
    return page.locator(f"#axis-body a.mark.{kind}[data-fact='{fact}']")


@pytest.mark.parametrize("subject", ["force/bedfordshire", "force/cleveland"])
def test_the_axis_draws_each_fact_on_its_days_a_range_where_the_date_is_uncertain(page, server, output, subject):
    open_page(page, server, f"?subject={subject}")
    facts = get(server, f"/v1/subjects/{subject}/timeline?include_retracted=true&limit=100")["facts"]
    marks = page.locator("#axis-body a.mark.occurred")
    expect(marks).to_have_count(len(facts))
    drawn = {m["fact"]: m for m in marks.evaluate_all("ms => ms.map(m => ({fact: m.dataset.fact, first: m.dataset.first, last: m.dataset.last, range: m.classList.contains('range')}))")}
    ranges = 0
    for fact in facts:
        first, last = fact["possible_days"]
        assert (drawn[fact["id"]]["first"], drawn[fact["id"]]["last"]) == (first, last), fact["occurred"]
        assert drawn[fact["id"]]["range"] == (first != last), fact["occurred"]
        ranges += first != last
    assert ranges  # both stories have dates known only to the month or the year
    page.locator("#axis").screenshot(path=str(output / f"axis-{subject.split('/')[1]}.png"))


def test_the_seeds_year_and_season_are_ranges_and_the_disputed_claim_is_joined_to_the_record(page, server, output):
    open_page(page, server)
    year = mark(page, CLAIMED_GOOD)
    expect(year).to_have_class(re.compile(r"\brange\b.*\bdisputed\b"))
    expect(year).to_have_attribute("aria-label", re.compile(r"2016: any day from 1 January 2016 to 31 December 2016; disputed by the record"))
    season = mark(page, FUNDING_DECISION, "expected")
    expect(season).to_have_class(re.compile(r"\brange\b"))
    expect(season).to_have_attribute("aria-label", re.compile(r"expected spring 2017: any day from 1 March 2017 to 31 May 2017"))
    day = mark(page, OFFICIAL_RI)
    expect(day).to_have_class(re.compile(r"\bday\b"))
    # A year is drawn wider than a season, and a season wider than a day.
    widths = [m.locator("rect, circle").bounding_box()["width"] for m in (year, season, day)]
    assert widths[0] > widths[1] > widths[2], widths
    expect(page.locator(f"#axis-body path.dispute-link[data-from='{CLAIMED_GOOD}'][data-to='{OFFICIAL_RI}']")).to_have_count(1)
    page.locator("#axis").screenshot(path=str(output / "axis-ranges-and-dispute.png"))


def test_axis_marks_are_reached_by_tab_and_enter_moves_to_the_fact(page, server):
    open_page(page, server)
    page.focus("#as-of-clear")
    for _ in range(80):  # the axis comes after the status card's links: Tab until a mark has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('mark')"):
            break
    else:
        pytest.fail("no axis mark is reached by Tab")
    fact = page.evaluate("document.activeElement.dataset.fact")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"fact-{fact}"
    expect(page.locator(f"#fact-{fact}")).to_be_in_viewport()
    assert page.url.endswith(f"#fact-{fact}")

    grade = page.locator(f"#grades-body a.grade-point[data-fact='{OFFICIAL_RI}']")
    grade.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == f"fact-{OFFICIAL_RI}"


def test_bedfordshires_grades_across_inspections_in_the_frameworks_order(page, server, output):
    open_page(page, server)
    panel = page.locator("#grades-body figure[data-area=effectiveness]")
    expect(panel.locator("figcaption")).to_have_text("Effectiveness")
    points = panel.locator("a.grade-point:not(.disputed)")
    expect(points).to_have_count(3)
    said = points.evaluate_all("ps => ps.map(p => [p.dataset.inspection, p.dataset.grade])")
    assert said == [["PEEL 2015", "requires-improvement"], ["PEEL 2016", "inadequate"], ["PEEL 2017", "requires-improvement"]]
    claimed = panel.locator(f"a.grade-point.disputed[data-fact='{CLAIMED_GOOD}']")
    expect(claimed).to_have_attribute("aria-label", re.compile("PEEL 2015: good, a claim the record disputes"))
    # Best at the top: the claimed good sits above requires improvement, which sits above inadequate.
    top = {p.get_attribute("data-grade") + p.get_attribute("data-inspection"): p.bounding_box()["y"] for p in panel.locator("a.grade-point").all()}
    assert top["goodPEEL 2015"] < top["requires-improvementPEEL 2015"] < top["inadequatePEEL 2016"]
    assert top["requires-improvementPEEL 2015"] == top["requires-improvementPEEL 2017"]
    expect(points.first).to_have_attribute("href", f"#fact-{OFFICIAL_RI}")
    page.locator("#grades").screenshot(path=str(output / "grades-bedfordshire.png"))


def test_grades_of_two_editions_share_one_order_with_adequate_between_good_and_requires_improvement(page, server):
    open_page(page, server, "?subject=force/cleveland")
    panel = page.locator("#grades-body figure[data-area=preventing-crime]")
    rows = panel.locator(".grade-row text").all_text_contents()
    assert rows == ["outstanding", "good", "adequate", "requires improvement", "inadequate"]
    said = panel.locator("a.grade-point").evaluate_all("ps => ps.map(p => [p.dataset.inspection, p.dataset.grade])")
    assert ["PEEL 2021/22", "inadequate"] in said and ["PEEL 2023-25", "good"] in said


def test_the_national_picture_for_peel_2016_effectiveness_counts_43_forces_against_the_articles_28(page, server, output):
    open_page(page, server)
    national = page.locator("#national-body")
    expect(national.locator(".national-title")).to_have_text("PEEL 2016: Effectiveness")
    expect(national.locator(".coverage")).to_have_text("43 of the 43 forces PEEL 2014 to 2017 covers are graded on record.")
    expect(national.locator(".figure-dispute")).to_contain_text("The Comet says 28 forces (press); the record says 43 forces (HMIC, official)")
    counts = {g: national.locator(f"g.bar[data-grade={g}] text.count").text_content() for g in ("outstanding", "good", "requires-improvement", "inadequate")}
    assert counts == {"outstanding": "1", "good": "28", "requires-improvement": "13", "inadequate": "1"}
    expect(national.locator("li[data-grade=good] a")).to_have_count(28)
    expect(national.locator("li[data-grade=outstanding] a")).to_have_text("Durham")
    bedfordshire = national.locator("li[data-grade=inadequate] a")
    expect(bedfordshire).to_have_text("Bedfordshire Police")  # its name fact
    assert bedfordshire.get_attribute("href").startswith("#fact-")  # on this page: its own fact
    page.locator("#national").screenshot(path=str(output / "national-peel-2016-effectiveness.png"))

    # Another inspection the force was graded in, chosen from the list: the record's one force, its grade disputed.
    page.select_option("#national-pick", "PEEL 2015|effectiveness")
    expect(national.locator(".national-title")).to_have_text("PEEL 2015: Effectiveness")
    expect(national.locator(".coverage")).to_have_text("1 of the 43 forces PEEL 2014 to 2017 covers are graded on record.")
    expect(national.locator("li[data-grade=requires-improvement]")).to_contain_text("Bedfordshire Police (disputed)")
    page.select_option("#national-pick", "PEEL 2016|effectiveness")
    expect(national.locator(".national-title")).to_have_text("PEEL 2016: Effectiveness")

    # Another force's grade links to that force's page, at the fact behind it.
    durham = national.locator("li[data-grade=outstanding] a")
    fact = durham.get_attribute("data-fact")
    durham.click()
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#status-heading")).to_have_text("Status of Durham (force)")
    expect(page.locator(f"#fact-{fact}")).to_be_focused()
    expect(page.locator(f"#fact-{fact} blockquote")).to_contain_text(":: Outstanding Durham")


NATIONAL_REPORT = "6699d4cd-c1c3-569e-bdd2-a0d6e329f196"  # HMIC's PEEL 2016 effectiveness report, seeds/stories/bedfordshire-2017


def test_report_and_figure_summaries_are_shown_on_arrival(page, server):
    open_page(page, server)
    # The record's "43 forces, not 28 across the UK", in the report's own summary and the figure's.
    expect(page.locator(f"#fact-{NATIONAL_REPORT} .summary")).to_contain_text("All 43 forces of England and Wales graded on effectiveness")
    figure = page.locator("#disputed li.dispute", has_text="28")
    expect(figure.locator(".summary").last).to_contain_text("PEEL 2016 graded the effectiveness of all 43 forces of England and Wales")


# Where the page writes dates itself (a source's own text, such as a decision's outcome, is left as written).
DATED = ".when, .source-line, .sources, .meta, .change, .possible, .pending, .history, #disputed .said, #disputed .record, #known-at-text, .date-words"


def dates_the_page_writes_in_iso(page) -> list[str]:
    return [day for text in page.locator(DATED).all_inner_texts() for day in ISO_DAY.findall(text)]


def test_names_and_dates_are_in_words(page, server, output):
    open_page(page, server)
    expect(page.locator("#status-heading")).to_have_text("Status of Bedfordshire Police")
    expect(page.locator("#national-body li[data-grade=inadequate] a")).to_have_text("Bedfordshire Police")
    expect(page.locator(f"#fact-{CLAIMED_GOOD} .source-line")).to_contain_text("The Comet (press), 2 March 2017")
    expect(page.locator(f"#fact-{CLAIMED_GOOD} .on-record")).to_contain_text(re.compile(r"on record from \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d UTC"))
    assert not dates_the_page_writes_in_iso(page)

    page.fill("#as-of", "2017-03-02")
    expect(page.locator("#as-of-words")).to_have_text("as of 2 March 2017")
    page.locator("#known-at").fill("21")
    page.locator("#known-at").dispatch_event("change")
    expect(page.locator("#known-at-text")).to_contain_text(re.compile(r"position 21 of \d+: last recorded \d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d UTC, role about Zoe Billingham"))
    assert not dates_the_page_writes_in_iso(page)
    page.screenshot(path=str(output / "words.png"), full_page=True)


def test_an_unknown_subject_in_the_url_is_shown_as_such(page, server, output):
    open_page(page, server, "?subject=force/atlantis")
    expect(page.locator("#status-heading")).to_have_text("Unknown subject: force/atlantis")
    expect(page.locator(".unknown-subject")).to_contain_text("Nothing on record names force/atlantis")
    expect(page.locator("#subject")).to_have_value("force/atlantis")
    expect(page.locator(".rating")).to_have_count(0)  # not silently Bedfordshire
    expect(page.locator("li.fact")).to_have_count(0)
    expect(page.locator("#pictures")).to_be_hidden()
    page.screenshot(path=str(output / "unknown-subject.png"), full_page=True)

    page.select_option("#subject", "force/bedfordshire")
    expect(page.locator("#status-heading")).to_have_text("Status of Bedfordshire Police")


def test_a_failed_load_keeps_the_last_view_marked_as_out_of_date(page, server, output):
    open_page(page, server)
    expect(page.locator("body")).to_have_attribute("data-stale", "false")
    before = page.locator("li.fact").count()
    page.route("**/v1/subjects/force/bedfordshire/**", lambda route: route.abort())
    page.fill("#as-of", "2016-06-01")
    notice = page.locator("#load-state")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Could not load this view")
    expect(notice).to_contain_text("out of date: it was loaded on")
    expect(page.locator("body")).to_have_attribute("data-stale", "true")
    expect(page.locator("li.fact")).to_have_count(before)  # what was shown stays, marked
    page.screenshot(path=str(output / "stale-load.png"), full_page=True)

    page.unroute("**/v1/subjects/force/bedfordshire/**")
    page.click("#as-of-clear")
    expect(notice).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-stale", "false")


def test_a_view_that_cannot_follow_the_live_log_says_it_may_be_out_of_date(page, server):
    page.route("**/v1/events/stream", lambda route: route.abort())
    open_page(page, server)
    expect(page.locator("#live-lost")).to_be_visible()
    expect(page.locator("#live-lost")).to_contain_text("may be missing from it")
    expect(page.locator("body")).to_have_attribute("data-live", "false")


def test_the_pictures_fit_a_phone(browser, server, output):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = open_page(context.new_page(), server)
        expect(page.locator("#national-body g.bar")).to_have_count(4)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        for chart in ("#axis-body svg", "#grades-body svg >> nth=0", "#national-body svg"):
            box = page.locator(chart).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, chart
        # Every label inside the screen: a grade's name cut at the edge would be a chart misread.
        outside = page.locator("#pictures svg text").evaluate_all("ts => ts.filter(t => { const b = t.getBoundingClientRect(); return b.width && (b.left < 0 || b.right > 375); }).map(t => t.textContent)")
        assert outside == []
        page.locator("#pictures").screenshot(path=str(output / "pictures-phone.png"))
    finally:
        context.close()


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        missing("axe-core", "npm ci --prefix tests/browser")
    # Evaluated over the DevTools protocol: the page's CSP (script-src 'self') would refuse an injected <script>.
    page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


@pytest.mark.parametrize("width", [1200, 375])
def test_axe_core_finds_no_wcag_2_1_aa_violation(browser, server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = open_page(context.new_page(), server)
        expect(page.locator("#national-body g.bar")).to_have_count(4)
        assert axe_violations(page) == []
        open_page(page, server, "?subject=force/cleveland")
        expect(page.locator("#grades-body figure")).not_to_have_count(0)
        assert axe_violations(page) == []
    finally:
        context.close()
