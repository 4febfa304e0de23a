"""Tip feeds for any reader: JSON Feed 1.1, Atom 1.0 (RFC 4287) and RSS 2.0.

One list of tips (the agency's published ones first, then core) becomes three formats, and an
agency's words can never become markup in a reader: JSON Feed carries only `content_text`;
Atom marks every text `type="text"`; RSS descriptions are HTML by definition, so there the
text is HTML-escaped first (and feedgen escapes the XML again on top).
Each item links to the tip in the phone app and says its language, dates and who wrote it.
"""

import html
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from feedgen.feed import FeedGenerator

from api.lib.languages import FALLBACK
from api.services.content.tips import LocalisedTip, list_tips

MAX_ITEMS = 200
CORE_AUTHOR = "Rapport"
TITLES = {"en": "Rapport tips", "es": "Consejos de Rapport"}
DESCRIPTIONS = {
    "en": "Short, plain tips for building rapport in peer support.",
    "es": "Consejos cortos y claros para crear confianza en el apoyo entre pares.",
}


@dataclass(frozen=True)
class FeedLinks:
    """Absolute URLs, made by the caller (the service knows nothing of requests)."""

    home: str          # the phone app
    feed: str          # this feed itself
    tip: str           # the app's address of one tip, with "{slug}" to fill in


@dataclass(frozen=True)
class Feed:
    tips: list[LocalisedTip]
    language: str
    agency_name: str | None
    updated: datetime

    @property
    def title(self) -> str:
        base = TITLES.get(self.language, TITLES[FALLBACK])
        return f"{base} · {self.agency_name}" if self.agency_name else base


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _updated(tip: LocalisedTip) -> datetime:
    """When a reader should think the tip last changed: its last edit or last review."""
    reviewed = datetime.combine(tip.last_reviewed, time.min, UTC)
    edited = _utc(tip.updated_at)
    return max(reviewed, edited) if edited else reviewed


def _published(tip: LocalisedTip) -> datetime:
    return _utc(tip.created_at) or _updated(tip)


def _author(tip: LocalisedTip) -> str:
    return tip.agency.name if tip.agency else CORE_AUTHOR


def collect(language: str, agency_id: uuid.UUID | None, agency_name: str | None) -> Feed:
    tips, _ = list_tips(language, page=1, page_size=MAX_ITEMS, agency_id=agency_id)
    newest = max((_updated(t) for t in tips), default=datetime(2026, 1, 1, tzinfo=UTC))
    return Feed(tips=tips, language=language, agency_name=agency_name,
                updated=newest.replace(microsecond=0))


def _text(tip: LocalisedTip) -> str:
    """The whole tip as plain text: body, then the things to try."""
    parts = [tip.body]
    if tip.actions:
        parts.append("\n".join(f"- {action}" for action in tip.actions))
    if tip.questions:
        parts.append("\n".join(f"- {question}" for question in tip.questions))
    return "\n\n".join(parts)


def _html(tip: LocalisedTip) -> str:
    """The same as HTML for RSS: every piece of text escaped, only our own tags around it."""
    paragraphs = [f"<p>{html.escape(p)}</p>" for p in tip.body.split("\n\n") if p.strip()]
    for lines in (tip.actions, tip.questions):
        if lines:
            items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
            paragraphs.append(f"<ul>{items}</ul>")
    return "".join(paragraphs)


def json_feed(feed: Feed, links: FeedLinks) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": links.home,
        "feed_url": links.feed,
        "description": DESCRIPTIONS.get(feed.language, DESCRIPTIONS[FALLBACK]),
        "language": feed.language,
        "authors": [{"name": feed.agency_name or CORE_AUTHOR}],
        "items": [{
            "id": links.tip.format(slug=tip.slug),
            "url": links.tip.format(slug=tip.slug),
            "title": tip.title,
            "summary": tip.summary,
            "content_text": _text(tip),
            "date_published": _published(tip).isoformat().replace("+00:00", "Z"),
            "date_modified": _updated(tip).isoformat().replace("+00:00", "Z"),
            "authors": [{"name": _author(tip)}],
            "tags": tip.tags,
            "language": tip.language,
        } for tip in feed.tips],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _generator(feed: Feed, links: FeedLinks, *, for_rss: bool) -> FeedGenerator:
    generator = FeedGenerator()
    generator.load_extension("dc")
    generator.id(links.feed)
    generator.title(feed.title)
    generator.subtitle(DESCRIPTIONS.get(feed.language, DESCRIPTIONS[FALLBACK]))
    # feedgen takes RSS's one channel <link> from the last "alternate" given: the app.
    generator.link(href=links.feed, rel="self")
    generator.link(href=links.home, rel="alternate")
    generator.language(feed.language)
    generator.author({"name": feed.agency_name or CORE_AUTHOR})
    generator.updated(feed.updated)
    generator.lastBuildDate(feed.updated)
    for tip in feed.tips:
        entry = generator.add_entry(order="append")
        url = links.tip.format(slug=tip.slug)
        entry.id(url)
        entry.guid(url, permalink=True)
        entry.link(href=url)
        if for_rss:  # RSS text is HTML to readers: escape it so it stays text
            entry.title(html.escape(tip.title))
            entry.description(html.escape(tip.summary), isSummary=True)
            entry.content(_html(tip))
        else:
            entry.title(tip.title)
            entry.summary(tip.summary, type="text")
            entry.content(_text(tip), type="text")
        entry.published(_published(tip))
        entry.updated(_updated(tip))
        entry.author({"name": _author(tip)})
        entry.dc.dc_creator(_author(tip))  # RSS's own <author> must be an email address
        for tag in tip.tags:
            entry.category(term=tag)
        entry.dc.dc_language(tip.language)
    return generator


def atom(feed: Feed, links: FeedLinks) -> bytes:
    return _generator(feed, links, for_rss=False).atom_str(pretty=True)


def rss(feed: Feed, links: FeedLinks) -> bytes:
    return _generator(feed, links, for_rss=True).rss_str(pretty=True)
