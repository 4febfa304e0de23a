"""Agency API keys: shown once, stored hashed, listed without the secret, revoked at once."""

import re
import uuid
from datetime import timedelta
from unittest import mock

from sqlalchemy import func, select

from api.extensions import db
from api.http.api_keys import current_agency_id
from api.lib.clock import utcnow
from api.models import ApiKey, AuditEvent
from api.services.accounts import api_keys as api_key_service
from api.services.accounts.sessions import token_hash
from tests.helpers import assert_problem, parse_links

KEY_PATTERN = re.compile(r"^(rk_[a-z0-9]{8})_([A-Za-z0-9_-]{43,})$")


def keys_url(agency_id: str) -> str:
    return f"/api/v1/agencies/{agency_id}/api-keys"


def make_key(client, world, name: str = "Agency website", admin: str = "admin_a") -> dict:
    response = client.post(keys_url(world.agency_a), json={"name": name},
                           headers=world[admin].headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def listed(client, world, admin: str = "admin_a", **query) -> list[dict]:
    response = client.get(keys_url(world.agency_a), headers=world[admin].headers,
                          query_string=query)
    assert response.status_code == 200
    return response.get_json()


def test_making_a_key_shows_it_once_with_its_prefix(client, world):
    response = client.post(keys_url(world.agency_a), json={"name": "  Agency website "},
                           headers=world["admin_a"].headers)
    assert response.status_code == 201
    assert response.cache_control.no_store
    made = response.get_json()
    assert set(made) == {"id", "name", "prefix", "key", "created_at"}
    assert made["name"] == "Agency website"
    prefix, secret = KEY_PATTERN.match(made["key"]).groups()
    assert prefix == made["prefix"]
    assert len(secret) >= 43  # 32 random bytes, url-safe base64: 256 bits
    assert made["created_at"].endswith("Z")
    assert make_key(client, world)["key"] != made["key"]


def test_a_key_is_stored_only_as_its_hash(app, client, world):
    made = make_key(client, world)
    with app.app_context():
        row = db.session.get(ApiKey, uuid.UUID(made["id"]))
        assert row.key_hash == token_hash(made["key"])
        stored = [str(getattr(row, column.key)) for column in ApiKey.__table__.columns]
    assert not any(made["key"] in value for value in stored)


def test_the_list_never_shows_a_key_or_its_hash(client, world):
    made = make_key(client, world)
    response = client.get(keys_url(world.agency_a), headers=world["admin_a"].headers)
    text = response.get_data(as_text=True)
    assert made["key"] not in text and token_hash(made["key"]) not in text
    item = next(item for item in response.get_json() if item["id"] == made["id"])
    assert item == {"id": made["id"], "name": made["name"], "prefix": made["prefix"],
                    "created_at": made["created_at"], "last_used_at": None, "revoked_at": None}


def test_the_list_is_paged_newest_first(client, world):
    first, second = make_key(client, world, "First"), make_key(client, world, "Second")
    response = client.get(keys_url(world.agency_a), headers=world["admin_a"].headers,
                          query_string={"page_size": 1})
    assert [item["id"] for item in response.get_json()] == [second["id"]]
    assert '"total": 2' in response.headers["X-Pagination"]
    following = client.get(parse_links(response.headers["Link"])["next"],
                           headers=world["admin_a"].headers)
    assert [item["id"] for item in following.get_json()] == [first["id"]]
    too_big = client.get(keys_url(world.agency_a), headers=world["admin_a"].headers,
                         query_string={"page_size": 101})
    assert "page_size" in assert_problem(too_big, 422)["errors"]


def test_a_key_works_in_x_api_key_and_names_its_agency(app, client, world):
    made = make_key(client, world)
    response = client.get("/api/v1/tips", headers={"X-API-Key": made["key"]})
    assert response.status_code == 200
    assert response.headers["RateLimit-Policy"].startswith('"api-key";')
    with app.test_request_context(headers={"X-API-Key": made["key"]}):
        assert current_agency_id() == uuid.UUID(world.agency_a)
    with app.test_request_context():
        assert current_agency_id() is None


def test_last_use_is_written_about_once_a_minute(client, world, count_queries):
    made = make_key(client, world)
    client.get("/api/v1/faqs", headers={"X-API-Key": made["key"]})
    used = next(i for i in listed(client, world) if i["id"] == made["id"])["last_used_at"]
    assert used is not None and used.endswith("Z")

    with count_queries() as statements:
        client.get("/api/v1/faqs", headers={"X-API-Key": made["key"]})
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE API_KEYS")]

    later = utcnow() + timedelta(minutes=2)
    with mock.patch.object(api_key_service, "utcnow", return_value=later):
        client.get("/api/v1/faqs", headers={"X-API-Key": made["key"]})
    again = next(i for i in listed(client, world) if i["id"] == made["id"])["last_used_at"]
    assert again > used


def test_a_revoked_key_is_refused_at_once(client, world):
    made = make_key(client, world)
    assert client.get("/api/v1/tips", headers={"X-API-Key": made["key"]}).status_code == 200
    url = f"{keys_url(world.agency_a)}/{made['id']}"
    assert client.delete(url, headers=world["admin_a"].headers).status_code == 204

    refused = client.get("/api/v1/tips", headers={"X-API-Key": made["key"]})
    assert "revoked" in assert_problem(refused, 401)["detail"]
    assert refused.headers["WWW-Authenticate"].startswith("ApiKey ")
    item = next(i for i in listed(client, world) if i["id"] == made["id"])
    assert item["revoked_at"] is not None
    # Revoking again is no error and keeps the first time.
    assert client.delete(url, headers=world["admin_a"].headers).status_code == 204
    assert next(i for i in listed(client, world) if i["id"] == made["id"]) == item


def test_a_key_that_is_not_valid_is_401_on_any_route(client, world):
    for key in ("rk_nothing_at_all", "not even shaped like a key", "", "x" * 500):
        for path, headers in (("/api/v1/tips", {}), ("/healthz", {}),
                              ("/api/v1/me", world["worker_a"].headers)):
            response = client.get(path, headers={**headers, "X-API-Key": key})
            assert_problem(response, 401)
            assert response.cache_control.no_store
    # Without the header, the same requests are fine.
    assert client.get("/api/v1/me", headers=world["worker_a"].headers).status_code == 200


def test_refusing_a_key_is_counted_but_never_written_one_by_one(app, client):
    """Anyone can send a bad key: a row each would let them flood the audit trail."""
    def refused_keys() -> float:
        text = client.get("/metrics").get_data(as_text=True)
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith('rapport_access_denials_total{caller="anonymous"')
                   and 'status="401"' in line)

    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(AuditEvent))
    counted = refused_keys()
    client.get("/api/v1/tips", headers={"X-API-Key": "rk_wrongwrong_" + "x" * 43})
    assert refused_keys() == counted + 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == rows


def test_making_and_revoking_are_audited(app, client, world):
    made = make_key(client, world)
    client.delete(f"{keys_url(world.agency_a)}/{made['id']}", headers=world["admin_a"].headers)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "api_key", AuditEvent.object_id == made["id"])).all()
    assert sorted(actions) == ["agency.api_key.create", "agency.api_key.revoke"]


def test_another_agencys_admin_learns_nothing(client, world):
    made = make_key(client, world)
    other = world["admin_b"].headers
    assert_problem(client.get(keys_url(world.agency_a), headers=other), 404)
    assert_problem(client.post(keys_url(world.agency_a), json={"name": "Mine now"},
                               headers=other), 404)
    assert_problem(client.delete(f"{keys_url(world.agency_a)}/{made['id']}", headers=other),
                   404)
    # Through their own agency's address, agency A's key is simply not there.
    assert_problem(client.delete(f"{keys_url(world.agency_b)}/{made['id']}", headers=other),
                   404)
    assert client.get("/api/v1/tips", headers={"X-API-Key": made["key"]}).status_code == 200
    assert all(i["id"] != made["id"] for i in client.get(
        keys_url(world.agency_b), headers=other).get_json())


def test_an_unknown_key_id_is_404(client, world):
    url = f"{keys_url(world.agency_a)}/{uuid.uuid4()}"
    assert_problem(client.delete(url, headers=world["admin_a"].headers), 404)


def test_workers_and_peers_may_not_manage_keys(client, world):
    for name in ("worker_a", "peer_a"):
        assert_problem(client.get(keys_url(world.agency_a), headers=world[name].headers), 403)
    assert_problem(client.get(keys_url(world.agency_a)), 401)


def test_a_key_name_is_checked(client, world):
    for body, field in (({}, "name"), ({"name": "   "}, "name"), ({"name": "x" * 81}, "name"),
                        ({"name": "a\x00b"}, "name"), ({"name": "Site", "key": "mine"}, "key")):
        response = client.post(keys_url(world.agency_a), json=body,
                               headers=world["admin_a"].headers)
        assert field in assert_problem(response, 422)["errors"], body


def test_a_key_brings_its_agencys_published_tips_into_public_reads(client, world):
    slug = world.fresh_agency_item("tips")          # published by agency A
    key = make_key(client, world)["key"]
    keyed = client.get("/api/v1/tips", query_string={"page_size": 100},
                       headers={"X-API-Key": key})
    anonymous = client.get("/api/v1/tips", query_string={"page_size": 100})
    assert slug in [t["slug"] for t in keyed.get_json()]
    assert slug not in [t["slug"] for t in anonymous.get_json()]
    # Same URL, different answers: shared caches must keep them apart.
    assert "X-API-Key" in keyed.headers["Vary"] and "X-API-Key" in anonymous.headers["Vary"]
    assert keyed.headers["ETag"] != anonymous.headers["ETag"]
    # Naming another agency still works with a key; the key only fills in a missing one.
    other = client.get("/api/v1/tips", query_string={"agency": world.agency_b, "page_size": 100},
                       headers={"X-API-Key": key})
    assert slug not in [t["slug"] for t in other.get_json()]
    feed = client.get("/feeds/tips.json", headers={"X-API-Key": key}).get_json()
    assert feed["items"][0]["authors"] == [{"name": "Agency A"}]
