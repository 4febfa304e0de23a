"""The content rules of docs/content-style.md as plain functions: each takes what it checks
and answers the problems it found (empty when none), so the tests can run them on the real
files and on a planted bad item alike."""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import textstat

ROOT = Path(__file__).resolve().parents[2]
STYLE_GUIDE = ROOT / "docs" / "content-style.md"
ARTICLE_NAME = "000_1c3fea74641381bd.txt"

MAX_GRADE_EN = 8.0     # Flesch-Kincaid grade level
MIN_EASE_ES = 70.0     # Fernández-Huerta: 70+ reads as "fairly easy" (about grade 7)
MIN_WORDS_TO_SCORE = 30  # a formula on a few words says nothing
RUN = 8                # words in a row that may not match the article

# Fields that hold no prose: names for machines, dates, lists of slugs.
NOT_PROSE = {"slug", "tags", "audience", "source", "language", "last_reviewed", "number",
             "position", "phone", "text", "id", "version", "kind"}
LINK_LIST = re.compile(r"(?:^|_)(tips|faqs|topics)$")
URL_IN_TEXT = re.compile(r"\bhttps?://[^\s\"'<>)»”]+", re.IGNORECASE)
APP_LINK = re.compile(r"#/(tips|faqs|topics)/([a-z0-9-]+)")
WORD = re.compile(r"[\w']+")


def find_article() -> Path | None:
    """The source article, wherever this checkout sits beside ../shared (a worktree too)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "seed" / ARTICLE_NAME
        if candidate.exists():
            return candidate
    return None


@dataclass
class Item:
    """One thing a person reads as a whole: a tip, an FAQ, a topic, a crisis line, a string."""

    where: str
    language: str
    text: str
    data: dict = field(default_factory=dict)
    kind: str = ""


def _prose(value, key: str = ""):
    if key in NOT_PROSE or LINK_LIST.search(key) or key == "url" or key.endswith("_url"):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for entry in value:
            yield from _prose(entry, key)
    elif isinstance(value, dict):
        for sub_key, entry in value.items():
            yield from _prose(entry, sub_key)


def content_items(directory: Path) -> list[Item]:
    """Every entry of every `name.lang.toml` (and crisis.toml) in `directory`: each top-level
    array of tables is a list of items, so new kinds of content are checked with no change."""
    items = []
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        named = re.fullmatch(r"([a-z_]+)\.([a-z]{2})\.toml", path.name)
        file_language = named.group(2) if named else "en"
        kind = named.group(1) if named else path.stem
        for key, value in data.items():
            if not (isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
                continue
            for index, entry in enumerate(value):
                name = entry.get("slug") or entry.get("name") or f"{key}[{index}]"
                items.append(Item(f"{path.name}#{name}", entry.get("language", file_language),
                                  "\n".join(_prose(entry)), entry, kind))
    return items


_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'|`((?:[^`\\]|\\.)*)`')


def string_literals(path: Path) -> list[str]:
    """The quoted strings of a .js or .py file that read as words (two or more)."""
    source = path.read_text(encoding="utf-8")
    found = []
    for match in _LITERAL.finditer(source):
        text = next(group for group in match.groups() if group is not None)
        if len(WORD.findall(text)) >= 2 and re.search(r"[A-Za-zÁÉÍÓÚáéíóúñÑ]{2}", text):
            found.append(text)
    return found


def app_items(root: Path = ROOT) -> list[Item]:
    """The app's strings (pwa/) and the server's messages people read."""
    items = []
    for path in sorted((root / "pwa").rglob("*.js")):
        items += [Item(f"{path.relative_to(root)}: {text[:40]}", "", text)
                  for text in string_literals(path)]
    for path in sorted((root / "pwa").rglob("*.html")):
        items.append(Item(str(path.relative_to(root)), "", path.read_text(encoding="utf-8")))
    for path in [root / "api" / "http" / "problem_words.py", root / "api" / "web" / "embed.py"]:
        items += [Item(f"{path.relative_to(root)}: {text[:40]}", "", text)
                  for text in string_literals(path)]
    return items


# --- reading level -------------------------------------------------------------------------

def reading_problems(item: Item) -> list[str]:
    """English above grade 8 or Spanish below ease 70, for an item long enough to score."""
    if len(WORD.findall(item.text)) < MIN_WORDS_TO_SCORE or item.language not in ("en", "es"):
        return []
    textstat.set_lang(item.language)
    try:
        if item.language == "en":
            grade = textstat.flesch_kincaid_grade(item.text)
            return [f"Flesch-Kincaid grade {grade} > {MAX_GRADE_EN}"] * (grade > MAX_GRADE_EN)
        ease = textstat.fernandez_huerta(item.text)
        return [f"Fernández-Huerta {ease} < {MIN_EASE_ES}"] if ease < MIN_EASE_ES else []
    finally:
        textstat.set_lang("en")


# --- our own words -------------------------------------------------------------------------

def normalised_words(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("‘", "'")
    return WORD.findall(text)


def runs(text: str, size: int = RUN) -> set[tuple[str, ...]]:
    words = normalised_words(text)
    return {tuple(words[i:i + size]) for i in range(len(words) - size + 1)}


def copied_runs(item: Item, article_runs: set[tuple[str, ...]], size: int = RUN) -> list[str]:
    """Each run of `size` words the item shares with the article."""
    return sorted(" ".join(run) for run in runs(item.text, size) & article_runs)


# --- words we do not use -------------------------------------------------------------------

def forbidden_terms(guide: Path = STYLE_GUIDE) -> list[str]:
    """The first column of the table under "## Words we do not use" in the style guide."""
    text = guide.read_text(encoding="utf-8")
    section = text.split("## Words we do not use", 1)[1].split("\n## ", 1)[0]
    terms = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.lstrip().startswith("|") and cells and cells[0].startswith("`"):
            terms.append(cells[0].strip("`").strip())
    return terms


def forbidden_problems(text: str, terms: list[str]) -> list[str]:
    """The terms found in `text`, whole word, in any case and across line breaks."""
    flat = re.sub(r"\s+", " ", text)
    return [term for term in terms
            if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", flat, re.IGNORECASE)]


# --- links ---------------------------------------------------------------------------------

def url_problem(url: str) -> str | None:
    """Why `url` is not a well-formed https address with a host, or None."""
    if any(ch.isspace() for ch in url) or "\\" in url:
        return f"{url!r}: spaces or backslashes"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        return f"{url!r}: not readable"
    if parts.scheme != "https":
        return f"{url!r}: not https"
    if not host or "." not in host or "@" in parts.netloc:
        return f"{url!r}: no proper host"
    return None


def _urls(value, key: str = ""):
    if isinstance(value, str):
        if key == "url" or key.endswith("_url"):
            yield value
        else:
            yield from URL_IN_TEXT.findall(value)
    elif isinstance(value, list):
        for entry in value:
            yield from _urls(entry, key)
    elif isinstance(value, dict):
        for sub_key, entry in value.items():
            yield from _urls(entry, sub_key)


def _link_lists(value, key: str = ""):
    if isinstance(value, dict):
        for sub_key, entry in value.items():
            match = LINK_LIST.search(sub_key)
            if match and isinstance(entry, list) and all(isinstance(e, str) for e in entry):
                yield match.group(1), entry
            else:
                yield from _link_lists(entry, sub_key)
    elif isinstance(value, list):
        for entry in value:
            yield from _link_lists(entry, key)


def link_problems(item: Item, slugs: dict[str, set[str]]) -> list[str]:
    """Slugs that name nothing, app links that lead nowhere, web addresses that are not
    well-formed https. `slugs` maps "tips", "faqs", "topics" to the slugs that exist."""
    problems = []
    for kind, names in _link_lists(item.data):
        problems += [f"{kind}: no {name!r}" for name in names if name not in slugs.get(kind, set())]
    for kind, name in APP_LINK.findall(item.text):
        if name not in slugs.get(kind, set()):
            problems.append(f"#/{kind}/{name} leads nowhere")
    problems += [problem for url in _urls(item.data) if (problem := url_problem(url))]
    return problems


def slugs_by_kind(items: list[Item]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in items:
        if "slug" in item.data:
            found.setdefault(item.kind, set()).add(item.data["slug"])
    return found
