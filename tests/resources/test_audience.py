"""Whom content is written for: the people supported read tips and FAQs written to them
(`audience=peer`); workers' lists, the tip of the day, feeds and embeds stay the workers'.
A peer met worker training ("Start your next visit...") and FAQs about caseloads."""

from datetime import date, timedelta

from tests.helpers import assert_problem, core_tips
from tests.resources.test_agency_content import admin, faq_body, public_slugs, tip_body  # noqa: F401

PEER_TIPS = ["you-set-the-pace", "say-what-works", "small-steps-count", "when-something-feels-off"]


def listed(client, path, **query):
    response = client.get(path, query_string={"page_size": 100, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_worker_lists_hold_only_workers_items(client):
    tips = listed(client, "/api/v1/tips")
    assert [t["number"] for t in tips] == [t["number"] for t in core_tips("worker")]
    assert {t["audience"] for t in tips} == {"worker"}
    faqs = listed(client, "/api/v1/faqs")
    assert faqs and {f["audience"] for f in faqs} == {"worker"}
    assert listed(client, "/api/v1/tips", audience="worker") == tips


def test_peers_have_their_own_tips_and_faqs_in_both_languages(client):
    tips = listed(client, "/api/v1/tips", audience="peer")
    assert [t["slug"] for t in tips] == PEER_TIPS
    assert {t["audience"] for t in tips} == {"peer"}
    spanish = listed(client, "/api/v1/tips", audience="peer", lang="es")
    assert [t["language"] for t in spanish] == ["es"] * len(PEER_TIPS)
    assert spanish[0]["title"] == "Tú marcas el ritmo"
    faqs = listed(client, "/api/v1/faqs", audience="peer", lang="es")
    assert len(faqs) >= 5 and {f["language"] for f in faqs} == {"es"}
    # A peer's FAQ links only to tips written for them.
    assert {ref["slug"] for f in faqs for ref in f["related_tips"]} <= set(PEER_TIPS)


def test_search_stays_within_the_audience(client):
    # "slip" is in one peer tip and no worker tip.
    assert public_slugs(client, "/api/v1/tips", q="slip") == []
    assert public_slugs(client, "/api/v1/tips", q="slip", audience="peer") == ["small-steps-count"]


def test_the_tip_of_the_day_takes_turns_within_each_audience(client):
    start = date(2026, 12, 2)
    seen_peer, seen_worker = set(), set()
    for offset in range(len(PEER_TIPS)):
        day = (start + timedelta(days=offset)).isoformat()
        peer = client.get("/api/v1/tips/today", query_string={"date": day, "audience": "peer"})
        worker = client.get("/api/v1/tips/today", query_string={"date": day})
        assert peer.status_code == worker.status_code == 200
        assert peer.get_json()["audience"] == "peer"
        assert worker.get_json()["audience"] == "worker"
        seen_peer.add(peer.get_json()["slug"])
        seen_worker.add(worker.get_json()["slug"])
    assert seen_peer == set(PEER_TIPS)  # every peer tip in four days
    assert not seen_worker & set(PEER_TIPS)


def test_one_item_by_its_slug_is_found_whoever_it_is_for(client):
    response = client.get("/api/v1/tips/small-steps-count")
    assert response.status_code == 200
    assert response.get_json()["audience"] == "peer"
    assert client.get("/api/v1/faqs/who-sees-my-goals").get_json()["audience"] == "peer"


def test_feeds_stay_the_workers(client):
    feed = client.get("/feeds/tips.json").get_json()
    urls = " ".join(item["url"] for item in feed["items"])
    assert len(feed["items"]) == len(core_tips("worker"))
    assert not any(slug in urls for slug in PEER_TIPS)


def test_an_unknown_audience_is_a_problem_in_the_callers_language(client):
    body = assert_problem(client.get("/api/v1/tips", query_string={"audience": "everyone",
                                                                   "lang": "es"}), 422)
    assert "audience" in body["errors"]
    assert body["errors"]["audience"][0].startswith("Debe ser")


def test_an_agency_writes_for_its_peers_too(client, world, admin):  # noqa: F811
    made = admin.post("tips", tip_body("bring-a-friend", status="published", audience="peer"))
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["audience"] == "peer"
    faq = admin.post("faqs", faq_body("can-i-bring-someone", status="published",
                                      audience="peer", related_tips=["small-steps-count"]))
    assert faq.status_code == 201, faq.get_json()
    agency = world.agency_a
    assert "bring-a-friend" in public_slugs(client, "/api/v1/tips", audience="peer",
                                            agency=agency)
    assert "bring-a-friend" not in public_slugs(client, "/api/v1/tips", agency=agency)
    assert "can-i-bring-someone" in public_slugs(client, "/api/v1/faqs", audience="peer",
                                                 agency=agency)
    # ...and moves it to the workers' list when it was meant for them after all.
    moved = admin.patch("tips", "bring-a-friend", {"audience": "worker"})
    assert moved.status_code == 200 and moved.get_json()["audience"] == "worker"
    assert "bring-a-friend" in public_slugs(client, "/api/v1/tips", agency=agency)
    assert_problem(admin.patch("tips", "bring-a-friend", {"audience": "both"}), 422)
