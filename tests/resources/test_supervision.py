"""Supervision without content: an agency admin sees each worker's process numbers and
nothing a peer wrote or answered; every read lands in each worker's access log; only the
agency's own admin reaches it."""

import uuid
from datetime import timedelta

from api.db.unit_of_work import unit_of_work
from api.extensions import db
from api.lib.clock import utcnow
from api.models import Partnership
from tests.factories import make_goal, make_peer_with, make_worker
from tests.helpers import assert_problem

FIELDS = {"worker_id", "display_name", "joined_at", "partnerships", "paused", "overdue",
          "median_consistency", "days_since_last_checkin"}
SECRETS = ("Walk to the lake", "felt heard today", "Peer_Secret_Name")


def started_days_ago(app, partnership_id, days):
    with app.app_context(), unit_of_work():
        db.session.get(Partnership, uuid.UUID(partnership_id)).created_at = (
            utcnow() - timedelta(days=days))


def test_an_admin_sees_numbers_only_lowest_first_and_each_worker_sees_the_read(
        app, client, world):
    admin = world["admin_a"]
    steady = world["worker_a"]  # checks in today on a partnership a month old
    started_days_ago(app, world.partnership_a, 30)
    with app.app_context():
        goal = str(make_goal(steady, world.partnership_a, "Walk to the lake").id)
        late = make_worker("late_worker", agency_code=world.fresh_join_code("a"))
        _, late_partnership = make_peer_with(late, "Peer_Secret_Name")
    assert client.post(f"/api/v1/goals/{goal}/checkins", headers=steady.headers,
                       json={"progress": 4, "note": "felt heard today"}).status_code == 201
    started_days_ago(app, late_partnership, 10)  # no check-in in 10 days, a 7-day cadence

    answer = client.get(f"/api/v1/agencies/{world.agency_a}/supervision", headers=admin.headers)
    assert answer.status_code == 200
    rows = answer.get_json()
    assert all(set(row) == FIELDS for row in rows)
    text = answer.get_data(as_text=True)
    assert not any(secret in text for secret in SECRETS)
    by_id = {row["worker_id"]: row for row in rows}
    assert by_id[late.id]["overdue"] == 1 and by_id[late.id]["days_since_last_checkin"] is None
    assert by_id[late.id]["median_consistency"] == 0.0
    assert by_id[steady.id]["overdue"] == 0 and by_id[steady.id]["days_since_last_checkin"] == 0
    assert by_id[steady.id]["median_consistency"] > 0
    assert rows.index(by_id[late.id]) < rows.index(by_id[steady.id])  # lowest first
    assert world["worker_b"].id not in by_id  # another agency's worker

    for worker in (steady, late):
        log = client.get("/api/v1/me/access-log", headers=worker.headers).get_json()
        assert any(entry["action"] == "supervision.read" and entry["actor_role"] ==
                   "agency_admin" for entry in log), log
    # The peers' own logs show nothing of it: it is about the worker's work.
    log = client.get("/api/v1/me/access-log", headers=world["peer_a"].headers).get_json()
    assert not any(entry["action"] == "supervision.read" for entry in log)


def test_partnerships_made_before_joining_the_agency_do_not_count(app, client, world):
    with app.app_context():
        newcomer = make_worker("newcomer")
        make_peer_with(newcomer, "earlier_peer")
    assert client.post("/api/v1/me/agency", headers=newcomer.headers,
                       json={"code": world.fresh_join_code("a")}).status_code == 200
    rows = client.get(f"/api/v1/agencies/{world.agency_a}/supervision",
                      headers=world["admin_a"].headers).get_json()
    [row] = [row for row in rows if row["worker_id"] == newcomer.id]
    assert (row["partnerships"], row["median_consistency"]) == (0, None)
    assert rows[-1]["median_consistency"] is None  # no number yet: last


def test_no_one_else_reaches_it(client, world):
    url = f"/api/v1/agencies/{world.agency_a}/supervision"
    assert_problem(client.get(url, headers=world["admin_b"].headers), 404)
    for name in ("worker_a", "peer_a"):
        assert_problem(client.get(url, headers=world[name].headers), 403)
    assert_problem(client.get(url), 401)
    missing = f"/api/v1/agencies/{uuid.uuid4()}/supervision"
    assert_problem(client.get(missing, headers=world["admin_a"].headers), 404)
