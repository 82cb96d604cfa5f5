"""Full-text search, and disputes as schema.org ClaimReview: reads over the views, as JSON."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from projections.search import MAX_QUERY_CHARACTERS, MAX_TERMS, search_terms
from timeline.errors import FieldError
from timeline.formats.claim_review import Reviewer, claim_reviews
from timeline.http import params
from timeline.http.keys import SETTINGS, VIEWS
from timeline.http.problems import BadRequest
from timeline.http.respond import view_response

SEARCH_PAGE, MAX_SEARCH_PAGE = 20, 100
REVIEWED_SUBJECTS = 100  # subjects whose disputes one page of every claim review reads


async def search(request: web.Request) -> web.Response:
    """GET /v1/search?q=: facts, subjects and documents holding every word of `q`, at the three times."""
    params.only(request, "q", "limit", "cursor", *params.VIEW_TIMES)
    terms = query_terms(request.query.get("q", ""))
    limit = params.integer(request, "limit", SEARCH_PAGE, low=1, high=MAX_SEARCH_PAGE)
    as_of, known_at, reported_by = await params.as_date(request, "as_of"), params.known_at(request), await params.reported_by(request)
    cursor, views = request.query.get("cursor") or None, request.app[VIEWS]
    return await view_response(request, lambda: views.search(terms, as_of, known_at, reported_by, cursor, limit))


def query_terms(q: str) -> list[str]:
    """The words of `q`, refused when there are none, or too many, or it is too long to be a search."""
    problem = None
    if len(q) > MAX_QUERY_CHARACTERS:
        problem = f"is at most {MAX_QUERY_CHARACTERS} characters"
    elif not (terms := search_terms(q)):
        problem = "needs a word: letters or digits"
    elif len(terms) > MAX_TERMS:
        problem = f"has at most {MAX_TERMS} words"
    if problem:
        raise BadRequest(f"q {problem}", errors=[FieldError("q", problem)])
    return terms


async def claim_reviews_of_disputes(request: web.Request) -> web.Response:
    """GET /v1/claim-reviews: each dispute as a schema.org ClaimReview; of one subject's, or of every subject's a page
    of subjects at a time (`after`, `next_after`)."""
    params.only(request, "subject", "after", "limit", "known_at", "reported_by", "min_position")
    given = request.query.get("subject")
    subject = params.checked_subject(given, "subject") if given else None
    after, limit = request.query.get("after", ""), params.integer(request, "limit", REVIEWED_SUBJECTS, low=1, high=params.MAX_LIMIT)
    if len(after) > 200:
        raise BadRequest("after is a subject id, at most 200 characters", errors=[FieldError("after", "is too long")])
    known_at, reported_by, views, reviewer = params.known_at(request), await params.reported_by(request), request.app[VIEWS], reviewer_of(request)

    def compute() -> dict[str, Any]:
        if subject is not None:
            view = views.disputes(subject, known_at, reported_by)
            rest = {"subject": view["subject"]}
        else:
            view = views.every_dispute(known_at, reported_by, after, limit)
            rest = {"next_after": view["next_after"]}
        envelope = {key: view[key] for key in ("position", "known_at", "reported_by")}
        return envelope | rest | {"claim_reviews": claim_reviews(view["disputes"], reviewer)}

    return await view_response(request, compute)


def reviewer_of(request: web.Request) -> Reviewer:
    settings = request.app[SETTINGS]
    return Reviewer(settings.organisation, settings.organisation_site, settings.site_url)
