"""Crisis resources over HTTP: the default set, an agency's own, and how admins edit them."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from api.extensions import db
from api.lib.content_files import ContentError
from api.models import AuditEvent
from api.services.content import crisis
from tests.helpers import assert_problem

PUBLIC = "/api/v1/crisis-resources"
FIELDS = {"name", "phone", "text", "hours", "url", "language", "source"}
ADMIN_FIELDS = {"name", "phone", "text", "hours", "url", "language"}
# Numbers phonenumbers accepts as valid, written the ways people write them.
LOCAL = "(202) 555-0143"
ABROAD = "+44 20 7946 0958"


def admin_url(agency_id) -> str:
    return f"/api/v1/agencies/{agency_id}/crisis-resources"


def line(name="Agency help line", language="en", **contact) -> dict:
    return {"name": name, "language": language, **(contact or {"phone": LOCAL})}


def put(client, world, include_default=True, resources=(), actor="admin_a", agency=None):
    return client.put(admin_url(agency or world.agency_a), headers=world[actor].headers,
                      json={"include_default": include_default, "resources": list(resources)})


def shown(client, **query) -> list[dict]:
    response = client.get(PUBLIC, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def saved(client, world) -> dict:
    response = client.get(admin_url(world.agency_a), headers=world["admin_a"].headers)
    assert response.status_code == 200
    return response.get_json()


def audit_count(app, agency_id) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "crisis_resources.replace",
            AuditEvent.object_id == str(agency_id)))


# --- The default set ---------------------------------------------------------------------


def test_without_an_agency_everyone_sees_988_in_english(client):
    response = client.get(PUBLIC)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.cache_control.public
    [lifeline] = response.get_json()
    assert set(lifeline) == FIELDS
    assert lifeline == {
        "name": "988 Suicide & Crisis Lifeline", "phone": "988", "text": "988",
        "hours": lifeline["hours"], "url": "https://988lifeline.org", "language": "en",
        "source": "default"}
    assert lifeline["hours"]


def test_the_default_set_in_spanish_names_the_spanish_line(client):
    response = client.get(PUBLIC, query_string={"lang": "es"})
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "es"
    [linea] = response.get_json()
    assert linea["name"] == "988 Línea de Prevención del Suicidio y Crisis"
    assert (linea["phone"], linea["text"], linea["language"], linea["source"]) == (
        "988", "988", "es", "default")
    assert "marca el 2" in linea["hours"]


def test_accept_language_picks_the_language_and_lang_beats_it(client):
    spanish = client.get(PUBLIC, headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert spanish.headers["Content-Language"] == "es"
    assert spanish.get_json()[0]["language"] == "es"
    assert "Accept-Language" in spanish.headers["Vary"]
    english = client.get(PUBLIC, query_string={"lang": "en"},
                         headers={"Accept-Language": "es"})
    assert english.headers["Content-Language"] == "en"
    assert english.get_json()[0]["language"] == "en"


def test_public_list_has_an_etag_and_answers_304(client):
    first = client.get(PUBLIC, query_string={"lang": "es"})
    etag, weak = first.get_etag()
    assert etag and not weak
    again = client.get(PUBLIC, query_string={"lang": "es"},
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    english = client.get(PUBLIC, query_string={"lang": "en"},
                         headers={"If-None-Match": first.headers["ETag"]})
    assert english.status_code == 200


def test_an_unknown_agency_is_404_and_a_bad_id_is_422(client):
    assert_problem(client.get(PUBLIC, query_string={
        "agency": "00000000-0000-4000-8000-000000000000"}), 404)
    assert "agency" in assert_problem(
        client.get(PUBLIC, query_string={"agency": "not-an-id"}), 422)["errors"]
    assert "lang" in assert_problem(client.get(PUBLIC, query_string={"lang": "fr"}), 422)[
        "errors"]


def test_the_default_file_is_checked_like_an_agency_set(tmp_path):
    good = crisis.read_default_file()
    assert set(good) == {"en", "es"} and all(good.values())
    bad = tmp_path / "crisis.toml"
    bad.write_text('last_reviewed = 2026-11-24\n[[resource]]\nlanguage = "en"\n'
                   'name = "Line"\nphone = "(555) 010-0199"\n', encoding="utf-8")
    with pytest.raises(ContentError, match="phone"):
        crisis.read_default_file(bad)
    english_only = tmp_path / "english.toml"
    english_only.write_text('last_reviewed = 2026-11-24\n[[resource]]\nlanguage = "en"\n'
                            'name = "Line"\nphone = "988"\n', encoding="utf-8")
    with pytest.raises(ContentError, match="es"):
        crisis.read_default_file(english_only)


# --- An agency's own set -----------------------------------------------------------------


def test_a_new_agency_keeps_the_default_and_has_none_of_its_own(client, world):
    assert saved(client, world) == {"include_default": True, "resources": []}
    assert [r["source"] for r in shown(client, agency=world.agency_a)] == ["default"]


def test_an_agency_that_extends_shows_988_first_then_its_own(app, client, world):
    resources = [line("Agency line"), line("Línea de la agencia", "es", phone=ABROAD),
                 line("Text us", text="741741")]
    response = put(client, world, True, resources)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.cache_control.no_store
    body = response.get_json()
    assert body["include_default"] is True
    assert [r["name"] for r in body["resources"]] == [
        "Agency line", "Línea de la agencia", "Text us"]
    assert all(set(r) == ADMIN_FIELDS for r in body["resources"])

    english = shown(client, agency=world.agency_a, lang="en")
    assert [(r["name"], r["source"]) for r in english] == [
        ("988 Suicide & Crisis Lifeline", "default"), ("Agency line", "agency"),
        ("Text us", "agency")]
    spanish = shown(client, agency=world.agency_a, lang="es")
    assert [(r["name"], r["language"], r["source"]) for r in spanish] == [
        ("988 Línea de Prevención del Suicidio y Crisis", "es", "default"),
        ("Línea de la agencia", "es", "agency")]
    # Another agency's readers see none of it.
    assert [r["source"] for r in shown(client, agency=world.agency_b)] == ["default"]
    assert audit_count(app, world.agency_a) == 1


def test_an_agency_that_replaces_the_default_shows_only_its_own(client, world):
    response = put(client, world, False, [line("UK line", phone=ABROAD),
                                          line("Línea", "es", url="https://agency.example")])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert shown(client, agency=world.agency_a, lang="en") == [{
        "name": "UK line", "phone": ABROAD, "text": None, "hours": None, "url": None,
        "language": "en", "source": "agency"}]
    assert [(r["name"], r["source"]) for r in shown(client, agency=world.agency_a,
                                                    lang="es")] == [("Línea", "agency")]
    assert saved(client, world)["include_default"] is False


def test_no_resources_in_the_asked_language_falls_back_to_english_and_says_so(client, world):
    assert put(client, world, True, [line("Agency line")]).status_code == 200
    response = client.get(PUBLIC, query_string={"agency": world.agency_a, "lang": "es"})
    assert response.headers["Content-Language"] == "es, en"
    assert [(r["language"], r["source"]) for r in response.get_json()] == [
        ("es", "default"), ("en", "agency")]


def test_numbers_are_shown_exactly_as_entered(client, world):
    entered = [line("Local", phone=LOCAL, text="741741"),
               line("Abroad", phone=ABROAD, text="+1 202.555.0143"),
               line("Short", phone="988", hours="Mon–Fri, 9am–5pm",
                    url="https://agency.example/help?x=1")]
    body = put(client, world, True, entered).get_json()
    expected = [(r["phone"], r.get("text")) for r in entered]
    assert [(r["phone"], r["text"]) for r in body["resources"]] == expected
    assert [(r["phone"], r["text"]) for r in saved(client, world)["resources"]] == expected
    public = [r for r in shown(client, agency=world.agency_a) if r["source"] == "agency"]
    assert [(r["phone"], r["text"]) for r in public] == expected
    assert public[2]["hours"] == "Mon–Fri, 9am–5pm"
    assert public[2]["url"] == "https://agency.example/help?x=1"
    assert public[0]["url"] is None and public[0]["hours"] is None


def test_a_put_replaces_the_whole_set_in_order(client, world):
    put(client, world, True, [line("Old one"), line("Old two")])
    body = put(client, world, True, [line("New one", "es"), line("New two")]).get_json()
    assert [(r["name"], r["language"]) for r in body["resources"]] == [
        ("New one", "es"), ("New two", "en")]
    assert saved(client, world) == body
    assert put(client, world, True, []).get_json() == {"include_default": True,
                                                       "resources": []}


def test_what_get_returns_can_be_put_back_unchanged(client, world):
    body = put(client, world, True, [line("Walk-in", url="https://agency.example")]).get_json()
    again = client.put(admin_url(world.agency_a), headers=world["admin_a"].headers, json=body)
    assert again.status_code == 200 and again.get_json() == body


def test_empty_strings_mean_not_given(client, world):
    body = put(client, world, True, [line("Line", phone=LOCAL, text="", url="",
                                          hours="")]).get_json()
    assert body["resources"][0] == {
        "name": "Line", "phone": LOCAL, "text": None, "hours": None, "url": None,
        "language": "en"}


def test_names_are_trimmed(client, world):
    body = put(client, world, True, [line("  Agency line  ")]).get_json()
    assert body["resources"][0]["name"] == "Agency line"


def test_the_public_etag_changes_when_the_agency_edits(client, world):
    before = client.get(PUBLIC, query_string={"agency": world.agency_a})
    put(client, world, True, [line("New line")])
    after = client.get(PUBLIC, query_string={"agency": world.agency_a},
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]


# --- Bad input changes nothing -----------------------------------------------------------

BAD_RESOURCES = [
    pytest.param(line(phone="(555) 010-0199"), "resources.0.phone", id="fictional-number"),
    pytest.param(line(phone="call 202 555 0143"), "resources.0.phone", id="words"),
    pytest.param(line(phone="202-555-0143 ext. 7"), "resources.0.phone", id="extension"),
    pytest.param(line(phone="1-800-273-TALK"), "resources.0.phone", id="letters"),
    pytest.param(line(phone="98"), "resources.0.phone", id="two-digit-code"),
    pytest.param(line(phone="1234567"), "resources.0.phone", id="seven-digit-code"),
    pytest.param(line(phone="+" + "1" * 45), "resources.0.phone", id="too-long"),
    pytest.param(line(text="12"), "resources.0.text", id="text-too-short"),
    pytest.param(line(text="٩٨٨"), "resources.0.text", id="arabic-indic-digits"),
    pytest.param(line(url="ftp://agency.example"), "resources.0.url", id="ftp"),
    pytest.param(line(url="javascript:alert(1)"), "resources.0.url", id="javascript"),
    pytest.param(line(url="https://"), "resources.0.url", id="no-host"),
    pytest.param(line(url="agency.example/help"), "resources.0.url", id="no-scheme"),
    pytest.param(line(url="https://988lifeline.org@evil.example"), "resources.0.url",
                 id="userinfo"),
    pytest.param(line(url="https://agency.example:port"), "resources.0.url", id="bad-port"),
    pytest.param(line(url="https://agency.example/" + "a" * 300), "resources.0.url",
                 id="url-too-long"),
    pytest.param({"name": "Nothing to call", "language": "en"}, "resources.0._schema",
                 id="no-way-to-reach"),
    pytest.param({"name": "Nulls", "language": "en", "phone": None, "text": None,
                  "url": None}, "resources.0._schema", id="all-null"),
    pytest.param(line(name="   "), "resources.0.name", id="blank-name"),
    pytest.param(line(name="x" * 121), "resources.0.name", id="long-name"),
    pytest.param(line(hours="h" * 121, phone=LOCAL), "resources.0.hours", id="long-hours"),
    pytest.param(line(language="fr"), "resources.0.language", id="language"),
    pytest.param({**line(), "email": "x@example.org"}, "resources.0.email", id="unknown-field"),
    pytest.param(line(name="Line\x00"), "resources.0.name", id="nul"),
    pytest.param(line(phone=988), "resources.0.phone", id="number-not-string"),
]


@pytest.mark.parametrize(("bad", "path"), BAD_RESOURCES)
def test_bad_input_is_422_with_the_field_path_and_changes_nothing(app, client, world, bad,
                                                                   path):
    assert put(client, world, True, [line("Keep me")]).status_code == 200
    before = saved(client, world)
    response = put(client, world, False, [line("Fine"), bad][::-1])
    errors = assert_problem(response, 422)["errors"]
    assert path in errors, errors
    assert saved(client, world) == before
    assert audit_count(app, world.agency_a) == 1


def test_a_later_bad_resource_is_named_by_its_index(client, world):
    response = put(client, world, True, [line("Fine"), line("Also fine"), line(phone="911x")])
    assert "resources.2.phone" in assert_problem(response, 422)["errors"]


def test_at_most_20_resources(client, world):
    twenty = [line(f"Line {n}") for n in range(20)]
    assert put(client, world, True, twenty).status_code == 200
    response = put(client, world, True, [*twenty, line("One too many")])
    assert "resources" in assert_problem(response, 422)["errors"]
    assert len(saved(client, world)["resources"]) == 20


def test_replacing_the_default_needs_an_english_resource(client, world):
    for resources in ([], [line("Solo español", "es")]):
        response = put(client, world, False, resources)
        assert "resources" in assert_problem(response, 422)["errors"]
    assert saved(client, world) == {"include_default": True, "resources": []}


@pytest.mark.parametrize("body", [
    {}, {"resources": []}, {"include_default": True},
    {"include_default": "yes", "resources": []}, {"include_default": 1, "resources": []},
    {"include_default": True, "resources": {}}, {"include_default": True, "resources": [1]},
    {"include_default": True, "resources": [], "extra": 1}, [],
])
def test_malformed_bodies_are_422(client, world, body):
    response = client.put(admin_url(world.agency_a), headers=world["admin_a"].headers,
                          json=body)
    assert_problem(response, 422)


# --- Who may edit ------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PUT"])
@pytest.mark.parametrize(("actor", "status"), [
    ("admin_b", 404), ("worker_a", 403), ("peer_a", 403), ("anonymous", 401)])
def test_only_the_agencys_own_admins_may_see_or_edit(client, world, method, actor, status):
    body = {"include_default": False, "resources": [line("Intruder")]}
    response = client.open(admin_url(world.agency_a), method=method,
                           headers=world[actor].headers, json=body if method == "PUT" else None)
    assert_problem(response, status)
    assert response.cache_control.no_store
    assert saved(client, world) == {"include_default": True, "resources": []}


def test_an_admin_asking_about_a_missing_agency_gets_404(client, world):
    missing = "00000000-0000-4000-8000-000000000000"
    response = client.get(admin_url(missing), headers=world["admin_a"].headers)
    assert_problem(response, 404)


# --- Any text in a number: 422 or 200, never a 500 ---------------------------------------


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phone=st.one_of(st.text(max_size=60),
                       st.from_regex(r"\+?[0-9 ().\-]{1,25}", fullmatch=True)))
def test_any_text_as_a_phone_number_is_422_or_200(client, world, phone):
    response = put(client, world, True, [line("Line", phone=phone)])
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 200:
        [kept] = response.get_json()["resources"]
        assert kept["phone"] == phone  # exactly as entered
        assert crisis.number_problem(phone) is None
    else:
        assert "resources.0.phone" in assert_problem(response, 422)["errors"] or phone == ""
