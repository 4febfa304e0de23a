"""Whose content a person reads: /me names the agency whose own tips, FAQs and crisis lines
the app should ask for. A worker who joined with an agency's code, and the peers they support,
saw only the core tips and only 988: nothing told the app which agency they belonged to."""

from tests.factories import make_peer_with, make_worker


def me(client, actor) -> dict:
    response = client.get("/api/v1/me", headers=actor.headers)
    assert response.status_code == 200
    return response.get_json()


def test_a_worker_reads_their_agencys_content(client, world):
    body = me(client, world["worker_a"])
    assert body["agency_id"] == body["content_agency_id"] == world.agency_a
    assert me(client, world["admin_b"])["content_agency_id"] == world.agency_b


def test_a_peer_reads_their_workers_agency(client, world):
    peer = me(client, world["peer_a"])
    assert peer["agency_id"] is None  # a peer is not a member of the agency...
    assert peer["content_agency_id"] == world.agency_a  # ...but reads what it wrote for them
    assert me(client, world["peer_b"])["content_agency_id"] == world.agency_b


def test_no_agency_no_agency_content(app, client):
    with app.app_context():
        worker = make_worker("independent")
        peer, _ = make_peer_with(worker, "their_peer")
    assert me(client, worker)["content_agency_id"] is None
    assert me(client, peer)["content_agency_id"] is None


def test_an_ended_partnership_stops_it(client, world):
    peer = world["peer_a"]
    ended = client.patch(f"/api/v1/partnerships/{world.partnership_a}",
                         json={"status": "ended"}, headers=world["worker_a"].headers)
    assert ended.status_code == 200, ended.get_json()
    assert me(client, peer)["content_agency_id"] is None


def test_a_name_change_answers_with_it_too(client, world):
    response = client.patch("/api/v1/me", json={"display_name": "Ana"},
                            headers=world["peer_a"].headers)
    assert response.status_code == 200
    assert response.get_json()["content_agency_id"] == world.agency_a
