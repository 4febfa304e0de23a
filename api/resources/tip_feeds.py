"""Content feeds: the tips and the group discussion topics in JSON Feed, Atom and RSS, for
readers, sites and agencies' tools."""

from flask import make_response, request
from flask.views import MethodView

from api.caching.public_cache import cached
from api.http import access
from api.http.language import language_headers, negotiate
from api.http.openapi import Blueprint
from api.http.policies import public
from api.resources.scope import app_links, scoped_agency
from api.schemas.content import ContentArgsSchema
from api.services.content import syndication

blp = Blueprint("feeds", __name__, url_prefix="/feeds",
                description="The tips and the group discussion topics as feeds any reader "
                "understands; `agency` adds that agency's published ones (first, unless it chose "
                "to put them after the core ones), `lang` picks "
                "the language.")

FORMATS = {
    "json": ("application/feed+json", syndication.json_feed, "JSON Feed 1.1"),
    "atom": ("application/atom+xml", syndication.atom, "Atom 1.0 (RFC 4287)"),
    "rss": ("application/rss+xml", syndication.rss, "RSS 2.0"),
}
# What a feed lists: its content, the app's route for one item, and its name in the docs.
CONTENT = {
    "tips": (syndication.TIPS, "tips", "tips", "tip"),
    "topics": (syndication.TOPICS, "topics", "group discussion topics", "topic"),
}


def _feed(content: str, kind: str, lang, agency):
    mimetype, render, _ = FORMATS[kind]
    what, route, _, _ = CONTENT[content]
    language = negotiate(lang)
    scoped = scoped_agency(agency)  # named, or the API key's: item links must carry it
    feed = syndication.collect(what, language, scoped.id if scoped else None,
                               scoped.name if scoped else None)
    home, query = app_links(lang, scoped)
    links = syndication.FeedLinks(home=home, feed=request.url,
                                  item=home + f"#/{route}/{{slug}}" + query)
    response = make_response(render(feed, links))
    response.mimetype = mimetype
    response.charset = "utf-8"
    response.last_modified = feed.updated
    response.headers.update(language_headers(language, *(item.language for item in feed.items)))
    return response


def _documented(content: str, kind: str):
    """The decorators every feed shares: public, cacheable, `lang` and `agency`."""
    mimetype, _, name = FORMATS[kind]
    _, _, plural, singular = CONTENT[content]

    def decorate(get):
        for decorator in (
            blp.errors(404, 422), blp.localised, blp.cacheable,
            blp.response(200, content_type=mimetype, description=f"The {plural} as {name}.",
                         headers={"Last-Modified": {
                             "schema": {"type": "string"},
                             "description": f"When the newest {singular} last changed."}}),
            blp.arguments(ContentArgsSchema, location="query", as_kwargs=True),
            cached(),
            access.anyone,
        ):
            get = decorator(get)
        return get

    return decorate


@blp.route("/tips.json")
@public
class TipsJsonFeed(MethodView):
    @_documented("tips", "json")
    def get(self, lang=None, agency=None):
        """Get the tips as a JSON Feed 1.1."""
        return _feed("tips", "json", lang, agency)


@blp.route("/tips.atom")
@public
class TipsAtomFeed(MethodView):
    @_documented("tips", "atom")
    def get(self, lang=None, agency=None):
        """Get the tips as an Atom 1.0 feed."""
        return _feed("tips", "atom", lang, agency)


@blp.route("/tips.rss")
@public
class TipsRssFeed(MethodView):
    @_documented("tips", "rss")
    def get(self, lang=None, agency=None):
        """Get the tips as an RSS 2.0 feed."""
        return _feed("tips", "rss", lang, agency)


@blp.route("/topics.json")
@public
class TopicsJsonFeed(MethodView):
    @_documented("topics", "json")
    def get(self, lang=None, agency=None):
        """Get the group discussion topics as a JSON Feed 1.1."""
        return _feed("topics", "json", lang, agency)


@blp.route("/topics.atom")
@public
class TopicsAtomFeed(MethodView):
    @_documented("topics", "atom")
    def get(self, lang=None, agency=None):
        """Get the group discussion topics as an Atom 1.0 feed."""
        return _feed("topics", "atom", lang, agency)


@blp.route("/topics.rss")
@public
class TopicsRssFeed(MethodView):
    @_documented("topics", "rss")
    def get(self, lang=None, agency=None):
        """Get the group discussion topics as an RSS 2.0 feed."""
        return _feed("topics", "rss", lang, agency)
