"""Tip feeds: the tips in JSON Feed, Atom and RSS, for readers, sites and agencies' tools."""

from flask import make_response, request, url_for
from flask.views import MethodView

from api import access
from api.extensions import db
from api.models import Agency
from api.openapi import Blueprint
from api.policies import public
from api.resources.language import language_headers, negotiate
from api.resources.scope import agency_scope
from api.schemas.content import ContentArgsSchema
from api.services import syndication

blp = Blueprint("feeds", __name__, url_prefix="/feeds",
                description="The tips as feeds any reader understands; `agency` adds that "
                "agency's published tips, `lang` picks the language.")

FORMATS = {
    "json": ("application/feed+json", syndication.json_feed, "JSON Feed 1.1"),
    "atom": ("application/atom+xml", syndication.atom, "Atom 1.0 (RFC 4287)"),
    "rss": ("application/rss+xml", syndication.rss, "RSS 2.0"),
}


def _links(lang: str | None, agency) -> syndication.FeedLinks:
    home = url_for("frontend.app_shell", _external=True)
    query = "&".join(f"{k}={v}" for k, v in (("lang", lang), ("agency", agency)) if v)
    return syndication.FeedLinks(home=home, feed=request.url,
                                 tip=home + "#/tips/{slug}" + (f"?{query}" if query else ""))


def _feed(kind: str, lang, agency):
    mimetype, render, _ = FORMATS[kind]
    language = negotiate(lang)
    agency_id = agency_scope(agency)
    name = db.session.get(Agency, agency_id).name if agency_id else None
    feed = syndication.collect(language, agency_id, name)
    response = make_response(render(feed, _links(lang, agency)))
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
