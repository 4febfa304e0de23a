"""Crisis resources: the help lines shown when someone needs help now.

The default set (988 in the US) lives in `api/content/crisis.toml` and is read once. An
agency keeps it and adds its own lines after it, or replaces it with its own. Numbers are
kept exactly as the admin typed them, so people see what their agency printed; they are
checked, never reformatted.
"""

import re
import tomllib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from sqlalchemy import delete, select

from api.extensions import db
from api.lib.clock import utcnow
from api.models import Agency, CrisisResource, User
from api.services import audit
from api.services.content.content_loader import CONTENT_DIR, ContentError

DEFAULT_FILE = CONTENT_DIR / "crisis.toml"
LANGUAGES = ("en", "es")
# An agency's set with none in the asked-for language falls back to this one.
FALLBACK_LANGUAGE = "en"
MAX_RESOURCES = 20
NAME_MAX = 120
HOURS_MAX = 120
NUMBER_MAX = 40
URL_MAX = 300
CONTACT_FIELDS = ("phone", "text", "url")

# Short codes such as 988 or 741741: too short for phonenumbers to call valid.
SHORT_CODE = re.compile(r"[0-9]{3,6}")
# What a dialable number is written with. Letters (1-800-FLOWERS, "ext.") and words
# ("call 202...") are refused even where phonenumbers would read past them: apps turn this
# text into a tap-to-call link, and in a crisis that link has to work.
DIALABLE = re.compile(r"\+?[0-9 ().\-]+")
NUMBER_HELP = ("Write a phone number such as (202) 555-0143 or +44 20 7946 0958, "
               "or a short code of 3 to 6 digits such as 988.")
NO_CONTACT = "Give at least one way to reach them: a phone number, a number to text, or a url."
NEEDS_FALLBACK = (f"When the default set is left out, add at least one resource in "
                  f"'{FALLBACK_LANGUAGE}': it is shown when a language has none of its own.")


class CrisisError(Exception):
    """Resources that break a rule; `errors` maps field paths (`resources.0.phone`) to
    messages. Nothing was changed."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{path}: {' '.join(msgs)}" for path, msgs in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Resource:
    """One help line as the public sees it; `source` is "default" or "agency"."""

    name: str
    phone: str | None
    text: str | None
    hours: str | None
    url: str | None
    language: str
    source: str


# --- Rules -------------------------------------------------------------------------------


def number_problem(value: str) -> str | None:
    """Why `value` is not a number to call or text, or None when it is one (length aside)."""
    if SHORT_CODE.fullmatch(value):
        return None
    if not DIALABLE.fullmatch(value):
        return NUMBER_HELP
    try:
        # No +country prefix: read it as a US number (the default set is US too).
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return NUMBER_HELP
    if not (phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number)):
        return NUMBER_HELP
    return None


def url_problem(value: str) -> str | None:
    """Why `value` is not a web address to show, or None when it is one (length aside)."""
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value) or "\\" in value:
        return "A web address has no spaces, backslashes or control characters."
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port  # a port that is not a number: ValueError
    except ValueError:
        return "This is not a web address we can read."
    if parts.scheme.lower() not in ("https", "http") or not host:
        return "Use a full web address that starts with https:// (or http://)."
    if "@" in parts.netloc:
        # https://988lifeline.org@example.com goes to example.com: never let a help link lie.
        return "A web address here may not hold a user name or password (no @ before the host)."
    return None


def _resource_problems(resource: Mapping) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def text_field(field: str, maximum: int, *, required: bool = False) -> None:
        value = resource.get(field)
        if value is None:
            if required:
                problems[field] = ["Missing data for required field."]
            return
        if not isinstance(value, str):
            problems[field] = ["Not a valid string."]
        elif required and not value.strip():
            problems[field] = ["Write at least one letter or number."]
        elif len(value) > maximum:
            problems[field] = [f"Use at most {maximum} characters."]

    unknown = set(resource) - {"name", "hours", "language", *CONTACT_FIELDS}
    for field in sorted(unknown):
        problems[field] = ["Unknown field."]
    text_field("name", NAME_MAX, required=True)
    text_field("hours", HOURS_MAX)
    if resource.get("language") not in LANGUAGES:
        problems["language"] = [f"Must be one of: {', '.join(LANGUAGES)}."]
    for field, maximum, check in (("phone", NUMBER_MAX, number_problem),
                                  ("text", NUMBER_MAX, number_problem),
                                  ("url", URL_MAX, url_problem)):
        value = resource.get(field)
        if value is None:
            continue
        if not isinstance(value, str):
            message = "Not a valid string."
        elif len(value) > maximum:
            message = f"Use at most {maximum} characters."
        else:
            message = check(value)
        if message:
            problems[field] = [message]
    if all(resource.get(field) is None for field in CONTACT_FIELDS):
        problems["_schema"] = [NO_CONTACT]
    return problems


def check_set(include_default: bool, resources: Sequence[Mapping]) -> None:
    """Raise CrisisError unless `resources` may be saved as an agency's whole set."""
    errors: dict[str, list[str]] = {}
    if len(resources) > MAX_RESOURCES:
        errors["resources"] = [f"Keep to at most {MAX_RESOURCES} resources."]
    for index, resource in enumerate(resources):
        for field, messages in _resource_problems(resource).items():
            errors[f"resources.{index}.{field}"] = messages
    if not include_default and not any(r.get("language") == FALLBACK_LANGUAGE
                                       for r in resources):
        errors.setdefault("resources", []).append(NEEDS_FALLBACK)
    if errors:
        raise CrisisError(errors)


# --- The default set ---------------------------------------------------------------------


def read_default_file(path: Path = DEFAULT_FILE) -> dict[str, tuple[Resource, ...]]:
    """The default set by language, checked by the rules agencies follow, plus one more:
    it has something in every language."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ContentError(f"{path.name}: {error}") from error
    entries = data.get("resource")
    if (set(data) - {"resource", "last_reviewed"} or not isinstance(entries, list)
            or not all(isinstance(entry, dict) for entry in entries)):
        raise ContentError(f"{path.name}: expected `last_reviewed` and [[resource]] tables")
    if not isinstance(data.get("last_reviewed"), date):
        raise ContentError(f"{path.name}: `last_reviewed` must be a date")
    try:
        check_set(False, entries)
    except CrisisError as error:
        raise ContentError(f"{path.name}: {error}") from error
    by_language = {
        language: tuple(_from_mapping(entry, "default") for entry in entries
                        if entry["language"] == language)
        for language in LANGUAGES
    }
    missing = [language for language, items in by_language.items() if not items]
    if missing:
        raise ContentError(f"{path.name}: no resource in {', '.join(missing)}")
    return by_language


@cache
def default_resources() -> dict[str, tuple[Resource, ...]]:
    """The default set, read from its file once per process."""
    return read_default_file()


def _from_mapping(entry: Mapping, source: str) -> Resource:
    return Resource(name=entry["name"], phone=entry.get("phone"), text=entry.get("text"),
                    hours=entry.get("hours"), url=entry.get("url"),
                    language=entry["language"], source=source)


def _from_row(row: CrisisResource) -> Resource:
    return Resource(name=row.name, phone=row.phone, text=row.text, hours=row.hours,
                    url=row.url, language=row.language, source="agency")


# --- Reading and replacing an agency's set -----------------------------------------------


def get_agency(agency_id: uuid.UUID) -> Agency | None:
    return db.session.get(Agency, agency_id)


def agency_rows(agency_id: uuid.UUID) -> list[CrisisResource]:
    """Every language of an agency's set, in the order the admin gave."""
    return list(db.session.scalars(
        select(CrisisResource).where(CrisisResource.agency_id == agency_id)
        .order_by(CrisisResource.position)))


def resources_for(language: str, agency: Agency | None = None) -> list[Resource]:
    """What to show someone reading `language`: the default set, the agency's, or both.

    An agency's set with nothing in `language` falls back to its English resources as a
    whole (each says `language: "en"`).
    """
    defaults = list(default_resources()[language])
    if agency is None:
        return defaults
    rows = agency_rows(agency.id)
    own = ([row for row in rows if row.language == language]
           or [row for row in rows if row.language == FALLBACK_LANGUAGE])
    shown = (defaults if agency.crisis_include_default else []) + [_from_row(r) for r in own]
    # Saving never allows an empty answer (check_set); should data ever get here some other
    # way, someone in crisis still sees a line to call rather than nothing.
    return shown or defaults


def agency_settings(agency: Agency) -> dict:
    """The agency's choice and its whole set, as its admins edit it."""
    return {"include_default": agency.crisis_include_default,
            "resources": agency_rows(agency.id)}


def replace(admin: User, agency_id: uuid.UUID, include_default: bool,
            resources: Sequence[Mapping]) -> dict:
    """Replace an agency's whole set in one transaction, or change nothing (CrisisError)."""
    check_set(include_default, resources)
    # Lock the agency row first: two admins saving at once then take turns, and the second
    # one's delete sees the first one's rows, so the sets never mix.
    agency = db.session.get(Agency, agency_id, with_for_update=True)
    if agency is None:
        raise LookupError(agency_id)
    db.session.execute(delete(CrisisResource).where(CrisisResource.agency_id == agency_id))
    now = utcnow()
    db.session.add_all(
        CrisisResource(agency_id=agency_id, position=position, language=item["language"],
                       name=item["name"], phone=item.get("phone"), text=item.get("text"),
                       hours=item.get("hours"), url=item.get("url"), updated_at=now)
        for position, item in enumerate(resources, start=1))
    agency.crisis_include_default = include_default
    audit.record(admin, "crisis_resources.replace", object_type="agency", object_id=agency_id)
    db.session.flush()
    return agency_settings(agency)
