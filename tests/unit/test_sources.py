"""Quotes are checked against their document, forgiving only whitespace and typographic quotes."""

import pytest

from timeline.sources import quote_occurs_in

TEXT = "She said: \u201cThe process of assessing calls\n about missing children is poor.\u201d"


@pytest.mark.parametrize(
    "quote",
    [
        "The process of assessing calls about missing children is poor.",
        '"The process of assessing calls about missing children is poor."',
        "  assessing   calls about\tmissing  ",
    ],
)
def test_a_quote_matches_despite_whitespace_and_typographic_quote_marks(quote):
    assert quote_occurs_in(quote, TEXT)


@pytest.mark.parametrize(
    "quote",
    [
        "The process of assessing calls about missing children is good.",  # a changed word
        "the process of assessing calls",  # case is not forgiven
        "assessing calls, about missing children",  # punctuation is not forgiven
    ],
)
def test_a_quote_that_is_not_verbatim_does_not_match(quote):
    assert not quote_occurs_in(quote, TEXT)
