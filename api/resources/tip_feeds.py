"""Tip feeds: the tips in JSON Feed, Atom and RSS, for readers, sites and agencies' tools."""

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
                description="The tips as feeds any reader understands; `agency` adds that "
                "agency's published tips, `lang` picks the language.")

FORMATS = {
    "json": ("application/feed+json", syndication.json_feed, "JSON Feed 1.1"),
    "atom": ("application/atom+xml", syndication.atom, "Atom 1.0 (RFC 4287)"),
    "rss": ("application/rss+xml", syndication.rss, "RSS 2.0"),
}


def _feed(kind: str, lang, agency):
    mimetype, render, _ = FORMATS[kind]
    language = negotiate(lang)
    scoped = scoped_agency(agency)  # named, or the API key's: tip links must carry it
    feed = syndication.collect(language, scoped.id if scoped else None,
                               scoped.name if scoped else None)
    home, query = app_links(lang, scoped)
    links = syndication.FeedLinks(home=home, feed=request.url,
                                  tip=home + "#/tips/{slug}" + query)
    response = make_response(render(feed, links))
    response.mimetype = mimetype
    response.charset = "utf-8"
    response.last_modified = feed.updated
    response.headers.update(language_headers(language, *(t.language for t in feed.tips)))
    return response


def _documented(kind: str):
    """The decorators every feed shares: public, cacheable, `lang` and `agency`."""
    mimetype, _, name = FORMATS[kind]

    def decorate(get):
        for decorator in (
            blp.errors(404, 422), blp.localised, blp.cacheable,
            blp.response(200, content_type=mimetype, description=f"The tips as {name}.",
                         headers={"Last-Modified": {
                             "schema": {"type": "string"},
                             "description": "When the newest tip last changed."}}),
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
    @_documented("json")
    def get(self, lang=None, agency=None):
        """Get the tips as a JSON Feed 1.1."""
        return _feed("json", lang, agency)


@blp.route("/tips.atom")
@public
class TipsAtomFeed(MethodView):
    @_documented("atom")
    def get(self, lang=None, agency=None):
        """Get the tips as an Atom 1.0 feed."""
        return _feed("atom", lang, agency)


@blp.route("/tips.rss")
@public
class TipsRssFeed(MethodView):
    @_documented("rss")
    def get(self, lang=None, agency=None):
        """Get the tips as an RSS 2.0 feed."""
        return _feed("rss", lang, agency)
