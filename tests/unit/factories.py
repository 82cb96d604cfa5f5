"""Small real values for unit tests of the view rules (no store needed)."""

from __future__ import annotations

from typing import Any

from projections.fact_queries import FactState
from timeline.dates import parse_valid_time, possible_days


def state_on(occurred: str, *, retracted: bool = False) -> FactState:
    """A fact as the facts view holds it, dated `occurred` (EDTF)."""
    return fact("statement.made", occurred=occurred, retracted=retracted, id="00000000-0000-0000-0000-000000000001")


def fact(
    fact_type: str = "statement.made",
    subject: str = "force/anyshire",
    occurred: str = "2017-03-02",
    *,
    data: dict[str, Any] | None = None,
    kind: str = "press",
    position: int = 1,
    id: str | None = None,  # noqa: A002 - the field's own name
    retracted: bool = False,
    mentions: tuple[str, ...] = (),
    disputes: tuple[str, ...] = (),
    supports: tuple[str, ...] = (),
    documents: tuple[str, ...] = (),
    withdrawn: tuple[str, ...] = (),
) -> FactState:
    """A fact as the facts view holds it: one source of `kind` (or one per document cited), entered at `position`."""
    valid = parse_valid_time(occurred)
    earliest, latest = possible_days(valid)
    sources = [
        {"publisher": f"Publisher {n}", "url": f"https://example.org/{n}", "published": "2017-03-02", "kind": kind}
        | ({"document": document} if document else {})
        for n, document in enumerate(documents or (None,))
    ]
    body: dict[str, Any] = {
        "type": fact_type, "subject": subject, "occurred": occurred, "data": data if data is not None else {},
        "mentions": list(mentions), "source": sources[0],
    }  # fmt: skip
    if len(sources) > 1:
        body["sources"] = sources
    if disputes:
        body["disputes"] = list(disputes)
    if supports:
        body["supports"] = list(supports)
    return FactState(
        id=id or f"fact-{position}", version=1, known_from=position, known_from_at="2026-01-01T00:00:00.000000+00:00",
        position=position, recorded_at="2026-01-01T00:00:00.000000+00:00", change="recorded", reason=None, retracted=retracted,
        type=fact_type, subject=subject, occurred=valid, earliest=earliest, latest=latest,
        published="2017-03-02", revised_from="0001-01-01", source_kind=kind,
        body=body,  # type: ignore[arg-type]
        withdrawn=withdrawn,
    )


def rating(
    grade: str, *, kind: str = "official", inspection: str = "PEEL 2016", pillar: str = "effectiveness",
    subject: str = "force/anyshire", occurred: str = "2017-03-02", position: int = 1, **more: Any,
) -> FactState:
    """A rating claim: `subject` graded `grade` in `pillar` by `inspection`, as a source of `kind` says."""
    data = {"pillar": pillar, "grade": grade, "inspection": inspection, "inspectorate": "org/hmic"}
    return fact("rating.published", subject, occurred, data=data, kind=kind, position=position, **more)


def figure(
    value: float, *, unit: str = "officers", measure: str = "officers", period: str | None = "2017", kind: str = "official",
    subject: str = "force/anyshire", occurred: str = "2017-03-02", position: int = 1, **more: Any,
) -> FactState:
    """A figure claim: `value` `unit` of `measure` for `period`, as a source of `kind` says."""
    data: dict[str, Any] = {"measure": measure, "value": value, "unit": unit} | ({"period": period} if period else {})
    return fact("figure.reported", subject, occurred, data=data, kind=kind, position=position, **more)


def statement(
    *, kind: str = "statement", occurred: str = "2017-03-02", position: int = 1, speaker: str = "person/pat",
    subject: str = "force/anyshire", **more: Any,
) -> FactState:
    """A statement by `speaker` about `subject`: a claim with no slot, which competes only through links."""
    data = {"speaker": speaker, "stance": "disputes", "summary": "said so"}
    return fact("statement.made", subject, occurred, data=data, kind=kind, position=position, **more)
