"""Stored responses: a worker's self-checks and a peer's session-checks, and who sees them."""

from tests.helpers import assert_problem

SELF = ["be-yourself", "reflect-back", "respect-culture", "set-goals-together",
        "ask-open-questions", "show-up-consistently", "use-humor-with-care", "grow-together",
        "celebrate-wins", "find-common-ground", "make-space-for-creativity"]
SESSION = ["heard", "what-matters", "fits-me", "overall"]


def answers(items, value):
    return [{"item": item, "value": value} for item in items]


def test_a_worker_keeps_self_checks_and_sees_only_their_own(client, world):
    worker = world["worker_a"].headers
    made = client.post("/api/v1/surveys/rapport-self-check/responses",
                       json={"answers": answers(SELF, 3)}, headers=worker)
    assert made.status_code == 201
    body = made.get_json()
    assert body["score"]["total"] == 33 and body["version"] == 2 and body["share"] is None
    client.post("/api/v1/surveys/rapport-self-check/responses",
                json={"answers": answers(SELF, 2)}, headers=world["worker_b"].headers)
    mine = client.get("/api/v1/surveys/rapport-self-check/responses", headers=worker).get_json()
    assert [r["id"] for r in mine] == [body["id"]]


def test_a_peer_session_check_is_tied_to_a_partnership_and_a_sharing_choice(client, world):
    peer = world["peer_a"].headers
    url = "/api/v1/surveys/session-check/responses"
    missing = client.post(url, json={"answers": answers(SESSION, 9)}, headers=peer)
    assert "partnership_id" in assert_problem(missing, 422)["errors"]
    no_share = client.post(url, json={"answers": answers(SESSION, 9),
                                      "partnership_id": world.partnership_a}, headers=peer)
    assert "share" in assert_problem(no_share, 422)["errors"]
    not_mine = client.post(url, json={"answers": answers(SESSION, 9), "share": "now",
                                      "partnership_id": world.partnership_b}, headers=peer)
    assert_problem(not_mine, 422)
    first = client.post(url, json={"answers": answers(SESSION, 9), "share": "now",
                                   "partnership_id": world.partnership_a}, headers=peer)
    assert first.status_code == 201 and first.get_json()["score"]["flag"] is False
    dropped = client.post(url, json={"answers": answers(SESSION, 8), "share": "aggregate_only",
                                     "partnership_id": world.partnership_a}, headers=peer)
    # 32 is under the cut-off of 36; the drop from 36 is 4, under 5, so only one reason.
    assert dropped.get_json()["score"]["reasons"] == ["total_below_cutoff"]
    assert dropped.get_json()["score"]["flag"] is True


def test_a_listed_session_check_shows_the_drop_it_raised(client, world):
    peer, url = world["peer_a"], "/api/v1/surveys/session-check/responses"
    for value in (10, 9):  # 40, then 36: a drop of 4, under 5; then 35: a drop of 1
        client.post(url, headers=peer.headers, json={
            "answers": answers(SESSION, value), "share": "now",
            "partnership_id": world.partnership_a})
    client.post(url, headers=peer.headers, json={
        "answers": [*answers(SESSION[:3], 9), {"item": "overall", "value": 8}],
        "share": "aggregate_only", "partnership_id": world.partnership_a})
    client.post(url, headers=peer.headers, json={
        "answers": answers(SESSION, 7), "share": "now", "partnership_id": world.partnership_a})
    listed = client.get(url, headers=peer.headers).get_json()
    assert [r["score"]["total"] for r in listed] == [28, 35, 36, 40]
    assert [r["score"]["reasons"] for r in listed] == [
        ["total_below_cutoff", "item_below_cutoff", "drop_since_last"],
        ["total_below_cutoff"], [], []]


def test_the_flag_cutoffs_are_settings(app, make_app):  # app: the migrated database
    from tests.factories import make_world

    app = make_app(SESSION_CHECK_FLAG_TOTAL_BELOW=30, SESSION_CHECK_FLAG_ITEM_BELOW=7)
    with app.app_context():
        world = make_world(app)
    made = app.test_client().post(
        "/api/v1/surveys/session-check/responses", headers=world["peer_a"].headers,
        json={"answers": answers(SESSION, 8), "share": "now",
              "partnership_id": world.partnership_a})
    # 32 and every item at 8: flagged under the default 36, not under 30.
    assert made.get_json()["score"]["flag"] is False
    scored = app.test_client().post("/api/v1/surveys/session-check/score",
                                    json={"answers": answers(SESSION, 8)})
    assert scored.get_json()["flag"] is False  # scoring alone follows the same settings


def test_each_survey_is_for_its_audience(client, world):
    assert_problem(client.post("/api/v1/surveys/session-check/responses",
                               json={"answers": answers(SESSION, 9), "share": "now",
                                     "partnership_id": world.partnership_a},
                               headers=world["worker_a"].headers), 403)
    assert_problem(client.post("/api/v1/surveys/rapport-self-check/responses",
                               json={"answers": answers(SELF, 3)},
                               headers=world["peer_a"].headers), 403)


def test_responses_are_idempotent(client, world):
    headers = {**world["worker_a"].headers, "Idempotency-Key": "self-check-1"}
    first = client.post("/api/v1/surveys/rapport-self-check/responses",
                        json={"answers": answers(SELF, 4)}, headers=headers)
    again = client.post("/api/v1/surveys/rapport-self-check/responses",
                        json={"answers": answers(SELF, 4)}, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    listed = client.get("/api/v1/surveys/rapport-self-check/responses",
                        headers=world["worker_a"].headers).get_json()
    assert len(listed) == 1


def test_responses_are_in_the_export_and_gone_after_erasure(app, client, world):
    peer = world["peer_a"].headers
    client.post("/api/v1/surveys/session-check/responses", headers=peer, json={
        "answers": answers(SESSION, 9), "share": "now", "partnership_id": world.partnership_a})
    exported = client.get("/api/v1/me/export", headers=peer).get_json()
    assert [r["survey"] for r in exported["survey_responses"]] == ["session-check"]
    assert exported["survey_responses"][0]["answers"][0]["value"] == 9
    client.delete("/api/v1/me", headers=peer)
    from sqlalchemy import func, select

    from api.extensions import db
    from api.models import SurveyResponse

    with app.app_context():
        import uuid

        assert db.session.scalar(select(func.count()).select_from(SurveyResponse).where(
            SurveyResponse.user_id == uuid.UUID(world["peer_a"].id))) == 0
