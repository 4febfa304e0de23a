"""Problems speak the caller's language: `?lang=` or Accept-Language picks Spanish, the title,
the detail and each field's message come in it, and Content-Language says which languages
the words are in (a message with no translation yet stays English, and says so). Before, a
Spanish phone showed "String does not match expected pattern." at its fields."""

import marshmallow as ma

from api.http import problem_words
from api.http.errors import DETAILS
from tests.helpers import assert_problem

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


def test_field_messages_in_spanish(client):
    response = client.get("/api/v1/tips?page_size=500", headers=SPANISH)
    body = assert_problem(response, 422)
    assert body["title"] == "Datos no válidos"
    assert body["detail"] == "Algunos datos no son válidos. Mira 'errors' para cada campo."
    assert body["errors"]["page_size"] == ["Debe estar entre 1 y 100."]
    assert response.headers["Content-Language"] == "es"
    assert "Accept-Language" in response.headers["Vary"]


def test_lang_beats_the_header_and_english_stays_english(client):
    spanish = assert_problem(client.get("/api/v1/nowhere?lang=es"), 404)
    assert spanish["detail"] == "No hay nada en esta dirección."
    english = client.get("/api/v1/nowhere", headers={"Accept-Language": "en"})
    assert assert_problem(english, 404)["detail"] == "Nothing was found at this address."
    assert english.headers["Content-Language"] == "en"
    unknown = client.get("/api/v1/nowhere?lang=xx", headers=SPANISH)
    assert assert_problem(unknown, 404)["title"] == "No encontrado"


def test_a_message_without_words_yet_is_english_and_says_so(client, world):
    response = client.post("/api/v1/auth/token", json={"email": "x@example.org"},
                           headers=SPANISH)
    body = assert_problem(response, 422)
    assert body["errors"]["password"] == ["Falta este dato obligatorio."]
    # Refusals written for one route fall back to English until they have Spanish words:
    assert problem_words.message("A sentence nobody translated.", "es") == (
        "A sentence nobody translated.", "en")


def test_every_status_detail_and_title_has_spanish_words():
    for status, detail in DETAILS.items():
        assert problem_words.message(detail, "es")[1] == "es", detail
        assert problem_words.title(status, "es")[1] == "es", status


def test_every_marshmallow_message_the_schemas_can_make_has_spanish_words():
    fields = [ma.fields.Field, ma.fields.String, ma.fields.Integer, ma.fields.Boolean,
              ma.fields.UUID, ma.fields.Date, ma.fields.Email, ma.fields.List, ma.fields.Dict,
              ma.fields.Nested, ma.fields.Url]
    messages = {text for field in fields for text in field.default_error_messages.values()
                if "{" not in text}
    messages |= {"Not a valid datetime.", "Not a valid aware datetime.", "Unknown field.",
                 "Invalid input type.", ma.validate.Regexp.default_message}
    messages |= {ma.validate.Length(min=2).message_min.format(min=2),
                 ma.validate.Length.message_max.format(max=200),
                 ma.validate.Length.message_all.format(min=1, max=9),
                 ma.validate.Length.message_equal.format(equal=9),
                 ma.validate.OneOf(["en", "es"])._format_error("xx")}
    for validator in (ma.validate.Range(min=0, max=10), ma.validate.Range(min=1),
                      ma.validate.Range(max=100)):
        try:
            validator(-5 if validator.min is not None else 500)
        except ma.ValidationError as error:
            messages.add(error.messages[0])
    missing = sorted(text for text in messages if problem_words.message(text, "es")[1] != "es")
    assert not missing, missing
