"""Embeds for agency sites: iframe pages (the tips, `/embed/tips`, and the group discussion
topics, `/embed/topics`) that need no JavaScript (their one script only says how tall the page
is), and a script that draws the tip of the day into any `<div data-rapport-tips>`.

All are public and cacheable. Only the iframe pages may be framed (`frame-ancestors *`);
every other page keeps `frame-ancestors 'none'`. Their text, including an agency's own, is
untrusted: the pages are rendered by Jinja with autoescaping, and its only script is our own
file (frame.js, `script-src 'self'`), which tells the host page how tall the page is; the
script writes text with `textContent` only.

The resize message, for a host page to size the iframe by (embed.js does it for any Rapport
iframe on its page): `{"type": "rapport:resize", "height": <CSS pixels>}`, posted to the
parent window when the page loads and whenever its height changes. It carries nothing but a
height, so it goes to any parent; a listener checks that it came from the Rapport origin.
"""

from pathlib import Path

import marshmallow as ma
from flask import Blueprint, render_template, request
from flask_smorest import abort

from api.caching.public_cache import cached
from api.http import access
from api.http.language import language_headers, negotiate
from api.http.policies import public
from api.lib.clock import utcnow
from api.resources.scope import app_links, scoped_agency
from api.schemas.content import ContentArgsSchema
from api.services.content.tips import for_embed
from api.services.content.topics import list_topics
from api.web.frontend import static_file

STATIC = Path(__file__).resolve().parent / "static" / "embed"
# The iframe page: styles and its one script from our own files, nothing else may load or
# run; anyone may frame it.
EMBED_CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
             "frame-ancestors *; base-uri 'none'; form-action 'none'")
# The script and its stylesheet are files other sites load, never pages.
ASSET_CSP = "default-src 'none'; frame-ancestors 'none'"
LABELS = {
    "en": {"title": "Rapport tips", "today": "Tip of the day", "try": "Try this",
           "more": "More tips", "by": "From"},
    "es": {"title": "Consejos de Rapport", "today": "Consejo del día", "try": "Prueba esto",
           "more": "Más consejos", "by": "De"},
}
TOPIC_LABELS = {
    "en": {"title": "Rapport group topics", "more": "More group topics", "by": "From"},
    "es": {"title": "Temas para grupos de Rapport", "more": "Más temas para grupos",
           "by": "De"},
}

bp = Blueprint("embed", __name__, template_folder="templates")


class EmbedArgsSchema(ContentArgsSchema):  # lang and agency, as on the tip lists
    count = ma.fields.Integer(load_default=3, validate=ma.validate.Range(min=1, max=20))
    theme = ma.fields.String(load_default="light",
                             validate=ma.validate.OneOf(["light", "dark"]))
    compact = ma.fields.Boolean(load_default=False)


def _args() -> dict:
    try:
        return EmbedArgsSchema().load(request.args.to_dict())
    except ma.ValidationError as error:
        abort(422, errors=error.messages)


def _page(template: str, route: str, labels: dict, shown: list, args: dict, agency,
          language: str, **extra):
    """An iframe page: its items, options, links into the app, CSP and language headers."""
    # The language the page is in, asked for or not: the app opens in it too.
    app_url, link_query = app_links(language, agency)
    page = render_template(
        template, items=shown, language=language, labels=labels[language],
        theme=args["theme"], compact=args["compact"], route=route,
        app_url=app_url, link_query=link_query, **extra)
    return page, 200, {"Content-Security-Policy": EMBED_CSP,
                       **language_headers(language, *(item.language for item in shown))}


@bp.get("/embed/tips")
@public
@access.anyone
@cached(day=lambda: utcnow().date())  # it leads with the tip of the day
def tips_page():
    args = _args()
    agency = scoped_agency(args.get("agency"))
    language = negotiate(args.get("lang"))
    shown, today = for_embed(utcnow().date(), language, args["count"],
                             agency.id if agency else None)
    return _page("embed/tips.html", "tips", LABELS, shown, args, agency, language,
                 today=today)


@bp.get("/embed/topics")
@public
@access.anyone
@cached()
def topics_page():
    args = _args()
    agency = scoped_agency(args.get("agency"))
    language = negotiate(args.get("lang"))
    # The agency's published topics first, then the core ones in order (list_topics' order).
    shown, _ = list_topics(language, page=1, page_size=args["count"],
                           agency_id=agency.id if agency else None)
    return _page("embed/topics.html", "topics", TOPIC_LABELS, shown, args, agency, language)


@bp.get("/embed/<any('embed.css', 'frame.js'):asset>")
@public
@access.anyone
def embed_asset(asset: str):
    response = static_file(STATIC, asset)
    response.headers["Content-Security-Policy"] = ASSET_CSP
    return response


@bp.get("/embed.js")
@public
@access.anyone
def embed_script():
    response = static_file(STATIC, "embed.js", mimetype="text/javascript")
    response.headers["Content-Security-Policy"] = ASSET_CSP
    return response
