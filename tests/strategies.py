"""Hypothesis strategies for domain values."""

from __future__ import annotations

from hypothesis import strategies as st

from timeline.dates import parse_valid_time
from timeline.facts import FactContent, FactType, Source, SourceKind
from timeline.sources import DocumentContent, sha256_of

EDTF_SAMPLES = ["2017-03-02", "2017-03", "2016", "2017-21", "2016~", "2017-03?", "201X", "2016-02-18/2017-03-02"]

valid_times = st.sampled_from(EDTF_SAMPLES).map(parse_valid_time)
subjects = st.builds(
    "{}/{}".format,
    st.sampled_from(["force", "person", "org", "report", "decision", "place"]),
    st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True),
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text().filter(lambda k: k != "_t"), inner, max_size=4),
    max_leaves=12,
)
sources = st.builds(
    Source,
    publisher=st.text(min_size=1),
    url=st.text(),
    published=valid_times,
    kind=st.sampled_from(SourceKind),
    document=st.none() | st.text(min_size=1),
    quote=st.none() | st.text(min_size=1),
    document_version=st.none() | st.integers(min_value=1, max_value=5),
)
fact_contents = st.builds(
    FactContent,
    type=st.sampled_from(FactType),
    subject=subjects,
    occurred=valid_times,
    data=st.dictionaries(st.text().filter(lambda k: k != "_t"), json_values, max_size=5),
    source=sources,
    mentions=st.lists(subjects, max_size=3, unique=True),
    further_sources=st.lists(sources, max_size=2),
)
document_contents = st.text(min_size=1).flatmap(
    lambda text: st.builds(
        DocumentContent,
        slug=st.from_regex(r"[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}", fullmatch=True),
        title=st.none() | st.text(min_size=1),
        publisher=st.text(min_size=1),
        url=st.text(),
        published=valid_times,
        kind=st.sampled_from(SourceKind),
        text=st.just(text),
        sha256=st.just(sha256_of(text)),
        archived_url=st.none() | st.text(min_size=1),
    )
)
