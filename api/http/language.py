"""Which language a request wants, and the headers that say which one it got."""

from flask import request

from api.lib.languages import FALLBACK, LANGUAGES


def negotiate(lang_arg: str | None) -> str:
    """`?lang=` beats `Accept-Language`; English when neither names a language we have."""
    if lang_arg:
        return lang_arg
    return request.accept_languages.best_match(LANGUAGES, default=FALLBACK)


def language_headers(*languages_served: str) -> dict[str, str]:
    """Content-Language lists the languages in the body (the asked-for one first)."""
    ordered = list(dict.fromkeys(languages_served)) or [FALLBACK]
    # Caches must not give a Spanish answer to someone whose browser asked for English.
    return {"Content-Language": ", ".join(ordered), "Vary": "Accept-Language"}
