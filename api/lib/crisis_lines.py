"""What a crisis line must look like to be shown: the rules an agency's lines and the
default set both meet (services.content.crisis keeps them; the schemas document them)."""

import re
from urllib.parse import urlsplit

import phonenumbers

from api.lib.languages import FALLBACK

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
                  f"'{FALLBACK}': it is shown when a language has none of its own.")


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
