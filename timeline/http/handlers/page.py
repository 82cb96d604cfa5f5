"""The page people read at `/`: static HTML, CSS and JavaScript that call the API; the HTML carries the
disputes it shows as schema.org ClaimReviews, for search engines and fact-check aggregators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from timeline.errors import UnknownSubject
from timeline.formats.claim_review import claim_reviews
from timeline.http import params
from timeline.http.handlers.search import REVIEWED_SUBJECTS, reviewer_of
from timeline.http.keys import VIEWS
from timeline.http.negotiate import HTML, offers
from timeline.http.problems import BadRequest
from timeline.http.respond import _reflect_acknowledged_writes, off_loop

PAGE_FILES = Path(__file__).resolve().parent.parent / "page"


@offers(HTML)
async def index(request: web.Request) -> web.Response:
    """The page, with the ClaimReviews of the subject in its URL (of every subject without one), as known at and
    reported by the URL's times, in a JSON-LD data block: not a script the browser runs, so the page's policy
    (script-src 'self') stands as it is. A URL the API would refuse, or views too far behind, get the page without them."""
    views, reviewer = request.app[VIEWS], reviewer_of(request)
    try:
        given = request.query.get("subject")
        subject = params.checked_subject(given, "subject") if given else None
        known_at, reported_by = params.known_at(request), await params.reported_by(request)
        await _reflect_acknowledged_writes(request)  # as every view read: what was acknowledged before is shown
    except (BadRequest, web.HTTPServiceUnavailable):
        subject, known_at, reported_by, reviewed = None, None, None, False
    else:
        reviewed = True

    def render() -> bytes:
        page = (PAGE_FILES / "index.html").read_bytes()
        if not reviewed:
            return page
        if subject is not None:
            try:
                disputes = views.disputes(subject, known_at, reported_by)["disputes"]
            except UnknownSubject:
                return page  # the page itself says the subject is unknown
        else:
            disputes = views.every_dispute(known_at, reported_by, limit=REVIEWED_SUBJECTS)["disputes"]
        return embedded(page, claim_reviews(disputes, reviewer))

    return web.Response(body=await off_loop(request, render), content_type="text/html", charset="utf-8", headers={"Cache-Control": "no-cache"})


def embedded(page: bytes, reviews: list[dict[str, Any]]) -> bytes:
    """The page with the reviews in a JSON-LD block at the end of its head; `<`, `>` and `&` escaped, so that no
    text in a quote can close the block (`</script>`) or open a comment."""
    data = orjson.dumps(reviews).replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
    block = b'<script type="application/ld+json" id="claim-reviews">' + data + b"</script>\n"
    return page.replace(b"</head>", block + b"</head>", 1)
