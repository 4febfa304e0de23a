"""The agency console's API: the agency's settings (and the order of its own content), its
join codes (label, list, revoke, uses), and its workers (list, remove)."""

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from api.extensions import db
from api.lib.clock import utcnow
from api.models import AgencyJoinCode, User
from tests.factories import PASSWORD, make_worker, unique
from tests.helpers import assert_problem

MISSING = "00000000-0000-4000-8000-000000000000"
REGISTER = "/api/v1/auth/register"
STILL_CARRYING = ("This worker still has active or paused partnerships made under your "
                  "agency. Hand them over or end them first.")


def agency_url(world, side="a", tail=""):
    return f"/api/v1/agencies/{getattr(world, f'agency_{side}')}{tail}"


def as_admin(world, side="a"):
    return world[f"admin_{side}"].headers


def access_log(client, actor) -> list[dict]:
    got = client.get("/api/v1/me/access-log", query_string={"page_size": 100},
                     headers=actor.headers)
    assert got.status_code == 200
    return got.get_json()


def new_code(client, world, label=None, side="a") -> dict:
    made = client.post(agency_url(world, side, "/join-codes"),
                       json={"label": label} if label else {}, headers=as_admin(world, side))
    assert made.status_code == 201, made.get_json()
    return made.get_json()


def codes_listed(client, world) -> list[dict]:
    got = client.get(agency_url(world, tail="/join-codes"), headers=as_admin(world))
    assert got.status_code == 200, got.get_json()
    assert got.cache_control.no_store
    return got.get_json()


def sign_up(client, code):
    return client.post(REGISTER, json={"email": f"{unique('w')}@example.org",
                                       "password": PASSWORD, "display_name": "New",
                                       "agency_code": code})


def members(client, world) -> list[dict]:
    got = client.get(agency_url(world, tail="/members"), headers=as_admin(world))
    assert got.status_code == 200, got.get_json()
    assert got.cache_control.no_store
    return got.get_json()


# The agency's settings ----------------------------------------------------------------------

def test_the_admin_reads_the_agencys_settings(client, world):
    got = client.get(agency_url(world), headers=as_admin(world))
    assert got.status_code == 200 and got.cache_control.no_store
    assert got.get_json() == {"id": world.agency_a, "name": "Agency A", "own_content_first": True,
                              "crisis_include_default": True, "workers": 1,
                              "webhooks_switched_off": 0}


def test_the_admin_renames_the_agency_and_moves_its_content(client, world):
    changed = client.patch(agency_url(world), json={"name": "  Riverside  ",
                                                    "own_content_first": False},
                           headers=as_admin(world))
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["name"] == "Riverside"
    assert changed.get_json()["own_content_first"] is False
    assert client.get(agency_url(world), headers=as_admin(world)).get_json() == changed.get_json()
    # Nothing sent, nothing changed.
    same = client.patch(agency_url(world), json={}, headers=as_admin(world))
    assert same.status_code == 200 and same.get_json() == changed.get_json()
    assert "agency.update" in {e["action"] for e in access_log(client, world["admin_a"])}


@pytest.mark.parametrize("body", [
    {"own_content_first": "yes"}, {"own_content_first": 1}, {"name": ""}, {"name": "   "},
    {"name": "x" * 121}, {"name": "a\x00b"}, {"crisis_include_default": False}, {"id": MISSING},
])
def test_bad_settings_are_422(client, world, body):
    assert_problem(client.patch(agency_url(world), json=body, headers=as_admin(world)), 422)


def _slugs_on_embed(page: str) -> list[str]:
    return re.findall(r"#/tips/([a-z0-9-]+)\?", page)


@pytest.fixture
def cached_client(make_app, app):  # `app` first: it migrates and loads the run's database
    """A process that keeps public answers in memory, as in production."""
    return make_app(CONTENT_VERSION_TTL=60).test_client()


def test_the_agency_chooses_whether_its_own_items_come_first(cached_client, world):
    client = cached_client
    own = {kind: world.fresh_agency_item(kind) for kind in ("tips", "faqs", "topics")}
    query = {"agency": world.agency_a, "page_size": 100}

    def listed(kind):
        return [item["slug"] for item in client.get(f"/api/v1/{kind}",
                                                    query_string=query).get_json()]

    def feed():
        items = client.get("/feeds/tips.json", query_string={"agency": world.agency_a})
        return [item["url"].split("#/tips/")[1].split("?")[0]
                for item in items.get_json()["items"]]

    def embed():
        return _slugs_on_embed(client.get("/embed/tips", query_string={
            "agency": world.agency_a, "count": 20}).get_data(as_text=True))

    for kind in own:
        assert listed(kind)[0] == own[kind]
    assert feed()[0] == own["tips"]
    assert embed()[0] == own["tips"]
    before = client.get("/api/v1/tips", query_string=query)

    moved = client.patch(agency_url(world), json={"own_content_first": False},
                         headers=as_admin(world))
    assert moved.status_code == 200
    # The cached answers change at once: the order is part of the content version.
    again = client.get("/api/v1/tips", query_string=query,
                       headers={"If-None-Match": before.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != before.headers["ETag"]
    for kind in own:
        assert listed(kind)[-1] == own[kind]
        assert listed(kind)[0] != own[kind]
    assert feed()[-1] == own["tips"]
    shown = embed()
    assert shown[-1] == own["tips"] and shown[0] != own["tips"]
    # Only the agency's own lists change: core lists and the other agency's stay as they were.
    assert own["tips"] not in [t["slug"] for t in client.get(
        "/api/v1/tips", query_string={"agency": world.agency_b}).get_json()]

    client.patch(agency_url(world), json={"own_content_first": True}, headers=as_admin(world))
    assert listed("tips")[0] == own["tips"] and embed()[0] == own["tips"]


def test_after_the_core_ones_a_short_embed_leads_with_the_tip_of_the_day(client, world):
    world.fresh_agency_item("tips")
    client.patch(agency_url(world), json={"own_content_first": False}, headers=as_admin(world))
    today = client.get("/api/v1/tips/today", query_string={"agency": world.agency_a}).get_json()
    shown = _slugs_on_embed(client.get("/embed/tips", query_string={
        "agency": world.agency_a, "count": 3}).get_data(as_text=True))
    assert shown[0] == today["slug"] and len(shown) == 3


# Join codes ---------------------------------------------------------------------------------

def test_a_code_is_made_with_a_label_and_shown_once(client, world):
    made = new_code(client, world, "  Spring hires ")
    assert made.keys() == {"id", "code", "label", "expires_at"}
    assert made["label"] == "Spring hires"
    unlabelled = client.post(agency_url(world, tail="/join-codes"), headers=as_admin(world))
    assert unlabelled.status_code == 201 and unlabelled.get_json()["label"] is None
    listed = codes_listed(client, world)
    assert [c["id"] for c in listed][:2] == [unlabelled.get_json()["id"], made["id"]]
    assert listed[1] == {"id": made["id"], "label": "Spring hires", "uses": 0,
                         "created_at": listed[1]["created_at"], "revoked_at": None,
                         "expires_at": made["expires_at"], "status": "active"}
    text = client.get(agency_url(world, tail="/join-codes"),
                      headers=as_admin(world)).get_data(as_text=True)
    assert made["code"] not in text and "code_hash" not in text
    assert "agency.join_code.create" in {e["action"] for e in access_log(client, world["admin_a"])}


@pytest.mark.parametrize("body", [{"label": "x" * 81}, {"label": ""}, {"label": "  "},
                                  {"label": 5}, {"code": "AAAA-BBBB-CCCC"}])
def test_a_bad_label_is_422(client, world, body):
    assert_problem(client.post(agency_url(world, tail="/join-codes"), json=body,
                               headers=as_admin(world)), 422)


def test_signing_up_and_joining_count_as_uses_and_say_when(app, client, world):
    made = new_code(client, world, "Two uses")
    assert sign_up(client, made["code"]).status_code == 201
    with app.app_context():
        independent = make_worker("independent")
    joined = client.post("/api/v1/me/agency", json={"code": made["code"]},
                         headers=independent.headers)
    assert joined.status_code == 200
    # The same code again for the same agency changes nothing, and is no second use.
    client.post("/api/v1/me/agency", json={"code": made["code"]}, headers=independent.headers)
    listed = next(c for c in codes_listed(client, world) if c["id"] == made["id"])
    assert listed["uses"] == 2
    row = next(m for m in members(client, world) if m["id"] == independent.id)
    assert row["joined_at"] is not None and row["partnerships"] == 0


def test_statuses_active_expired_revoked(app, client, world):
    active, expired, revoked = (new_code(client, world, label) for label in
                                ("Active", "Expired", "Revoked"))
    with app.app_context():
        db.session.execute(update(AgencyJoinCode).where(
            AgencyJoinCode.id == uuid.UUID(expired["id"])).values(
            expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    gone = client.delete(agency_url(world, tail=f"/join-codes/{revoked['id']}"),
                         headers=as_admin(world))
    assert gone.status_code == 204
    status = {c["label"]: c["status"] for c in codes_listed(client, world)}
    assert status == {**status, "Active": "active", "Expired": "expired", "Revoked": "revoked"}


def test_a_revoked_code_lets_no_one_in(app, client, world):
    made = new_code(client, world, "Leaked")
    url = agency_url(world, tail=f"/join-codes/{made['id']}")
    assert client.delete(url, headers=as_admin(world)).status_code == 204
    assert client.delete(url, headers=as_admin(world)).status_code == 204  # twice is fine
    listed = next(c for c in codes_listed(client, world) if c["id"] == made["id"])
    assert listed["status"] == "revoked" and listed["revoked_at"] is not None
    refused = assert_problem(sign_up(client, made["code"]), 422)
    assert refused["errors"] == {"agency_code": ["This agency code is not valid or has expired."]}
    with app.app_context():
        independent = make_worker("independent")
    assert_problem(client.post("/api/v1/me/agency", json={"code": made["code"]},
                               headers=independent.headers), 422)
    assert listed["uses"] == 0
    revokes = [e for e in access_log(client, world["admin_a"])
               if e["action"] == "agency.join_code.revoke"]
    assert [e["object_id"] for e in revokes] == [made["id"]]  # once, though asked twice


def test_unknown_or_another_agencys_code_is_404(client, world):
    assert_problem(client.delete(agency_url(world, tail=f"/join-codes/{MISSING}"),
                                 headers=as_admin(world)), 404)
    theirs = new_code(client, world, side="b")
    assert_problem(client.delete(agency_url(world, tail=f"/join-codes/{theirs['id']}"),
                                 headers=as_admin(world)), 404)
    # Nor through their own agency's address, of course.
    assert_problem(client.delete(agency_url(world, "b", f"/join-codes/{theirs['id']}"),
                                 headers=as_admin(world)), 404)
    assert sign_up(client, theirs["code"]).status_code == 201  # still works for them


# Members ------------------------------------------------------------------------------------

def test_members_are_the_agencys_workers_by_name(app, client, world):
    code = new_code(client, world)["code"]
    with app.app_context():
        zoe = make_worker("zoe", agency_code=code)
        abe = make_worker("abe", agency_code=code)
    listed = members(client, world)
    assert [m["id"] for m in listed] == [abe.id, world["worker_a"].id, zoe.id]
    worker_a = listed[1]
    assert worker_a == {"id": world["worker_a"].id, "display_name": "Worker A",
                        "email": world["worker_a"].email, "joined_at": worker_a["joined_at"],
                        "partnerships": 1}
    assert worker_a["joined_at"].endswith("Z")
    ids = {m["id"] for m in listed}
    assert not ids & {world["admin_a"].id, world["peer_a"].id, world["worker_b"].id}
    text = client.get(agency_url(world, tail="/members"),
                      headers=as_admin(world)).get_data(as_text=True)
    assert "Peer A" not in text
    assert client.get(agency_url(world), headers=as_admin(world)).get_json()["workers"] == 3


def _remove(client, world, user_id, **headers):
    return client.delete(agency_url(world, tail=f"/members/{user_id}"),
                         headers={**as_admin(world), **headers})


@pytest.mark.parametrize("status", ["active", "paused"])
def test_a_worker_with_partnerships_under_the_agency_cannot_be_removed(client, world, status):
    if status == "paused":
        paused = client.patch(f"/api/v1/partnerships/{world.partnership_a}",
                              json={"status": "paused"}, headers=world["worker_a"].headers)
        assert paused.status_code == 200
    problem = assert_problem(_remove(client, world, world["worker_a"].id), 409)
    assert problem["detail"] == STILL_CARRYING
    spanish = assert_problem(_remove(client, world, world["worker_a"].id,
                                     **{"Accept-Language": "es"}), 409)
    assert spanish["detail"] == (
        "Este acompañante de pares todavía tiene acompañamientos activos o en pausa hechos "
        "con tu agencia. Pásalos a otra persona o termínalos primero.")
    assert world["worker_a"].id in {m["id"] for m in members(client, world)}


def test_a_removed_worker_leaves_every_agency_screen(client, world):
    worker = world["worker_a"]
    ended = client.patch(f"/api/v1/partnerships/{world.partnership_a}",
                         json={"status": "ended"}, headers=worker.headers)
    assert ended.status_code == 200
    supervised = client.get(agency_url(world, tail="/supervision"), headers=as_admin(world))
    assert worker.id in {row["worker_id"] for row in supervised.get_json()}

    assert _remove(client, world, worker.id).status_code == 204
    assert worker.id not in {m["id"] for m in members(client, world)}
    supervised = client.get(agency_url(world, tail="/supervision"), headers=as_admin(world))
    assert worker.id not in {row["worker_id"] for row in supervised.get_json()}
    assert client.get(agency_url(world), headers=as_admin(world)).get_json()["workers"] == 0
    me = client.get("/api/v1/me", headers=worker.headers).get_json()
    assert me["agency_id"] is None and me["content_agency_id"] is None
    # They are told, in their own access log.
    removed = [e for e in access_log(client, worker) if e["action"] == "agency.member.remove"]
    assert len(removed) == 1 and removed[0]["object_id"] == worker.id
    # History stays: the ended partnership is still theirs, and still the agency's.
    old = client.get(f"/api/v1/partnerships/{world.partnership_a}", headers=worker.headers)
    assert old.status_code == 200 and old.get_json()["agency_id"] == world.agency_a
    # A second removal finds no such worker; they can join again with a code.
    assert_problem(_remove(client, world, worker.id), 404)
    rejoined = client.post("/api/v1/me/agency", json={"code": new_code(client, world)["code"]},
                           headers=worker.headers)
    assert rejoined.status_code == 200 and rejoined.get_json()["agency_id"] == world.agency_a


def test_a_removed_worker_has_no_join_date(app, client, world):
    member_id = world.fresh_member()
    assert _remove(client, world, member_id).status_code == 204
    with app.app_context():
        user = db.session.scalar(select(User).where(User.id == uuid.UUID(member_id)))
        assert user.agency_id is None and user.agency_joined_at is None


def test_only_a_worker_of_this_agency_can_be_removed(client, world):
    for someone in (world["peer_a"].id, world["admin_a"].id, world["worker_b"].id, MISSING):
        assert_problem(_remove(client, world, someone), 404)


# Who may ------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "", None), ("PATCH", "", {"own_content_first": False}),
    ("GET", "/join-codes", None), ("POST", "/join-codes", {}),
    ("DELETE", "/join-codes/{code}", None),
    ("GET", "/members", None), ("DELETE", "/members/{member}", None),
]


@pytest.mark.parametrize(("method", "tail", "body"), ROUTES,
                         ids=[f"{m} {t or '/'}" for m, t, _ in ROUTES])
def test_only_the_agencys_own_admin_gets_in(client, world, method, tail, body):
    def url():
        return agency_url(world, tail=tail.format(code=world.fresh_join_code_id(),
                                                  member=world.fresh_member()))

    for name, status in (("admin_b", 404), ("worker_a", 403), ("peer_a", 403),
                         ("worker_b", 403), ("anonymous", 401)):
        kwargs = {"json": body} if body is not None else {}
        got = client.open(url(), method=method, headers=world[name].headers, **kwargs)
        assert_problem(got, status)
    # Unchanged by all of that.
    settings = client.get(agency_url(world), headers=as_admin(world)).get_json()
    assert settings["own_content_first"] is True
