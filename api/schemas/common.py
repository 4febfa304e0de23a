"""Building blocks every schema shares."""

from collections.abc import Mapping
from datetime import UTC

import marshmallow as ma

from api.lib.languages import LANGUAGES

# Control characters other than tab, newline and carriage return have no place in text
# people type; NUL in particular is refused by PostgreSQL.
_FORBIDDEN = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def _control_char_errors(value, path: str, errors: dict) -> None:
    if isinstance(value, str):
        if any(ch in _FORBIDDEN for ch in value):
            errors[path] = ["Control characters (such as NUL) are not allowed."]
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _control_char_errors(item, f"{path}.{key}" if path else str(key), errors)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _control_char_errors(item, f"{path}.{index}", errors)


# The same rule, as a JSON Schema pattern, so the spec says what the server enforces.
CONTROL_RANGES = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f"
NO_CONTROL_CHARS = f"^[^{CONTROL_RANGES}]*$"



MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class QueryInteger(ma.fields.Integer):
    """A whole number in a query string, written as ASCII digits only: Python's int() would
    also take " 5", "+5", "5_0" or "٥", which the spec's `integer` does not allow."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not (value.isascii() and value.isdigit()):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class PageArgsSchema(ma.Schema):
    """Bounded paging arguments, mixed into every list's query schema."""

    page = QueryInteger(
        load_default=1,
        validate=ma.validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1."},
    )
    page_size = QueryInteger(
        load_default=DEFAULT_PAGE_SIZE,
        validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Items per page, at most {MAX_PAGE_SIZE}."},
    )

class Text(ma.fields.String):
    """A string people type: no control characters, and the spec says so."""

    def __init__(self, **kwargs):
        metadata = {"pattern": NO_CONTROL_CHARS, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


class Name(Text):
    """A name people will see: not blank, and stored without surrounding spaces."""

    # Some non-space character, and no control characters anywhere.
    PATTERN = f"^[^{CONTROL_RANGES}]*[^{CONTROL_RANGES}\\s][^{CONTROL_RANGES}]*$"

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})["pattern"] = self.PATTERN
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ma.ValidationError("Write at least one letter or number.")
        return text


class BaseSchema(ma.Schema):
    """Rejects unknown fields (marshmallow's default, stated here) and control characters."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load(pass_collection=True)
    def _reject_control_characters(self, data, **kwargs):
        errors: dict[str, list[str]] = {}
        if isinstance(data, Mapping):
            for key in data:
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                for value in values:
                    _control_char_errors(value, str(key), errors)
        else:
            _control_char_errors(data, "", errors)
        if errors:
            raise ma.ValidationError(errors)
        return data


class LanguageArgsSchema(BaseSchema):
    lang = ma.fields.String(
        validate=ma.validate.OneOf(LANGUAGES),
        metadata={
            "description": "Language of the content (`en` or `es`). Beats `Accept-Language`; "
            "items missing in that language fall back to English and say so.",
        },
    )


class PagedLanguageArgsSchema(LanguageArgsSchema, PageArgsSchema):
    pass


class NoArgsSchema(BaseSchema):
    """For operations that take no query parameters: any parameter is an error."""


class EmptyBodySchema(BaseSchema):
    """For creating POSTs that need no input: the body is `{}` (or absent)."""


class Timestamp(ma.fields.DateTime):
    """UTC, ISO 8601, with a Z: 2026-11-24T16:45:27Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite hands back naive times; we only ever store UTC
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class IdSchema(ma.Schema):
    """A reference to a person: id and the name they chose to show."""

    id = ma.fields.UUID(required=True)
    display_name = ma.fields.String(required=True, allow_none=True,
                                    metadata={"description": "Null once erased."})


class PagedArgsSchema(BaseSchema, PageArgsSchema):
    pass


class StrictBoolean(ma.fields.Boolean):
    """JSON true or false only: not 0, 1 or "yes" (0 == False in Python, so sets won't do)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictInteger(ma.fields.Integer):
    """A JSON number that is a whole number: not "5", not 5.5, not true."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid", input=value)
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)
