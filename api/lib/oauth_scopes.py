"""What OAuth apps may ask for, and where they may send people back.

The scopes an app may ask for: each narrower than a role, each said in plain words on the
consent screen. A route an app may call names one scope (api.http.access.signed_in); a
route that names none is closed to every app, whatever it was granted."""

import ipaddress
from urllib.parse import urlsplit

SCOPES: dict[str, dict[str, str]] = {
    "profile:read": {
        "en": "See your name and whether you are a worker or a peer.",
        "es": "Ver tu nombre y si eres trabajador o participante.",
    },
    "goals:read": {
        "en": "See your partnerships and shared goals, with their steps, check-ins and "
              "celebrations.",
        "es": "Ver tus parejas de apoyo y sus metas compartidas, con sus pasos, registros "
              "y celebraciones.",
    },
    "goals:write": {
        "en": "Add and change shared goals and their steps, and celebrate them.",
        "es": "Agregar y cambiar metas compartidas y sus pasos, y celebrarlas.",
    },
    "checkins:write": {
        "en": "Add check-ins to your shared goals.",
        "es": "Agregar registros a tus metas compartidas.",
    },
    "surveys:read": {
        "en": "See your own self-check answers and scores, and the session checks shared "
              "with you.",
        "es": "Ver tus propias respuestas y puntajes de autoevaluación, y las revisiones de "
              "la sesión que te compartieron.",
    },
    "export:read": {
        "en": "Get a copy of everything Rapport keeps about you.",
        "es": "Obtener una copia de todo lo que Rapport guarda sobre ti.",
    },
}

ALL = tuple(SCOPES)


def parse(scope: str | None) -> list[str]:
    """The scopes named in a space-separated string, each once, in the catalogue's order."""
    named = set((scope or "").split())
    return [name for name in ALL if name in named]


def unknown(scope: str | None) -> list[str]:
    return sorted(set((scope or "").split()) - set(ALL))


def describe(scope: str | None, language: str) -> list[dict[str, str]]:
    return [{"scope": name, "description": SCOPES[name].get(language, SCOPES[name]["en"])}
            for name in parse(scope)]


def is_allowed_redirect_uri(uri: str) -> bool:
    """https anywhere; http only to this machine's loopback (RFC 8252 7.3); or an app's own
    private-use scheme like `org.example.app:/callback` (RFC 8252 7.1). Never a fragment."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    if parts.fragment or "#" in uri or parts.username or parts.password:
        return False
    if parts.scheme == "https":
        return bool(parts.hostname)
    if parts.scheme == "http":
        return is_loopback(parts.hostname)
    # A private-use scheme must be a reverse domain name (with a dot), never javascript: & co.
    return "." in parts.scheme and parts.scheme.isascii() and not parts.netloc


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False
