"""An agency's own tips, FAQs and group topics: drafts until published, reviewed on a schedule.

Agency admins write in English (the language every reader can fall back to) and may add
Spanish. Their text is untrusted: it is stored exactly as written, as plain text, and every
page shows it only as text (JSON strings, escaped in feeds, `textContent` in the browser).

Slugs are unique within the agency and may not reuse a core slug, so `/tips/{slug}?agency=`
always names one tip.
"""

import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from api.db.paging import page_of
from api.extensions import db
from api.lib.clock import utcnow
from api.lib.languages import FALLBACK
from api.models import (
    Faq,
    FaqTranslation,
    Tip,
    TipTag,
    TipTranslation,
    Topic,
    TopicTag,
    TopicTranslation,
    User,
)
from api.services import audit
from api.services.content.content_loader import sync_tags, sync_translations
from api.services.webhooks import events as webhook_events

TIP_FIELDS = ("title", "summary", "body", "actions", "questions")
FAQ_FIELDS = ("question", "answer")
TOPIC_FIELDS = ("title", "opening_question", "deeper_questions", "guide_open", "guide_safety",
                "guide_distress")
TOPIC_SEARCHED = ("title", "opening_question", "deeper_questions")


class SlugTaken(Exception):
    message = "This slug is already used; choose another."


class UnknownTips(Exception):
    def __init__(self, slugs: list[str]):
        super().__init__(slugs)
        self.slugs = slugs


def _slug_taken(model, agency_id: uuid.UUID, slug: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(model).where(
        model.slug == slug,
        (model.agency_id.is_(None)) | (model.agency_id == agency_id))) > 0


def _next_position(model, column, agency_id: uuid.UUID) -> int:
    return (db.session.scalar(select(func.max(column)).where(model.agency_id == agency_id))
            or 0) + 1


def _texts(text: dict, fields, last_reviewed: date) -> dict[str, dict]:
    return {language: {**{name: words[name] for name in fields}, "last_reviewed": last_reviewed}
            for language, words in text.items() if words is not None}


def _touch(item) -> None:
    # Text lives on translation rows; the item's own time says when anything changed,
    # which feeds and caches read.
    item.updated_at = utcnow()


def _update(admin: User, item, data: dict, plain: tuple, text_model, fields, searched,
            action: str):
    """Apply an edit: plain fields as given; new words (or a new review date) for every
    language at once; then record who did it."""
    changed = bool(db.session.is_modified(item))  # tags or related tips, set by the caller
    was_published = item.status == "published"
    for name in plain:
        if name in data and getattr(item, name) != data[name]:
            setattr(item, name, data[name])
            changed = True
    if "text" in data or "last_reviewed" in data:
        reviewed = data.get("last_reviewed") or utcnow().date()
        text = data.get("text") or {t.language: {f: getattr(t, f) for f in fields}
                                    for t in item.translations}
        changed |= sync_translations(item, text_model, _texts(text, fields, reviewed),
                                     (*fields, "last_reviewed"), searched)
    if changed:  # an empty edit must not move feeds' Last-Modified or public ETags
        _touch(item)
    audit.record(admin, action, object_type=item.__tablename__[:-1], object_id=item.id)
    db.session.flush()
    if item.status == "published" and not was_published:
        webhook_events.content_published(item, item.__tablename__[:-1])
    return item


def _published(item, kind: str) -> None:
    if item.status == "published":
        webhook_events.content_published(item, kind)


# Tips ----------------------------------------------------------------------------------------


def tips(agency_id: uuid.UUID, page: int, page_size: int):
    stmt = (select(Tip).where(Tip.agency_id == agency_id)
            .options(selectinload(Tip.translations), selectinload(Tip.tags)))
    rows, total = page_of(stmt, (Tip.number, Tip.id), page, page_size)
    return [row[0] for row in rows], total


def tip(agency_id: uuid.UUID, slug: str) -> Tip | None:
    return db.session.scalar(select(Tip).where(Tip.agency_id == agency_id, Tip.slug == slug)
                             .options(selectinload(Tip.translations), selectinload(Tip.tags)))


def create_tip(admin: User, data: dict) -> Tip:
    if _slug_taken(Tip, admin.agency_id, data["slug"]):
        raise SlugTaken
    reviewed = data.get("last_reviewed") or utcnow().date()
    item = Tip(slug=data["slug"], agency_id=admin.agency_id, created_at=utcnow(),
               updated_at=utcnow(),
               number=data.get("number") or _next_position(Tip, Tip.number, admin.agency_id),
               status=data.get("status", "draft"), next_review=data.get("next_review"),
               audience=data.get("audience", "worker"))
    db.session.add(item)
    sync_tags(item, TipTag, data.get("tags", []))
    sync_translations(item, TipTranslation, _texts(data["text"], TIP_FIELDS, reviewed),
                      (*TIP_FIELDS, "last_reviewed"), ("title", "summary", "body"))
    db.session.flush()
    audit.record(admin, "agency_tip.create", object_type="tip", object_id=item.id)
    _published(item, "tip")
    return item


def update_tip(admin: User, item: Tip, data: dict) -> Tip:
    if "tags" in data:
        sync_tags(item, TipTag, data["tags"])
    return _update(admin, item, data, ("status", "next_review", "number", "audience"),
                   TipTranslation, TIP_FIELDS, ("title", "summary", "body"), "agency_tip.update")


def delete_tip(admin: User, item: Tip) -> None:
    audit.record(admin, "agency_tip.delete", object_type="tip", object_id=item.id)
    db.session.delete(item)
    db.session.flush()


# FAQs ----------------------------------------------------------------------------------------


def faqs(agency_id: uuid.UUID, page: int, page_size: int):
    stmt = (select(Faq).where(Faq.agency_id == agency_id)
            .options(selectinload(Faq.translations)))
    rows, total = page_of(stmt, (Faq.position, Faq.id), page, page_size)
    return [row[0] for row in rows], total


def faq(agency_id: uuid.UUID, slug: str) -> Faq | None:
    return db.session.scalar(select(Faq).where(Faq.agency_id == agency_id, Faq.slug == slug)
                             .options(selectinload(Faq.translations)))


def _check_related(agency_id: uuid.UUID, slugs: list[str]) -> None:
    """Related tips must be core tips or this agency's own (drafts are hidden until live)."""
    known = set(db.session.scalars(select(Tip.slug).where(
        Tip.slug.in_(slugs), (Tip.agency_id.is_(None)) | (Tip.agency_id == agency_id))))
    missing = [slug for slug in slugs if slug not in known]
    if missing:
        raise UnknownTips(missing)


def create_faq(admin: User, data: dict) -> Faq:
    if _slug_taken(Faq, admin.agency_id, data["slug"]):
        raise SlugTaken
    related = data.get("related_tips", [])
    _check_related(admin.agency_id, related)
    reviewed = data.get("last_reviewed") or utcnow().date()
    item = Faq(slug=data["slug"], agency_id=admin.agency_id, related_tip_slugs=related,
               created_at=utcnow(), updated_at=utcnow(),
               position=data.get("position") or _next_position(Faq, Faq.position,
                                                               admin.agency_id),
               status=data.get("status", "draft"), next_review=data.get("next_review"),
               audience=data.get("audience", "worker"))
    db.session.add(item)
    sync_translations(item, FaqTranslation, _texts(data["text"], FAQ_FIELDS, reviewed),
                      (*FAQ_FIELDS, "last_reviewed"), FAQ_FIELDS)
    db.session.flush()
    audit.record(admin, "agency_faq.create", object_type="faq", object_id=item.id)
    _published(item, "faq")
    return item


def update_faq(admin: User, item: Faq, data: dict) -> Faq:
    if "related_tips" in data:
        _check_related(admin.agency_id, data["related_tips"])
        item.related_tip_slugs = data["related_tips"]
    return _update(admin, item, data, ("status", "next_review", "position", "audience"),
                   FaqTranslation, FAQ_FIELDS, FAQ_FIELDS, "agency_faq.update")


def delete_faq(admin: User, item: Faq) -> None:
    audit.record(admin, "agency_faq.delete", object_type="faq", object_id=item.id)
    db.session.delete(item)
    db.session.flush()


# Group topics --------------------------------------------------------------------------------


def topics(agency_id: uuid.UUID, page: int, page_size: int):
    stmt = (select(Topic).where(Topic.agency_id == agency_id)
            .options(selectinload(Topic.translations), selectinload(Topic.tags)))
    rows, total = page_of(stmt, (Topic.position, Topic.id), page, page_size)
    return [row[0] for row in rows], total


def topic(agency_id: uuid.UUID, slug: str) -> Topic | None:
    return db.session.scalar(
        select(Topic).where(Topic.agency_id == agency_id, Topic.slug == slug)
        .options(selectinload(Topic.translations), selectinload(Topic.tags)))


def create_topic(admin: User, data: dict) -> Topic:
    if _slug_taken(Topic, admin.agency_id, data["slug"]):
        raise SlugTaken
    related = data.get("related_tips", [])
    _check_related(admin.agency_id, related)
    reviewed = data.get("last_reviewed") or utcnow().date()
    item = Topic(slug=data["slug"], agency_id=admin.agency_id, related_tip_slugs=related,
                 created_at=utcnow(), updated_at=utcnow(),
                 position=data.get("position") or _next_position(Topic, Topic.position,
                                                                 admin.agency_id),
                 status=data.get("status", "draft"), next_review=data.get("next_review"))
    db.session.add(item)
    sync_tags(item, TopicTag, data.get("tags", []))
    sync_translations(item, TopicTranslation, _texts(data["text"], TOPIC_FIELDS, reviewed),
                      (*TOPIC_FIELDS, "last_reviewed"), TOPIC_SEARCHED)
    db.session.flush()
    audit.record(admin, "agency_topic.create", object_type="topic", object_id=item.id)
    _published(item, "topic")
    return item


def update_topic(admin: User, item: Topic, data: dict) -> Topic:
    if "related_tips" in data:
        _check_related(admin.agency_id, data["related_tips"])
        item.related_tip_slugs = data["related_tips"]
    if "tags" in data:
        sync_tags(item, TopicTag, data["tags"])
    return _update(admin, item, data, ("status", "next_review", "position"),
                   TopicTranslation, TOPIC_FIELDS, TOPIC_SEARCHED, "agency_topic.update")


def delete_topic(admin: User, item: Topic) -> None:
    audit.record(admin, "agency_topic.delete", object_type="topic", object_id=item.id)
    db.session.delete(item)
    db.session.flush()


_FIELDS = {Tip: TIP_FIELDS, Faq: FAQ_FIELDS, Topic: TOPIC_FIELDS}


def as_admin_sees(item) -> dict:
    """The item with every language's text, as its agency's admins edit it."""
    fields = _FIELDS[type(item)]
    english = next((t for t in item.translations if t.language == FALLBACK), None)
    shown = {
        "slug": item.slug, "status": item.status, "audience": item.audience,
        "next_review": item.next_review,
        "last_reviewed": english.last_reviewed if english else None,
        "created_at": item.created_at, "updated_at": item.updated_at,
        "text": {t.language: {f: getattr(t, f) for f in fields}
                 for t in sorted(item.translations, key=lambda t: t.language)},
    }
    if isinstance(item, Tip):
        shown.update(number=item.number, tags=[t.tag for t in item.tags])
    else:
        shown.update(position=item.position, related_tips=list(item.related_tip_slugs))
    if isinstance(item, Topic):
        shown.update(tags=[t.tag for t in item.tags])
        del shown["audience"]  # every topic is for whoever facilitates a group
    return shown
