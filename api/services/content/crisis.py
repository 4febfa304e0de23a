"""Crisis resources: the help lines shown when someone needs help now.

The default set (988 in the US) lives in `api/content/crisis.toml` and is read once. An
agency keeps it and adds its own lines after it, or replaces it with its own. Numbers are
kept exactly as the admin typed them, so people see what their agency printed; they are
checked, never reformatted.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from sqlalchemy import delete, select

from api.extensions import db
from api.lib.clock import utcnow
from api.lib.content_files import CONTENT_DIR, ContentError, read_toml
from api.lib.crisis_lines import (
    CONTACT_FIELDS,
    HOURS_MAX,
    MAX_RESOURCES,
    NAME_MAX,
    NEEDS_FALLBACK,
    NO_CONTACT,
    NUMBER_MAX,
    URL_MAX,
    number_problem,
    url_problem,
)
from api.lib.languages import FALLBACK, LANGUAGES
from api.models import Agency, CrisisResource, User
from api.services import audit

DEFAULT_FILE = CONTENT_DIR / "crisis.toml"

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
    if not include_default and not any(r.get("language") == FALLBACK
                                       for r in resources):
        errors.setdefault("resources", []).append(NEEDS_FALLBACK)
    if errors:
        raise CrisisError(errors)


# --- The default set ---------------------------------------------------------------------


def read_default_file(path: Path = DEFAULT_FILE) -> dict[str, tuple[Resource, ...]]:
    """The default set by language, checked by the rules agencies follow, plus one more:
    it has something in every language."""
    data = read_toml(path)
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
           or [row for row in rows if row.language == FALLBACK])
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
