"""The page's search box and its JSON-LD ClaimReviews, in real Chromium against a real seeded server."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_page import open_page


def test_searching_a_word_of_a_quote_shows_its_fact_and_its_document(page, server, output):
    open_page(page, server)
    page.fill("#search-q", "deemed")
    page.keyboard.press("Enter")
    results = page.locator("#search-results")
    expect(results.locator("li.fact")).to_have_count(1)
    expect(results.locator("li.fact")).to_contain_text("Effectiveness: inadequate (PEEL 2016)")
    expect(results.locator("li.fact blockquote")).to_contain_text("deemed")
    expect(results).to_contain_text("1 fact, 0 subjects and 1 document hold every word of “deemed”.")
    expect(results).to_contain_text("Documents")
    expect(results).not_to_contain_text("null")
    page.locator("#search").screenshot(path=str(output / "search-deemed.png"))


def test_a_subject_found_by_its_alias_is_shown_from_the_results(page, server):
    open_page(page, server, "?subject=force/cleveland")
    expect(page.locator("#status-heading")).to_have_text("Status of Cleveland Police")
    page.fill("#search-q", "Beds police")
    page.click("#search-form button[type=submit]")
    page.locator("#search-results button", has_text="Show Bedfordshire Police").click()
    expect(page.locator("#status-heading")).to_have_text("Status of Bedfordshire Police")


def test_a_search_the_api_refuses_says_why(page, server):
    open_page(page, server)
    page.fill("#search-q", "?!")
    page.keyboard.press("Enter")
    expect(page.locator("#search-results .error")).to_contain_text("q needs a word")


def test_the_claim_reviews_in_the_page_are_data_under_its_policy(page, server):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    open_page(page, server, "?subject=force/bedfordshire")
    reviews = page.evaluate("JSON.parse(document.getElementById('claim-reviews').textContent)")
    assert sorted(r["reviewRating"]["alternateName"] for r in reviews) == [
        "False: official record says 43 forces", "False: official record says requires improvement",
    ]
    assert violations == []
