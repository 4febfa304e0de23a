"""The scopes apps may ask for (the catalogue lives in api.lib.oauth_scopes, where schemas
can read it too)."""

from api.lib.oauth_scopes import ALL, SCOPES, describe, parse, unknown

__all__ = ["ALL", "SCOPES", "describe", "parse", "unknown"]
