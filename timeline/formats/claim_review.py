"""Disputes as schema.org ClaimReview (JSON-LD), the form fact-checkers publish their verdicts in.

https://schema.org/ClaimReview

Each dispute of the disputes view (a claim that disputes the claim that stands, beside that record)
is one review: the claim is what is reviewed, the record is why. Nothing else makes a review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from timeline.date_words import in_words
from timeline.dates import is_plain, parse_bounded
from timeline.facts import AUTHORITY
from timeline.headlines import number

CONTEXT = "https://schema.org"


@dataclass(frozen=True)
class Reviewer:
    """Who publishes the reviews: the organisation running the service, and where the service is read."""

    name: str
    url: str
    site: str  # the service's public address, without a trailing slash


def claim_reviews(disputes: list[dict[str, Any]], reviewer: Reviewer) -> list[dict[str, Any]]:
    """One ClaimReview per dispute, each a JSON-LD document of its own."""
    return [claim_review(dispute["claim"], dispute["record"], reviewer) for dispute in disputes]


def claim_review(claim: dict[str, Any], record: dict[str, Any], reviewer: Reviewer) -> dict[str, Any]:
    source = claim["source"]
    return {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": f"{reviewer.site}/?subject={quote(claim['subject'], safe='/')}#fact-{claim['id']}",
        "claimReviewed": source.get("quote") or claim["headline"],
        # Reviewed once both were on record: the later of the two record times.
        "datePublished": max(claim["recorded_at"], record["recorded_at"])[:10],
        "author": {"@type": "Organization", "name": reviewer.name, "url": reviewer.url},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": source["publisher"]},
            "datePublished": _day(source["published"]),
            "appearance": [_appearance(s) for s in claim.get("sources") or [source]],
        },
        "reviewRating": {
            "@type": "Rating",
            "alternateName": verdict(claim, record),
            "ratingExplanation": record["data"].get("summary") or record["headline"],
        },
    }


def verdict(claim: dict[str, Any], record: dict[str, Any]) -> str:
    """The review in words: "False" where a more authoritative source says otherwise, else "Disputed"; then who
    says what instead ("False: official record says requires improvement")."""
    outweighed = _authority(record) > _authority(claim)
    kind = max((s["kind"] for s in record.get("sources") or [record["source"]]), key=AUTHORITY.__getitem__)
    who = "official record" if kind == "official" else record["source"]["publisher"]
    return f"{'False' if outweighed else 'Disputed'}: {who} says {_what(record, claim)}"


def _what(record: dict[str, Any], claim: dict[str, Any]) -> str:
    """What the record says instead: a grade, a figure, else what of its data differs from the claim's
    (`from March 2018`), else when it happened where only the date differs, else its headline."""
    data = record["data"]
    if record["type"] == "rating.published":
        return str(data["grade"]).replace("-", " ")
    if record["type"] == "figure.reported":
        return f"{number(data['value'])} {data['unit']}"
    differs = {k: v for k, v in data.items() if k != "summary" and claim["data"].get(k) != v} if record["type"] == claim["type"] else {}
    if differs:
        return "; ".join(f"{key.replace('_', ' ')} {_words(value)}" for key, value in differs.items())
    if record["type"] == claim["type"] and record.get("occurred") != claim.get("occurred") and record.get("occurred_label"):
        return f"it happened in {record['occurred_label']}" if not is_day(record["occurred"]) else f"it happened on {record['occurred_label']}"
    return str(record["headline"])


def is_day(edtf: str) -> bool:
    return len(edtf) == 10 and is_plain(edtf)


def _words(value: Any) -> str:
    return in_words(value) if isinstance(value, str) and is_plain(value) else str(value)


def _authority(fact: dict[str, Any]) -> int:
    return max(AUTHORITY[s["kind"]] for s in fact.get("sources") or [fact["source"]])


def _appearance(source: dict[str, Any]) -> dict[str, Any]:
    return {
        "@type": "CreativeWork",
        "url": source["url"],
        "publisher": {"@type": "Organization", "name": source["publisher"]},
        "datePublished": _day(source["published"]),
    }


def _day(published: str) -> str:
    """A publication date as schema.org takes it (ISO 8601): a plain year, month or day as given, else (an EDTF
    span or season) the last day it may mean, by which it was certainly public."""
    return published if is_plain(published) else parse_bounded(published).upper.isoformat()
