"""Problems speak the caller's language: `?lang=` or Accept-Language picks Spanish, the title,
the detail and each field's message come in it, and Content-Language says which languages
the words are in (a message with no translation yet stays English, and says so). Before, a
Spanish phone showed "String does not match expected pattern." at its fields."""

import marshmallow as ma

from api.http import problem_words
from api.http.errors import DETAILS
from tests.helpers import assert_problem
from tests.http import refusals

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


# --- every refusal a route can give, found in the code (tests/http/refusals.py) ------------

def test_every_refusal_in_the_code_has_spanish_words():
    """A new abort(), raise or validator message without Spanish words fails here."""
    found = refusals.every_refusal()
    missing = sorted({f"{r.where}: {r.text}" for r in found
                      if problem_words.message(r.text, "es")[1] != "es"})
    assert not missing, "No Spanish in api/http/problem_words.py for:\n" + "\n".join(missing)


def test_the_reader_finds_refusals_wherever_they_are_made():
    """So the test above cannot pass by finding nothing: each way a refusal is made."""
    source = '''
TAKEN = "This name is taken."
BY_KIND = {"a": "No such a.", "b": "No such b."}

def route(slug, kind):
    abort(404, message=f"Nothing called '{slug}'.", headers={"X-Why": "not words"})
    deny(403, None, "Not for you.")
    raise Conflict(TAKEN)
    raise NotAllowed(403, BY_KIND[kind], "field_name")
    raise ValueError("An internal fault, never an answer.")

def validate(value):
    errors = {}
    errors["x"] = ["Too big by " + str(value) + "."]
    message = "Too small." if value < 0 else None
    raise ma.ValidationError(message)

def number_problem(value):
    """Why it is not a number (this docstring is no refusal)."""
    return None if value else "Write a number."

field = Integer(validate=Range(min=1, error="At least one, please."))
'''
    texts = {r.text for r in refusals.read(source, "planted.py", {
        "TAKEN": "This name is taken.",
        "BY_KIND": {"a": "No such a.", "b": "No such b."}})}
    assert texts == {"Nothing called '1'.", "Not for you.", "This name is taken.",
                     "No such a.", "No such b.", "Too small.", "Write a number.",
                     "At least one, please."}
    # ...and in the real code, one of each kind:
    real = {r.text for r in refusals.every_refusal()}
    assert {"No tip is called '1'.",                         # f-string in abort()
            "This username is taken. Try another.",           # module constant
            "This partnership has ended. Its history is read-only.",  # class attribute
            "This survey is for the peer to answer.",         # dict of sentences
            "Every item needs one answer; missing: 1.",       # a local, built up
            "This password is too common. Try a few words that mean something to you.",
            "A web address has no spaces, backslashes or control characters.",  # *_problem
            "Needed to create your account.",                 # errors={...} comprehension
            "Use a month (2026-11) or a quarter (2026-Q4).",  # error= of a validator
            } <= real


def test_a_refusal_from_deep_in_a_service_reaches_the_caller_in_spanish(client, world):
    goal = world.fresh_goal()
    response = client.post(f"/api/v1/goals/{goal}/celebrations", json={"message": "¡Bien!"},
                           headers={**world["peer_a"].headers, "Accept-Language": "es"})
    body = assert_problem(response, 409)
    assert body["detail"] == ("Celebra un paso que ya esté hecho, o una meta cuando ya esté "
                              "lograda.")
    assert response.headers["Content-Language"] == "es"
    missing = client.get("/api/v1/tips/no-such-tip?lang=es")
    assert assert_problem(missing, 404)["detail"] == "No hay ningún consejo llamado 'no-such-tip'."
