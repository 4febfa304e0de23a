"""The attacks on the audit trail, replayed.

1. Flooding: each anonymous denial wrote an append-only row, filed under the partnership it
   named: 2,347 rows in 5 s, all in the peer's access log, and real writes slowed to a third.
2. Telling: a peer's session-check kept for agency totals ("aggregate_only") showed up in
   the worker's access log as "your peer sent a survey response".
"""

import uuid

from sqlalchemy import func, select

from api.config import Config
from api.extensions import db
from api.models import AuditEvent
from tests.helpers import assert_problem
from tests.resources.test_self_check_results import session_check


def audit_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def access_log(client, actor) -> list[dict]:
    got = client.get("/api/v1/me/access-log?page_size=100", headers=actor.headers)
    assert got.status_code == 200
    return got.get_json()


def test_anonymous_denials_write_nothing_and_are_limited(app, make_app, world):
    client = make_app(DENIAL_LIMIT=Config.DENIAL_LIMIT).test_client()
    peer = world["peer_a"]
    before_log = access_log(client, peer)
    before = audit_rows(app)
    partnership = world.partnership_a
    answers = []
    for n in range(70):
        # No session, a dead session, a wrong calendar link: all naming the partnership.
        answers.append(client.get(f"/api/v1/partnerships/{partnership}").status_code)
        answers.append(client.get(f"/api/v1/partnerships/{partnership}",
                                  headers={"Authorization": f"Bearer forged-{n}"}).status_code)
        answers.append(client.get(f"/api/v1/partnerships/{partnership}/checkins.ics",
                                  query_string={"token": f"guess-{n:040d}"}).status_code)
    assert audit_rows(app) == before
    assert set(answers) <= {401, 404, 429}
    # 60 a minute from one address, then refused before anything else is done.
    assert answers.count(429) == len(answers) - 60  # the documented limit (DENIAL_LIMIT)
    log = access_log(client, peer)
    assert [entry for entry in log if entry not in before_log
            and entry["action"] != "account.access_log.read"] == []


def test_anonymous_denials_are_counted_in_the_metrics(client, world):
    def denials() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("rapport_access_denials_total{")
                   and 'caller="anonymous"' in line)

    before = denials()
    for _ in range(3):
        client.get(f"/api/v1/partnerships/{world.partnership_a}")
    assert denials() == before + 3


def test_someone_elses_denied_look_is_theirs_not_the_members(client, world):
    outsider = world["worker_b"]
    assert_problem(client.get(f"/api/v1/partnerships/{world.partnership_a}",
                              headers=outsider.headers), 404)
    for member in ("worker_a", "peer_a"):
        log = access_log(client, world[member])
        assert not [e for e in log if e["outcome"] == "denied"], member
    mine = [e for e in access_log(client, outsider) if e["outcome"] == "denied"]
    assert mine and mine[0]["actor_id"] == outsider.id


def test_a_check_kept_for_agency_totals_never_reaches_the_worker(client, world):
    session_check(client, world["peer_a"], world.partnership_a, 2, 2, 2, 2, "aggregate_only")
    created = [e for e in access_log(client, world["worker_a"])
               if e["action"] == "survey_response.create"]
    assert created == []
    # The peer's own log still shows it: it is their own act.
    assert [e for e in access_log(client, world["peer_a"])
            if e["action"] == "survey_response.create"]
    # A check shared now does reach the worker, as before.
    session_check(client, world["peer_a"], world.partnership_a, 9, 9, 9, 9, "now")
    shared = [e for e in access_log(client, world["worker_a"])
              if e["action"] == "survey_response.create"]
    assert len(shared) == 1 and uuid.UUID(shared[0]["object_id"])


def test_an_account_cannot_flood_the_audit_trail_with_denials(app, make_app, world):
    """The attack: any account asking for someone else's partnership, over and over, wrote
    ~400 rows a second into a table nothing may delete from."""
    client = make_app(DENIAL_LIMIT=Config.DENIAL_LIMIT).test_client()
    outsider = world["worker_b"]
    before = audit_rows(app)
    answers = [client.get(f"/api/v1/partnerships/{world.partnership_a}",
                          headers=outsider.headers).status_code for _ in range(70)]
    assert answers == [404] * 60 + [429] * 10
    assert audit_rows(app) == before + 60
    # Their own requests that are allowed still are.
    assert client.get("/api/v1/partnerships", headers=outsider.headers).status_code == 200


def test_reading_again_and_again_does_not_bury_the_other_members_log(app, client, world):
    """The attack: a worker reading their own partnership's timeline put 807 rows into the
    peer's access log in 5 s. A read is now written once a minute per reader and object."""
    worker, peer = world["worker_a"], world["peer_a"]
    before = audit_rows(app)
    for _ in range(50):
        assert client.get(f"/api/v1/partnerships/{world.partnership_a}/timeline",
                          headers=worker.headers).status_code == 200
    assert audit_rows(app) == before + 1
    reads = [e for e in access_log(client, peer) if e["action"] == "timeline.read"]
    assert len(reads) == 1 and reads[0]["actor_id"] == worker.id
    # Another reader, or another object, is written as before.
    before = audit_rows(app)
    client.get(f"/api/v1/partnerships/{world.partnership_a}/timeline", headers=peer.headers)
    assert audit_rows(app) == before + 1
