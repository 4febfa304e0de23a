"""Survey instruments: loaded from api/content/surveys/, immutable once published.

Files: `<slug>.v<version>.toml` holds the language-neutral facts and the English words;
`<slug>.v<version>.<lang>.toml` holds another language's words. Loading the same files again
changes nothing; changing a published version is refused (publish a new version instead),
so a stored response always scores the way it did.
"""

from datetime import date
from pathlib import Path

from sqlalchemy import select

from api.extensions import db
from api.lib.content_files import CONTENT_DIR, ContentError, read_toml
from api.lib.languages import FALLBACK
from api.models import SurveyInstrument
from api.services.surveys.scoring import DIMENSIONS, Instrument, Item

SURVEY_DIR = CONTENT_DIR / "surveys"
SELF_CHECK = "rapport-self-check"
SESSION_CHECK = "session-check"
AUDIENCES = ("worker", "peer")  # who answers (responses.FOR_AUDIENCE words each)


def _words(table: dict, items: list[dict], language: str, path: Path) -> dict:
    text = {key: value for key, value in table.items()}
    by_id = {item["id"]: item.get(language) for item in items}
    if any(not words for words in by_id.values()):
        raise ContentError(f"{path.name}: every item needs its {language} wording")
    text["items"] = by_id
    return text


def _definition(path: Path, languages, tip_slugs: set[str]) -> tuple[dict, dict]:
    data = read_toml(path)
    items = data.get("items", [])
    ids = [item.get("id") for item in items]
    if not items or len(set(ids)) != len(ids):
        raise ContentError(f"{path.name}: items must exist and have distinct ids")
    if data.get("audience") not in AUDIENCES:
        raise ContentError(f"{path.name}: audience must be one of {', '.join(AUDIENCES)}")
    for item in items:
        if item.get("dimension") not in DIMENSIONS:
            raise ContentError(f"{path.name}: item {item.get('id')}: unknown dimension")
        if item.get("tip") is not None and item["tip"] not in tip_slugs:
            raise ContentError(f"{path.name}: item {item['id']}: unknown tip {item['tip']}")
    text = {FALLBACK: _words(data[FALLBACK], items, FALLBACK, path)}
    for language in languages:
        translated = path.with_name(path.name.replace(".toml", f".{language}.toml"))
        if language != FALLBACK and translated.exists():
            extra = read_toml(translated)
            words = {item["id"]: item.get(language) for item in extra.get("items", [])}
            if set(words) != set(ids):
                raise ContentError(f"{translated.name}: must cover exactly the same items")
            text[language] = {**extra[language], "items": words}
    facts = {"slug": data["slug"], "version": int(data["version"]),
             "audience": data["audience"], "scale_min": int(data["scale"]["min"]),
             "scale_max": int(data["scale"]["max"]), "published": data["published"]}
    if not isinstance(facts["published"], date):
        raise ContentError(f"{path.name}: published must be a date")
    # `did_not_come_up` is written only where it is true, so a version published before the
    # answer existed loads to exactly the definition it was published with.
    definition = {"items": [{"id": i["id"], "dimension": i["dimension"], "tip": i.get("tip")}
                            | ({"did_not_come_up": True} if i.get("did_not_come_up") else {})
                            for i in items], "text": text}
    if any(i.get("did_not_come_up") for i in items):
        for language, words in text.items():
            if not words.get("did_not_come_up"):
                raise ContentError(f"{path.name}: {language} needs a did_not_come_up label")
    try:  # the same checks scoring makes, now rather than on the first request
        for_scoring(SurveyInstrument(**facts, definition=definition))
    except ValueError as exc:
        raise ContentError(f"{path.name}: {exc}") from exc
    return facts, definition


def load(languages, tip_slugs: set[str], directory: Path = SURVEY_DIR) -> tuple[int, int]:
    """Publish new instrument versions; returns (created, unchanged). Caller commits."""
    created = unchanged = 0
    canonical = sorted(p for p in directory.glob("*.v*.toml") if p.name.count(".") == 2)
    for path in canonical:
        facts, definition = _definition(path, languages, tip_slugs)
        existing = db.session.scalar(select(SurveyInstrument).where(
            SurveyInstrument.slug == facts["slug"],
            SurveyInstrument.version == facts["version"]))
        if existing is None:
            db.session.add(SurveyInstrument(**facts, definition=definition))
            created += 1
        elif (existing.definition != definition
              or any(getattr(existing, name) != value for name, value in facts.items())):
            raise ContentError(f"{path.name}: version {facts['version']} is already published "
                               "and cannot change; publish a new version instead")
        else:
            unchanged += 1
    return created, unchanged


def latest() -> list[SurveyInstrument]:
    """The newest version of every instrument, by slug."""
    rows = db.session.scalars(select(SurveyInstrument).order_by(
        SurveyInstrument.slug, SurveyInstrument.version.desc())).all()
    newest = {}
    for row in rows:
        newest.setdefault(row.slug, row)
    return list(newest.values())


def newest(slug: str) -> SurveyInstrument | None:
    return db.session.scalar(select(SurveyInstrument).where(SurveyInstrument.slug == slug)
                             .order_by(SurveyInstrument.version.desc()).limit(1))


def version_of(slug: str, version: int) -> SurveyInstrument | None:
    return db.session.scalar(select(SurveyInstrument).where(
        SurveyInstrument.slug == slug, SurveyInstrument.version == version))


def for_scoring(row: SurveyInstrument) -> Instrument:
    return Instrument(slug=row.slug, version=row.version, scale_min=row.scale_min,
                      scale_max=row.scale_max,
                      items=tuple(Item(id=i["id"], dimension=i["dimension"], tip=i["tip"],
                                       did_not_come_up=i.get("did_not_come_up", False))
                                  for i in row.definition["items"]))


def localised(row: SurveyInstrument, language: str) -> dict:
    """The instrument as people read it, in `language` (English where it is missing)."""
    text = row.definition["text"].get(language) or row.definition["text"][FALLBACK]
    used = language if language in row.definition["text"] else FALLBACK
    return {
        "slug": row.slug, "version": row.version, "audience": row.audience,
        "language": used, "fallback": used != language,
        "title": text["title"], "intro": text["intro"],
        "scale": {"min": row.scale_min, "max": row.scale_max,
                  "labels": text.get("labels") or text.get("anchors") or [],
                  "did_not_come_up": text.get("did_not_come_up")},
        "items": [{"id": item["id"], "dimension": item["dimension"], "tip": item["tip"],
                   "did_not_come_up": item.get("did_not_come_up", False),
                   "text": text["items"][item["id"]]} for item in row.definition["items"]],
    }
