"""Content feeds for any reader: JSON Feed 1.1, Atom 1.0 (RFC 4287) and RSS 2.0.

One list (the tips, or the group discussion topics; the agency's published ones and the core
ones, in the order the agency chose) becomes three formats, and an agency's words can never
become markup in a reader: JSON Feed carries only `content_text`; Atom marks every text
`type="text"`; RSS descriptions are HTML by definition, so there the text is HTML-escaped
first (and feedgen escapes the XML again on top).
Each item links to its page in the phone app and says its language, dates and who wrote it.
"""

import html
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from feedgen.feed import FeedGenerator

from api.lib.languages import FALLBACK
from api.services.content.tips import AgencyRef, LocalisedTip, list_tips
from api.services.content.topics import LocalisedTopic, list_topics

MAX_ITEMS = 200
CORE_AUTHOR = "Rapport"


@dataclass(frozen=True)
class FeedLinks:
    """Absolute URLs, made by the caller (the service knows nothing of requests)."""

    home: str          # the phone app
    feed: str          # this feed itself
    item: str          # the app's address of one item, with "{slug}" to fill in


@dataclass(frozen=True)
class Item:
    """One tip or topic, as every format needs it: plain text in blocks, each a paragraph or
    a list of lines."""

    slug: str
    title: str
    summary: str
    blocks: list[str | list[str]]
    tags: list[str]
    language: str
    author: str
    published: datetime
    updated: datetime

    @property
    def text(self) -> str:
        """The whole item as plain text."""
        return "\n\n".join(block if isinstance(block, str)
                            else "\n".join(f"- {line}" for line in block)
                            for block in self.blocks if block)

    @property
    def html(self) -> str:
        """The same as HTML for RSS: every piece of text escaped, only our own tags around it."""
        parts = []
        for block in self.blocks:
            if isinstance(block, str):
                parts += [f"<p>{html.escape(p)}</p>" for p in block.split("\n\n") if p.strip()]
            elif block:
                parts.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>"
                                              for line in block) + "</ul>")
        return "".join(parts)


@dataclass(frozen=True)
class Kind:
    """What a feed lists: its titles, and how to find its items."""

    titles: dict[str, str]
    descriptions: dict[str, str]
    items: Callable[[str, uuid.UUID | None], list[Item]]


@dataclass(frozen=True)
class Feed:
    items: list[Item]
    language: str
    agency_name: str | None
    updated: datetime
    kind: Kind

    @property
    def title(self) -> str:
        base = self.kind.titles.get(self.language, self.kind.titles[FALLBACK])
        return f"{base} · {self.agency_name}" if self.agency_name else base

    @property
    def description(self) -> str:
        return self.kind.descriptions.get(self.language, self.kind.descriptions[FALLBACK])


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _dates(last_reviewed: date, updated_at: datetime | None,
           created_at: datetime | None) -> tuple[datetime, datetime]:
    """When it was published, and when a reader should think it last changed: its last edit
    or last review."""
    reviewed = datetime.combine(last_reviewed, time.min, UTC)
    edited = _utc(updated_at)
    updated = max(reviewed, edited) if edited else reviewed
    return _utc(created_at) or updated, updated


def _author(agency: AgencyRef | None) -> str:
    return agency.name if agency else CORE_AUTHOR


def _tip(tip: LocalisedTip) -> Item:
    published, updated = _dates(tip.last_reviewed, tip.updated_at, tip.created_at)
    return Item(slug=tip.slug, title=tip.title, summary=tip.summary,
                blocks=[tip.body, tip.actions, tip.questions], tags=tip.tags,
                language=tip.language, author=_author(tip.agency),
                published=published, updated=updated)


GUIDE = {
    "en": ("Facilitator's guide", "How to open", "Keeping it safe",
           "If someone is distressed"),
    "es": ("Guía para quien facilita", "Cómo empezar", "Cuidar el espacio",
           "Si alguien se angustia"),
}


def _topic(topic: LocalisedTopic) -> Item:
    published, updated = _dates(topic.last_reviewed, topic.updated_at, topic.created_at)
    guide, how_to_open, keep_it_safe, distressed = GUIDE.get(topic.language, GUIDE[FALLBACK])
    return Item(slug=topic.slug, title=topic.title, summary=topic.opening_question,
                blocks=[topic.opening_question, topic.deeper_questions,
                        f"{guide}\n\n{how_to_open}: {topic.guide.how_to_open}\n\n"
                        f"{keep_it_safe}: {topic.guide.keep_it_safe}\n\n"
                        f"{distressed}: {topic.guide.if_someone_is_distressed}"],
                tags=topic.tags, language=topic.language, author=_author(topic.agency),
                published=published, updated=updated)


TIPS = Kind(
    titles={"en": "Rapport tips", "es": "Consejos de Rapport"},
    descriptions={
        "en": "Short, plain tips for building rapport in peer support.",
        "es": "Consejos cortos y claros para crear confianza en el apoyo entre pares.",
    },
    items=lambda language, agency_id: [_tip(t) for t in list_tips(
        language, page=1, page_size=MAX_ITEMS, agency_id=agency_id)[0]],
)
TOPICS = Kind(
    titles={"en": "Rapport group topics", "es": "Temas para grupos de Rapport"},
    descriptions={
        "en": "Discussion topics for peer support groups: questions, and how to hold them.",
        "es": "Temas de conversación para grupos de apoyo entre pares: preguntas y cómo "
              "llevarlas.",
    },
    items=lambda language, agency_id: [_topic(t) for t in list_topics(
        language, page=1, page_size=MAX_ITEMS, agency_id=agency_id)[0]],
)


def collect(kind: Kind, language: str, agency_id: uuid.UUID | None,
            agency_name: str | None) -> Feed:
    items = kind.items(language, agency_id)
    newest = max((i.updated for i in items), default=datetime(2026, 1, 1, tzinfo=UTC))
    return Feed(items=items, language=language, agency_name=agency_name,
                updated=newest.replace(microsecond=0), kind=kind)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def json_feed(feed: Feed, links: FeedLinks) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": links.home,
        "feed_url": links.feed,
        "description": feed.description,
        "language": feed.language,
        "authors": [{"name": feed.agency_name or CORE_AUTHOR}],
        "items": [{
            "id": links.item.format(slug=item.slug),
            "url": links.item.format(slug=item.slug),
            "title": item.title,
            "summary": item.summary,
            "content_text": item.text,
            "date_published": _iso(item.published),
            "date_modified": _iso(item.updated),
            "authors": [{"name": item.author}],
            "tags": item.tags,
            "language": item.language,
        } for item in feed.items],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _generator(feed: Feed, links: FeedLinks, *, for_rss: bool) -> FeedGenerator:
    generator = FeedGenerator()
    generator.load_extension("dc")
    generator.id(links.feed)
    generator.title(feed.title)
    generator.subtitle(feed.description)
    # feedgen takes RSS's one channel <link> from the last "alternate" given: the app.
    generator.link(href=links.feed, rel="self")
    generator.link(href=links.home, rel="alternate")
    generator.language(feed.language)
    generator.author({"name": feed.agency_name or CORE_AUTHOR})
    generator.updated(feed.updated)
    generator.lastBuildDate(feed.updated)
    for item in feed.items:
        entry = generator.add_entry(order="append")
        url = links.item.format(slug=item.slug)
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.link(href=url)
        if for_rss:  # RSS text is HTML to readers: escape it so it stays text
            entry.title(html.escape(item.title))
            entry.description(html.escape(item.summary), isSummary=True)
            entry.content(item.html)
        else:
            entry.title(item.title)
            entry.summary(item.summary, type="text")
            entry.content(item.text, type="text")
        entry.published(item.published)
        entry.updated(item.updated)
        entry.author({"name": item.author})
        entry.dc.dc_creator(item.author)  # RSS's own <author> must be an email address
        for tag in item.tags:
            entry.category(term=tag)
        entry.dc.dc_language(item.language)
    return generator


def atom(feed: Feed, links: FeedLinks) -> bytes:
    return _generator(feed, links, for_rss=False).atom_str(pretty=True)


def rss(feed: Feed, links: FeedLinks) -> bytes:
    return _generator(feed, links, for_rss=True).rss_str(pretty=True)
