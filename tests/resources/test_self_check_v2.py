"""Self-check version 2 over HTTP: "did not come up" (value null), and old answers unchanged."""

from sqlalchemy import select, update

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.languages import LANGUAGES
from api.models import SurveyInstrument
from api.services.loading import load_content
from tests.helpers import assert_problem

SCORE = "/api/v1/surveys/rapport-self-check/score"
SELF = "/api/v1/surveys/rapport-self-check/responses"
TREND = "/api/v1/me/self-check/trend"
PRACTICES = ("be-yourself", "reflect-back", "respect-culture", "set-goals-together",
             "ask-open-questions", "show-up-consistently", "use-humor-with-care",
             "grow-together", "celebrate-wins", "find-common-ground",
             "make-space-for-creativity")


def answers(value=3, **overrides):
    return [{"item": item, "value": overrides.get(item.replace("-", "_"), value)}
            for item in PRACTICES]


def test_did_not_come_up_is_left_out_of_the_score(client):
    got = client.post(SCORE, json={"answers": answers(2, use_humor_with_care=None,
                                                      make_space_for_creativity=None,
                                                      reflect_back=0)})
    assert got.status_code == 200, got.get_json()
    score = got.get_json()
    assert (score["total"], score["max"], score["rated"], score["of"]) == (16, 36, 9, 11)
    assert score["percent"] == 44.4
    assert {p["item"]: p["value"] for p in score["practices"]}["use-humor-with-care"] is None
    weakest = [w["item"] for w in score["weakest"]]
    assert weakest[0] == "reflect-back"
    assert not {"use-humor-with-care", "make-space-for-creativity"} & set(weakest)
    approach = next(d for d in score["dimensions"] if d["dimension"] == "approach")
    assert (approach["rated"], approach["of"]) == (1, 3)


def test_did_not_come_up_on_an_item_without_it_is_refused_in_spanish(client):
    got = client.post(SCORE + "?lang=es", json={"answers": answers(2, be_yourself=None)})
    body = assert_problem(got, 422)
    assert body["errors"] == {"answers.0.value": [
        "'be-yourself' no tiene la respuesta \"No se dio\": elige de 0 a 4."]}
    english = assert_problem(client.post(SCORE, json={"answers": answers(be_yourself=None)}),
                             422)
    assert "did not come up" in english["errors"]["answers.0.value"][0]
    # Version 1 offers it nowhere.
    old = client.post(SCORE, json={"answers": answers(use_humor_with_care=None), "version": 1})
    assert "answers.6.value" in assert_problem(old, 422)["errors"]


def test_a_stored_v2_check_with_unrated_practices_reads_back_and_trends(client, world):
    worker = world["worker_a"].headers
    first = client.post(SELF, json={"answers": answers(3)}, headers=worker)
    assert first.status_code == 201
    second = client.post(SELF, headers=worker, json={"answers": answers(
        3, use_humor_with_care=None, celebrate_wins=None, be_yourself=1)})
    assert second.status_code == 201, second.get_json()
    assert second.get_json()["version"] == 2
    assert (second.get_json()["score"]["rated"], second.get_json()["score"]["of"]) == (9, 11)
    stored = client.get(SELF, headers=worker).get_json()[0]
    assert {"item": "be-yourself", "value": 1} in stored["answers"]
    assert {"item": "celebrate-wins", "value": None} in stored["answers"]
    assert stored["score"] == second.get_json()["score"]
    checks = client.get(TREND, headers=worker).get_json()["checks"]
    assert [(c["rated"], c["of"]) for c in checks] == [(11, 11), (9, 11)]
    assert checks[1]["percent"] == round(100 * 25 / 36, 1)
    # Like with like: the total's change covers the nine practices rated both times.
    assert (checks[1]["change"], checks[1]["compared"]) == (-2, 9)
    humour = next(p for p in checks[1]["practices"] if p["item"] == "use-humor-with-care")
    assert (humour["value"], humour["change"], humour["beyond_noise"]) == (None, None, False)
    # The export keeps the answer as it was given.
    exported = client.get("/api/v1/me/export", headers=worker).get_json()
    assert {"item": "use-humor-with-care", "value": None} in \
        exported["survey_responses"][-1]["answers"]


def hide_v2(hidden: bool) -> None:
    # Other tests' responses point at version 2, so it cannot be deleted: renaming it away
    # gives the world as it was before version 2 was published, and renaming it back
    # publishes it again, exactly as the content files say.
    names = ("rapport-self-check", "rapport-self-check-unpublished")
    db.session.execute(update(SurveyInstrument).where(
        SurveyInstrument.slug == names[not hidden], SurveyInstrument.version == 2)
        .values(slug=names[hidden]))


def test_v1_responses_stored_before_v2_score_the_same_after(app, client, world, restore_content):
    with app.app_context(), unit_of_work():
        hide_v2(True)
    worker = world["worker_b"].headers
    made = client.post(SELF, json={"answers": answers(1, use_humor_with_care=0)}, headers=worker)
    assert made.status_code == 201
    before = made.get_json()
    assert before["version"] == 1
    assert (before["score"]["total"], before["score"]["max"]) == (10, 44)
    assert before["score"]["weakest"][0]["item"] == "use-humor-with-care"
    with app.app_context(), unit_of_work():
        hide_v2(False)  # version 2 is published
        load_content(LANGUAGES)
        assert db.session.scalar(select(SurveyInstrument.version).where(
            SurveyInstrument.slug == "rapport-self-check").order_by(
                SurveyInstrument.version.desc()).limit(1)) == 2
    after = client.get(SELF, headers=worker).get_json()
    assert [(r["id"], r["version"]) for r in after] == [(before["id"], 1)]
    assert after[0]["score"] == before["score"]
    trend = client.get(TREND, headers=worker).get_json()["checks"]
    assert [(c["version"], c["total"], c["max"], c["rated"]) for c in trend] == [(1, 10, 44, 11)]
    # New answers go to version 2 by default.
    newer = client.post(SELF, json={"answers": answers(1, use_humor_with_care=None)},
                        headers=worker)
    assert newer.status_code == 201 and newer.get_json()["version"] == 2
    assert (newer.get_json()["score"]["total"], newer.get_json()["score"]["max"]) == (10, 40)
