"""A ClaimReview's verdict names what the record says instead of the claim."""

from __future__ import annotations

from timeline.formats.claim_review import verdict

PRESS = {"publisher": "ITV News", "url": "https://www.itv.com/news/x", "published": "2020-12-07", "kind": "press"}
OFFICIAL = {"publisher": "HMICFRS", "url": "https://example.org/r", "published": "2020-12-10", "kind": "official"}


def report(occurred: str, label: str, source: dict) -> dict:
    return {"type": "report.published", "subject": "report/gmp-victims", "occurred": occurred, "occurred_label": label,
            "data": {"title": "An inspection of the service provided to victims of crime", "issued_by": "org/hmicfrs"},
            "source": source, "sources": [source], "headline": "An inspection of the service provided to victims of crime"}  # fmt: skip


def test_a_claim_wrong_only_about_the_date_is_answered_with_the_records_date():
    claim, record = report("2020-12-07", "7 December 2020", PRESS), report("2020-12-10", "10 December 2020", OFFICIAL)
    assert verdict(claim, record) == "False: official record says it happened on 10 December 2020"


def test_a_date_known_to_the_month_is_said_in_words_too():
    claim, record = report("2020-11", "November 2020", PRESS), report("2020-12", "December 2020", OFFICIAL)
    assert verdict(claim, record) == "False: official record says it happened in December 2020"


def test_a_claim_differing_in_its_data_names_the_field_not_the_date():
    claim, record = report("2020-12-10", "10 December 2020", PRESS), report("2020-12-10", "10 December 2020", OFFICIAL)
    claim["data"] = claim["data"] | {"issued_by": "org/hmic"}
    assert verdict(claim, record) == "False: official record says issued by org/hmicfrs"
