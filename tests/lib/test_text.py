"""Search text helpers, checked over wide input with Hypothesis."""

import re

from hypothesis import given
from hypothesis import strategies as st

from api.lib.text import MAX_TERMS, like_pattern, normalise, search_terms


def like_to_regex(pattern: str) -> re.Pattern:
    """How a database reads `LIKE pattern ESCAPE '\\'`."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def test_accents_and_case_do_not_matter():
    assert normalise("  Éxito  JUNTOS ") == "exito juntos"
    assert normalise("Pequeños") == normalise("PEQUENOS")


@given(st.text())
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@given(st.text())
def test_search_terms_are_normalised_distinct_and_bounded(query):
    terms = search_terms(query)
    assert len(terms) <= MAX_TERMS
    assert len(set(terms)) == len(terms)
    assert all(term == normalise(term) and term for term in terms)


@given(st.text(min_size=1), st.text(), st.text())
def test_like_pattern_matches_exactly_the_texts_containing_the_term(term, before, after):
    pattern = like_to_regex(like_pattern(term))
    assert pattern.fullmatch(before + term + after)


@given(st.text(alphabet="%_\\ab", min_size=1), st.text(alphabet="%_\\ab"))
def test_like_wildcards_in_a_term_are_literal(term, text):
    pattern = like_to_regex(like_pattern(term))
    assert bool(pattern.fullmatch(text)) == (term in text)
