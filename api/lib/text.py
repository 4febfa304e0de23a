"""Text helpers for search: case- and accent-insensitive, portable across databases."""

import unicodedata

MAX_TERMS = 10
# Tips', FAQs' and tags' slugs: lower-case words joined by single hyphens.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def normalise(text: str) -> str:
    """Lower-case, accent-free, single-spaced: 'Éxito  Juntos' -> 'exito juntos'."""
    # Decompose before and after folding: compatibility forms like "𝕬" only become
    # letters that can be folded once decomposed.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def search_terms(query: str | None) -> list[str]:
    """The distinct words of a query, normalised, at most MAX_TERMS of them."""
    if not query:
        return []
    terms = list(dict.fromkeys(normalise(query).split()))
    return terms[:MAX_TERMS]


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, with LIKE's wildcards taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
