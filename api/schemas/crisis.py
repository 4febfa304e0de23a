"""Crisis resources as the API shows and takes them."""

import marshmallow as ma

from api.lib import crisis_lines as crisis
from api.lib.languages import FALLBACK, LANGUAGES
from api.schemas.common import BaseSchema, LanguageArgsSchema, Name, StrictBoolean, Text

_LANGUAGE = ma.validate.OneOf(LANGUAGES)
_NUMBER_RULE = ("Kept exactly as written. A phone number (read as a US number unless it "
                "starts with + and a country code), or a short code of 3 to 6 digits "
                "such as 988. Digits, spaces, brackets, dots and dashes only.")
# The characters allowed, for the spec; the server also checks the number is real.
_NUMBER_PATTERN = f"^{crisis.DIALABLE.pattern}$"


class CrisisQueryArgsSchema(LanguageArgsSchema):
    agency = ma.fields.UUID(metadata={
        "description": "Show this agency's resources too: after the default set, or "
        "instead of it when the agency has replaced it. An unknown id is 404."})


class CrisisResourceSchema(ma.Schema):
    """One help line, ready to show."""

    name = ma.fields.String(required=True, metadata={"example": "988 Suicide & Crisis Lifeline"})
    phone = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Number to call, exactly as the agency wrote it.", "example": "988"})
    text = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "Number to send a text message to.", "example": "988"})
    hours = ma.fields.String(required=True, allow_none=True,
                             metadata={"description": "When someone answers, in plain words."})
    url = ma.fields.String(required=True, allow_none=True,
                           metadata={"example": "https://988lifeline.org"})
    language = ma.fields.String(required=True, metadata={
        "enum": list(LANGUAGES),
        "description": "Language of this item's text. An agency with nothing in the asked-for "
        "language shows its English resources, which say `en` here."})
    source = ma.fields.String(required=True, metadata={
        "enum": ["default", "agency"],
        "description": "`default`: the set everyone sees (988 in the US); `agency`: the "
        "agency's own."})


def _checked(rule, maximum: int) -> list:
    """Validators: at most `maximum` characters, then a service rule (message or None)."""

    def validate(value):
        message = rule(value) if len(value) <= maximum else None  # Length speaks for that
        if message:
            raise ma.ValidationError(message)

    return [ma.validate.Length(max=maximum), validate]


def _optional(field_class, **kwargs):
    return field_class(load_default=None, allow_none=True, **kwargs)


class _OptionalText(Text):
    """Optional text: an empty string means "not given", like null."""

    def deserialize(self, value, attr=None, data=None, **kwargs):
        return super().deserialize(None if value == "" else value, attr, data, **kwargs)


class AgencyCrisisResourceInputSchema(BaseSchema):
    name = Name(required=True, validate=ma.validate.Length(min=1, max=crisis.NAME_MAX))
    phone = _optional(
        _OptionalText, validate=_checked(crisis.number_problem, crisis.NUMBER_MAX),
        metadata={"description": f"Number to call. {_NUMBER_RULE}", "example": "(202) 555-0143",
                  "pattern": _NUMBER_PATTERN})
    text = _optional(
        _OptionalText, validate=_checked(crisis.number_problem, crisis.NUMBER_MAX),
        metadata={"description": f"Number to text. {_NUMBER_RULE}", "example": "741741",
                  "pattern": _NUMBER_PATTERN})
    hours = _optional(
        _OptionalText, validate=ma.validate.Length(max=crisis.HOURS_MAX),
        metadata={"description": "When someone answers, in plain words.",
                  "example": "Monday to Friday, 9am to 5pm"})
    url = _optional(
        _OptionalText, validate=_checked(crisis.url_problem, crisis.URL_MAX),
        metadata={"description": "A web address starting with https:// (or http://).",
                  "example": "https://agency.example/help"})
    language = ma.fields.String(required=True, validate=_LANGUAGE)

    @ma.validates_schema
    def _reachable(self, data, **kwargs):
        if all(data.get(field) is None for field in crisis.CONTACT_FIELDS):
            raise ma.ValidationError(crisis.NO_CONTACT, "_schema")


class AgencyCrisisResourceSchema(ma.Schema):
    name = ma.fields.String(required=True)
    phone = ma.fields.String(required=True, allow_none=True)
    text = ma.fields.String(required=True, allow_none=True)
    hours = ma.fields.String(required=True, allow_none=True)
    url = ma.fields.String(required=True, allow_none=True)
    language = ma.fields.String(required=True, metadata={"enum": list(LANGUAGES)})


class AgencyCrisisSettingsInputSchema(BaseSchema):
    include_default = StrictBoolean(required=True, metadata={
        "description": "True: show the default set (988 in the US) first, then yours. "
        "False: show only yours; then at least one of yours must be in English, the "
        "language shown when one has none of its own."})
    resources = ma.fields.List(
        ma.fields.Nested(AgencyCrisisResourceInputSchema), required=True,
        validate=ma.validate.Length(max=crisis.MAX_RESOURCES),
        metadata={"description": f"The whole set, every language, in the order to show "
                  f"(at most {crisis.MAX_RESOURCES}). It replaces what was there."})

    @ma.validates_schema
    def _has_a_fallback(self, data, **kwargs):
        if not data["include_default"] and not any(
                item["language"] == FALLBACK for item in data["resources"]):
            raise ma.ValidationError(crisis.NEEDS_FALLBACK, "resources")


class AgencyCrisisSettingsSchema(ma.Schema):
    include_default = ma.fields.Boolean(required=True)
    resources = ma.fields.List(ma.fields.Nested(AgencyCrisisResourceSchema), required=True)
