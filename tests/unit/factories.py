"""Small real values for unit tests of the view rules (no store needed)."""

from __future__ import annotations

from projections.facts import FactState
from timeline.dates import parse_valid_time, possible_days


def state_on(occurred: str, *, retracted: bool = False) -> FactState:
    """A fact as the facts view holds it, dated `occurred` (EDTF)."""
    valid = parse_valid_time(occurred)
    earliest, latest = possible_days(valid)
    return FactState(
        id="00000000-0000-0000-0000-000000000001", version=1, known_from=1, known_from_at="2026-01-01T00:00:00.000000+00:00",
        position=1, recorded_at="2026-01-01T00:00:00.000000+00:00", change="recorded", reason=None, retracted=retracted,
        type="statement.made", subject="force/anyshire", occurred=valid, earliest=earliest, latest=latest,
        published="2017-01-01", revised_from="0001-01-01", source_kind="press",
        body={"data": {}, "source": {}, "mentions": []},
    )
