"""URL converters: a path that cannot name anything is a 404 before any query runs."""

from werkzeug.routing import BaseConverter

SLUG_REGEX = r"[a-z0-9][a-z0-9-]{0,79}"


class SlugConverter(BaseConverter):
    """Lower-case letters, digits and hyphens, at most 80 characters (`reflect-back`)."""

    regex = SLUG_REGEX


SLUG_SCHEMA = {"type": "string", "pattern": f"^{SLUG_REGEX}$", "maxLength": 80}


class CodeConverter(BaseConverter):
    """An invite or join code as people type it: letters, digits, dashes, 4 to 20."""

    regex = r"[A-Za-z0-9-]{4,20}"


CODE_SCHEMA = {"type": "string", "pattern": "^[A-Za-z0-9-]{4,20}$",
               "example": "K7QM-4TPX"}
