"""Load tips, FAQs and group topics from the data files in api/content/ into the database,
idempotently.

Files: `tips.en.toml`, `faqs.en.toml` and `topics.en.toml` are canonical (every
language-neutral fact plus the English text); `<kind>.<lang>.toml` hold translations only.
Loading the same files twice changes nothing; an item removed from a file is removed from the
database.
"""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.extensions import db
from api.lib.content_files import ContentError, read_toml
from api.lib.languages import FALLBACK
from api.lib.text import SLUG_PATTERN, normalise
from api.models import (
    Faq,
    FaqTranslation,
    Tip,
    TipTag,
    TipTranslation,
    Topic,
    TopicTag,
    TopicTranslation,
)
from api.models.content import AUDIENCES

_slug = ma.fields.String(required=True, validate=ma.validate.Regexp(SLUG_PATTERN))
_text = ma.fields.String(required=True, validate=ma.validate.Length(min=1))


class _TipText(ma.Schema):
    slug = _slug
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    summary = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    body = _text
    actions = ma.fields.List(_text, required=True, validate=ma.validate.Length(min=3))
    questions = ma.fields.List(_text, required=True, validate=ma.validate.Length(min=2))
    last_reviewed = ma.fields.Date(required=True)


class _CanonicalTip(_TipText):
    number = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Regexp(SLUG_PATTERN)),
        required=True, validate=ma.validate.Length(min=1),
    )
    audience = ma.fields.String(load_default="worker", validate=ma.validate.OneOf(AUDIENCES))


class _FaqText(ma.Schema):
    slug = _slug
    question = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    answer = _text
    last_reviewed = ma.fields.Date(required=True)


class _CanonicalFaq(_FaqText):
    position = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    related_tips = ma.fields.List(_slug, required=True, validate=ma.validate.Length(min=1))
    source = ma.fields.String(required=True, validate=ma.validate.OneOf(["article", "rapport"]))
    audience = ma.fields.String(load_default="worker", validate=ma.validate.OneOf(AUDIENCES))


class _TopicText(ma.Schema):
    slug = _slug
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=120))
    opening_question = ma.fields.String(required=True,
                                        validate=ma.validate.Length(min=1, max=300))
    deeper_questions = ma.fields.List(_text, required=True,
                                      validate=ma.validate.Length(min=2, max=4))
    guide_open = _text
    guide_safety = _text
    # Left out: the file's `[guide] distress`, the same steps for every topic.
    guide_distress = ma.fields.String(validate=ma.validate.Length(min=1))
    last_reviewed = ma.fields.Date(required=True)


class _CanonicalTopic(_TopicText):
    position = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    related_tips = ma.fields.List(_slug, required=True, validate=ma.validate.Length(min=1))
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Regexp(SLUG_PATTERN)),
        required=True, validate=ma.validate.Length(min=1),
    )


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    languages: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.removed} removed; languages: {', '.join(sorted(self.languages))}")


def _read(path: Path, key: str, schema: ma.Schema) -> list[dict]:
    raw = read_toml(path).get(key, [])
    # TOML gives real dates; marshmallow wants their text.
    for item in raw:
        if isinstance(item.get("last_reviewed"), date):
            item["last_reviewed"] = item["last_reviewed"].isoformat()
    try:
        items = schema.load(raw, many=True)
    except ma.ValidationError as exc:
        raise ContentError(f"{path.name}: {exc.messages}") from exc
    slugs = [item["slug"] for item in items]
    if len(set(slugs)) != len(slugs):
        raise ContentError(f"{path.name}: duplicate slugs")
    return items


def _translations(directory: Path, kind: str, languages, schema, known: set[str]):
    """{language: {slug: text}} for every translation file present."""
    found = {}
    for language in languages:
        path = directory / f"{kind}.{language}.toml"
        if language == FALLBACK or not path.exists():
            continue
        items = _read(path, kind, schema)
        stray = {item["slug"] for item in items} - known
        if stray:
            raise ContentError(f"{path.name}: unknown slugs {sorted(stray)}")
        found[language] = {item["slug"]: item for item in items}
    return found


def _assign(obj, **values) -> bool:
    """Set attributes that differ; say whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def sync_translations(item, model, text_by_language: dict[str, dict], fields, search_fields):
    """Make item's translations exactly `text_by_language`; say whether anything changed."""
    existing = {t.language: t for t in item.translations}
    changed = False
    for language, text in text_by_language.items():
        values = {name: text[name] for name in fields}
        words = (text[name] for name in search_fields)
        values["search_text"] = normalise(
            " ".join(" ".join(w) if isinstance(w, list) else w for w in words))
        translation = existing.pop(language, None)
        if translation is None:
            item.translations.append(model(language=language, **values))
            changed = True
        else:
            changed |= _assign(translation, **values)
    for translation in existing.values():
        item.translations.remove(translation)
        changed = True
    return changed


def _tally(report: LoadReport, created: bool, changed: bool) -> None:
    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1


def sync_tags(item, tag_model, tags: list[str]) -> bool:
    """Make item's tags exactly `tags`, in order; say whether anything changed."""
    if [t.tag for t in item.tags] == tags:
        return False
    item.tags.clear()
    db.session.flush()
    item.tags.extend(tag_model(tag=tag, position=i) for i, tag in enumerate(tags))
    return True


def _texts(data: dict, translated: dict[str, dict]) -> dict[str, dict]:
    """One item's text by language: English from the canonical file, then each translation."""
    return {FALLBACK: data} | {
        lang: by_slug[data["slug"]] for lang, by_slug in translated.items()
        if data["slug"] in by_slug
    }


def _check_related(kind: str, items: list[dict], tip_slugs: set[str]) -> None:
    for data in items:
        unknown = set(data["related_tips"]) - tip_slugs
        if unknown:
            raise ContentError(f"{kind} {data['slug']}: unknown related tips {sorted(unknown)}")


def _load_tips(directory: Path, languages, report: LoadReport) -> set[str]:
    canonical = _read(directory / f"tips.{FALLBACK}.toml", "tips", _CanonicalTip())
    slugs = {tip["slug"] for tip in canonical}
    translated = _translations(directory, "tips", languages, _TipText(), slugs)
    existing = {
        tip.slug: tip
        for tip in db.session.scalars(
            # Core tips only: an agency's own tips are theirs, never touched by a load.
            select(Tip).where(Tip.agency_id.is_(None))
            .options(selectinload(Tip.translations), selectinload(Tip.tags))
        )
    }
    for data in canonical:
        tip = existing.pop(data["slug"], None)
        created = tip is None
        if created:
            tip = Tip(slug=data["slug"], number=data["number"])
            db.session.add(tip)
        changed = _assign(tip, number=data["number"], audience=data["audience"])
        changed |= sync_tags(tip, TipTag, data["tags"])
        texts = _texts(data, translated)
        report.languages.update(texts)
        changed |= sync_translations(
            tip, TipTranslation, texts,
            ("title", "summary", "body", "actions", "questions", "last_reviewed"),
            ("title", "summary", "body"),
        )
        _tally(report, created, changed)
    for tip in existing.values():
        db.session.delete(tip)
        report.removed += 1
    return slugs


def _load_faqs(directory: Path, languages, tip_slugs: set[str], report: LoadReport) -> None:
    canonical = _read(directory / f"faqs.{FALLBACK}.toml", "faqs", _CanonicalFaq())
    _check_related("FAQ", canonical, tip_slugs)
    slugs = {faq["slug"] for faq in canonical}
    translated = _translations(directory, "faqs", languages, _FaqText(), slugs)
    existing = {
        faq.slug: faq
        for faq in db.session.scalars(select(Faq).where(Faq.agency_id.is_(None))
                                      .options(selectinload(Faq.translations)))
    }
    for data in canonical:
        faq = existing.pop(data["slug"], None)
        created = faq is None
        if created:
            faq = Faq(slug=data["slug"], position=data["position"], related_tip_slugs=[])
            db.session.add(faq)
        changed = _assign(faq, position=data["position"], related_tip_slugs=data["related_tips"],
                          audience=data["audience"])
        texts = _texts(data, translated)
        report.languages.update(texts)
        changed |= sync_translations(
            faq, FaqTranslation, texts, ("question", "answer", "last_reviewed"),
            ("question", "answer"),
        )
        _tally(report, created, changed)
    for faq in existing.values():
        db.session.delete(faq)
        report.removed += 1


_TOPIC_FIELDS = ("title", "opening_question", "deeper_questions", "guide_open", "guide_safety",
                 "guide_distress", "last_reviewed")


def _with_distress_guide(path: Path, items: list[dict]) -> list[dict]:
    """Give each topic without steps of its own the file's `[guide] distress` steps."""
    if not path.exists():
        return items
    shared = read_toml(path).get("guide", {}).get("distress")
    for item in items:
        if "guide_distress" not in item:
            if not shared:
                raise ContentError(f"{path.name}: topic {item['slug']} has no distress guide")
            item["guide_distress"] = shared.strip()
    return items


def _load_topics(directory: Path, languages, tip_slugs: set[str], report: LoadReport) -> None:
    path = directory / f"topics.{FALLBACK}.toml"
    if not path.exists():
        return
    canonical = _with_distress_guide(path, _read(path, "topics", _CanonicalTopic()))
    _check_related("Topic", canonical, tip_slugs)
    slugs = {topic["slug"] for topic in canonical}
    translated = _translations(directory, "topics", languages, _TopicText(), slugs)
    for language, by_slug in translated.items():
        _with_distress_guide(directory / f"topics.{language}.toml", list(by_slug.values()))
    existing = {
        topic.slug: topic
        for topic in db.session.scalars(
            select(Topic).where(Topic.agency_id.is_(None))
            .options(selectinload(Topic.translations), selectinload(Topic.tags)))
    }
    for data in canonical:
        topic = existing.pop(data["slug"], None)
        created = topic is None
        if created:
            topic = Topic(slug=data["slug"], position=data["position"], related_tip_slugs=[])
            db.session.add(topic)
        changed = _assign(topic, position=data["position"],
                          related_tip_slugs=data["related_tips"])
        changed |= sync_tags(topic, TopicTag, data["tags"])
        texts = _texts(data, translated)
        report.languages.update(texts)
        changed |= sync_translations(
            topic, TopicTranslation, texts, _TOPIC_FIELDS,
            ("title", "opening_question", "deeper_questions"),
        )
        _tally(report, created, changed)
    for topic in existing.values():
        db.session.delete(topic)
        report.removed += 1


def load_tips_and_faqs(directory: Path, languages, report: LoadReport) -> set[str]:
    """Tips, then the FAQs and group topics that link to them; the tips' slugs."""
    tip_slugs = _load_tips(directory, languages, report)
    _load_faqs(directory, languages, tip_slugs, report)
    _load_topics(directory, languages, tip_slugs, report)
    return tip_slugs
