"""The console's register form shows each scope in the same words as the consent screen:
its copy in pwa/js/views/agency/apps.js must not drift from api/lib/oauth_scopes.py."""

import re
from pathlib import Path

from api.lib.oauth_scopes import SCOPES

APPS_JS = Path(__file__).resolve().parents[2] / "pwa" / "js" / "views" / "agency" / "apps.js"


def test_the_console_says_each_scope_as_the_consent_screen_does():
    text = APPS_JS.read_text()
    copies = re.findall(r'"scope_([a-z:]+)":\s*"((?:[^"\\]|\\.)*)"', text)
    english = {name: words for name, words in copies[:len(copies) // 2]}
    spanish = {name: words for name, words in copies[len(copies) // 2:]}
    assert english == {name: words["en"] for name, words in SCOPES.items()}
    assert spanish == {name: words["es"] for name, words in SCOPES.items()}
