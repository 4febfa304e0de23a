"""What the stored checks add up to: a worker's trend and the two-sided view of a partnership.
Worked examples with exact numbers. (Agency insights: test_insights.py.)"""

import random
import uuid

from api.extensions import db
from api.models import User
from api.services.accounts import people as accounts
from tests.factories import make_peer_with, make_worker
from tests.helpers import assert_problem

SELF = "/api/v1/surveys/rapport-self-check/responses"
SESSION = "/api/v1/surveys/session-check/responses"
TREND = "/api/v1/me/self-check/trend"
RELATIONSHIP = ("be-yourself", "reflect-back", "respect-culture", "ask-open-questions",
                "show-up-consistently", "find-common-ground")
GOALS = ("set-goals-together", "celebrate-wins")
APPROACH = ("use-humor-with-care", "grow-together", "make-space-for-creativity")
PRACTICES = RELATIONSHIP + GOALS + APPROACH


def self_check(client, actor, value=3, **overrides):
    answers = [{"item": item, "value": overrides.get(item.replace("-", "_"), value)}
               for item in PRACTICES]
    made = client.post(SELF, json={"answers": answers}, headers=actor.headers)
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def session_check(client, actor, partnership_id, heard, what_matters, fits_me, overall,
                  share="now"):
    values = {"heard": heard, "what-matters": what_matters, "fits-me": fits_me,
              "overall": overall}
    made = client.post(SESSION, headers=actor.headers, json={
        "answers": [{"item": k, "value": v} for k, v in values.items()],
        "partnership_id": partnership_id, "share": share})
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def rapport(client, world, who, **query):
    got = client.get(f"/api/v1/partnerships/{world.partnership_a}/rapport",
                     query_string=query, headers=world[who].headers)
    assert got.status_code == 200, got.get_json()
    assert got.headers["Cache-Control"] == "no-store"
    return got


# The trend -----------------------------------------------------------------------------------


def test_a_first_trend_is_empty_and_states_its_noise_rule(client, world):
    trend = client.get(TREND, headers=world["worker_a"].headers).get_json()
    assert trend["checks"] == []
    assert (trend["noise"]["practice"], trend["noise"]["total"]) == (2, 7)
    assert "2 points" in trend["noise"]["rule"] and "7 points" in trend["noise"]["rule"]
    spanish = client.get(TREND + "?lang=es", headers=world["worker_a"].headers)
    assert spanish.headers["Content-Language"] == "es"
    assert "2 puntos o más" in spanish.get_json()["noise"]["rule"]


def test_the_trend_shows_each_change_and_whether_it_is_more_than_noise(client, world):
    worker = world["worker_a"]
    first = self_check(client, worker, 2)                                    # total 22
    self_check(client, worker, 2, be_yourself=4, reflect_back=3)             # 25: +3, noise
    self_check(client, worker, 3, be_yourself=2)                             # 32: +7, real
    checks = client.get(TREND, headers=worker.headers).get_json()["checks"]
    assert [c["total"] for c in checks] == [22, 25, 32]                      # oldest first
    assert checks[0]["id"] == first["id"]
    assert (checks[0]["change"], checks[0]["beyond_noise"]) == (None, False)
    assert (checks[1]["change"], checks[1]["beyond_noise"]) == (3, False)
    assert (checks[2]["change"], checks[2]["beyond_noise"]) == (7, True)
    second = {p["item"]: (p["change"], p["beyond_noise"]) for p in checks[1]["practices"]}
    assert second["be-yourself"] == (2, True)
    assert second["reflect-back"] == (1, False)
    assert second["grow-together"] == (0, False)
    third = {p["item"]: (p["change"], p["beyond_noise"]) for p in checks[2]["practices"]}
    assert third["be-yourself"] == (-2, True)
    assert checks[2]["percent"] == 72.7 and checks[2]["max"] == 44


def test_a_short_window_still_compares_its_oldest_check_with_the_one_before(client, world):
    worker = world["worker_a"]
    for value in (1, 2, 3):
        self_check(client, worker, value)
    checks = client.get(TREND, query_string={"limit": 2}, headers=worker.headers).get_json()
    assert [(c["total"], c["change"]) for c in checks["checks"]] == [(22, 11), (33, 11)]
    assert_problem(client.get(TREND, query_string={"limit": 0}, headers=worker.headers), 422)
    assert_problem(client.get(TREND, query_string={"limit": 101}, headers=worker.headers), 422)


def test_a_trend_holds_only_the_callers_own_checks(client, world):
    self_check(client, world["worker_b"], 4)
    assert client.get(TREND, headers=world["worker_a"].headers).get_json()["checks"] == []


# The two-sided view ---------------------------------------------------------------------------


def test_before_any_check_the_view_is_empty_and_unflagged(client, world):
    view = rapport(client, world, "peer_a").get_json()
    assert view["self_check"] is None and view["session_checks"] == []
    assert view["flag"] is False and view["repair"] is None and view["reasons"] == []
    assert all(d["gap"] is None for d in view["dimensions"])


def test_both_members_see_the_same_two_sides_and_gaps_and_each_their_own_repair(client, world):
    # Worker: relationship all 4 (100), goals all 3 (75), approach all 2 (50); 36/44 overall.
    self_check(client, world["worker_a"], 4, set_goals_together=3, celebrate_wins=3,
               use_humor_with_care=2, grow_together=2, make_space_for_creativity=2)
    # Peer: 30/40, under the cut-off of 36 and with items under 8: flagged.
    session_check(client, world["peer_a"], world.partnership_a, 9, 6, 7, 8)
    as_worker = rapport(client, world, "worker_a").get_json()
    as_peer = rapport(client, world, "peer_a").get_json()
    assert {k: v for k, v in as_worker.items() if k != "repair"} == \
        {k: v for k, v in as_peer.items() if k != "repair"}
    assert as_worker["self_check"]["percent"] == 81.8
    assert {d["dimension"]: (d["worker_percent"], d["peer_percent"], d["gap"])
            for d in as_worker["dimensions"]} == {
        "relationship": (100.0, 90.0, -10.0), "goals": (75.0, 60.0, -15.0),
        "approach": (50.0, 70.0, 20.0), "overall": (81.8, 80.0, -1.8)}
    assert as_worker["flag"] is True
    assert as_worker["reasons"] == ["total_below_cutoff", "item_below_cutoff"]
    # The peer rated goals lowest: the repair is the rebuilding FAQ and the goals tips.
    repair = as_worker["repair"]
    assert repair["dimension"] == "goals"
    assert repair["faq"] == {"slug": "rebuild-damaged-rapport",
                             "question": "How can I repair rapport after something went wrong?"}
    assert [t["slug"] for t in repair["tips"]] == ["set-goals-together", "celebrate-wins"]
    assert all(t["title"] and t["action"] for t in repair["tips"])
    # The peer is pointed to what is written for them: how to say something feels off.
    theirs = as_peer["repair"]
    assert theirs["dimension"] == "goals"
    assert theirs["faq"]["slug"] == "it-is-not-working"
    assert [t["slug"] for t in theirs["tips"]] == ["say-what-works", "when-something-feels-off"]
    assert all(t["title"] and t["action"] for t in theirs["tips"])
    # The worker's item answers never reach the peer: only dimension percentages.
    assert set(as_peer["self_check"]) == {"created_at", "version", "percent", "dimensions"}
    assert all(set(d) == {"dimension", "percent"} for d in as_peer["self_check"]["dimensions"])


def test_the_repair_comes_in_the_asked_for_language(client, world):
    session_check(client, world["peer_a"], world.partnership_a, 9, 6, 7, 8)
    spanish = rapport(client, world, "worker_a", lang="es")
    assert spanish.headers["Content-Language"] == "es"
    repair = spanish.get_json()["repair"]
    assert repair["faq"]["question"].startswith("¿Cómo puedo reparar")
    assert repair["tips"][0]["title"] == "Pon metas en equipo"


def test_an_unshared_session_check_never_reaches_the_worker(client, world):
    peer = world["peer_a"]
    session_check(client, peer, world.partnership_a, 10, 10, 10, 10)
    before = rapport(client, world, "worker_a").get_json()
    # A very low check the peer keeps for agency totals only: flagged for the peer...
    kept = session_check(client, peer, world.partnership_a, 0, 1, 0, 2, share="aggregate_only")
    assert kept["score"]["flag"] is True
    # ...and invisible to the worker: the view is exactly what it was, flag and all.
    assert rapport(client, world, "worker_a").get_json() == before
    assert before["flag"] is False and len(before["session_checks"]) == 1
    # A later shared check is measured against the last shared one (40), not the hidden 3.
    session_check(client, peer, world.partnership_a, 9, 9, 9, 9)
    after = rapport(client, world, "worker_a").get_json()
    assert [c["total"] for c in after["session_checks"]] == [36, 40]
    assert after["flag"] is False


def test_a_drop_between_shared_checks_flags_the_view(client, world):
    peer = world["peer_a"]
    session_check(client, peer, world.partnership_a, 10, 10, 10, 10)         # 40
    session_check(client, peer, world.partnership_a, 9, 9, 9, 8, share="aggregate_only")
    session_check(client, peer, world.partnership_a, 9, 9, 9, 8)             # 35 after 40
    view = rapport(client, world, "worker_a").get_json()
    assert view["reasons"] == ["total_below_cutoff", "drop_since_last"]


def test_the_peer_side_is_the_mean_of_the_latest_three_shared_checks(client, world):
    peer = world["peer_a"]
    for value in (2, 10, 9, 8):  # the first falls out of the three
        session_check(client, peer, world.partnership_a, value, value, value, value)
    view = rapport(client, world, "worker_a").get_json()
    assert [c["total"] for c in view["session_checks"]] == [32, 36, 40]
    assert {d["dimension"]: d["peer_percent"] for d in view["dimensions"]} == dict.fromkeys(
        ("relationship", "goals", "approach", "overall"), 90.0)
    assert view["self_check"] is None and view["dimensions"][0]["gap"] is None


def test_the_view_is_read_in_the_access_log(client, world):
    rapport(client, world, "worker_a")
    log = client.get("/api/v1/me/access-log", headers=world["peer_a"].headers).get_json()
    assert "partnership.rapport.read" in {entry["action"] for entry in log}


# Agency insights ------------------------------------------------------------------------------


def people_in_agency_a(app, world, workers: int) -> list[tuple]:
    """`workers` more workers in agency A, each with a peer: [(worker, peer, partnership)]."""
    with app.app_context():
        admin = db.session.get(User, uuid.UUID(world["admin_a"].id))
        code, _ = accounts.create_join_code(admin)
        db.session.commit()
        made = []
        for n in range(workers):
            worker = make_worker(f"worker_{n}", agency_code=code)
            peer, partnership = make_peer_with(worker, f"peer_{n}")
            made.append((worker, peer, partnership))
        return made


def test_gaps_are_rounded_once_from_exact_values(client, world):
    self_check(client, world["worker_a"], 0, be_yourself=1)        # overall 1/44 = 2.27%
    for overall in (0, 0, 1):                                       # peer overall 10/3 = 3.33%
        session_check(client, world["peer_a"], world.partnership_a, 5, 5, 5, overall)
    gaps = {d["dimension"]: d for d in rapport(client, world, "worker_a").get_json()["dimensions"]}
    # 3.333… − 2.2727… = 1.06…, which rounds to 1.1 (rounding each side first gives 1.0).
    assert (gaps["overall"]["worker_percent"], gaps["overall"]["gap"]) == (2.3, 1.1)


# Time to talk, in the list -------------------------------------------------------------------

def listed_flag(client, world, who) -> bool:
    got = client.get("/api/v1/partnerships", headers=world[who].headers)
    assert got.status_code == 200
    [item] = [p for p in got.get_json() if p["id"] == world.partnership_a]
    return item["talk_flag"]


def test_the_list_says_when_it_is_time_to_talk_exactly_as_the_two_sided_view(client, world):
    """The worker learns on Today that a peer's check asks for a talk, without opening each
    two-sided view; the list's flag is the view's, through shares, drops and recoveries."""
    assert listed_flag(client, world, "worker_a") is False
    rng = random.Random(15)
    for _ in range(14):
        values = [rng.choice([5, 7, 8, 9, 10, 10]) for _ in range(4)]
        share = rng.choice(["now", "now", "aggregate_only"])
        session_check(client, world["peer_a"], world.partnership_a, *values, share=share)
        view = rapport(client, world, "worker_a").get_json()
        assert listed_flag(client, world, "worker_a") is view["flag"]
        assert listed_flag(client, world, "peer_a") is view["flag"]
    # An unshared low check never raises it.
    session_check(client, world["peer_a"], world.partnership_a, 10, 10, 10, 10)
    session_check(client, world["peer_a"], world.partnership_a, 1, 1, 1, 1,
                  share="aggregate_only")
    assert listed_flag(client, world, "worker_a") is False
    session_check(client, world["peer_a"], world.partnership_a, 9, 6, 7, 8)
    assert listed_flag(client, world, "worker_a") is True
    # Another partnership's members never see it.
    other = client.get("/api/v1/partnerships", headers=world["worker_b"].headers).get_json()
    assert all(p["talk_flag"] is False for p in other)


def test_the_two_sided_view_leaves_out_practices_that_did_not_come_up(client, world):
    # Approach: humour and creativity did not come up, grow-together 2 (50); goals: the win
    # did not come up, set-goals-together 3 (75); relationship all 4. 29 of 32 rated = 90.6.
    self_check(client, world["worker_a"], 4, set_goals_together=3, celebrate_wins=None,
               use_humor_with_care=None, grow_together=2, make_space_for_creativity=None)
    view = rapport(client, world, "peer_a").get_json()
    assert view["self_check"]["percent"] == 90.6
    assert {d["dimension"]: d["worker_percent"] for d in view["dimensions"]} == {
        "relationship": 100.0, "goals": 75.0, "approach": 50.0, "overall": 90.6}
    # Still only percentages reach the peer: not which practices did not come up.
    assert set(view["self_check"]) == {"created_at", "version", "percent", "dimensions"}
