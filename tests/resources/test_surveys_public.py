"""The self-check instruments and scoring that stores nothing, over HTTP."""

from sqlalchemy import func, select

from api.extensions import db
from api.models import SurveyResponse
from tests.helpers import assert_problem

TIPS = ["be-yourself", "reflect-back", "respect-culture", "set-goals-together",
        "ask-open-questions", "show-up-consistently", "use-humor-with-care", "grow-together",
        "celebrate-wins", "find-common-ground", "make-space-for-creativity"]


def test_instruments_are_listed_in_both_languages(client):
    english = {s["slug"]: s for s in client.get("/api/v1/surveys").get_json()}
    assert set(english) == {"rapport-self-check", "session-check"}
    self_check = english["rapport-self-check"]
    assert [i["id"] for i in self_check["items"]] == TIPS
    assert self_check["scale"] == {"min": 0, "max": 4, "labels": [
        "Never", "Rarely", "Sometimes", "Often", "Almost always"],
        "did_not_come_up": "Did not come up"}
    assert self_check["version"] == 2
    assert [i["id"] for i in self_check["items"] if i["did_not_come_up"]] == [
        "use-humor-with-care", "celebrate-wins", "make-space-for-creativity"]
    assert english["session-check"]["scale"]["did_not_come_up"] is None
    assert not any(i["did_not_come_up"] for i in english["session-check"]["items"])
    past = client.get("/api/v1/surveys/rapport-self-check?version=1").get_json()
    assert past["scale"]["labels"][0] == "Not yet" and past["scale"]["did_not_come_up"] is None
    spanish = client.get("/api/v1/surveys/session-check?lang=es")
    assert spanish.headers["Content-Language"] == "es"
    assert spanish.get_json()["language"] == "es" and len(spanish.get_json()["items"]) == 4
    assert_problem(client.get("/api/v1/surveys/no-such-survey"), 404)
    assert_problem(client.get("/api/v1/surveys/session-check?version=9"), 404)


def test_scoring_a_self_check_points_at_the_tips_that_help(app, client):
    answers = [{"item": tip, "value": 4} for tip in TIPS]
    answers[4]["value"] = 1     # ask-open-questions (tip 5)
    answers[1]["value"] = 2     # reflect-back (tip 2)
    answers[9]["value"] = 2     # find-common-ground (tip 10): ties with 2, later tip number
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(SurveyResponse))
    response = client.post("/api/v1/surveys/rapport-self-check/score", json={"answers": answers})
    assert response.status_code == 200
    score = response.get_json()
    assert (score["total"], score["max"], score["percent"]) == (37, 44, 84.1)
    assert [w["tip"]["slug"] for w in score["weakest"]] == [
        "ask-open-questions", "reflect-back", "find-common-ground"]
    assert all(w["action"] for w in score["weakest"]) and score["flag"] is False
    spanish = client.post("/api/v1/surveys/rapport-self-check/score?lang=es",
                          json={"answers": answers}).get_json()
    assert spanish["weakest"][0]["tip"]["title"] != score["weakest"][0]["tip"]["title"]
    with app.app_context():  # scoring stores nothing
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == before


def test_a_low_session_check_raises_the_talk_about_it_flag(client):
    answers = [{"item": i, "value": v} for i, v in
               (("heard", 9), ("what-matters", 9), ("fits-me", 7), ("overall", 9))]
    score = client.post("/api/v1/surveys/session-check/score",
                        json={"answers": answers}).get_json()
    assert score["total"] == 34 and score["flag"] is True
    assert set(score["reasons"]) == {"total_below_cutoff", "item_below_cutoff"}


def test_bad_answers_are_422_naming_the_problem(client):
    url = "/api/v1/surveys/session-check/score"
    good = [{"item": i, "value": 8} for i in ("heard", "what-matters", "fits-me", "overall")]
    cases = [
        (good[:3], {"answers"}),                                          # one missing
        (good + [{"item": "heard", "value": 8}], {"answers.4.item"}),     # duplicate
        ([{"item": "reflect-back", "value": 3}] + good[1:],               # other form,
         {"answers.0.item", "answers"}),                                  # so heard is missing
        (good[:3] + [{"item": "overall", "value": 11}], {"answers.3.value"}),  # out of range
    ]
    for answers, keys in cases:
        problem = assert_problem(client.post(url, json={"answers": answers}), 422)
        assert set(problem["errors"]) == keys, (keys, problem["errors"])
    assert_problem(client.post(url, json={"answers": good, "version": 7}), 404)
