"""The TimelineJS export, loaded into Knight Lab's own TimelineJS library in Chromium."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import expect


def fetch_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def every_fact(server: str, subject: str) -> list[dict]:
    facts, cursor = [], ""
    while True:
        page = fetch_json(f"{server}/v1/subjects/{subject}/timeline?limit=1000{cursor}")
        facts += page["facts"]
        if not page["next_cursor"]:
            return facts
        cursor = f"&cursor={page['next_cursor']}"


def test_every_fact_of_the_export_becomes_a_timelinejs_slide(page, server, timelinejs, output, report):
    export = fetch_json(f"{server}/v1/subjects/force/bedfordshire/timeline?format=timelinejs")
    facts = every_fact(server, "force/bedfordshire")

    page.set_content('<!doctype html><html><body><div id="timeline-embed" style="width: 100%; height: 600px"></div></body></html>')
    page.add_style_tag(path=str(timelinejs / "css" / "timeline.css"))
    page.add_script_tag(path=str(timelinejs / "js" / "timeline.js"))
    page.evaluate("data => { window.timeline = new TL.Timeline('timeline-embed', data); }", export)

    slides = page.locator(".tl-slide:not(.tl-slide-titleslide)")
    expect(slides).to_have_count(len(facts))
    slide_ids = page.eval_on_selector_all(".tl-slide:not(.tl-slide-titleslide)", "slides => slides.map(s => s.id)")
    assert sorted(slide_ids) == sorted(f"fact-{fact['id']}" for fact in facts)
    expect(page.locator(".tl-slide-titleslide .tl-headline")).to_have_text("Bedfordshire Police")  # its name fact

    # TimelineJS shows our words for a partial date, and the library read every date without complaint.
    claimed_good = next(f for f in facts if f["occurred"] == "2016" and f["source"]["kind"] == "press")
    page.evaluate("id => window.timeline.goToId(id)", f"fact-{claimed_good['id']}")
    current = page.locator(f"#fact-{claimed_good['id']}")
    expect(current.locator(".tl-headline")).to_have_text("Effectiveness: good (PEEL 2015)")
    expect(current.locator(".tl-headline-date")).to_have_text("2016")
    # The slide carries the dispute: what the record says, with its source.
    expect(current.locator(".tl-text-content")).to_contain_text("Disputed by the record:")
    expect(current.locator(".tl-text-content")).to_contain_text("Effectiveness: requires improvement (PEEL 2015) (18 February 2016): HMIC (official), 18 February 2016")
    assert page.evaluate("window.timeline.config.events.length") == len(facts)
    assert page.evaluate("window.timeline.config.messages") == {"errors": [], "warnings": []}

    page.screenshot(path=str(output / "timelinejs.png"))
    report.append(f"browser: {len(facts)} facts exported, {len(slide_ids)} TimelineJS slides")
