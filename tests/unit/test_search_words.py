"""How texts and queries become the words a search matches: one folding for both, so they always meet."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from projections.search import folded_words, fts5_query, search_terms, tsquery


def test_case_accents_compatibility_forms_and_punctuation_do_not_matter():
    assert folded_words("Café NAÏVE ﬁne x² İstanbul Straße cafe\u0301 — \u2018good\u2019, requires-improvement") == [
        "cafe", "naive", "fine", "x2", "istanbul", "strasse", "cafe", "good", "requires", "improvement",
    ]


@given(st.text())
def test_every_folded_word_folds_to_itself_so_a_word_of_a_text_finds_it(text):
    for word in folded_words(text):
        assert folded_words(word) == [word]


@given(st.text(min_size=1))
def test_a_query_is_only_quoted_words(q):
    terms = search_terms(q)
    if terms:
        assert all(term.isalnum() for term in terms)
        assert fts5_query(terms).replace('"', "").replace("*", "").split() == terms
        assert tsquery(terms).replace(":*", "").split(" & ") == terms
