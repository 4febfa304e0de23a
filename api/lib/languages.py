"""The languages Rapport speaks: the one list every part asks. Adding a language means adding
it here, its content files (api/content) and the phone app's words (pwa/js/i18n.js)."""

LANGUAGES = ("en", "es")
# Every text is written in this one first; shown where another language has no words yet.
FALLBACK = "en"
