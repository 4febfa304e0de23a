"""What a push says, in the device's language (api/content/push.<lang>.toml).

Spanish and English both pick "one" for exactly one and "other" otherwise (CLDR plural
rules), so a count needs no library here.
"""

from functools import cache

from api.lib.content_files import CONTENT_DIR, read_toml
from api.lib.languages import FALLBACK, LANGUAGES

TITLE = "Rapport"


@cache
def _messages(language: str) -> dict[str, dict[str, str]]:
    language = language if language in LANGUAGES else FALLBACK
    rows = read_toml(CONTENT_DIR / f"push.{language}.toml")["messages"]
    return {row["kind"]: row for row in rows}


def _form(count: int) -> str:
    return "one" if count == 1 else "other"


def line(kind: str, count: int, language: str, name: str | None = None) -> str:
    """One kind of news: "3 check-ins are due in Rapport." or, named, "A check-in with Ana is
    due." (a name only ever for one item: several people are never listed on a lock screen)."""
    words = _messages(language)[kind]
    if count == 1 and name:
        return words["one_named"].format(name=name)
    return words[_form(count)].format(n=count)


def summary(counts: dict[str, int], language: str) -> str:
    """Several kinds at once (a daily summary): "Today in Rapport: 2 check-ins due, 1
    celebration."."""
    messages = _messages(language)
    items = ", ".join(messages[kind][f"short_{_form(n)}"].format(n=n)
                      for kind, n in counts.items())
    return messages["summary"][_form(sum(counts.values()))].format(items=items)
